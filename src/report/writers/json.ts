// report.json: the report as it is, the source every other format can be rendered from.
import type { Report } from '../model.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
