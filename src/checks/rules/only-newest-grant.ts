// TEN-05 / REV-06: after a company connects again, only the newest grant's tokens (in
// integrated-key mode: its newest key) are used for it — `with: {company, since: mark}`.
import type { Rule } from '../types.js';
import { apiRequests, pass, problemsFinding, tokenRequests } from './shared.js';

export const onlyNewestGrant: Rule = {
  name: 'only-newest-grant',
  description: 'after the mark, the company’s requests use only the grant of its newest consent',
  judge(context, params) {
    const alias = String(params.company);
    const company = context.companies.get(alias);
    const since = context.marks.get(String(params.since)) ?? 0;
    if (!company) return problemsFinding([{ problem: `unknown company ${alias}` }], 'a company of the check');
    if (context.target.auth.mode === 'integrated-api-key') {
      // the newest integrated key handed over for the company replaces every earlier one
      const keys = [...context.sim.world.apiKeys.values()].filter((key) => key.kind === 'integrated' && key.companyId === company.id && key.clientId === context.sim.client.client_id);
      const newest = keys.at(-1) && context.sim.secrets.lookup(keys.at(-1)!.value)?.label;
      if (!newest) return problemsFinding([{ problem: `${alias} was never given a key` }], 'a reconnect');
      const older = apiRequests(context).filter(
        (exchange) => exchange.seq >= since && exchange.attribution.credential.origin === 'integrated-api-key' && exchange.attribution.credential.company === company.id && exchange.attribution.credential.label !== newest,
      );
      const problems = older.map((exchange) => ({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} with an older key (${exchange.attribution.credential.label ?? 'unlabelled'})` }));
      return problems.length ? problemsFinding(problems, `only the newest key for ${alias}`) : pass(`${alias} used only its newest key`);
    }
    const exchanges = tokenRequests(context, 'authorization_code').filter(({ exchange }) => exchange.response.status === 200 && exchange.attribution.company === company.id);
    const newest = exchanges.at(-1)?.exchange.attribution.presented?.grant;
    if (!newest) return problemsFinding([{ problem: `${alias} has no successful code exchange` }], 'a reconnect');
    const problems = apiRequests(context)
      .filter((exchange) => exchange.seq >= since && exchange.attribution.credential.company === company.id && exchange.attribution.credential.grant && exchange.attribution.credential.grant !== newest)
      .map((exchange) => ({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} with a token of an older grant (${exchange.attribution.credential.label ?? 'unlabelled'})` }));
    const refreshes = tokenRequests(context, 'refresh_token').filter(({ exchange }) => exchange.seq >= since && exchange.attribution.company === company.id && exchange.attribution.presented?.grant !== newest);
    for (const { exchange } of refreshes) problems.push({ seq: exchange.seq, problem: `refresh with an older grant's refresh token` });
    return problems.length ? problemsFinding(problems, `only the newest grant for ${alias}`) : pass(`${alias} used only its newest grant`);
  },
};
