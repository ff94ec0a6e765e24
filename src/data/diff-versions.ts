import type { Store } from '../store/index.js';
import { type DataVersionSummary, getDataVersion } from './dataset-versions.js';
import { diffReports, type ReportDiff } from './diff-reports.js';

/** Two stored versions and what changed from `beforeId` to `afterId`. */
export async function diffVersions(
  store: Store,
  beforeId: string,
  afterId: string,
): Promise<{ before: DataVersionSummary; after: DataVersionSummary; diff: ReportDiff }> {
  const a = await getDataVersion(store, beforeId);
  const b = await getDataVersion(store, afterId);
  const summary = ({ report: _r, consumption: _c, diff: _d, ...s }: typeof a): DataVersionSummary => s;
  return { before: summary(a), after: summary(b), diff: diffReports(a.report, b.report) };
}
