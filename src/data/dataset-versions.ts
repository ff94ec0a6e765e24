import type { Store } from '../store/index.js';
import type { ConsumptionReport } from './check-field-consumption.js';
import { type LoadedContract, parseContract } from './contract.js';
import type { ReportDiff } from './diff-reports.js';
import { ContractError, DataError } from './errors.js';
import type { GateReason, VersionStatus } from './evaluate-gate.js';
import type { InspectionReport } from './inspect-dataset.js';

/** A dataset version: content-addressed, checked against a contract version, with its gate status. */
export interface DataVersion {
  id: string;
  dataset: string;
  contentHash: string;
  source: string;
  sizeBytes: number;
  rows: number;
  format?: string;
  contract?: { name: string; version: number };
  status: VersionStatus;
  reasons: GateReason[];
  report: InspectionReport;
  consumption?: ConsumptionReport;
  diff?: ReportDiff;
  previousId?: string;
  createdAt: string;
  updatedAt: string;
}

export type DataVersionSummary = Omit<DataVersion, 'report' | 'consumption' | 'diff'>;

type Row = Awaited<ReturnType<typeof selectVersions>>[number];
const selectVersions = (store: Store) => store.db.selectFrom('data_versions').selectAll().execute();

function summaryOf(r: Row): DataVersionSummary {
  return {
    id: r.id,
    dataset: r.dataset,
    contentHash: r.content_hash,
    source: r.source,
    sizeBytes: Number(r.size_bytes),
    rows: Number(r.rows),
    ...(r.format ? { format: r.format } : {}),
    ...(r.contract_name && r.contract_version !== null
      ? { contract: { name: r.contract_name, version: Number(r.contract_version) } }
      : {}),
    status: r.status as VersionStatus,
    reasons: JSON.parse(r.reasons) as GateReason[],
    ...(r.previous_id ? { previousId: r.previous_id } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function versionOf(r: Row): DataVersion {
  return {
    ...summaryOf(r),
    report: JSON.parse(r.report) as InspectionReport,
    ...(r.consumption ? { consumption: JSON.parse(r.consumption) as ConsumptionReport } : {}),
    ...(r.diff ? { diff: JSON.parse(r.diff) as ReportDiff } : {}),
  };
}

/**
 * Stores a contract version. Saving the same name and version again is a no-op when the text
 * is identical and `AB_DATA_CONTRACT_CONFLICT` when it differs: a published version never changes.
 */
export async function saveContract(store: Store, loaded: LoadedContract): Promise<void> {
  const { name, version } = loaded.contract;
  const existing = await store.db
    .selectFrom('data_contracts')
    .select(['hash'])
    .where('name', '=', name)
    .where('version', '=', version)
    .executeTakeFirst();
  if (existing) {
    if (existing.hash !== loaded.hash) {
      throw new ContractError(
        'AB_DATA_CONTRACT_CONFLICT',
        `contract ${name} v${version} is already stored with different rules; bump "version"`,
        { field: 'version' },
        { status: 409 },
      );
    }
    return;
  }
  await store.db
    .insertInto('data_contracts')
    .values({ name, version, hash: loaded.hash, text: loaded.text, created_at: new Date().toISOString() })
    .execute();
}

/** A stored contract: the given version, or the latest one of that name. */
export async function getContract(store: Store, name: string, version?: number): Promise<LoadedContract> {
  let q = store.db.selectFrom('data_contracts').selectAll().where('name', '=', name);
  if (version !== undefined) q = q.where('version', '=', version);
  const row = await q.orderBy('version', 'desc').executeTakeFirst();
  if (!row)
    throw new ContractError(
      'AB_DATA_CONTRACT_INVALID',
      `no stored contract ${name}${version ? ` v${version}` : ''}`,
      { field: 'contract' },
      { status: 404 },
    );
  return parseContract(row.text, `${name}@v${row.version}`);
}

export async function listContracts(
  store: Store,
): Promise<{ name: string; version: number; hash: string; createdAt: string }[]> {
  const rows = await store.db
    .selectFrom('data_contracts')
    .select(['name', 'version', 'hash', 'created_at'])
    .orderBy('name')
    .orderBy('version')
    .execute();
  return rows.map((r) => ({
    name: r.name,
    version: Number(r.version),
    hash: r.hash,
    createdAt: r.created_at,
  }));
}

export async function putDataVersion(store: Store, v: DataVersion): Promise<void> {
  const values = {
    id: v.id,
    dataset: v.dataset,
    content_hash: v.contentHash,
    source: v.source,
    size_bytes: v.sizeBytes,
    rows: v.rows,
    format: v.format ?? null,
    contract_name: v.contract?.name ?? null,
    contract_version: v.contract?.version ?? null,
    status: v.status,
    reasons: JSON.stringify(v.reasons),
    report: JSON.stringify(v.report),
    consumption: v.consumption ? JSON.stringify(v.consumption) : null,
    diff: v.diff ? JSON.stringify(v.diff) : null,
    previous_id: v.previousId ?? null,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
  };
  const { id: _id, created_at: _c, ...update } = values;
  await store.db
    .insertInto('data_versions')
    .values(values)
    .onConflict((oc) => oc.column('id').doUpdateSet(update))
    .execute();
}

export async function getDataVersion(store: Store, id: string): Promise<DataVersion> {
  const row = await store.db.selectFrom('data_versions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row)
    throw new DataError(
      'AB_DATA_VERSION_NOT_FOUND',
      `no dataset version "${id}"`,
      { field: 'id' },
      { status: 404 },
    );
  return versionOf(row);
}

export async function listDataVersions(store: Store, dataset?: string): Promise<DataVersionSummary[]> {
  let q = store.db
    .selectFrom('data_versions')
    .select([
      'id',
      'dataset',
      'content_hash',
      'source',
      'size_bytes',
      'rows',
      'format',
      'contract_name',
      'contract_version',
      'status',
      'reasons',
      'previous_id',
      'created_at',
      'updated_at',
    ]);
  if (dataset) q = q.where('dataset', '=', dataset);
  const rows = await q.orderBy('created_at', 'desc').execute();
  return rows.map((r) => summaryOf({ ...r, report: '', consumption: null, diff: null }));
}

/** Datasets with their latest version, for the dataset list page. */
export async function listDatasets(
  store: Store,
): Promise<{ name: string; versions: number; latest: DataVersionSummary }[]> {
  const all = await listDataVersions(store);
  const by = new Map<string, { name: string; versions: number; latest: DataVersionSummary }>();
  for (const v of all) {
    const d = by.get(v.dataset);
    if (d) d.versions++;
    else by.set(v.dataset, { name: v.dataset, versions: 1, latest: v });
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The latest accepted version of a dataset, if any. */
export async function latestAcceptedVersion(
  store: Store,
  dataset: string,
  exceptId?: string,
): Promise<DataVersion | undefined> {
  let q = store.db
    .selectFrom('data_versions')
    .selectAll()
    .where('dataset', '=', dataset)
    .where('status', '=', 'accepted');
  if (exceptId) q = q.where('id', '!=', exceptId);
  const row = await q.orderBy('created_at', 'desc').executeTakeFirst();
  return row ? versionOf(row) : undefined;
}

/**
 * What training calls before spending GPU time: the version must exist and be accepted.
 * Throws `AB_DATA_VERSION_NOT_ACCEPTED` with the gate's reasons otherwise.
 */
export async function requireAcceptedVersion(store: Store, id: string): Promise<DataVersionSummary> {
  const v = await getDataVersion(store, id);
  if (v.status !== 'accepted') {
    const why = v.reasons
      .map((r) => r.message)
      .slice(0, 3)
      .join('; ');
    throw new DataError(
      'AB_DATA_VERSION_NOT_ACCEPTED',
      `dataset version "${id}" is ${v.status}${why ? `: ${why}` : ''}`,
      { field: 'dataset' },
      { status: 409 },
    );
  }
  const { report: _r, consumption: _c, diff: _d, ...summary } = v;
  return summary;
}
