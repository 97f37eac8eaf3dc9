// Where the simulator's data gets its ids and values from: the system's randomness, or a seed.
// With a seed (`run --seed`), the same checks create the same companies, jobs, items and canaries,
// so a run can be repeated. Each value is derived from the seed and what it is for (`job acme`,
// `item <job> 2`), never from a shared counter, so the order in which an integration's requests
// happen to arrive does not shift the values of anything else. Secrets never come from here.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** A source of ids and values for the world's data; `key` names what the value is for. */
export interface IdSource {
  /** The seed, when there is one. */
  readonly seed?: string;
  uuid(key: string): string;
  /** `bytes` bytes as hex. */
  hex(key: string, bytes: number): string;
  /** An integer in [0, max). */
  int(key: string, max: number): number;
}

/** Ids from the system's randomness, or (with a seed) from SHA-256 over the seed, the key and how often it was asked for. */
export function createIdSource(seed?: string): IdSource {
  if (seed === undefined) {
    return { uuid: () => randomUUID(), hex: (_key, bytes) => randomBytes(bytes).toString('hex'), int: (_key, max) => Math.floor(Math.random() * max) };
  }
  const asked = new Map<string, number>();
  const bytesFor = (key: string, length: number): Buffer => {
    const occurrence = (asked.get(key) ?? 0) + 1;
    asked.set(key, occurrence);
    const out: Buffer[] = [];
    for (let block = 0; block * 32 < length; block += 1) out.push(createHash('sha256').update(`${seed}\0${key}\0${occurrence}\0${block}`).digest());
    return Buffer.concat(out).subarray(0, length);
  };
  return {
    seed,
    uuid(key) {
      const bytes = bytesFor(key, 16);
      bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
      bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    hex: (key, bytes) => bytesFor(key, bytes).toString('hex'),
    int: (key, max) => bytesFor(key, 4).readUInt32BE(0) % max,
  };
}
