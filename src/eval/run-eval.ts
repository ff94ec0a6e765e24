import { createHash, randomUUID } from 'node:crypto';
import { sleep } from '../common/async.js';
import { ConcurrencyController, type ConcurrencyOptions } from '../common/concurrency-controller.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { applyFilter } from './apply-filters.js';
import {
  buildContract,
  describeDifferences,
  diffContracts,
  type EvalContract,
  hashContract,
} from './build-contract.js';
import { buildSamples, type EvalSample, groupConversations, withEarlierAnswers } from './build-samples.js';
import { type Decoding, EndpointClient, type EndpointTarget, type Generated } from './endpoint-client.js';
import { EndpointError, EvaluationError, NetworkError } from './errors.js';
import { type JudgeOutcome, judgeSample } from './judge.js';
import { canonicalJson, type Doc, loadDatasetSplit } from './load-dataset.js';
import { probeEndpoint } from './probe-endpoint.js';
import { SampleWriter } from './sample-writer.js';
import type { Capabilities, TaskSpec } from './schemas.js';
import { choiceScores, exactMatch } from './score-metrics.js';
import { stripReasoning } from './strip-reasoning.js';
import { type RunSummary, summarizeRun } from './summarize-run.js';

/** One finished sample, as stored and as written to the per-sample JSON a notebook reads. */
export interface SampleRecord {
  index: number;
  id: string;
  /** Multi-turn tasks: the turn (1-based) this sample answered. */
  turn?: number;
  target: unknown;
  responses: string[];
  /** Extracted answer per filter name. */
  extracted: Record<string, string>;
  /** Score per `metric,filter` (lm-eval's key) or per metric for choice tasks. */
  scores: Record<string, number>;
  loglikelihoods?: number[];
  isTruncatedReasoning: boolean;
  judge?: JudgeOutcome;
}

export type EvalEvent =
  | { type: 'started'; runId: string; total: number; done: number; contractHash: string; isResumed: boolean }
  | {
      type: 'sample';
      runId: string;
      index: number;
      done: number;
      failed: number;
      total: number;
      ratePerSec: number;
      etaSec: number | null;
      concurrency: number;
    }
  | { type: 'sample-failed'; runId: string; index: number; code: string; message: string }
  | { type: 'retry'; runId: string; index: number; attempt: number; code: string; delayMs: number }
  | { type: 'finished'; runId: string; status: 'finished' | 'incomplete'; summary: RunSummary };

export interface EvalRequest {
  task: TaskSpec;
  endpoint: EndpointTarget & { capabilities?: Capabilities | null; id?: string };
  /** A judge endpoint for `outputType: judge`. */
  judgeEndpoint?: EndpointTarget;
  /** Documents to evaluate instead of reading the task's dataset (built-in MT-Bench, arena-hard). */
  docs?: Doc[];
  fewshotDocs?: Doc[];
  limit?: number;
  /** Resume this run (same contract required); otherwise a new run is created. */
  runId?: string;
  chatTemplateHash?: string | null;
}

export interface RunOptions {
  store: Store;
  log?: Logger;
  signal?: AbortSignal;
  concurrency?: ConcurrencyOptions;
  timeoutMs?: number;
  maxAttempts?: number;
  /** Base of the jittered exponential backoff (ms). */
  backoffMs?: number;
  useCache?: boolean;
}

/** The capability a task needs, and why it is refused without it. */
export function requiredCapability(task: TaskSpec): {
  key: 'promptLogprobs' | 'chat' | 'completions';
  why: string;
} {
  if (task.outputType === 'multiple_choice' || task.outputType === 'loglikelihood') {
    return {
      key: 'promptLogprobs',
      why: `task "${task.name}" scores choices by prompt log-likelihood, which needs prompt logprobs through echo`,
    };
  }
  if (task.chat.enabled || task.outputType === 'judge')
    return { key: 'chat', why: `task "${task.name}" uses the chat API` };
  return { key: 'completions', why: `task "${task.name}" sends raw prompts to the completions API` };
}

export function checkCapabilities(task: TaskSpec, caps: Capabilities, endpoint: string): void {
  const need = requiredCapability(task);
  if (caps[need.key]) return;
  const reason =
    need.key === 'promptLogprobs' && caps.promptLogprobsReason
      ? ` (probe: ${caps.promptLogprobsReason})`
      : '';
  throw new EvaluationError(
    'AB_EVAL_CAPABILITY_MISSING',
    `${need.why}; endpoint "${endpoint}" does not provide it${reason}`,
    { field: need.key },
    { status: 422 },
  );
}

export async function prepareSamples(
  req: Pick<EvalRequest, 'task' | 'docs' | 'fewshotDocs' | 'limit'>,
): Promise<EvalSample[]> {
  const { task } = req;
  const docs =
    req.docs ??
    (
      await loadDatasetSplit({
        path: task.dataset.path,
        name: task.dataset.name,
        split: task.dataset.testSplit,
      })
    ).docs;
  let fewshotDocs = req.fewshotDocs ?? [];
  if (!req.fewshotDocs && task.fewshot.n > 0 && !task.fewshot.samples && task.dataset.fewshotSplit) {
    fewshotDocs =
      task.dataset.fewshotSplit === task.dataset.testSplit
        ? docs
        : (
            await loadDatasetSplit({
              path: task.dataset.path,
              name: task.dataset.name,
              split: task.dataset.fewshotSplit,
            })
          ).docs;
  }
  return buildSamples(task, docs, fewshotDocs, { limit: req.limit });
}

/** A channel from concurrent workers to the one generator that yields. */
function channel<T>() {
  const items: T[] = [];
  let notify: (() => void) | null = null;
  return {
    push(item: T) {
      items.push(item);
      notify?.();
      notify = null;
    },
    async *drain(until: Promise<unknown>): AsyncGenerator<T> {
      let isDone = false;
      void until.then(
        () => {
          isDone = true;
          notify?.();
        },
        () => {
          isDone = true;
          notify?.();
        },
      );
      for (;;) {
        while (items.length > 0) yield items.shift() as T;
        if (isDone) return;
        await new Promise<void>((r) => {
          notify = r;
        });
      }
    },
  };
}

function requestKey(endpoint: EndpointTarget, kind: string, body: unknown): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson({ baseUrl: endpoint.baseUrl, model: endpoint.model, kind, body }))
    .digest('hex')}`;
}

/**
 * Evaluates a task against an endpoint, yielding progress events. Every finished sample is
 * written under (run id, sample index) before it is reported, so a killed run resumes (pass
 * `runId`) with nothing lost and nothing done twice. Requests are retried on 429, 5xx, timeouts
 * and malformed replies with jittered backoff, under adaptive concurrency.
 */
export async function* evaluateIter(req: EvalRequest, opts: RunOptions): AsyncGenerator<EvalEvent> {
  const client = new EndpointClient(req.endpoint, { timeoutMs: opts.timeoutMs ?? 60_000 });
  const judgeClient = req.judgeEndpoint
    ? new EndpointClient(req.judgeEndpoint, { timeoutMs: opts.timeoutMs ?? 60_000 })
    : undefined;
  try {
    yield* evaluateWithClients(req, opts, client, judgeClient);
  } finally {
    client.close();
    judgeClient?.close();
  }
}

async function* evaluateWithClients(
  req: EvalRequest,
  opts: RunOptions,
  client: EndpointClient,
  judgeClient: EndpointClient | undefined,
): AsyncGenerator<EvalEvent> {
  const { store, signal } = opts;
  const log = (opts.log ?? silentLogger).child({ domain: 'eval' });
  const task = req.task;
  const samples = await prepareSamples(req);
  if (task.outputType === 'judge' && (!judgeClient || !task.judge)) {
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `task "${task.name}" is judged but no judge endpoint or judge settings were given`,
      { field: 'judge' },
    );
  }
  const caps = req.endpoint.capabilities ?? (await probeEndpoint(client, { signal }));
  checkCapabilities(task, caps, req.endpoint.name);

  const judgeSettings =
    judgeClient && task.judge ? { ...task.judge, model: req.judgeEndpoint?.model } : undefined;
  const contract: EvalContract = buildContract(task, samples, {
    chatTemplateHash: req.chatTemplateHash ?? null,
    judge: judgeSettings,
  });
  const contractHash = hashContract(contract);
  const now = () => new Date().toISOString();
  let runId = req.runId;
  let isResumed = false;
  if (runId) {
    const run = await store.db
      .selectFrom('eval_runs')
      .select(['contract', 'contract_hash'])
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!run)
      throw new EvaluationError(
        'AB_EVAL_RUN_NOT_FOUND',
        `no run "${runId}" to resume`,
        { field: 'runId' },
        { status: 404 },
      );
    if (run.contract_hash !== contractHash) {
      const diffs = diffContracts(JSON.parse(run.contract) as EvalContract, contract);
      throw new EvaluationError(
        'AB_EVAL_INCOMPARABLE',
        `cannot resume run "${runId}" under another contract: ${describeDifferences(diffs)}`,
        { field: diffs[0]?.field },
        { status: 409 },
      );
    }
    isResumed = true;
    await store.db
      .updateTable('eval_runs')
      .set({ status: 'running', updated_at: now() })
      .where('id', '=', runId)
      .execute();
  } else {
    runId = randomUUID();
    await store.db
      .insertInto('eval_runs')
      .values({
        id: runId,
        task_name: task.name,
        task_spec: JSON.stringify(task),
        endpoint_id: req.endpoint.id ?? req.endpoint.name,
        model: req.endpoint.model,
        contract: JSON.stringify(contract),
        contract_hash: contractHash,
        status: 'running',
        total: samples.length,
        summary: null,
        error: null,
        created_at: now(),
        updated_at: now(),
      })
      .execute();
  }
  const id = runId;
  const doneRows = await store.db
    .selectFrom('eval_samples')
    .select('sample_index')
    .where('run_id', '=', id)
    .execute();
  const doneSet = new Set(doneRows.map((r) => r.sample_index));
  log.info({ runId: id, task: task.name, total: samples.length, resumedWith: doneSet.size }, 'eval started');
  yield { type: 'started', runId: id, total: samples.length, done: doneSet.size, contractHash, isResumed };

  const limiter = new ConcurrencyController({ start: 8, ...opts.concurrency });
  const maxAttempts = opts.maxAttempts ?? 8;
  const backoffMs = opts.backoffMs ?? 250;
  const events = channel<EvalEvent>();
  const writer = new SampleWriter(store);
  const startedAt = Date.now();
  let done = doneSet.size;
  let doneHere = 0;
  let failed = 0;

  /** One request with retries: network errors, 429, 5xx and malformed replies are retried. */
  async function withRetry<T>(index: number, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await limiter.acquire(signal);
      try {
        const out = await fn();
        limiter.release('ok', { work: 1 });
        return out;
      } catch (err) {
        const isOverload =
          err instanceof EndpointError && (err.detail.httpStatus === 429 || err.detail.httpStatus === 503);
        const retryAfter = err instanceof EndpointError ? err.detail.retryAfterMs : undefined;
        limiter.release(isOverload ? 'overload' : 'error', { retryAfterMs: retryAfter });
        const isRetryable = (err instanceof EndpointError && err.isRetryable) || err instanceof NetworkError;
        if (!isRetryable || attempt >= maxAttempts || signal?.aborted) throw err;
        const delayMs =
          retryAfter ?? Math.min(10_000, backoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random());
        events.push({
          type: 'retry',
          runId: id,
          index,
          attempt,
          code: (err as EndpointError).code,
          delayMs: Math.round(delayMs),
        });
        log.warn({ runId: id, index, attempt, code: (err as EndpointError).code }, 'request retried');
        await sleep(delayMs, signal);
      }
    }
  }

  async function cached<T>(
    kind: string,
    body: unknown,
    isCacheable: boolean,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (!(opts.useCache ?? true) || !isCacheable) return fn();
    const key = requestKey(req.endpoint, kind, body);
    const hit = await store.db
      .selectFrom('eval_cache')
      .select('response')
      .where('key', '=', key)
      .executeTakeFirst();
    if (hit) return JSON.parse(hit.response) as T;
    const out = await fn();
    await store.db
      .insertInto('eval_cache')
      .values({ key, response: JSON.stringify(out), created_at: now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return out;
  }

  const decoding: Decoding = {
    temperature: task.generation.temperature,
    maxTokens: task.generation.maxTokens,
    stop: task.generation.until,
    ...(task.generation.topP !== undefined && { topP: task.generation.topP }),
    ...(task.generation.seed !== undefined && { seed: task.generation.seed }),
  };
  const isDeterministic = decoding.temperature === 0 || decoding.seed !== undefined;
  const useChat = task.chat.enabled || task.outputType === 'judge';

  async function generate(s: EvalSample, repeat: number): Promise<Generated> {
    const body = useChat
      ? { messages: s.messages, decoding, repeat: isDeterministic ? 0 : repeat }
      : { prompt: s.prompt, decoding, repeat: isDeterministic ? 0 : repeat };
    return cached(useChat ? 'chat' : 'completion', body, isDeterministic, () =>
      withRetry(s.index, () =>
        useChat ? client.chat(s.messages, decoding, signal) : client.complete(s.prompt, decoding, signal),
      ),
    );
  }

  async function evaluateSample(s: EvalSample): Promise<SampleRecord> {
    const record: SampleRecord = {
      index: s.index,
      id: s.id,
      ...(s.turn && { turn: s.turn.number }),
      target: s.target,
      responses: [],
      extracted: {},
      scores: {},
      isTruncatedReasoning: false,
    };
    if (task.outputType === 'multiple_choice' || task.outputType === 'loglikelihood') {
      const choices = s.choices ?? [String(s.target)];
      const lls: number[] = [];
      for (const choice of choices) {
        const cont = task.targetDelimiter + choice;
        const r = await cached('loglikelihood', { context: s.prompt, cont }, true, () =>
          withRetry(s.index, () => client.loglikelihood(s.prompt, cont, signal)),
        );
        lls.push(r.logprob);
      }
      record.loglikelihoods = lls;
      const gold =
        typeof s.target === 'number'
          ? s.target
          : Array.isArray(s.target)
            ? s.target.map(Number)
            : Number(s.target);
      const sc = choiceScores(lls, choices, gold);
      for (const m of task.metrics)
        if (m.metric === 'acc' || m.metric === 'acc_norm') record.scores[m.metric] = sc[m.metric];
      record.extracted.pred = choices[sc.pred] ?? '';
      return record;
    }
    for (let r = 0; r < task.repeats; r++) {
      const g = await generate(s, r);
      const stripped = stripReasoning(g.text, task.reasoning);
      if (stripped.isTruncated) record.isTruncatedReasoning = true;
      record.responses.push(stripped.text);
    }
    if (task.outputType === 'judge' && judgeClient && task.judge) {
      record.judge = await judgeSample(
        judgeClient,
        task.judge,
        s,
        record.responses[0] ?? '',
        (fn) => withRetry(s.index, fn),
        signal,
      );
      if (record.judge.score !== null) record.scores.judge_score = record.judge.score;
      if (record.judge.outcome !== null) record.scores.win_rate = record.judge.outcome;
      return record;
    }
    for (const f of task.filters) {
      const answer = applyFilter(f, record.responses);
      record.extracted[f.name] = answer;
      for (const m of task.metrics) {
        if (m.metric === 'exact_match')
          record.scores[`exact_match,${f.name}`] = exactMatch(
            answer,
            String(Array.isArray(s.target) ? s.target[0] : s.target),
            m,
          );
      }
    }
    return record;
  }

  /** The stored answer of a finished turn, for the turns after it (a resumed conversation). */
  async function storedAnswer(index: number): Promise<string> {
    const row = await store.db
      .selectFrom('eval_samples')
      .select('record')
      .where('run_id', '=', id)
      .where('sample_index', '=', index)
      .executeTakeFirstOrThrow();
    return (JSON.parse(row.record) as SampleRecord).responses[0] ?? '';
  }

  async function worker(queue: EvalSample[][]): Promise<void> {
    for (let conversation = queue.shift(); conversation; conversation = queue.shift()) {
      // The model's answers to this conversation's earlier turns. A turn whose predecessor failed
      // has too few and fails too (AB_EVAL_TASK_INVALID) instead of being asked out of context.
      const answers: string[] = [];
      for (const s of conversation) await evaluateTurn(s, answers);
    }
  }

  async function evaluateTurn(s: EvalSample, answers: string[]): Promise<void> {
    signal?.throwIfAborted();
    try {
      if (doneSet.has(s.index)) {
        answers.push(await storedAnswer(s.index));
        return;
      }
      const record = await evaluateSample(withEarlierAnswers(s, answers));
      answers.push(record.responses[0] ?? '');
      await writer.write({
        run_id: id,
        sample_index: s.index,
        sample_id: s.id,
        record: JSON.stringify(record),
        created_at: now(),
      });
      done++;
      doneHere++;
      const elapsed = (Date.now() - startedAt) / 1000;
      const rate = elapsed > 0 ? doneHere / elapsed : 0;
      log.debug({ runId: id, index: s.index }, 'sample done');
      events.push({
        type: 'sample',
        runId: id,
        index: s.index,
        done,
        failed,
        total: samples.length,
        ratePerSec: rate,
        etaSec: rate > 0 ? (samples.length - done - failed) / rate : null,
        concurrency: limiter.limit,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (!(err instanceof EndpointError || err instanceof NetworkError || err instanceof EvaluationError))
        throw err;
      failed++;
      log.warn({ runId: id, index: s.index, code: err.code }, 'sample failed');
      events.push({
        type: 'sample-failed',
        runId: id,
        index: s.index,
        code: err.code,
        message: err.message,
      });
    }
  }

  const queue = groupConversations(samples).filter((c) => c.some((s) => !doneSet.has(s.index)));
  const workers = Array.from({ length: Math.min(limiter.max, Math.max(1, queue.length)) }, () =>
    worker(queue),
  );
  const all = Promise.all(workers);
  try {
    yield* events.drain(all);
    await all;
  } catch (err) {
    await store.db
      .updateTable('eval_runs')
      .set({
        status: signal?.aborted ? 'cancelled' : 'failed',
        error: (err as Error).message.slice(0, 500),
        updated_at: now(),
      })
      .where('id', '=', id)
      .execute();
    throw err;
  }
  const summary = await summarizeRun(store, id);
  const status = failed > 0 || summary.samples < samples.length ? 'incomplete' : 'finished';
  await store.db
    .updateTable('eval_runs')
    .set({ status, summary: JSON.stringify(summary), updated_at: now() })
    .where('id', '=', id)
    .execute();
  log.info({ runId: id, task: task.name, samples: summary.samples, status }, 'eval finished');
  yield { type: 'finished', runId: id, status, summary };
}

/** Drains `evaluateIter` and returns the final event's run id, status and summary. */
export async function evaluate(
  req: EvalRequest,
  opts: RunOptions,
): Promise<Extract<EvalEvent, { type: 'finished' }>> {
  let last: EvalEvent | undefined;
  for await (const e of evaluateIter(req, opts)) last = e;
  if (last?.type !== 'finished') throw new Error('evaluateIter ended without a finished event');
  return last;
}
