/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of milliseconds since the epoch, then random
 * bits. Runs are inserted thousands at a time; ids that grow with time land at the right edge of the
 * primary-key index instead of on random pages all over it, which is less work and far less WAL.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 16 * 1024;
const pool = new Uint8Array(POOL_SIZE);
let offset = POOL_SIZE;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A version 7 UUID for the instant `ms` (default: now). */
export function uuidv7(ms = Date.now()): string {
  if (offset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = new Uint8Array(16);
  // 48-bit big-endian timestamp.
  let t = Math.floor(ms);
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b.set(pool.subarray(offset, offset + 10), 6);
  offset += 10;
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  let hex = '';
  for (let i = 0; i < 16; i++) {
    hex += HEX[b[i]!];
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
  }
  return hex;
}
