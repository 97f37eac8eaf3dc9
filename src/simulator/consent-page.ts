// The login and consent page of the simulated Pleo: the admin picks one of their companies and
// approves or denies the integration's request. Plain HTML, usable by a person and by the
// harness's user agent (form fields: `company`, `decision=approve|deny`).
import type { Company } from './world.js';

export interface ConsentPageModel {
  readonly action: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
  readonly companies: readonly Company[];
  /** Company id picked in advance (`urn_pleo_params_oauth_subject`). */
  readonly preselected?: string;
}

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f6f5f2;margin:0;color:#1d1d1b}
main{max-width:30rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin-top:0}.badge{font-size:.75rem;background:#ffd6e0;border-radius:4px;padding:2px 6px}
ul.scopes{padding-left:1.2rem}label.company{display:block;padding:.4rem;border:1px solid #ddd;border-radius:6px;margin:.3rem 0}
.actions{display:flex;gap:.6rem;margin-top:1.2rem}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;cursor:pointer}
button.approve{background:#1d1d1b;color:#fff}button.deny{background:#eee}`;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export function consentPage(model: ConsentPageModel): string {
  const companies = model.companies.length
    ? model.companies
        .map((company, index) => {
          const checked = model.preselected ? company.id === model.preselected : index === 0;
          return `<label class="company"><input type="radio" name="company" value="${escapeHtml(company.id)}" data-alias="${escapeHtml(company.alias)}"${checked ? ' checked' : ''}> ${escapeHtml(company.name)} <small>(${escapeHtml(company.alias)})</small></label>`;
        })
        .join('\n')
    : '<p>No companies exist in this simulator yet.</p>';
  const scopes = model.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Connect ${escapeHtml(model.clientName)} to Pleo</title><style>${STYLE}</style></head>
<body><main>
<p><span class="badge">Pleo staging simulator</span></p>
<h1>${escapeHtml(model.clientName)} wants to access your Pleo company</h1>
<form method="post" action="${escapeHtml(model.action)}" id="consent">
<fieldset style="border:0;padding:0"><legend>Company</legend>
${companies}
</fieldset>
<p>It asks for:</p><ul class="scopes">${scopes || '<li>no scopes</li>'}</ul>
<div class="actions">
<button type="submit" class="approve" name="decision" value="approve">Approve</button>
<button type="submit" class="deny" name="decision" value="deny">Deny</button>
</div>
</form>
</main></body></html>`;
}

export function errorPage(error: string, description?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pleo: ${escapeHtml(error)}</title><style>${STYLE}</style></head>
<body><main><p><span class="badge">Pleo staging simulator</span></p>
<h1>Something went wrong</h1><p><code id="error">${escapeHtml(error)}</code></p>
<p id="error-description">${escapeHtml(description ?? '')}</p></main></body></html>`;
}
