// manifest.json: SHA-256 of every report file with the harness version, suite and target digests
// and the integration's version; optionally signed with Ed25519. `verify` checks it offline.
import { createHash, createPrivateKey, createPublicKey, sign, verify as verifySignature, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from './model.js';

export const MANIFEST_FILE = 'manifest.json';

export interface Manifest {
  readonly manifestVersion: '1';
  readonly runId: string;
  readonly createdAt: string;
  readonly harness: { readonly name: string; readonly version: string };
  readonly target: { readonly name: string; readonly version: string; readonly digest: string };
  readonly suites: readonly { readonly file: string; readonly digest: string }[];
  /** File name → SHA-256 (hex) of its bytes. */
  readonly files: Readonly<Record<string, string>>;
  readonly signature?: { readonly algorithm: 'Ed25519'; readonly publicKeyFingerprint: string; readonly value: string };
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `SHA256:<base64>` of the public key's SPKI encoding (as ssh-keygen -l shows keys). */
export function fingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return `SHA256:${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64').replace(/=+$/, '')}`;
}

/** The bytes a signature covers: the manifest without its signature, keys sorted. */
function canonical(manifest: Omit<Manifest, 'signature'>): Buffer {
  const sortKeys = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sortKeys) : value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])])) : value;
  return Buffer.from(JSON.stringify(sortKeys(manifest)));
}

export function buildManifest(report: Report, files: Readonly<Record<string, Buffer>>, signKey?: KeyObject): Manifest {
  const unsigned: Omit<Manifest, 'signature'> = {
    manifestVersion: '1',
    runId: report.runId,
    createdAt: report.finishedAt,
    harness: { name: report.harness.name, version: report.harness.version },
    target: { name: report.target.name, version: report.target.version, digest: report.target.digest },
    suites: report.suites.map((suite) => ({ file: suite.file, digest: suite.digest })),
    files: Object.fromEntries(Object.entries(files).map(([name, bytes]): [string, string] => [name, sha256(bytes)]).sort(([a], [b]) => a.localeCompare(b))),
  };
  if (!signKey) return unsigned;
  if (signKey.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key is ${signKey.asymmetricKeyType ?? 'not an asymmetric key'}, not Ed25519`);
  return { ...unsigned, signature: { algorithm: 'Ed25519', publicKeyFingerprint: fingerprint(signKey), value: sign(null, canonical(unsigned), signKey).toString('base64') } };
}

export function loadPrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

export function loadPublicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

/** Checks a report folder against its manifest; with a public key, also the signature. */
export function verifyReport(dir: string, publicKey?: KeyObject): VerifyResult {
  const problems: string[] = [];
  const notes: string[] = [];
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch (error) {
    return { ok: false, problems: [`${MANIFEST_FILE}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not valid JSON'}`], notes };
  }
  if (!manifest.files || typeof manifest.files !== 'object') return { ok: false, problems: [`${MANIFEST_FILE}: no file list`], notes };
  for (const [name, digest] of Object.entries(manifest.files)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, name));
    } catch {
      problems.push(`${name}: missing`);
      continue;
    }
    if (sha256(bytes) !== digest) problems.push(`${name}: changed (SHA-256 differs from the manifest)`);
  }
  for (const name of readdirSync(dir)) if (name !== MANIFEST_FILE && !(name in manifest.files)) problems.push(`${name}: not in the manifest`);
  const { signature, ...unsigned } = manifest;
  if (publicKey) {
    if (!signature) problems.push(`${MANIFEST_FILE}: not signed`);
    else if (signature.publicKeyFingerprint !== fingerprint(publicKey)) problems.push(`${MANIFEST_FILE}: signed by ${signature.publicKeyFingerprint}, not by the given key (${fingerprint(publicKey)})`);
    else if (!verifySignature(null, canonical(unsigned), publicKey, Buffer.from(signature.value, 'base64'))) problems.push(`${MANIFEST_FILE}: the signature does not match its contents`);
    else notes.push(`signature by ${signature.publicKeyFingerprint} verified`);
  } else if (signature) notes.push(`signed by ${signature.publicKeyFingerprint}; pass --pubkey to check the signature`);
  else notes.push('not signed: the digests show accidental changes, not deliberate ones');
  return { ok: problems.length === 0, problems, notes };
}
