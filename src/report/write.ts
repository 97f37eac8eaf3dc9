// Writes a run's report folder: every chosen format, each redacted with the run's secrets, then
// the manifest. Files are written to a temporary folder first and moved into place, so a failure
// leaves nothing half-written.
import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { SecretRegistry } from '../simulator/secrets.js';
import { buildManifest, MANIFEST_FILE } from './manifest.js';
import type { Report } from './model.js';
import { FILE_WRITERS, type FileFormat } from './writers/index.js';

export interface WriteOptions {
  readonly outDir: string;
  readonly formats: readonly FileFormat[];
  /** Every written byte passes through this registry's redaction. */
  readonly secrets?: SecretRegistry;
  readonly signKey?: KeyObject;
  /** Point `<parent>/latest` at the folder (for the default reports/<run-id>/). */
  readonly linkLatest?: boolean;
}

/** Renders the formats; returns the files as written (name → bytes). */
export function renderFiles(report: Report, formats: readonly FileFormat[], secrets?: SecretRegistry): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const format of formats) {
    const { file, render } = FILE_WRITERS[format];
    const text = render(report);
    files[file] = Buffer.from(secrets ? secrets.redact(text) : text);
  }
  return files;
}

export function writeReportFolder(report: Report, options: WriteOptions): { dir: string; files: string[] } {
  const files = renderFiles(report, options.formats, options.secrets);
  const manifest = buildManifest(report, files, options.signKey);
  files[MANIFEST_FILE] = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);

  const parent = dirname(options.outDir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(options.outDir)}.${randomBytes(4).toString('hex')}.tmp`);
  mkdirSync(staging);
  try {
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(staging, name), bytes);
    let old: string | undefined;
    if (exists(options.outDir)) {
      old = `${staging}.old`;
      renameSync(options.outDir, old);
    }
    renameSync(staging, options.outDir);
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (options.linkLatest) {
    const latest = join(parent, 'latest');
    try {
      if (lstatSync(latest).isSymbolicLink()) unlinkSync(latest);
    } catch {
      /* none yet */
    }
    if (!exists(latest)) symlinkSync(relative(parent, options.outDir), latest);
  }
  return { dir: options.outDir, files: readdirSync(options.outDir).sort() };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
