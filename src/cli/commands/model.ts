import type { Command } from 'commander';
import { parseAt } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import {
  deleteModel,
  diffModels,
  getLineage,
  getModel,
  importModel,
  type Lineage,
  listModels,
  type ModelDetail,
  type ModelDiff,
  ModelStatusSchema,
  type ModelSummary,
  updateModel,
} from '../../registry/index.js';
import { print, printJson, withStore } from '../output.js';

/** `--status` parsed at the edge, so a typo is a located AB_INPUT_INVALID. */
const statusOption = (value: string | undefined) =>
  parseAt(ModelStatusSchema.optional(), value, { field: '--status' });
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `alignboard model import|list|show|diff|lineage|update|delete`. */
export function registerModelCommands(program: Command): void {
  const model = program
    .command('model')
    .description('the model registry: import, inspect, compare, trace lineage');

  model
    .command('import')
    .description('import a Hugging Face model folder (or --hub repo) without loading weights')
    .argument('[dir]', 'model folder holding config.json or adapter_config.json')
    .option('--hub <repo>', 'import from a Hugging Face Hub repo instead (owner/name); token from HF_TOKEN')
    .option('--revision <rev>', 'Hub revision (branch, tag or commit)')
    .option('--hub-url <url>', 'Hub base URL (env HF_ENDPOINT)')
    .option('--name <name>', 'registry name (default: folder or repo name)')
    .option('--version <version>', 'version (default: next integer)')
    .option('--owner <owner>', 'owner')
    .option('--tag <tag>', 'tag (repeatable)', collect)
    .option('--notes <text>', 'free-text notes')
    .option('--status <status>', 'candidate, released or archived')
    .option('--base <ref>', 'base model: a registry ref or an external id')
    .option('--json', 'machine-readable output')
    .action(async (dir: string | undefined, o: Record<string, string | string[] | boolean | undefined>) => {
      const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const m = await withStore((store) =>
        importModel(
          store,
          {
            path: dir,
            hubRepo: str('hub'),
            revision: str('revision'),
            name: str('name'),
            version: str('version'),
            owner: str('owner'),
            tags: Array.isArray(o.tag) ? o.tag : undefined,
            notes: str('notes'),
            status: statusOption(str('status')),
            baseModel: str('base'),
          },
          {
            log: createLogger({ level: 'warn', destination: process.stderr }),
            hubUrl: str('hubUrl') ?? process.env.HF_ENDPOINT,
            hubToken: process.env.HF_TOKEN,
          },
        ),
      );
      print(o.json ? JSON.stringify(m, null, 2) : formatModel(m));
    });

  model
    .command('list')
    .description('list and search models')
    .option('-q, --query <words>', 'search name, owner, family, tags, notes')
    .option('--family <family>')
    .option('--owner <owner>')
    .option('--tag <tag>')
    .option('--status <status>')
    .option('--limit <n>', 'rows to show', '50')
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const list = await withStore((store) =>
        listModels(store, {
          q: s('query'),
          family: s('family'),
          owner: s('owner'),
          tag: s('tag'),
          status: statusOption(s('status')),
          limit: s('limit'),
        }),
      );
      if (o.json) printJson(list);
      else print(`${formatTable(list.items)}\n${list.items.length} of ${list.total} models`);
    });

  model
    .command('show')
    .description("a model's spec, weights, base, training and evaluations")
    .argument('<ref>', 'id, name@version or name')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, o: { json?: boolean }) => {
      const m = await withStore((store) => getModel(store, ref));
      print(o.json ? JSON.stringify(m, null, 2) : formatModel(m));
    });

  model
    .command('diff')
    .description('compare two or more models field by field')
    .argument('<refs...>', '2 to 8 models: ids, name@version or names')
    .option('--only-differences', 'show only the fields that differ')
    .option('--json', 'machine-readable output')
    .action(async (refs: string[], o: { onlyDifferences?: boolean; json?: boolean }) => {
      const d = await withStore((store) => diffModels(store, refs, { onlyDifferences: o.onlyDifferences }));
      print(o.json ? JSON.stringify(d, null, 2) : formatDiff(d));
    });

  model
    .command('lineage')
    .description('the base chain, training runs, datasets and evaluations of a model')
    .argument('<ref>', 'id, name@version or name')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, o: { json?: boolean }) => {
      const g = await withStore((store) => getLineage(store, ref));
      print(o.json ? JSON.stringify(g, null, 2) : formatLineage(g));
    });

  model
    .command('update')
    .description("change a model's notes, tags, status, owner or base model")
    .argument('<ref>', 'id, name@version or name')
    .option('--notes <text>')
    .option('--tag <tag>', 'replaces the tags (repeatable)', collect)
    .option('--status <status>', 'candidate, released or archived')
    .option('--owner <owner>')
    .option('--base <ref>', 'base model: a registry ref or an external id')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, o: Record<string, string | string[] | boolean | undefined>) => {
      const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const m = await withStore((store) =>
        updateModel(store, ref, {
          notes: s('notes'),
          tags: Array.isArray(o.tag) ? o.tag : undefined,
          status: statusOption(s('status')),
          owner: s('owner'),
          baseModel: s('base'),
        }),
      );
      print(o.json ? JSON.stringify(m, null, 2) : formatModel(m));
    });

  model
    .command('delete')
    .description('remove a model from the catalog (soft: its lineage stays)')
    .argument('<ref>', 'id, name@version or name')
    .action(async (ref: string) => {
      const m = await withStore((store) => deleteModel(store, ref));
      print(`deleted ${m.name}@${m.version} (${m.id})`);
    });
}

const human = (n: number | null): string => {
  if (n === null) return '-';
  for (const [unit, size] of [
    ['T', 1e12],
    ['B', 1e9],
    ['M', 1e6],
    ['K', 1e3],
  ] as const) {
    if (n >= size) return `${(n / size).toFixed(n >= size * 10 ? 0 : 1)}${unit}`;
  }
  return String(n);
};

function formatTable(items: ModelSummary[]): string {
  const rows = [
    ['NAME', 'VERSION', 'FAMILY', 'PARAMS', 'OWNER', 'STATUS', 'BASE', 'ID'],
    ...items.map((m) => [
      m.name,
      m.version,
      m.family ?? '-',
      human(m.parameterCount),
      m.owner ?? '-',
      m.status,
      m.baseModel
        ? m.baseModel.version
          ? `${m.baseModel.name}@${m.baseModel.version}`
          : m.baseModel.name
        : '-',
      m.id,
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function formatModel(m: ModelDetail): string {
  const s = m.spec;
  const lines = [
    `${m.name}@${m.version}  (${m.id})`,
    `  status ${m.status}  owner ${m.owner ?? '-'}  tags ${m.tags.join(', ') || '-'}`,
    `  location ${m.location}`,
    `  base ${m.baseModel ? `${m.baseModel.name}${m.baseModel.version ? `@${m.baseModel.version}` : ''} (${m.baseModel.relation ?? 'finetune'})` : '-'}`,
  ];
  if (s) {
    lines.push(
      `  ${s.family} ${s.architecture ?? ''}  config ${s.configLayout}  dtype ${s.dtype ?? '-'}`,
      `  layers ${s.layers}  hidden ${s.hiddenSize}  heads ${s.attentionHeads}/${s.kvHeads} kv (GQA ${s.gqaRatio})  head dim ${s.headDim}  ffn ${s.intermediateSize}`,
      `  vocab ${s.vocabSize}  context ${s.contextLength}  rope θ ${s.rope?.theta ?? '-'} ${s.rope?.type ?? ''}  tied embeddings ${s.tiedEmbeddings}`,
    );
  }
  if (m.adapter) {
    lines.push(
      `  adapter ${m.adapter.peftType} r=${m.adapter.rank} alpha=${m.adapter.alpha} on ${m.adapter.targetModules.join(', ')}`,
    );
  }
  if (m.weights) {
    const dtypes = Object.entries(m.weights.parametersByDtype)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `  parameters ${m.weights.parameterCount} (${dtypes}) in ${m.weights.files.length} file(s), ${human(m.weights.sizeBytes)}B`,
    );
  }
  if (m.chatTemplate)
    lines.push(`  chat template ${m.chatTemplate.hash.slice(0, 19)} from ${m.chatTemplate.source}`);
  if (m.training) {
    lines.push(
      `  training ${m.training.algorithm ?? '-'} run ${m.training.runId ?? '-'} recipe ${m.training.recipeHash ?? '-'}`,
    );
    for (const d of m.training.datasets)
      lines.push(`    dataset ${d.name}${d.version ? `@${d.version}` : ''} ${d.contentHash ?? ''}`);
  }
  for (const e of m.evaluations) lines.push(`  eval ${e.name} ${JSON.stringify(e.metrics)}`);
  if (m.notes) lines.push(`  notes ${m.notes}`);
  return lines.join('\n');
}

function formatDiff(d: ModelDiff): string {
  const header = ['SECTION', 'FIELD', ...d.models.map((m) => `${m.name}@${m.version}`)];
  const cell = (v: unknown) => (v === null ? '-' : String(v));
  const rows = [
    header,
    ...d.rows.map((r) => [`${r.isDifferent ? '*' : ' '} ${r.section}`, r.field, ...r.values.map(cell)]),
  ];
  const widths = header.map((_, i) => Math.min(40, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  const body = rows.map((r) =>
    r
      .map((c, i) => c.slice(0, 40).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return [...body, `${d.differentCount} field(s) differ (*)`].join('\n');
}

function formatLineage(g: Lineage): string {
  const label = new Map(g.nodes.map((n) => [n.id, `${n.kind} ${n.label}`]));
  return g.edges
    .map(
      (e) => `${label.get(e.source)} --${e.kind}${e.label ? `(${e.label})` : ''}--> ${label.get(e.target)}`,
    )
    .join('\n');
}
