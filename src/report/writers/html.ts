// report.html: self-contained (no external assets) for reviewers — verdict first, the requirement
// matrix, then the checks (those that need attention first) with expected/actual and the
// transcript of the exchanges each relied on; filters by outcome.
import { checksByAttention, type Report, type ReportCheck } from '../model.js';
import type { SerializedExchange } from '../../simulator/recorder.js';

export function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const OUTCOMES = ['fail', 'error', 'warn', 'waived', 'pass', 'skip', 'not run'] as const;

const STYLE = `
:root{--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--warn:#9a6700;--skip:#6e7781;--waived:#0969da}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
.verdict{padding:1.2rem 1.5rem;border-radius:10px;color:#fff;margin-bottom:1rem}
.verdict h1{margin:0;font-size:1.8rem}.verdict p{margin:.3rem 0 0}
.v-READY{background:var(--pass)}.v-NOT-READY{background:var(--fail)}.v-INCOMPLETE{background:var(--error)}.v-READY-WITH-EXCEPTIONS{background:var(--waived)}
.meta{color:#57606a;margin-bottom:1rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
.o{font-weight:600;text-transform:uppercase;font-size:.75rem;padding:.1rem .4rem;border-radius:4px;color:#fff;white-space:nowrap}
.o-pass{background:var(--pass)}.o-fail{background:var(--fail)}.o-error{background:var(--error)}.o-warn{background:var(--warn)}.o-skip,.o-not-run{background:var(--skip)}.o-waived{background:var(--waived)}
.filters{margin:1rem 0;display:flex;gap:.8rem;flex-wrap:wrap}.filters label{cursor:pointer}
details.check{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:.4rem 0}
details.check>summary{padding:.5rem .7rem;cursor:pointer;list-style:none}details.check>summary::-webkit-details-marker{display:none}
details.check>summary .id{font-family:ui-monospace,monospace;font-weight:600;margin:0 .4rem}
details.check .body{padding:0 .8rem .8rem}.msg{color:#57606a}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;overflow:auto;max-height:24rem;font-size:12px;white-space:pre-wrap;word-break:break-all}
.exchange h4{margin:.8rem 0 .2rem;font-family:ui-monospace,monospace;font-size:.85rem}
.hidden{display:none}`;

const SCRIPT = `
document.querySelectorAll('.filters input').forEach(function (box) {
  box.addEventListener('change', function () {
    document.querySelectorAll('details.check[data-outcome="' + box.value + '"]').forEach(function (el) {
      el.classList.toggle('hidden', !box.checked);
    });
  });
});`;

function badge(outcome: string): string {
  return `<span class="o o-${outcome.replace(/ /g, '-')}">${htmlEscape(outcome)}</span>`;
}

function transcript(exchange: SerializedExchange): string {
  const headers = (pairs: readonly [string, string][]): string => pairs.map(([name, value]) => `${name}: ${value}`).join('\n');
  const where = exchange.server === 'iut' ? 'harness → integration' : exchange.server === 'webhook' ? 'Pleo webhook → integration' : `integration → Pleo ${exchange.server}`;
  return `<div class="exchange" id="x${exchange.seq}"><h4>#${exchange.seq} ${htmlEscape(exchange.method)} ${htmlEscape(exchange.url)} → ${exchange.response.status} <small>(${htmlEscape(where)}, ${exchange.durationMs.toFixed(1)} ms${exchange.attribution.credential.label ? `, ${htmlEscape(exchange.attribution.credential.label)}` : ''})</small></h4>
<pre>${htmlEscape(`${headers(exchange.request.headers)}\n\n${exchange.request.body}`)}</pre>
<pre>${htmlEscape(`HTTP ${exchange.response.status}\n${headers(exchange.response.headers)}\n\n${exchange.response.body}`)}</pre></div>`;
}

function checkBlock(check: ReportCheck, exchanges: ReadonlyMap<number, SerializedExchange>): string {
  const expectations = check.expectations.length
    ? `<table><thead><tr><th>outcome</th><th>expected</th><th>actual</th><th>source</th></tr></thead><tbody>${check.expectations
        .map((expectation) => `<tr><td>${badge(expectation.outcome)}</td><td>${htmlEscape(expectation.expected)}</td><td>${htmlEscape(expectation.actual)}</td><td><code>${htmlEscape(expectation.source)}</code></td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const seqs = [...new Set(check.expectations.filter((expectation) => expectation.outcome !== 'pass').flatMap((expectation) => expectation.evidence))];
  const evidence = seqs.length ? `<h3>Evidence</h3>${seqs.map((seq) => exchanges.get(seq)).filter(Boolean).map((exchange) => transcript(exchange!)).join('')}` : '';
  const waiver = check.waiver ? `<p>Waiver: ${htmlEscape(check.waiver.owner)}, until ${htmlEscape(check.waiver.expires)}${check.waiver.expired ? ' (expired)' : ''}: ${htmlEscape(check.waiver.reason)}</p>` : '';
  return `<details class="check" data-outcome="${htmlEscape(check.outcome)}" id="${htmlEscape(check.id)}"><summary>${badge(check.outcome)}<span class="id">${htmlEscape(check.id)}</span>${htmlEscape(check.title)} <small>(${check.severity})</small><div class="msg">${htmlEscape(check.message)}</div></summary>
<div class="body">${waiver}${expectations}<p>Rests on <a href="${htmlEscape(check.doc)}">${htmlEscape(check.doc)}</a></p>${evidence}</div></details>`;
}

export function renderHtml(report: Report): string {
  const exchanges = new Map(report.exchanges.map((exchange) => [exchange.seq, exchange]));
  const matrix = report.requirements
    .map((requirement) => `<tr><th>${requirement.id}</th><td>${htmlEscape(requirement.title)}</td><td>${requirement.checks.map((check) => `<a href="#${htmlEscape(check.id)}">${badge(check.outcome)} ${htmlEscape(check.id)}</a>`).join(' ')}</td></tr>`)
    .join('');
  const filters = OUTCOMES.filter((outcome) => report.summary[outcome] > 0)
    .map((outcome) => `<label><input type="checkbox" value="${outcome}" checked> ${badge(outcome)} ${report.summary[outcome]}</label>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${htmlEscape(report.verdict.value)} — ${htmlEscape(report.target.name)} ${htmlEscape(report.target.version)} · EAP readiness</title><style>${STYLE}</style></head>
<body><main>
<section class="verdict v-${report.verdict.value.replace(/ /g, '-')}" id="verdict"><h1>${htmlEscape(report.verdict.value)}</h1><p>${htmlEscape(report.verdict.rule)}</p></section>
<p class="meta"><strong>${htmlEscape(report.target.name)}</strong> ${htmlEscape(report.target.version)} · ${htmlEscape(report.target.authMode)}${report.target.exception ? ` (exception ${htmlEscape(report.target.exception)})` : ''} · run ${htmlEscape(report.runId)} · ${htmlEscape(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s · eap-conformance ${htmlEscape(report.harness.version)} on Node ${htmlEscape(report.harness.node)}${report.iutExit ? ` · <strong>${htmlEscape(report.iutExit)}</strong>` : ''}</p>
<h2>Requirements</h2><table id="matrix">${matrix}</table>
<h2>Checks</h2><div class="filters">${filters}</div>
${checksByAttention(report).map((check) => checkBlock(check, exchanges)).join('\n')}
</main><script>${SCRIPT}</script></body></html>
`;
}
