/**
 * Three scheduler instances in separate processes on one database: every tick of every schedule
 * fires exactly once, and the handlers' work is spread over the instances.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, it } from 'node:test';
import { createScheduler, type Scheduler } from '../../lib/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/wait.ts';

interface Handled {
  runId: string;
  scheduleId: string;
  scheduledFor: string;
  attempt: number;
  instance: number;
}

let db: { url: string; drop(): Promise<void> };
let admin: Scheduler;
const children: ChildProcess[] = [];
const handled: Handled[] = [];
const ready = new Set<number>();

function startInstance(index: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/fixtures/instance.ts'], {
    env: { ...process.env, DATABASE_URL: db.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = JSON.parse(line);
    if (message.ready) ready.add(index);
    if (message.handled) handled.push({ ...message.handled, instance: index });
  });
  return child;
}

before(async () => {
  db = await createTestDatabase();
  // Migrates the schema once before the instances race to start; it fires nothing itself.
  admin = createScheduler({ connectionString: db.url, fire: false });
  await admin.start();
  for (let i = 0; i < 3; i++) children.push(startInstance(i));
  await waitFor('three instances ready', () => ready.size === 3, { timeoutMs: 60_000 });
});

after(async () => {
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  await admin?.stop();
  await db?.drop();
});

it('three instances fire every tick of 30 every-second schedules exactly once, and share the handling', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 30; i++) ids.push((await admin.create({ name: `multi-${i}`, cron: '* * * * * *' })).id);
  await waitFor(
    'eight seconds of runs for every schedule',
    () => ids.every((id) => handled.filter((h) => h.scheduleId === id).length >= 8),
    { timeoutMs: 60_000 },
  );
  for (const id of ids) await admin.pause(id);

  for (const id of ids) {
    const mine = handled.filter((h) => h.scheduleId === id && h.attempt === 1);
    const instants = mine.map((h) => Date.parse(h.scheduledFor)).sort((a, b) => a - b);
    assert.equal(new Set(instants).size, instants.length, `no duplicate tick for ${id}`);
    assert.equal(new Set(mine.map((h) => h.runId)).size, mine.length, 'each run handled once');
    for (let i = 1; i < instants.length; i++) assert.equal(instants[i]! - instants[i - 1]!, 1000, `no gap for ${id}`);
  }
  const perInstance = [0, 1, 2].map((i) => handled.filter((h) => h.instance === i).length);
  console.log(`handled per instance: ${perInstance.join(', ')}`);
  assert.ok(perInstance.filter((n) => n > 0).length >= 2, 'handling is spread over instances');
});
