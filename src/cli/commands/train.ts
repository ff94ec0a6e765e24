import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config.js';
import { parseAt, ValidationError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { serveLoadedModel } from '../../server/index.js';
import { createStore, type Store } from '../../store/index.js';
import {
  cancelRun,
  driveRunIter,
  execTrainerIter,
  getRun,
  listRuns,
  loadRecipe,
  type PreflightReport,
  preflightRecipe,
  type RunEvent,
  RunStatusSchema,
  resumeRun,
  startRun,
  type TrainDeps,
  type TrainRun,
  watchRunIter,
} from '../../train/index.js';
import { print, printJson } from '../output.js';
import { createProgressBar } from '../progress.js';

/** Opens and migrates the configured store for one command, and always closes it. */
async function withDeps<T>(fn: (deps: TrainDeps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store: Store = createStore({ databaseUrl: config.databaseUrl });
  try {
    await store.migrate();
    return await fn({
      store,
      dataDir: config.dataDir,
      log: createLogger({ level: 'warn', destination: process.stderr }),
      servePolicy: serveLoadedModel,
    });
  } finally {
    await store.close();
  }
}

async function readRecipeText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError(
      'AB_INPUT_INVALID',
      `cannot read the recipe (${(err as NodeJS.ErrnoException).code})`,
      {
        file,
      },
    );
  }
}

function formatPreflight(r: PreflightReport): string {
  const lines = [
    `preflight ${r.passed ? 'passed' : r.overridden ? 'FAILED (overridden)' : 'FAILED'}  ${r.recipeHash}`,
  ];
  for (const c of r.checks)
    lines.push(`  ${c.passed ? 'ok  ' : 'FAIL'} ${c.dataset} ${c.check}: ${c.message}`);
  return lines.join('\n');
}

function formatRun(run: TrainRun): string {
  const step =
    run.lastStep !== null ? ` step ${run.lastStep}${run.totalSteps ? `/${run.totalSteps}` : ''}` : '';
  const metrics = Object.entries(run.metricsSummary ?? {})
    .slice(0, 8)
    .map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`)
    .join(' ');
  return [
    `${run.id}  ${run.name}  ${run.algorithm}  ${run.engine}/${run.executor}  ${run.status}${step}`,
    ...(run.executorJobId ? [`  executor job: ${run.executorJobId}`] : []),
    ...(metrics ? [`  metrics: ${metrics}`] : []),
    ...(run.registeredModelId ? [`  model: ${run.registeredModelId}`] : []),
    ...run.evaluations.map((e) => `  evaluation ${e.suite}: ${e.status} (${e.note})`),
    ...(run.error ? [`  error: ${run.error}`] : []),
  ].join('\n');
}

/** Draws a run's events as a progress bar on stderr; returns the finished run. */
async function follow(events: AsyncGenerator<RunEvent>, label: string): Promise<TrainRun | undefined> {
  const bar = createProgressBar(label);
  let finished: TrainRun | undefined;
  try {
    for await (const ev of events) {
      if (ev.type === 'metrics') {
        if (ev.totalSteps) bar.setTotal(ev.totalSteps);
        const last = ev.points.at(-1);
        const loss = last?.metrics.loss;
        if (last) bar.update(last.step, loss !== undefined ? `loss ${loss.toFixed(4)}` : '');
      }
      if (ev.type === 'finished') finished = ev.run;
    }
  } finally {
    bar.stop();
  }
  return finished;
}

function report(run: TrainRun | undefined, json: boolean | undefined): void {
  if (!run) return;
  if (json) printJson(run);
  else print(formatRun(run));
  if (run.status !== 'succeeded') process.exitCode = 1;
}

/** Drives a run in this process; Ctrl-C cancels it (its executor job is stopped, checkpoints kept). */
async function driveHere(deps: TrainDeps, runId: string, json: boolean | undefined): Promise<void> {
  const ctrl = new AbortController();
  const onSigint = () => ctrl.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    report(
      await follow(driveRunIter(deps, runId, { signal: ctrl.signal }), `train ${runId.slice(0, 8)}`),
      json,
    );
  } catch (err) {
    if (!ctrl.signal.aborted) throw err;
    report(await cancelRun(deps, runId), json);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** `alignboard train preflight|run|status|list|cancel|resume|exec`. */
export function registerTrainCommands(program: Command): void {
  const train = program.command('train').description('training runs: preflight, run, follow, cancel, resume');

  train
    .command('preflight')
    .description('run the preflight gates of a recipe without training')
    .argument('<recipe>', 'recipe YAML')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { json?: boolean }) => {
      const loaded = await loadRecipe(file);
      const r = await withDeps((deps) => preflightRecipe(deps.store, loaded));
      if (o.json) printJson(r);
      else print(formatPreflight(r));
      if (!r.passed) process.exitCode = 1;
    });

  train
    .command('run')
    .description('start a run after preflight and follow it to the end (--detach: queue it for the server)')
    .argument('<recipe>', 'recipe YAML')
    .option('--override', 'run despite a failed preflight (recorded in the run and the lineage)')
    .option('--detach', 'queue the run for a server worker and return')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { override?: boolean; detach?: boolean; json?: boolean }) => {
      const recipeText = await readRecipeText(file);
      await withDeps(async (deps) => {
        const { run, preflight } = await startRun(
          deps,
          { recipeText, recipeFile: file },
          { override: o.override === true, enqueue: o.detach === true },
        );
        if (!o.json) process.stderr.write(`${formatPreflight(preflight)}\nrun ${run.id}\n`);
        if (o.detach) return o.json ? printJson(run) : print(run.id);
        await driveHere(deps, run.id, o.json);
      });
    });

  train
    .command('status')
    .description('show a run (--follow: until it ends, wherever it is driven)')
    .argument('<run>', 'run id')
    .option('--follow', 'follow its progress until it ends')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { follow?: boolean; json?: boolean }) => {
      await withDeps(async (deps) => {
        if (!o.follow) return report(await getRun(deps.store, id), o.json);
        report(await follow(watchRunIter(deps.store, id), `train ${id.slice(0, 8)}`), o.json);
      });
    });

  train
    .command('list')
    .description('list runs, newest first')
    .option('--status <status>', `only runs in this state (${RunStatusSchema.options.join(', ')})`)
    .option('--json', 'machine-readable output')
    .action(async (o: { status?: string; json?: boolean }) => {
      const status = parseAt(RunStatusSchema.optional(), o.status, { field: '--status' });
      const runs = await withDeps((deps) => listRuns(deps.store, status ? { status } : {}));
      if (o.json) printJson(runs);
      else print(runs.length ? runs.map(formatRun).join('\n') : 'no runs');
    });

  train
    .command('cancel')
    .description('cancel a run (scancel / Ray stop / SIGTERM); its last checkpoint is kept')
    .argument('<run>', 'run id')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) => {
      const run = await withDeps((deps) => cancelRun(deps, id));
      if (o.json) printJson(run);
      else print(formatRun(run));
    });

  train
    .command('resume')
    .description(
      'continue a run from its last checkpoint: a failed or cancelled one, or one whose `train run` was killed (SIGKILL, a crash)',
    )
    .argument('<run>', 'run id')
    .option('--detach', 'queue it for a server worker and return')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { detach?: boolean; json?: boolean }) => {
      await withDeps(async (deps) => {
        const run = await resumeRun(deps, id, { enqueue: o.detach === true });
        if (o.detach) return o.json ? printJson(run) : print(formatRun(run));
        await driveHere(deps, id, o.json);
      });
    });

  train
    .command('exec')
    .description(
      'the embedded trainer behind the command contract (what executors run; docs/command-engine.md)',
    )
    .requiredOption('--recipe-file <file>', 'recipe.json written by a run ({recipe, paths})')
    .action(async (o: { recipeFile: string }) => {
      const ctrl = new AbortController();
      const stop = () => ctrl.abort(new Error('terminated'));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      try {
        for await (const ev of execTrainerIter(o.recipeFile, {
          signal: ctrl.signal,
          servePolicy: serveLoadedModel,
        })) {
          if (ev.type === 'start')
            print(
              `start: ${ev.totalSteps} steps${ev.resumedFrom !== null ? `, resumed from step ${ev.resumedFrom}` : ''}`,
            );
          if (ev.type === 'step')
            print(
              `step ${ev.step}/${ev.totalSteps} ${Object.entries(ev.metrics)
                .map(([k, v]) => `${k}=${Number(v.toPrecision(5))}`)
                .join(' ')}`,
            );
          if (ev.type === 'checkpoint') print(`checkpoint ${ev.dir}`);
          if (ev.type === 'done') print(`done: model in ${ev.modelDir}`);
        }
      } finally {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
      }
    });
}
