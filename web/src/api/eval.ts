import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type {
  Binding,
  Comparison,
  EnqueueRunsInput,
  EvalJob,
  EvalProgress,
  Leaderboard,
  LeaderboardQuery,
  Preflight,
  RunDetail,
  SamplePage,
  Suite,
  TaskInfo,
} from '../../../src/eval/hub-schemas.js';
import type { Endpoint, EndpointInput } from '../../../src/eval/schemas.js';
import type { ModelDetail } from '../../../src/registry/schemas.js';
import { apiFetch } from './client';

export type {
  Binding,
  Comparison,
  ContractGroup,
  EvalJob,
  Leaderboard,
  LeaderboardCell,
  LeaderboardRow,
  RunDetail,
  SampleRow,
  Suite,
  TaskInfo,
} from '../../../src/eval/hub-schemas.js';
export type { Endpoint } from '../../../src/eval/schemas.js';

const enc = encodeURIComponent;

function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function useEndpoints() {
  return useQuery({
    queryKey: ['eval', 'endpoints'],
    queryFn: () => apiFetch<Endpoint[]>('/eval/endpoints'),
  });
}
export function useAddEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (input: EndpointInput) => {
      const e = await apiFetch<Endpoint>('/eval/endpoints', { method: 'POST', json: input });
      // A fresh endpoint is probed at once, so the run page can show its verdicts.
      return apiFetch<Endpoint>(`/eval/endpoints/${enc(e.id)}/probe`, { method: 'POST' });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['eval'] }),
  });
}
export function useProbeEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<Endpoint>(`/eval/endpoints/${enc(id)}/probe`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['eval'] }),
  });
}

export function useBindings() {
  return useQuery({ queryKey: ['eval', 'bindings'], queryFn: () => apiFetch<Binding[]>('/eval/bindings') });
}

/** Imports a model folder into the registry and binds it to the endpoint that serves it. */
export function useRegisterModel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (input: { path: string; name?: string; owner?: string; endpointId: string }) => {
      const model = await apiFetch<ModelDetail>('/registry/models/import', {
        method: 'POST',
        json: {
          path: input.path,
          ...(input.name && { name: input.name }),
          ...(input.owner && { owner: input.owner }),
        },
      });
      await apiFetch<Binding[]>(`/eval/models/${enc(model.id)}/binding`, {
        method: 'PUT',
        json: { endpointId: input.endpointId },
      });
      return model;
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['eval'] });
      void qc.invalidateQueries({ queryKey: ['registry'] });
    },
  });
}
export function useSetBaseline() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { modelId: string; endpointId: string; baselineModelId: string | null }) =>
      apiFetch<Binding[]>(`/eval/models/${enc(input.modelId)}/binding`, {
        method: 'PUT',
        json: { endpointId: input.endpointId, baselineModelId: input.baselineModelId },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['eval', 'bindings'] }),
  });
}

export function useTasks() {
  return useQuery({ queryKey: ['eval', 'tasks'], queryFn: () => apiFetch<TaskInfo[]>('/eval/tasks') });
}
export function useImportTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { file: string; datasetPath?: string }) =>
      apiFetch<TaskInfo>('/eval/tasks/import', { method: 'POST', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['eval', 'tasks'] }),
  });
}
export function useSuites() {
  return useQuery({ queryKey: ['eval', 'suites'], queryFn: () => apiFetch<Suite[]>('/eval/suites') });
}

export function usePreflight(input: EnqueueRunsInput | null) {
  return useQuery({
    queryKey: ['eval', 'preflight', input],
    queryFn: () => apiFetch<Preflight>('/eval/runs/preflight', { method: 'POST', json: input }),
    enabled: input !== null,
  });
}
export function useEnqueueRuns() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: EnqueueRunsInput) =>
      apiFetch<{ jobs: EvalJob[] }>('/eval/runs', { method: 'POST', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['eval', 'jobs'] }),
  });
}

export function useJobs() {
  return useQuery({ queryKey: ['eval', 'jobs'], queryFn: () => apiFetch<EvalJob[]>('/eval/jobs') });
}
export function useCancelJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<EvalJob>(`/eval/jobs/${enc(id)}/cancel`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['eval', 'jobs'] }),
  });
}

type HubEvent =
  | { type: 'progress'; jobId: string; status: 'running'; progress: EvalProgress }
  | { type: 'job'; job: EvalJob };

/**
 * Live progress over server-sent events: the same events the worker produces. Progress updates
 * the cached job list in place; a finished job refreshes everything that shows runs.
 */
export function useEvalEvents() {
  const qc = useQueryClient();
  useEffect(() => {
    const source = new EventSource('/api/eval/events');
    const onProgress = (msg: MessageEvent<string>) => {
      const e = JSON.parse(msg.data) as HubEvent;
      if (e.type !== 'progress') return;
      const jobs = qc.getQueryData<EvalJob[]>(['eval', 'jobs']);
      if (!jobs?.some((j) => j.id === e.jobId)) {
        void qc.invalidateQueries({ queryKey: ['eval', 'jobs'] });
        return;
      }
      qc.setQueryData<EvalJob[]>(['eval', 'jobs'], (old) =>
        old?.map((j) =>
          j.id === e.jobId
            ? { ...j, status: e.status, progress: e.progress, runId: e.progress.runId ?? j.runId }
            : j,
        ),
      );
    };
    const onJob = () => {
      void qc.invalidateQueries({ queryKey: ['eval'] });
    };
    source.addEventListener('progress', onProgress);
    source.addEventListener('job', onJob);
    return () => source.close();
  }, [qc]);
}

export function useRun(id: string) {
  return useQuery({
    queryKey: ['eval', 'run', id],
    queryFn: () => apiFetch<RunDetail>(`/eval/runs/${enc(id)}`),
  });
}
/** The sample table's filters as the page sends them (the server's schema coerces the strings). */
export interface SamplesQuery {
  wrongOnly?: 'true';
  flippedVs?: string;
  q?: string;
  limit?: number;
  offset?: number;
}
export function useRunSamples(id: string, query: SamplesQuery) {
  return useQuery({
    queryKey: ['eval', 'run', id, 'samples', query],
    queryFn: () =>
      apiFetch<SamplePage>(
        `/eval/runs/${enc(id)}/samples${queryString({
          wrongOnly: query.wrongOnly,
          flippedVs: query.flippedVs,
          q: query.q,
          limit: query.limit,
          offset: query.offset,
        })}`,
      ),
  });
}

export function useLeaderboard(query: LeaderboardQuery) {
  return useQuery({
    queryKey: ['eval', 'leaderboard', query],
    queryFn: () => apiFetch<Leaderboard>(`/eval/leaderboard${queryString({ ...query })}`),
  });
}

export function useComparison(a: string, b: string) {
  return useQuery({
    queryKey: ['eval', 'compare', a, b],
    queryFn: () => apiFetch<Comparison>(`/eval/compare${queryString({ a, b })}`),
    enabled: Boolean(a && b),
  });
}
