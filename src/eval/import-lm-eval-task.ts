import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Scalar } from 'yaml';
import { excerpt, parseAt, type Where } from '../common/errors.js';
import { EvaluationError } from './errors.js';
import {
  type FilterStep,
  type Metric,
  type TaskSpec,
  type TaskSpecInput,
  TaskSpecSchema,
} from './schemas.js';

/** Keys of lm-eval task YAML that Alignboard reads. */
const SUPPORTED_KEYS = new Set([
  'task',
  'include',
  'dataset_path',
  'dataset_name',
  'training_split',
  'validation_split',
  'test_split',
  'fewshot_split',
  'doc_to_text',
  'doc_to_target',
  'doc_to_choice',
  'description',
  'output_type',
  'num_fewshot',
  'fewshot_config',
  'fewshot_delimiter',
  'target_delimiter',
  'fewshot_as_multiturn',
  'generation_kwargs',
  'filter_list',
  'metric_list',
  'repeats',
  'metadata',
]);
/** Keys that change nothing about the numbers (grouping, decontamination bookkeeping). */
const IGNORED_KEYS = new Set([
  'tag',
  'group',
  'should_decontaminate',
  'doc_to_decontamination_query',
  'task_alias',
]);
/** Keys that need Python; named in the error so the user knows what to rewrite. */
const PYTHON_KEYS = new Set([
  'process_docs',
  'process_results',
  'custom_dataset',
  'dataset_kwargs',
  'use_prompt',
  'class',
]);

const FUNCTION_TAG = Symbol('!function');

interface RawYaml {
  data: Record<string, unknown>;
  file: string;
  lineOf: (key: string) => number | undefined;
}

async function readYaml(file: string): Promise<RawYaml> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EvaluationError(
      'AB_EVAL_TASK_NOT_FOUND',
      `cannot read task file (${(err as Error).message})`,
      { file },
      { status: 404, cause: err },
    );
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    customTags: [
      {
        tag: '!function',
        identify: () => false,
        resolve: (value: string) => ({ [FUNCTION_TAG]: value }),
      },
    ],
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e?.linePos?.[0]?.line;
    throw new EvaluationError('AB_EVAL_TASK_INVALID', `not valid YAML (${e?.message.split('\n')[0]})`, {
      file,
      line,
    });
  }
  const data: unknown = doc.toJS();
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new EvaluationError('AB_EVAL_TASK_INVALID', 'a task file must be a YAML mapping', { file });
  }
  const lineOf = (key: string): number | undefined => {
    if (!isMap(doc.contents)) return undefined;
    const pair = doc.contents.items.find((p) => isScalar(p.key) && (p.key as Scalar).value === key);
    const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return { data: data as Record<string, unknown>, file, lineOf };
}

function findFunctionTag(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    if (FUNCTION_TAG in value) return String((value as Record<symbol, unknown>)[FUNCTION_TAG]);
    for (const v of Object.values(value)) {
      const found = findFunctionTag(v);
      if (found) return found;
    }
  }
  return undefined;
}

/** Reads a task YAML and its `include` chain; the including file's keys win, as in lm-eval. */
async function readWithIncludes(
  file: string,
  seen: string[] = [],
): Promise<{ merged: Record<string, unknown>; whereOf: (key: string) => Where }> {
  const abs = path.resolve(file);
  if (seen.includes(abs)) {
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `include cycle: ${[...seen, abs].map((f) => path.basename(f)).join(' → ')}`,
      { file, field: 'include' },
    );
  }
  const raw = await readYaml(abs);
  const whereHere = (key: string): Where => ({ file: raw.file, line: raw.lineOf(key), field: key });
  for (const [key, value] of Object.entries(raw.data)) {
    const fn = findFunctionTag(value);
    if (fn !== undefined) {
      throw new EvaluationError(
        'AB_EVAL_TASK_UNSUPPORTED',
        `"!function ${excerpt(fn)}" calls Python code, which Alignboard cannot run; rewrite it as a Jinja template or in Alignboard's task format`,
        whereHere(key),
      );
    }
    if (PYTHON_KEYS.has(key)) {
      throw new EvaluationError(
        'AB_EVAL_TASK_UNSUPPORTED',
        `"${key}" needs Python, which Alignboard cannot run; preprocess the dataset and drop the key`,
        whereHere(key),
      );
    }
    if (!SUPPORTED_KEYS.has(key) && !IGNORED_KEYS.has(key)) {
      throw new EvaluationError(
        'AB_EVAL_TASK_UNSUPPORTED',
        `"${key}" is not in the declarative subset Alignboard reads`,
        whereHere(key),
      );
    }
  }
  const include = raw.data.include;
  if (include === undefined) return { merged: raw.data, whereOf: whereHere };
  if (typeof include !== 'string') {
    throw new EvaluationError('AB_EVAL_TASK_INVALID', 'include must be a file name', whereHere('include'));
  }
  const parent = await readWithIncludes(path.resolve(path.dirname(abs), include), [...seen, abs]);
  const { include: _drop, ...own } = raw.data;
  return {
    merged: { ...parent.merged, ...own },
    whereOf: (key) => (key in own ? whereHere(key) : parent.whereOf(key)),
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const rec = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function importFilters(value: unknown, whereOf: (k: string) => Where): TaskSpecInput['filters'] {
  if (value === undefined) return undefined;
  if (!Array.isArray(value))
    throw new EvaluationError('AB_EVAL_TASK_INVALID', 'filter_list must be a list', whereOf('filter_list'));
  return value.map((f, i) => {
    const entry = rec(f);
    const steps = Array.isArray(entry.filter) ? entry.filter : [];
    return {
      name: str(entry.name) ?? `filter-${i}`,
      steps: steps.map((s, j): FilterStep => {
        const step = rec(s);
        const where = { ...whereOf('filter_list'), field: `filter_list.${i}.filter.${j}.function` };
        switch (step.function) {
          case 'regex':
            return {
              function: 'regex',
              pattern: str(step.regex_pattern) ?? '#### (\\-?[0-9\\.\\,]+)',
              groupSelect: typeof step.group_select === 'number' ? step.group_select : 0,
              fallback: str(step.fallback) ?? '[invalid]',
            };
          case 'take_first':
          case 'majority_vote':
          case 'lowercase':
            return { function: step.function };
          case 'remove_whitespace':
          case 'strip':
            return { function: 'strip' };
          default:
            throw new EvaluationError(
              'AB_EVAL_TASK_UNSUPPORTED',
              `filter function ${excerpt(step.function)} is not supported (regex, take_first, majority_vote, lowercase, strip)`,
              where,
            );
        }
      }),
    };
  });
}

function importMetrics(value: unknown, outputType: string, whereOf: (k: string) => Where): Metric[] {
  if (value === undefined) {
    return outputType === 'multiple_choice'
      ? [{ metric: 'acc' }, { metric: 'acc_norm' }]
      : [{ metric: 'exact_match', ignoreCase: false, ignorePunctuation: false, regexesToIgnore: [] }];
  }
  if (!Array.isArray(value))
    throw new EvaluationError('AB_EVAL_TASK_INVALID', 'metric_list must be a list', whereOf('metric_list'));
  return value.map((m, i): Metric => {
    const entry = rec(m);
    switch (entry.metric) {
      case 'exact_match':
        return {
          metric: 'exact_match',
          ignoreCase: entry.ignore_case === true,
          ignorePunctuation: entry.ignore_punctuation === true,
          regexesToIgnore: Array.isArray(entry.regexes_to_ignore) ? entry.regexes_to_ignore.map(String) : [],
        };
      case 'acc':
      case 'acc_norm':
        return { metric: entry.metric };
      default:
        throw new EvaluationError(
          'AB_EVAL_TASK_UNSUPPORTED',
          `metric ${excerpt(entry.metric)} is not supported (exact_match, acc, acc_norm)`,
          { ...whereOf('metric_list'), field: `metric_list.${i}.metric` },
        );
    }
  });
}

export interface ImportLmEvalTaskOptions {
  /** A local folder or file that replaces `dataset_path` (the Hub id), e.g. an offline copy. */
  datasetPath?: string;
}

/**
 * Imports a task YAML of lm-evaluation-harness (its declarative subset) into Alignboard's task
 * format. `include` chains are followed; `!function` and Python-only keys are refused with an
 * error naming the key and its line.
 */
export async function importLmEvalTask(file: string, opts: ImportLmEvalTaskOptions = {}): Promise<TaskSpec> {
  const { merged: y, whereOf } = await readWithIncludes(file);
  const outputType = str(y.output_type) ?? 'generate_until';
  if (!['generate_until', 'multiple_choice', 'loglikelihood'].includes(outputType)) {
    throw new EvaluationError(
      'AB_EVAL_TASK_UNSUPPORTED',
      `output_type ${excerpt(outputType)} is not supported (generate_until, multiple_choice, loglikelihood)`,
      whereOf('output_type'),
    );
  }
  const testSplit = str(y.test_split) ?? str(y.validation_split);
  if (!testSplit)
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      'the task names no test_split or validation_split',
      whereOf('test_split'),
    );
  const fewshotConfig = rec(y.fewshot_config);
  const gen = rec(y.generation_kwargs);
  const fewshotDelimiter = str(y.fewshot_delimiter) ?? '\n\n';
  const doSample = gen.do_sample === true;
  const temperature = typeof gen.temperature === 'number' ? gen.temperature : doSample ? 1 : 0;
  const input: TaskSpecInput = {
    format: 'alignboard-task/1',
    name: str(y.task) ?? path.basename(file, path.extname(file)),
    version: y.metadata && rec(y.metadata).version !== undefined ? String(rec(y.metadata).version) : '0',
    outputType: outputType as TaskSpec['outputType'],
    dataset: {
      path: opts.datasetPath ?? str(y.dataset_path) ?? '',
      name: str(y.dataset_name) ?? null,
      testSplit,
      fewshotSplit: str(y.fewshot_split) ?? str(y.training_split) ?? str(y.validation_split) ?? null,
    },
    description: str(y.description) ?? '',
    docToText: y.doc_to_text as TaskSpecInput['docToText'],
    docToTarget: y.doc_to_target as TaskSpecInput['docToTarget'],
    docToChoice: y.doc_to_choice as TaskSpecInput['docToChoice'],
    fewshot: {
      n: typeof y.num_fewshot === 'number' ? y.num_fewshot : 0,
      sampler: fewshotConfig.sampler === 'first_n' ? 'first_n' : 'default',
      samples: Array.isArray(fewshotConfig.samples) ? fewshotConfig.samples.map(rec) : undefined,
      delimiter: fewshotDelimiter,
      asMultiturn: y.fewshot_as_multiturn === true,
    },
    targetDelimiter: str(y.target_delimiter) ?? ' ',
    generation: {
      until: Array.isArray(gen.until)
        ? gen.until.map(String)
        : typeof gen.until === 'string'
          ? [gen.until]
          : [fewshotDelimiter],
      temperature,
      ...(typeof gen.top_p === 'number' && { topP: gen.top_p }),
      maxTokens: typeof gen.max_gen_toks === 'number' ? gen.max_gen_toks : 256,
    },
    filters: importFilters(y.filter_list, whereOf),
    metrics: importMetrics(y.metric_list, outputType, whereOf),
    repeats: typeof y.repeats === 'number' ? y.repeats : 1,
  };
  if (
    fewshotConfig.sampler !== undefined &&
    !['default', 'first_n'].includes(String(fewshotConfig.sampler))
  ) {
    throw new EvaluationError(
      'AB_EVAL_TASK_UNSUPPORTED',
      `few-shot sampler ${excerpt(fewshotConfig.sampler)} is not supported (default, first_n)`,
      whereOf('fewshot_config'),
    );
  }
  if (y.doc_to_text === undefined)
    throw new EvaluationError('AB_EVAL_TASK_INVALID', 'doc_to_text is required', whereOf('doc_to_text'));
  return parseAt(TaskSpecSchema, input, { file });
}
