import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  Lineage,
  ModelDetail,
  ModelDiff,
  ModelList,
  ModelStatus,
  UpdateModelInput,
} from '../../../src/registry/schemas.js';
import { apiFetch } from './client';

export type {
  Lineage,
  ModelDetail,
  ModelDiff,
  ModelList,
  ModelSummary,
} from '../../../src/registry/schemas.js';

const enc = encodeURIComponent;

function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The catalog query as the page sends it (the server's schema coerces the strings). */
export interface CatalogQuery {
  q?: string;
  family?: string;
  owner?: string;
  tag?: string;
  status?: ModelStatus;
  minParams?: number;
  maxParams?: number;
  limit?: number;
  offset?: number;
}

export function listModels(query: CatalogQuery): Promise<ModelList> {
  return apiFetch<ModelList>(`/registry/models${queryString({ ...query })}`);
}
export function useModels(query: CatalogQuery) {
  return useQuery({
    queryKey: ['registry', 'models', query],
    queryFn: () => listModels(query),
    placeholderData: keepPreviousData,
  });
}

export function getModel(id: string): Promise<ModelDetail> {
  return apiFetch<ModelDetail>(`/registry/models/${enc(id)}`);
}
export function useModel(id: string) {
  return useQuery({ queryKey: ['registry', 'model', id], queryFn: () => getModel(id) });
}

export function getLineage(id: string): Promise<Lineage> {
  return apiFetch<Lineage>(`/registry/models/${enc(id)}/lineage`);
}
export function useLineage(id: string) {
  return useQuery({ queryKey: ['registry', 'lineage', id], queryFn: () => getLineage(id) });
}

export function getModelDiff(ids: string[], onlyDifferences: boolean): Promise<ModelDiff> {
  return apiFetch<ModelDiff>(
    `/registry/models/diff${queryString({ ids: ids.join(','), onlyDifferences: onlyDifferences ? 'true' : undefined })}`,
  );
}
export function useModelDiff(ids: string[], onlyDifferences: boolean) {
  return useQuery({
    queryKey: ['registry', 'diff', ids, onlyDifferences],
    queryFn: () => getModelDiff(ids, onlyDifferences),
    enabled: ids.length >= 2,
    placeholderData: keepPreviousData,
  });
}

export function updateModel(id: string, patch: UpdateModelInput): Promise<ModelDetail> {
  return apiFetch<ModelDetail>(`/registry/models/${enc(id)}`, { method: 'PATCH', json: patch });
}
export function useUpdateModel(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateModelInput) => updateModel(id, patch),
    onSuccess: () => client.invalidateQueries({ queryKey: ['registry'] }),
  });
}

/** The raw text of a local model's metadata file (config.json, README.md, …), opened in a tab. */
export const modelFileHref = (id: string, file: string): string =>
  `/api/registry/models/${enc(id)}/files/${file.split('/').map(enc).join('/')}`;
