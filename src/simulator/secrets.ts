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
  #pattern: RegExp | undefined;
  #variants = new Map<string, string>();

  /** Registers a value (idempotent) and returns its label. */
  register(value: string, kind: SecretKind, companyAlias?: string): string {
    const known = this.#byValue.get(value);
    if (known) return known.label;
    if (value.length < MIN_SECRET_LENGTH) throw new Error(`refusing to register a ${kind} shorter than ${MIN_SECRET_LENGTH} characters`);
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    const label = companyAlias ? `${kind}#${n} ${companyAlias}` : `${kind}#${n}`;
    this.#byValue.set(value, { kind, label, company: companyAlias });
    this.#pattern = undefined;
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
   * `‹label›`. Text without secrets comes back unchanged.
   */
  redact(text: string): string {
    if (this.#byValue.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    const pattern = this.#compile();
    return text.replace(pattern, (match) => `‹${this.#variants.get(match) ?? 'secret'}›`);
  }

  #compile(): RegExp {
    if (this.#pattern) return this.#pattern;
    const variants = new Map<string, string>();
    for (const [value, info] of this.#byValue) {
      for (const form of encodings(value)) if (!variants.has(form)) variants.set(form, info.label);
    }
    const alternation = [...variants.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|');
    this.#variants = variants;
    this.#pattern = new RegExp(alternation, 'g');
    return this.#pattern;
  }
}

function encodings(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]);
  forms.add(Buffer.from(value).toString('base64').replace(/=+$/, ''));
  forms.add(Buffer.from(value).toString('base64url'));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
