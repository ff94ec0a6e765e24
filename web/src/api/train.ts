import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { MetricPoint, RunPreflight, RunStatus, TrainRun } from '../../../src/train/run-schemas.js';
import { apiFetch } from './client';

export type { MetricPoint, RunPreflight, RunStatus, TrainRun } from '../../../src/train/run-schemas.js';

const enc = encodeURIComponent;

export function useTrainRuns() {
  return useQuery({
    queryKey: ['train', 'runs'],
    queryFn: async () => (await apiFetch<{ runs: TrainRun[] }>('/train/runs')).runs,
  });
}

export function useTrainRun(id: string) {
  return useQuery({
    queryKey: ['train', 'run', id],
    queryFn: () => apiFetch<TrainRun>(`/train/runs/${enc(id)}`),
  });
}

export function useTrainMetrics(id: string) {
  return useQuery({
    queryKey: ['train', 'metrics', id],
    queryFn: async () => (await apiFetch<{ points: MetricPoint[] }>(`/train/runs/${enc(id)}/metrics`)).points,
  });
}

/** Starts a run; a refused preflight comes back as an ApiError (AB_TRAIN_PREFLIGHT_FAILED) naming each check. */
export function useStartTrainRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { recipe: string; override: boolean }) =>
      apiFetch<{ run: TrainRun; preflight: RunPreflight }>('/train/runs', { method: 'POST', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['train', 'runs'] }),
  });
}

export function useRunAction(id: string, action: 'cancel' | 'resume') {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<TrainRun>(`/train/runs/${enc(id)}/${action}`, { method: 'POST', json: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['train'] }),
  });
}

type RunEvent =
  | { type: 'status'; runId: string; status: RunStatus }
  | { type: 'log'; runId: string; text: string }
  | { type: 'metrics'; runId: string; points: MetricPoint[]; totalSteps: number | null }
  | { type: 'finished'; run: TrainRun };

/**
 * Live run over server-sent events (the events the CLI's progress bar reads): new metrics are
 * appended to the cached curve, a status change or the end refreshes the run. Returns the log.
 */
export function useTrainRunEvents(id: string): string {
  const qc = useQueryClient();
  const [log, setLog] = useState('');
  useEffect(() => {
    setLog('');
    const source = new EventSource(`/api/train/runs/${enc(id)}/events`);
    const parse = (msg: MessageEvent<string>) => JSON.parse(msg.data) as RunEvent;
    const onMetrics = (msg: MessageEvent<string>) => {
      const e = parse(msg);
      if (e.type !== 'metrics') return;
      qc.setQueryData<MetricPoint[]>(['train', 'metrics', id], (old) => {
        const seen = new Set((old ?? []).map((p) => p.step));
        return [...(old ?? []), ...e.points.filter((p) => !seen.has(p.step))];
      });
    };
    const onLog = (msg: MessageEvent<string>) => {
      const e = parse(msg);
      if (e.type === 'log') setLog((l) => (l + e.text).slice(-50_000));
    };
    const onChange = () => void qc.invalidateQueries({ queryKey: ['train', 'run', id] });
    const onFinished = () => {
      onChange();
      source.close();
    };
    source.addEventListener('metrics', onMetrics);
    source.addEventListener('log', onLog);
    source.addEventListener('status', onChange);
    source.addEventListener('finished', onFinished);
    return () => source.close();
  }, [id, qc]);
  return log;
}
