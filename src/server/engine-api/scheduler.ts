// Continuous batching for the engine server: every request becomes a GenerationJob; one loop
// runs a forward pass over all running jobs at once (prefills and decode steps share the
// matmuls), up to maxBatch jobs, and the rest wait in arrival order.
import { type GenerateEvent, type GenerationJob, type LlamaModel, stepJobs } from '../../engine/index.js';

interface Entry {
  job: GenerationJob;
  events: GenerateEvent[];
  error: unknown;
  finished: boolean;
  wake: (() => void) | null;
  signal: AbortSignal | undefined;
}

export interface Scheduler {
  /** Streams the job's events; the job runs batched with whatever else is running. */
  run(job: GenerationJob, signal?: AbortSignal): AsyncGenerator<GenerateEvent>;
  /** Forward passes run so far and jobs they carried, for tests and metrics. */
  stats: { steps: number; jobSteps: number; maxBatchSeen: number };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createScheduler(model: LlamaModel, maxBatch = 8): Scheduler {
  const waiting: Entry[] = [];
  let running: Entry[] = [];
  let looping = false;
  const stats = { steps: 0, jobSteps: 0, maxBatchSeen: 0 };

  const settle = (e: Entry) => {
    e.finished = true;
    e.wake?.();
  };

  async function loop(): Promise<void> {
    looping = true;
    try {
      while (running.length || waiting.length) {
        while (running.length < maxBatch && waiting.length) running.push(waiting.shift() as Entry);
        for (const e of running) {
          if (e.signal?.aborted) {
            e.error = e.signal.reason;
            settle(e);
          }
        }
        running = running.filter((e) => !e.finished);
        if (running.length === 0) continue;
        stats.steps++;
        stats.jobSteps += running.length;
        stats.maxBatchSeen = Math.max(stats.maxBatchSeen, running.length);
        try {
          const results = stepJobs(
            model,
            running.map((e) => e.job),
          );
          for (const [i, e] of running.entries()) {
            e.events.push(...(results[i] ?? []));
            if (e.job.done) settle(e);
            else e.wake?.();
          }
        } catch (err) {
          // A failure inside a shared step cannot be pinned on one job: fail them all, keep serving.
          for (const e of running) {
            e.error = err;
            settle(e);
          }
        }
        running = running.filter((e) => !e.finished);
        await tick(); // let responses flush and new requests join the next step
      }
    } finally {
      looping = false;
    }
  }

  async function* run(job: GenerationJob, signal?: AbortSignal): AsyncGenerator<GenerateEvent> {
    const e: Entry = { job, events: [], error: null, finished: false, wake: null, signal };
    waiting.push(e);
    // The loop catches every error itself and ends when no job is left; run() awaits its results.
    if (!looping) void loop();
    for (;;) {
      if (e.events.length) {
        yield* e.events.splice(0);
        continue;
      }
      if (e.error) throw e.error;
      if (e.finished) return;
      await new Promise<void>((resolve) => {
        e.wake = resolve;
      });
      e.wake = null;
    }
  }

  return { run, stats };
}
