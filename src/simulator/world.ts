// The simulated Pleo data: companies (each with a canary value), export jobs and their items,
// installations, and API keys. Everything a check may want to inspect is plain data here.
import { randomBytes } from 'node:crypto';
import { createIdSource, type IdSource } from './random.js';

/** Job status values as Pleo's Export API v3 names them. */
export type JobStatus = 'pending' | 'in_progress' | 'failed' | 'completed' | 'completed_with_errors';
/** Job events the integration may send. */
export type JobEvent = 'started' | 'completed' | 'completed_with_errors' | 'failed';
/** Item status values. */
export type ItemStatus = 'pending' | 'in_progress' | 'failed' | 'successful' | 'abandoned';
/** Installation status values (App Marketplace API). */
export type InstallationStatus = 'AUTHORIZED' | 'PENDING_INTEGRATION' | 'ACTIVATED' | 'INACTIVE' | 'ERROR';

export interface Company {
  readonly id: string;
  readonly alias: string;
  readonly name: string;
  readonly organizationId: string;
  readonly registrationNumber: string;
  /** A value unique to this company that appears in its items' texts: seen elsewhere, data crossed companies. */
  readonly canary: string;
  readonly createdAt: string;
}

export interface ExportItem {
  readonly accountingEntryId: string;
  readonly jobId: string;
  readonly companyId: string;
  status: ItemStatus;
  externalId?: string;
  externalUrl?: string;
  failureReason?: string;
  readonly payload: Record<string, unknown>;
}

export interface ExportJob {
  readonly id: string;
  readonly companyId: string;
  status: JobStatus;
  readonly createdAt: string;
  lastUpdatedAt: string;
  failureReason?: string;
  readonly itemIds: string[];
  /** Every event the integration sent, legal or not. */
  readonly events: { event: string; at: string; accepted: boolean }[];
  /** Every item update call: how many items it carried. */
  readonly itemUpdates: { at: string; count: number; accepted: boolean }[];
}

export interface Installation {
  readonly id: string;
  readonly applicationId: string;
  readonly companyId: string;
  status: InstallationStatus;
  metadata: Record<string, unknown>;
  errorCode?: string;
  readonly createdAt: string;
  updatedAt: string;
}

/** `standalone`: a key a customer creates in settings; `integrated`: bound to an integration and one company. */
export type ApiKeyKind = 'standalone' | 'integrated';

export interface ApiKey {
  readonly value: string;
  readonly kind: ApiKeyKind;
  readonly companyId: string;
  /** The integration (OAuth client id) an integrated key is bound to. */
  readonly clientId?: string;
  readonly scopes: readonly string[];
  revoked: boolean;
}

const DEFAULT_ALIASES = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne'];

const now = (): string => new Date().toISOString();

/** The simulator's data. */
export class World {
  readonly companies = new Map<string, Company>();
  readonly #byAlias = new Map<string, Company>();
  readonly jobs = new Map<string, ExportJob>();
  readonly items = new Map<string, ExportItem>();
  /** Installations by `${clientId} ${companyId}`. */
  readonly installations = new Map<string, Installation>();
  readonly apiKeys = new Map<string, ApiKey>();
  #aliasCounter = 0;

  /** `ids`: where ids, canaries and amounts come from (a seeded source makes them repeatable). */
  constructor(readonly ids: IdSource = createIdSource()) {}

  /** Creates a company with a fresh UUID, seeded with one pending export job of `items` items. */
  createCompany(options: { alias?: string; name?: string; items?: number } = {}): Company {
    const alias = options.alias ?? this.#nextAlias();
    if (this.#byAlias.has(alias)) throw new Error(`a company with alias "${alias}" exists already`);
    const company: Company = {
      id: this.ids.uuid(`company ${alias}`),
      alias,
      name: options.name ?? `${alias[0]!.toUpperCase()}${alias.slice(1)} ApS`,
      organizationId: this.ids.uuid(`organization ${alias}`),
      registrationNumber: String(10_000_000 + this.ids.int(`registration ${alias}`, 89_999_999)),
      canary: `canary-${alias}-${this.ids.hex(`canary ${alias}`, 6)}`,
      createdAt: now(),
    };
    this.companies.set(company.id, company);
    this.#byAlias.set(alias, company);
    this.createExportJob(company.id, options.items ?? 3);
    return company;
  }

  /** A company by id or alias. */
  company(idOrAlias: string): Company | undefined {
    return this.companies.get(idOrAlias) ?? this.#byAlias.get(idOrAlias);
  }

  /** Like `company`, but throws for an unknown name. */
  requireCompany(idOrAlias: string): Company {
    const company = this.company(idOrAlias);
    if (!company) throw new Error(`unknown company "${idOrAlias}"`);
    return company;
  }

  /** Adds a pending export job of `count` items to a company; returns it. */
  createExportJob(companyId: string, count = 3): ExportJob {
    const company = this.requireCompany(companyId);
    const job: ExportJob = {
      id: this.ids.uuid(`job ${company.alias}`),
      companyId: company.id,
      status: 'pending',
      createdAt: now(),
      lastUpdatedAt: now(),
      itemIds: [],
      events: [],
      itemUpdates: [],
    };
    for (let i = 0; i < count; i += 1) {
      const item = makeItem(this.ids, company, job.id, i);
      this.items.set(item.accountingEntryId, item);
      job.itemIds.push(item.accountingEntryId);
    }
    this.jobs.set(job.id, job);
    return job;
  }

  /** A company's jobs, oldest first. */
  jobsOf(companyId: string): ExportJob[] {
    return [...this.jobs.values()].filter((job) => job.companyId === companyId);
  }

  itemsOf(job: ExportJob): ExportItem[] {
    return job.itemIds.map((id) => this.items.get(id)!);
  }

  installation(clientId: string, companyId: string): Installation | undefined {
    return this.installations.get(`${clientId} ${companyId}`);
  }

  /** Creates (or re-activates) the installation of a client for a company. */
  install(clientId: string, companyId: string, status: InstallationStatus = 'ACTIVATED'): Installation {
    const existing = this.installation(clientId, companyId);
    if (existing) {
      existing.status = status;
      existing.updatedAt = now();
      return existing;
    }
    const installation: Installation = {
      id: this.ids.uuid(`installation ${clientId} ${companyId}`),
      applicationId: clientId,
      companyId,
      status,
      metadata: {},
      createdAt: now(),
      updatedAt: now(),
    };
    this.installations.set(`${clientId} ${companyId}`, installation);
    return installation;
  }

  uninstall(clientId: string, companyId: string): boolean {
    return this.installations.delete(`${clientId} ${companyId}`);
  }

  /** Mints an API key in Pleo's `pls_<hex>_<hex>` format. */
  mintApiKey(kind: ApiKeyKind, companyId: string, options: { clientId?: string; scopes: readonly string[] }): ApiKey {
    const company = this.requireCompany(companyId);
    const key: ApiKey = {
      value: `pls_${randomBytes(16).toString('hex')}_${randomBytes(3).toString('hex')}`,
      kind,
      companyId: company.id,
      clientId: kind === 'integrated' ? options.clientId : undefined,
      scopes: options.scopes,
      revoked: false,
    };
    this.apiKeys.set(key.value, key);
    return key;
  }

  #nextAlias(): string {
    for (;;) {
      const base = DEFAULT_ALIASES[this.#aliasCounter % DEFAULT_ALIASES.length]!;
      const round = Math.floor(this.#aliasCounter / DEFAULT_ALIASES.length);
      this.#aliasCounter += 1;
      const alias = round === 0 ? base : `${base}${round + 1}`;
      if (!this.#byAlias.has(alias)) return alias;
    }
  }
}

const SUPPLIERS = ['Office Depot', 'Lufthansa', 'AWS EMEA', 'Joe & The Juice', 'Uber BV'];

function makeItem(ids: IdSource, company: Company, jobId: string, index: number): ExportItem {
  const key = `${jobId} ${index}`;
  const id = ids.uuid(`item ${key}`);
  const amount = 1000 + index * 250 + ids.int(`amount ${key}`, 100);
  const supplier = SUPPLIERS[index % SUPPLIERS.length]!;
  return {
    accountingEntryId: id,
    jobId,
    companyId: company.id,
    status: 'pending',
    payload: {
      id,
      accountingEntryId: id,
      companyId: company.id,
      type: 'card_purchase',
      date: new Date(Date.UTC(2026, 10, 1 + index)).toISOString(),
      note: `${supplier} purchase for ${company.name} (${company.canary})`,
      amount: {
        inSupplierCurrency: { value: amount / 100, currency: 'EUR' },
        inWalletCurrency: { value: (amount * 7.46) / 100, currency: 'DKK' },
      },
      supplier: { name: supplier, countryCode: 'DE', vatNumber: `DE${100000000 + index}` },
      user: { id: ids.uuid(`user ${key}`), name: `${company.alias} employee ${index + 1}`, code: `E${index + 1}` },
      accountingEntryLines: [
        {
          lineId: ids.uuid(`line ${key}`),
          account: { id: ids.uuid(`account ${key}`), code: '6800', name: 'Office supplies' },
          tags: [{ code: 'DEPT-1', name: 'Finance', groupCode: 'DEPT' }],
          tax: { code: 'S25', rate: 0.25, type: 'inclusive', amount: { value: amount / 500, currency: 'DKK' } },
          amount: { value: (amount * 7.46) / 100, currency: 'DKK' },
          description: `Line ${index + 1} ${company.canary}`,
        },
      ],
      files: [{ url: `https://files.staging.pleo.io/receipts/${id}.pdf`, type: 'application/pdf', size: 48_213 }],
      bookkeeping: { status: 'ready', exportedAt: null },
    },
  };
}
