// Every secret value the run sees is known here by a stable label (`access-token#3 acme`).
// Values live in memory only; anything that leaves the process goes through `redact`.

/** The kinds of secret the simulator hands out or receives. */
export type SecretKind =
  | 'client-secret'
  | 'authorization-code'
  | 'code-verifier'
  | 'access-token'
  | 'refresh-token'
  | 'api-key'
  | 'webhook-secret'
  | 'signing-key'
  | 'cookie-key'
  | 'session-cookie';

/** What is known about one secret value. */
export interface SecretInfo {
  readonly kind: SecretKind;
  /** `access-token#3 acme`: kind, a per-kind counter, and the company alias when there is one. */
  readonly label: string;
  readonly company?: string;
}

const MIN_SECRET_LENGTH = 8;

/** The run's secret set: values to labels, and redaction of any text. */
export class SecretRegistry {
  readonly #byValue = new Map<string, SecretInfo>();
  readonly #counters = new Map<SecretKind, number>();
  #index: RedactionIndex | undefined;

  /** Registers a value (idempotent) and returns its label. */
  register(value: string, kind: SecretKind, companyAlias?: string): string {
    const known = this.#byValue.get(value);
    if (known) return known.label;
    if (value.length < MIN_SECRET_LENGTH) throw new Error(`refusing to register a ${kind} shorter than ${MIN_SECRET_LENGTH} characters`);
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    const label = companyAlias ? `${kind}#${n} ${companyAlias}` : `${kind}#${n}`;
    this.#byValue.set(value, { kind, label, company: companyAlias });
    this.#index = undefined;
    return label;
  }

  /** The label of a known value, or undefined. */
  lookup(value: string): SecretInfo | undefined {
    return this.#byValue.get(value);
  }

  get size(): number {
    return this.#byValue.size;
  }

  /** Every registered value (for tests that scan output for leaks). */
  values(): string[] {
    return [...this.#byValue.keys()];
  }

  /**
   * Replaces every known secret in `text` — raw, URL-encoded, base64 and base64url forms — by
   * `‹label›`, leftmost first and the longest form where several start at one place. Text without
   * secrets comes back unchanged.
   *
   * One regular expression of every form in alternation costs time in proportion to the number of
   * forms at every position of the text (seconds over a report of a few MB with hundreds of
   * secrets). Instead a rolling hash of the last MIN_SECRET_LENGTH characters is looked up in a
   * table of the forms' first MIN_SECRET_LENGTH characters: one pass, whatever the number of secrets.
   */
  redact(text: string): string {
    if (this.#byValue.size === 0 || text.length < WINDOW) return text;
    const index = this.#compile();
    const end = text.length - WINDOW;
    let out = '';
    let last = 0;
    let i = 0;
    let hash = windowHash(text, 0);
    for (;;) {
      if (index.filter[hash & FILTER_MASK]) {
        const hit = index.byHash.get(hash)?.find((candidate) => text.startsWith(candidate.form, i));
        if (hit) {
          out += `${text.slice(last, i)}‹${hit.label}›`;
          i += hit.form.length;
          last = i;
          if (i > end) break;
          hash = windowHash(text, i);
          continue;
        }
      }
      if (i >= end) break;
      hash = (Math.imul(hash - Math.imul(text.charCodeAt(i), BASE_TOP), BASE) + text.charCodeAt(i + WINDOW)) | 0;
      i += 1;
    }
    return last === 0 ? text : out + text.slice(last);
  }

  #compile(): RedactionIndex {
    if (this.#index) return this.#index;
    const labels = new Map<string, string>();
    for (const [value, info] of this.#byValue) {
      for (const form of encodings(value)) if (!labels.has(form)) labels.set(form, info.label);
    }
    const byHash = new Map<number, Form[]>();
    const filter = new Uint8Array(FILTER_MASK + 1);
    for (const [form, label] of labels) {
      const hash = windowHash(form, 0);
      const list = byHash.get(hash) ?? [];
      list.push({ form, label });
      byHash.set(hash, list);
      filter[hash & FILTER_MASK] = 1;
    }
    for (const list of byHash.values()) list.sort((a, b) => b.form.length - a.form.length);
    this.#index = { byHash, filter };
    return this.#index;
  }
}

/** Every form is at least this long; the rolling hash covers this many characters. */
const WINDOW = MIN_SECRET_LENGTH;
const BASE = 0x01000193;
/** BASE ** (WINDOW - 1), modulo 2^32. */
const BASE_TOP = Array.from({ length: WINDOW - 1 }).reduce<number>((power) => Math.imul(power, BASE), 1);
const FILTER_MASK = 0xffff;

interface Form {
  readonly form: string;
  readonly label: string;
}

interface RedactionIndex {
  /** Forms by the hash of their first WINDOW characters, longest first. */
  readonly byHash: ReadonlyMap<number, readonly Form[]>;
  /** Low 16 bits of every such hash: most positions of a text are ruled out without a map lookup. */
  readonly filter: Uint8Array;
}

/**
 * Polynomial hash of `text[start, start + WINDOW)`, modulo 2^32.
 * @internal exported for the tests, which look for colliding windows
 */
export function windowHash(text: string, start: number): number {
  let hash = 0;
  for (let k = 0; k < WINDOW; k += 1) hash = (Math.imul(hash, BASE) + text.charCodeAt(start + k)) | 0;
  return hash;
}

function encodings(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]);
  forms.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
  forms.add(Buffer.from(value).toString('base64url'));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

