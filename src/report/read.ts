// Reads report.json back (for `report` and `verify`), validated against its schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { Report } from './model.js';

export const REPORT_SCHEMA = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/report.schema.json', import.meta.url)), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
(addFormats as unknown as { default: (a: Ajv) => void }).default(ajv);
const validate = ajv.compile(REPORT_SCHEMA);

/** Problems of a report.json against the schema (empty when valid). */
export function reportProblems(data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

export function readReport(file: string): Report {
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const problems = reportProblems(data);
  if (problems.length) throw new Error(`${file} is not a valid report: ${problems.slice(0, 5).join('; ')}`);
  return data as Report;
}
