// TEN-03: each company connects through its own consent; its requests use tokens of its own grant.
import type { Rule } from '../types.js';
import { aliasOf, apiRequests, pass, problemsFinding, tokenRequests } from './shared.js';

export const ownGrantPerCompany: Rule = {
  name: 'own-grant-per-company',
  description: 'every company got its own grant through consent, and its requests use that company’s grant',
  judge(context) {
    const problems: { seq?: number; problem: string }[] = [];
    const exchanged = new Set(tokenRequests(context, 'authorization_code').filter(({ exchange }) => exchange.response.status === 200).map(({ exchange }) => exchange.attribution.company));
    for (const [alias, company] of context.companies) if (!exchanged.has(company.id)) problems.push({ problem: `${alias} never completed its own code exchange` });
    const grantCompany = new Map<string, string>();
    for (const exchange of apiRequests(context)) {
      const { credential, company } = exchange.attribution;
      if (!credential.grant || !credential.company) continue;
      grantCompany.set(credential.grant, credential.company);
      if (company && company !== credential.company) problems.push({ seq: exchange.seq, problem: `${exchange.method} ${exchange.path} for ${aliasOf(context, company)} with the grant of ${aliasOf(context, credential.company)}` });
    }
    return problems.length ? problemsFinding(problems, 'one consent and one grant per company') : pass(`${context.companies.size} companies, each with its own consent and grant`);
  },
};
