/**
 * Reading Prometheus text exposition in tests: samples by name and labels, and promtool when the
 * machine has it (Debian's `prometheus` package).
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

/** One sample line: `name{a="x",b="y"} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of a text exposition; throws on a line that is neither a sample, a comment nor blank. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = JSON.parse(`"${value}"`) as string;
    const raw = match[3]!;
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`not a sample value: ${JSON.stringify(line)}`);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  return parseSamples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The value of the one sample of `name` with exactly these labels (undefined when there is none). */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.keys(labels).length;
  return samplesOf(text, name, labels).find((s) => Object.keys(s.labels).length === want)?.value;
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function sumOf(text: string, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(text, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** Whether `promtool` is on the PATH (checks that use it are skipped when it is not). */
export const hasPromtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

const run = promisify(execFile);

/** `promtool check metrics` on a text exposition: its complaints, or '' when it has none. */
export async function promtoolCheckMetrics(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => {
      // promtool exits 3 for lint problems, 1 for a parse failure: either way the output says what.
      if (error && typeof error.code !== 'number') reject(error);
      else resolve(`${stdout}${stderr}`.trim());
    });
    child.stdin?.end(text);
  });
}

/** `promtool check rules` on a rule file: rejects (promtool exits non-zero) when it is not valid. */
export async function promtoolCheckRules(path: string): Promise<string> {
  const { stdout, stderr } = await run('promtool', ['check', 'rules', path]);
  return `${stdout}${stderr}`;
}
