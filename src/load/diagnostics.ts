// Problems in input files, each with its place: file, line, column, YAML path, and what was
// expected. Collected, never thrown one at a time; printed with an excerpt and a caret.

export interface Diagnostic {
  readonly file: string;
  /** 1-based; 0 when the problem has no place in the file (a missing file). */
  readonly line: number;
  readonly col: number;
  /** `checks[2].steps[0]` */
  readonly path: string;
  readonly message: string;
  /** The source line, for the excerpt. */
  readonly excerpt?: string;
}

/** Thrown by loaders when a file has errors: carries all of them. */
export class InputError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(`${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} in the input`);
  }
}

/** `suites/oauth.yaml:14:9: unknown step "conect" …` with the line and a caret under the column. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const place = diagnostic.line > 0 ? `${diagnostic.file}:${diagnostic.line}:${diagnostic.col}` : diagnostic.file;
  const at = diagnostic.path ? ` (at ${diagnostic.path})` : '';
  const lines = [`${place}: error: ${diagnostic.message}${at}`];
  if (diagnostic.excerpt !== undefined && diagnostic.line > 0) {
    const gutter = String(diagnostic.line).length;
    lines.push(`${' '.repeat(gutter)} |`);
    lines.push(`${diagnostic.line} | ${diagnostic.excerpt}`);
    lines.push(`${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, diagnostic.col - 1))}^`);
  }
  return lines.join('\n');
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return `${diagnostics.map(formatDiagnostic).join('\n\n')}\n`;
}

/** `['checks', 2, 'steps', 0]` → `checks[2].steps[0]` */
export function toYamlPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}
