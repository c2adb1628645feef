/**
 * What the PostgreSQL server spends, read around a benchmark's window: CPU seconds of its processes
 * (from /proc, so only when the server runs on this machine) and WAL bytes written.
 */
import { readFile } from 'node:fs/promises';
import type { BenchDatabase } from './database.ts';

export interface ServerSample {
  /** CPU time (user + system) of the server's processes, ms, by pid; null when /proc cannot tell. */
  cpuMs: Map<number, number> | null;
  /** pg_current_wal_lsn() as text. */
  wal: string;
}

/** USER_HZ: the unit of /proc/<pid>/stat times on Linux. */
const TICKS_PER_SECOND = 100;

async function cpuOf(pid: number): Promise<number | null> {
  try {
    // A pid of a server on another machine may name some other process here.
    if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() !== 'postgres') return null;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at the last ')'; utime and stime are
    // fields 14 and 15 of the line, 12th and 13th after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * The server's processes that work for this benchmark: the backends of its database and the
 * server's own background processes (WAL writer, checkpointer, autovacuum...), which every
 * database shares; backends of other databases (another test on the same server) are left out.
 */
export async function sampleServer(db: BenchDatabase): Promise<ServerSample> {
  const { rows } = await db.pool.query(
    `SELECT pid, pg_current_wal_lsn()::text AS wal FROM pg_stat_activity
     WHERE datname = $1 OR backend_type <> 'client backend'`,
    [db.name],
  );
  const wal = rows[0]?.wal as string;
  const cpuMs = new Map<number, number>();
  for (const { pid } of rows as { pid: number }[]) {
    const ms = await cpuOf(pid);
    if (ms === null) return { cpuMs: null, wal };
    cpuMs.set(pid, ms);
  }
  return { cpuMs, wal };
}

/** CPU ms the server spent between two samples (a process that started meanwhile counts from 0), or null. */
export function serverCpuMs(first: ServerSample, last: ServerSample): number | null {
  if (!first.cpuMs || !last.cpuMs) return null;
  let total = 0;
  for (const [pid, ms] of last.cpuMs) total += ms - (first.cpuMs.get(pid) ?? 0);
  return total;
}

/** WAL bytes between two samples (an LSN is `hi/lo` in hex: hi * 2^32 + lo). */
export function walBytes(first: ServerSample, last: ServerSample): number {
  const position = (lsn: string) => {
    const [hi, lo] = lsn.split('/').map((part) => Number.parseInt(part, 16));
    return hi! * 2 ** 32 + lo!;
  };
  return position(last.wal) - position(first.wal);
}
