import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../common/config.js';
import { parseAt } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import {
  addEndpoint,
  compareRuns,
  type EvalEvent,
  evaluateIter,
  getEndpoint,
  getRun,
  impliedWinRate,
  listEndpoints,
  listRuns,
  listSampleRecords,
  loadTask,
  probeAndSaveEndpoint,
  type RunSummary,
  requireJudgeEndpoint,
  resolveEndpointTarget,
  resolveTask,
  type TaskSpec,
} from '../../eval/index.js';
import { print, printJson, withStore } from '../output.js';
import { createProgressBar } from '../progress.js';

const intOption = (name: string, value: string | undefined) =>
  parseAt(z.coerce.number().int().positive().optional(), value, { field: name });

/**
 * Each metric with its interval (MT-Bench: per turn beside the average); for pairwise judging the
 * Bradley–Terry rating against the baseline, the win rate it implies with its interval, and the
 * verdict counts.
 */
function printSummary(summary: RunSummary): void {
  for (const [k, m] of Object.entries(summary.metrics))
    print(
      `  ${k}\t${m.mean.toFixed(4)} ± ${m.stderr.toFixed(4)}  [${m.ci95[0].toFixed(4)}, ${m.ci95[1].toFixed(4)}]`,
    );
  const candidate = summary.ratings?.candidate;
  if (candidate) {
    const w = impliedWinRate(candidate);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    print(
      `  win rate vs baseline (Bradley–Terry)\t${pct(w.winRate)}  [${pct(w.ci95[0])}, ${pct(w.ci95[1])}]  rating ${candidate.rating.toFixed(0)} [${candidate.ci95[0].toFixed(0)}, ${candidate.ci95[1].toFixed(0)}], baseline 1000`,
    );
    print(`  ties ${summary.ties ?? 0}, inconsistent after swap ${summary.inconsistentVerdicts ?? 0}`);
  }
  if (summary.unreadableVerdicts !== undefined)
    print(`  unreadable judge verdicts ${summary.unreadableVerdicts}`);
}

/** `alignboard eval endpoint add|probe|list`, `eval task show|import`, `eval run|show|list|compare`. */
export function registerEvalCommands(program: Command): void {
  const evalCmd = program.command('eval').description('evaluate models behind OpenAI-compatible endpoints');

  const endpoint = evalCmd.command('endpoint').description('OpenAI-compatible endpoints');
  endpoint
    .command('add <name>')
    .description('register an endpoint (the key is read from an env var at run time, never stored)')
    .requiredOption('--base-url <url>', 'e.g. http://127.0.0.1:8000/v1')
    .requiredOption('--model <model>', 'model name the server knows')
    .option('--api-key-env <VAR>', 'environment variable holding the API key')
    .option('--json', 'machine-readable output')
    .action(
      async (name: string, o: { baseUrl: string; model: string; apiKeyEnv?: string; json?: boolean }) => {
        const e = await withStore((s) =>
          addEndpoint(s, {
            name,
            baseUrl: o.baseUrl,
            model: o.model,
            ...(o.apiKeyEnv && { apiKeyEnv: o.apiKeyEnv }),
          }),
        );
        o.json ? printJson(e) : print(`endpoint ${e.name} → ${e.baseUrl} (${e.model})`);
      },
    );
  endpoint
    .command('probe <name>')
    .description('probe and record what the endpoint can do')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { json?: boolean }) => {
      const e = await withStore((s) =>
        probeAndSaveEndpoint(s, name, { log: createLogger({ level: 'warn', destination: process.stderr }) }),
      );
      const c = e.capabilities;
      if (o.json || !c) return printJson(e);
      print(
        [
          `server            ${c.server}`,
          `chat              ${c.chat}`,
          `completions       ${c.completions}`,
          `generated logprobs ${c.generatedLogprobs}`,
          `prompt logprobs   ${c.promptLogprobs}${c.promptLogprobsReason ? ` (${c.promptLogprobsReason})` : ''}`,
          `max context       ${c.maxContext ?? 'unknown'}`,
          `models            ${c.models.join(', ')}`,
        ].join('\n'),
      );
    });
  endpoint
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const list = await withStore((s) => listEndpoints(s));
      o.json
        ? printJson(list)
        : print(
            list
              .map((e) => `${e.name}\t${e.baseUrl}\t${e.model}\t${e.capabilities?.server ?? 'not probed'}`)
              .join('\n') || '(none)',
          );
    });

  const task = evalCmd.command('task').description('evaluation tasks (Alignboard YAML or lm-eval YAML)');
  task
    .command('show <file>')
    .description('print the task as Alignboard reads it')
    .option('--data <dir>', 'local dataset folder replacing the dataset path')
    .action(async (file: string, o: { data?: string }) =>
      printJson(await loadTask(file, { ...(o.data && { datasetPath: o.data }) })),
    );
  task
    .command('import <file>')
    .description('convert an lm-eval task YAML into Alignboard task YAML (stdout or --out)')
    .option('--data <dir>', 'local dataset folder replacing the dataset path')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (file: string, o: { data?: string; out?: string }) => {
      const text = stringify(await loadTask(file, { ...(o.data && { datasetPath: o.data }) }));
      if (o.out) await writeFile(o.out, text);
      else print(text);
    });

  evalCmd
    .command('run')
    .description('evaluate a task against an endpoint; resumable with --resume RUN')
    .requiredOption('--endpoint <name>', 'a registered endpoint')
    .requiredOption('--task <task>', 'mt-bench, arena-hard, or a task YAML (Alignboard or lm-eval)')
    .option('--judge <name>', 'registered endpoint that judges mt-bench, arena-hard and other judged tasks')
    .option(
      '--data <dir>',
      'local dataset folder replacing the dataset path; for mt-bench and arena-hard, the folder of their upstream files (default $ALIGNBOARD_BENCHMARKS_DIR/{mt_bench,arena_hard_v0.1})',
    )
    .option('--limit <n>', 'evaluate the first N documents')
    .option('--max-tokens <n>', 'override max new tokens (recorded in the contract)')
    .option('--judge-max-tokens <n>', "override the judge's max new tokens (recorded in the contract)")
    .option('--concurrency <n>', 'ceiling of adaptive concurrency', '16')
    .option('--timeout <ms>', 'per-request timeout', '60000')
    .option('--resume <runId>', 'resume a killed run')
    .option('--out <dir>', 'write summary.json and samples.jsonl under <dir>/<runId>')
    .option('--json', 'print the summary as JSON')
    .action(
      async (o: {
        endpoint: string;
        task: string;
        judge?: string;
        data?: string;
        limit?: string;
        maxTokens?: string;
        judgeMaxTokens?: string;
        concurrency: string;
        timeout: string;
        resume?: string;
        out?: string;
        json?: boolean;
      }) => {
        const limit = intOption('--limit', o.limit);
        const maxTokens = intOption('--max-tokens', o.maxTokens);
        const judgeMaxTokens = intOption('--judge-max-tokens', o.judgeMaxTokens);
        const ceiling = intOption('--concurrency', o.concurrency) ?? 16;
        const timeoutMs = intOption('--timeout', o.timeout);
        const config = loadConfig();
        const { task: spec, docs } = await resolveTask(o.task, {
          benchmarksDir: config.benchmarksDir,
          ...(o.data && { datasetPath: o.data }),
        });
        requireJudgeEndpoint(spec, o.judge !== undefined, '--judge');
        const taskSpec: TaskSpec = {
          ...spec,
          generation: { ...spec.generation, ...(maxTokens && { maxTokens }) },
          ...(spec.judge && {
            judge: { ...spec.judge, ...(judgeMaxTokens && { maxTokens: judgeMaxTokens }) },
          }),
        };
        const controller = new AbortController();
        const onSignal = () => controller.abort(new Error('interrupted'));
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          await withStore(async (store) => {
            const e = await getEndpoint(store, o.endpoint);
            const target = resolveEndpointTarget(e);
            const judge = o.judge !== undefined ? await getEndpoint(store, o.judge) : undefined;
            const bar = createProgressBar(`eval ${taskSpec.name}`);
            let last: Extract<EvalEvent, { type: 'finished' }> | undefined;
            for await (const ev of evaluateIter(
              {
                task: taskSpec,
                endpoint: { ...target, id: e.id, capabilities: e.capabilities },
                ...(judge && { judgeEndpoint: resolveEndpointTarget(judge) }),
                ...(docs && { docs }),
                ...(limit && { limit }),
                ...(o.resume && { runId: o.resume }),
              },
              {
                store,
                signal: controller.signal,
                concurrency: { start: Math.min(8, ceiling), max: ceiling },
                ...(timeoutMs && { timeoutMs }),
                log: createLogger({ level: 'warn', destination: process.stderr }),
              },
            )) {
              if (ev.type === 'started') {
                process.stderr.write(`run ${ev.runId}${ev.isResumed ? ` (resumed, ${ev.done} done)` : ''}\n`);
                bar.setTotal(ev.total);
                bar.update(ev.done);
              } else if (ev.type === 'sample')
                bar.update(ev.done, `${ev.ratePerSec.toFixed(1)}/s failed ${ev.failed}`);
              else if (ev.type === 'finished') last = ev;
            }
            bar.stop();
            if (!last) return;
            const outDir = path.join(o.out ?? path.join(config.dataDir, 'eval-runs'), last.runId);
            await mkdir(outDir, { recursive: true });
            const run = await getRun(store, last.runId);
            // Which judge graded the run: its model is in the contract, its name recorded beside it.
            const judgedBy = judge ? { name: judge.name, model: judge.model } : null;
            await writeFile(
              path.join(outDir, 'summary.json'),
              `${JSON.stringify({ ...run, judge: judgedBy, summary: last.summary }, null, 2)}\n`,
            );
            const records = await listSampleRecords(store, last.runId);
            await writeFile(
              path.join(outDir, 'samples.jsonl'),
              records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''),
            );
            if (o.json)
              printJson({
                runId: last.runId,
                status: last.status,
                judge: judgedBy,
                summary: last.summary,
                files: outDir,
              });
            else {
              print(`run ${last.runId} ${last.status}: ${last.summary.samples} samples`);
              if (judgedBy) print(`  judged by ${judgedBy.name} (${judgedBy.model})`);
              printSummary(last.summary);
              print(`  results in ${outDir}`);
            }
            if (last.status !== 'finished') process.exitCode = 1;
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );

  evalCmd
    .command('show <runId>')
    .option('--json', 'machine-readable output')
    .action(async (runId: string, o: { json?: boolean }) => {
      const run = await withStore((s) => getRun(s, runId));
      if (o.json) return printJson(run);
      print(
        `run ${run.id} ${run.status}: ${run.taskName} on ${run.model}, contract ${run.contractHash.slice(0, 19)}`,
      );
      if (run.summary) printSummary(run.summary);
    });
  evalCmd
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const runs = await withStore((s) => listRuns(s));
      o.json
        ? printJson(runs)
        : print(runs.map((r) => `${r.id}\t${r.status}\t${r.taskName}\t${r.model}`).join('\n') || '(none)');
    });
  evalCmd
    .command('compare <runA> <runB>')
    .description('paired comparison; refused when the contracts differ')
    .option('--allow-incomparable', 'show incomparable runs side by side, with the statement of what differs')
    .option('--json', 'machine-readable output')
    .action(async (a: string, b: string, o: { allowIncomparable?: boolean; json?: boolean }) => {
      const c = await withStore((s) =>
        compareRuns(s, a, b, { allowIncomparable: o.allowIncomparable === true }),
      );
      if (o.json) return printJson(c);
      if (c.statement) print(c.statement);
      for (const m of c.metrics) {
        const p = m.mcnemar ? ` McNemar p=${m.mcnemar.pValue.toFixed(4)}` : '';
        print(
          `${m.metric}\tA ${m.a.toFixed(4)}\tB ${m.b.toFixed(4)}\tΔ ${m.paired.diff.toFixed(4)} [${m.paired.ci95[0].toFixed(4)}, ${m.paired.ci95[1].toFixed(4)}]${p}\tflipped →A ${m.flipped.toA.length} →B ${m.flipped.toB.length}`,
        );
      }
    });
}
