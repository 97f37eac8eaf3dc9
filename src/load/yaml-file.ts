// YAML with positions → JSON Schema (ajv, allErrors, strict) → plain data, or every problem with
// its line and column. Semantic checks after the schema use `at()` to place their own problems.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { toYamlPath, type Diagnostic } from './diagnostics.js';

export interface ParsedYaml {
  readonly file: string;
  readonly data: unknown;
  /** Builds a diagnostic at the node of a path (or the nearest existing parent). */
  at(path: readonly (string | number)[], message: string, options?: { key?: boolean }): Diagnostic;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
(addFormats as unknown as { default: (a: Ajv) => void }).default(ajv);
const compiled = new Map<object, ValidateFunction>();

/** Reads and parses a YAML file; returns the data and diagnostics (syntax and schema). */
export function loadYamlFile(file: string, displayName: string, schema: object): { parsed?: ParsedYaml; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { diagnostics: [{ file: displayName, line: 0, col: 0, path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? (error as Error).message})` }] };
  }
  return parseYamlText(text, displayName, schema);
}

export function parseYamlText(text: string, displayName: string, schema: object): { parsed?: ParsedYaml; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const sourceLines = text.split(/\r?\n/);
  const place = (offset: number): { line: number; col: number; excerpt: string } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col, excerpt: sourceLines[line - 1] ?? '' };
  };
  const diagnostics: Diagnostic[] = doc.errors.map((error) => ({
    file: displayName,
    ...place(error.pos[0]),
    path: '',
    message: `invalid YAML: ${error.message.split('\n')[0]}`,
  }));
  if (diagnostics.length) return { diagnostics };

  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  const parsed: ParsedYaml = {
    file: displayName,
    data,
    at(path, message, options) {
      const node = nearestNode(doc, path, options?.key ?? false);
      const offset = node?.range?.[0] ?? 0;
      return { file: displayName, ...place(offset), path: toYamlPath(path), message };
    },
  };

  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(data)) {
    for (const error of prune(validate.errors ?? [])) {
      const path = pointerToPath(error.instancePath);
      const isKey = error.keyword === 'additionalProperties' || error.keyword === 'propertyNames';
      const keyPath = error.keyword === 'additionalProperties' ? [...path, (error.params as { additionalProperty: string }).additionalProperty] : path;
      const target = error.keyword === 'propertyNames' ? [...path, (error.params as { propertyName: string }).propertyName] : keyPath;
      diagnostics.push(parsed.at(target, describe(error, data), { key: isKey }));
    }
  }
  return { parsed, diagnostics };
}

function nearestNode(doc: Document, path: readonly (string | number)[], key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
      if (!pair) return node as Node;
      keyNode = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (!item) return node as Node;
      keyNode = undefined;
      node = item;
    } else break;
  }
  if (key && keyNode) return keyNode;
  return isNode(node) ? node : undefined;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Drops the noise of `if`/`oneOf` wrappers and errors implied by a more precise one at the same place. */
function prune(errors: ErrorObject[]): ErrorObject[] {
  // the inner error of `propertyNames` repeats the outer one, which names the property
  const kept = errors.filter((error) => !['if', 'oneOf', 'anyOf'].includes(error.keyword) && !error.schemaPath.includes('/propertyNames/'));
  const seen = new Set<string>();
  return kept.filter((error) => {
    const key = `${error.instancePath} ${error.keyword} ${JSON.stringify(error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describe(error: ErrorObject, data: unknown): string {
  const params = error.params as Record<string, unknown>;
  const actual = valueAt(data, pointerToPath(error.instancePath));
  switch (error.keyword) {
    case 'required':
      return `missing required property "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `unknown property "${String(params.additionalProperty)}"${hint(error)}`;
    case 'propertyNames':
      return `unknown name "${String(params.propertyName)}"${hint(error)}`;
    case 'enum':
      return `expected one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}, got ${JSON.stringify(actual)}`;
    case 'type':
      return `expected ${String(params.type)}, got ${typeName(actual)}`;
    case 'minProperties':
    case 'maxProperties':
      return error.parentSchema && (error.parentSchema as { description?: string }).description
        ? `${(error.parentSchema as { description: string }).description}`
        : `expected ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} properties`;
    case 'pattern':
      return `expected a value matching ${String(params.pattern)}, got ${JSON.stringify(actual)}`;
    case 'format':
      return `expected a ${String(params.format)}, got ${JSON.stringify(actual)}`;
    case 'const':
      return `expected ${JSON.stringify(params.allowedValue)}, got ${JSON.stringify(actual)}`;
    default:
      return `${error.message ?? 'invalid'}${actual !== undefined && typeof actual !== 'object' ? `, got ${JSON.stringify(actual)}` : ''}`;
  }
}

function hint(error: ErrorObject): string {
  const schema = error.parentSchema as { properties?: Record<string, unknown>; propertyNames?: { enum?: string[] } } | undefined;
  const names = schema?.propertyNames?.enum ?? (schema?.properties ? Object.keys(schema.properties) : []);
  return names.length ? ` (expected one of ${names.join(', ')})` : '';
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const segment of path) value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[segment] : undefined;
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
