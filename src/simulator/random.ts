// Where the simulator's data gets its ids and values from: the system's randomness, or a seed.
// With a seed (`run --seed`), the same checks create the same companies, jobs, items and canaries,
// so a run can be repeated to the byte where it matters. Secrets (keys, tokens) never come from here.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A source of ids and values for the world's data. */
export interface IdSource {
  /** The seed, when there is one. */
  readonly seed?: string;
  uuid(): string;
  /** `bytes` random bytes as hex. */
  hex(bytes: number): string;
  /** An integer in [0, max). */
  int(max: number): number;
}

/** Ids from the system's randomness, or (with a seed) from SHA-256 over the seed and a counter. */
export function createIdSource(seed?: string): IdSource {
  if (seed === undefined) {
    return { uuid: randomUUID, hex: (bytes) => randomBytes(bytes).toString('hex'), int: (max) => Math.floor(Math.random() * max) };
  }
  let counter = 0;
  const next = (bytes: number): Buffer => {
    const out: Buffer[] = [];
    for (let length = 0; length < bytes; length += 32) out.push(createHash('sha256').update(`${seed}\0${(counter += 1)}`).digest());
    return Buffer.concat(out).subarray(0, bytes);
  };
  return {
    seed,
    uuid() {
      const bytes = next(16);
      bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
      bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    hex: (bytes) => next(bytes).toString('hex'),
    int: (max) => next(4).readUInt32BE(0) % max,
  };
}
