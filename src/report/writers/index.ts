// The report formats, as a table: a new format is one file plus one row.
import type { Report } from '../model.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export type FileFormat = 'json' | 'html' | 'junit' | 'md';
export type Format = FileFormat | 'terminal';

export const FILE_WRITERS: Readonly<Record<FileFormat, { readonly file: string; readonly render: (report: Report) => string }>> = {
  json: { file: 'report.json', render: renderJson },
  html: { file: 'report.html', render: renderHtml },
  junit: { file: 'junit.xml', render: renderJunit },
  md: { file: 'summary.md', render: renderMarkdown },
};

export const FORMATS: readonly Format[] = ['terminal', 'json', 'html', 'junit', 'md'];

export { renderTerminal } from './terminal.js';
