import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import type { EvalJob } from '../../src/eval/index.js';
import { startEngine } from '../eval/engine.js';
import { BENCHMARKS } from '../eval/shared-paths.js';
import { startTestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** JSON over HTTP against a test server, failing loudly with the body on an unexpected status. */
export async function api<T>(
  base: string,
  method: string,
  url: string,
  body?: unknown,
  status = 200,
): Promise<T> {
  const res = await fetch(`${base}/api${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  expect(res.status, `${method} ${url}: ${text}`).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

/** A small generate task in Alignboard's format whose data lives in a fresh temp dir. */
export async function writeToyTask(
  name = 'toy',
  rows: { q: string; a: string }[] = [
    { q: '1+1', a: '2' },
    { q: '2+3', a: '5' },
    { q: '3+3', a: '6' },
    { q: '4+1', a: '5' },
  ],
): Promise<string> {
  const dir = await makeTempDir();
  await writeFile(path.join(dir, 'test.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(
    file,
    [
      'format: alignboard-task/1',
      `name: ${name}`,
      'outputType: generate_until',
      'dataset: { path: ., testSplit: test }',
      'docToText: "Q: {{q}}\\nA:"',
      "docToTarget: '{{a}}'",
      'generation: { maxTokens: 3, seed: 7 }',
      'metrics: [{ metric: exact_match }]',
    ].join('\n'),
  );
  return file;
}

/** Reads an SSE stream until `until` says stop (or the timeout aborts it). */
export async function readEvents(
  url: string,
  until: (e: { event: string; data: unknown }) => boolean,
  timeoutMs = 60_000,
): Promise<{ event: string; data: unknown }[]> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const res = await fetch(url, { signal: ctrl.signal, headers: { accept: 'text/event-stream' } });
  const seen: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        i = buf.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = frame
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (!event || !data) continue;
        const e = { event, data: JSON.parse(data) as unknown };
        seen.push(e);
        if (until(e)) return seen;
      }
    }
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return seen;
}

/** Queues runs through the API and waits on the event stream until each of its `jobs` has ended. */
export async function runAndWait(base: string, body: unknown, jobs: number): Promise<EvalJob[]> {
  const finished = new Map<string, EvalJob>();
  const stream = readEvents(`${base}/api/eval/events`, (e) => {
    if (e.event === 'job') {
      const job = (e.data as { job: EvalJob }).job;
      if (job.status !== 'running' && job.status !== 'queued') finished.set(job.id, job);
    }
    return finished.size >= jobs;
  });
  // Subscribe first, then queue, so no event is missed.
  await new Promise((r) => setTimeout(r, 100));
  const { jobs: queued } = await api<{ jobs: EvalJob[] }>(base, 'POST', '/eval/runs', body, 201);
  expect(queued).toHaveLength(jobs);
  await stream;
  return queued.map((j) => finished.get(j.id) as EvalJob);
}

/**
 * A test server that finds the built-in judged tasks' upstream files in the shared data (read in
 * place), with two engines registered on it as endpoints `candidate` and `engine-judge`.
 */
export async function startJudgedHub() {
  const candidate = await startEngine({ seed: 1, modelName: 'cand', contextLength: 8192 });
  const judge = await startEngine({ seed: 2, modelName: 'judge-engine', contextLength: 8192 });
  const config = loadConfig({
    ALIGNBOARD_DATA_DIR: await makeTempDir(),
    ALIGNBOARD_PORT: '0',
    ALIGNBOARD_BENCHMARKS_DIR: BENCHMARKS,
  });
  const { base } = await startTestServer({ config });
  const register = (name: string, e: { baseUrl: string; model: string }) =>
    api<{ id: string; name: string }>(
      base,
      'POST',
      '/eval/endpoints',
      { name, baseUrl: e.baseUrl, model: e.model },
      201,
    );
  const candidateEndpoint = await register('candidate', candidate);
  const judgeEndpoint = await register('engine-judge', judge);
  return { base, candidate, judge, candidateEndpoint, judgeEndpoint };
}
