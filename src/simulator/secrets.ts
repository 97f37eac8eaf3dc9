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
  | 'cookie-key';

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
   * One regular expression of every form in alternation is slow in V8 (each position tries every
   * alternative: seconds over a report of a few MB with hundreds of secrets). Instead, a character
   * class of every character any form contains finds the runs a form could lie in, and within a run
   * a map from the first MIN_SECRET_LENGTH characters to the forms that start with them does the rest.
   */
  redact(text: string): string {
    if (this.#byValue.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const index = this.#compile();
    return text.replace(index.runs, (run) => redactRun(run, index.byPrefix));
  }

  #compile(): RedactionIndex {
    if (this.#index) return this.#index;
    const labels = new Map<string, string>();
    for (const [value, info] of this.#byValue) {
      for (const form of encodings(value)) if (!labels.has(form)) labels.set(form, info.label);
    }
    const byPrefix = new Map<string, Form[]>();
    const chars = new Set<string>();
    for (const [form, label] of labels) {
      const prefix = form.slice(0, MIN_SECRET_LENGTH);
      const list = byPrefix.get(prefix) ?? [];
      list.push({ form, label });
      byPrefix.set(prefix, list);
      for (const char of form) chars.add(char);
    }
    for (const list of byPrefix.values()) list.sort((a, b) => b.form.length - a.form.length);
    const set = [...chars].map((char) => `\\u{${char.codePointAt(0)!.toString(16)}}`).join('');
    this.#index = { runs: new RegExp(`[${set}]{${MIN_SECRET_LENGTH},}`, 'gu'), byPrefix };
    return this.#index;
  }
}

interface Form {
  readonly form: string;
  readonly label: string;
}

interface RedactionIndex {
  /** Maximal runs of characters that occur in some form: every occurrence of a form lies in one. */
  readonly runs: RegExp;
  /** Forms by their first MIN_SECRET_LENGTH characters, longest first. */
  readonly byPrefix: ReadonlyMap<string, readonly Form[]>;
}

function redactRun(run: string, byPrefix: ReadonlyMap<string, readonly Form[]>): string {
  let out = '';
  let last = 0;
  for (let i = 0; i + MIN_SECRET_LENGTH <= run.length; ) {
    const hit = byPrefix.get(run.slice(i, i + MIN_SECRET_LENGTH))?.find((candidate) => run.startsWith(candidate.form, i));
    if (!hit) {
      i += 1;
      continue;
    }
    out += `${run.slice(last, i)}‹${hit.label}›`;
    i += hit.form.length;
    last = i;
  }
  return last === 0 ? run : out + run.slice(last);
}

function encodings(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]);
  forms.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
  forms.add(Buffer.from(value).toString('base64url'));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

