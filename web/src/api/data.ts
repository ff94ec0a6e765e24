import { useQuery } from '@tanstack/react-query';
import type {
  ConsumptionReportWire,
  DatasetListWire,
  DataVersionSummaryWire,
  DataVersionWire,
  VersionDiffWire,
  VersionRowsWire,
} from '../../../src/data/schemas.js';
import { apiFetch } from './client';

export type {
  ConsumptionReportWire as ConsumptionReport,
  DatasetListWire as DatasetList,
  DataVersionSummaryWire as DataVersionSummary,
  DataVersionWire as DataVersion,
  InspectionReportWire as InspectionReport,
  LengthStatsWire as LengthStats,
  ReportDiffWire as ReportDiff,
  VersionDiffWire as VersionDiff,
  VersionRowsWire as VersionRows,
} from '../../../src/data/schemas.js';

const enc = encodeURIComponent;

export function listDatasets(): Promise<DatasetListWire> {
  return apiFetch<DatasetListWire>('/data/datasets');
}
export function useDatasets() {
  return useQuery({ queryKey: ['data', 'datasets'], queryFn: listDatasets });
}

export function listVersions(name: string): Promise<DataVersionSummaryWire[]> {
  return apiFetch<DataVersionSummaryWire[]>(`/data/datasets/${enc(name)}/versions`);
}
export function useVersions(name: string) {
  return useQuery({ queryKey: ['data', 'versions', name], queryFn: () => listVersions(name) });
}

export function getVersion(id: string): Promise<DataVersionWire> {
  return apiFetch<DataVersionWire>(`/data/versions/${enc(id)}`);
}
export function useVersion(id: string) {
  return useQuery({ queryKey: ['data', 'version', id], queryFn: () => getVersion(id) });
}

export function getConsumption(id: string): Promise<ConsumptionReportWire> {
  return apiFetch<ConsumptionReportWire>(`/data/versions/${enc(id)}/consumption`);
}
export function useConsumption(id: string) {
  return useQuery({ queryKey: ['data', 'consumption', id], queryFn: () => getConsumption(id) });
}

export function getVersionRows(id: string, file: string | undefined, line: number): Promise<VersionRowsWire> {
  const q = new URLSearchParams({ line: String(line), ...(file ? { file } : {}) });
  return apiFetch<VersionRowsWire>(`/data/versions/${enc(id)}/rows?${q}`);
}
export function useVersionRows(id: string, file: string | undefined, line: number | undefined) {
  return useQuery({
    queryKey: ['data', 'rows', id, file, line],
    queryFn: () => getVersionRows(id, file, line ?? 1),
    enabled: line !== undefined,
  });
}

export function getVersionDiff(before: string, after: string): Promise<VersionDiffWire> {
  return apiFetch<VersionDiffWire>(`/data/versions/diff?before=${enc(before)}&after=${enc(after)}`);
}
export function useVersionDiff(before: string, after: string) {
  return useQuery({
    queryKey: ['data', 'diff', before, after],
    queryFn: () => getVersionDiff(before, after),
    enabled: Boolean(before && after),
  });
}
