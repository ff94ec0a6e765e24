import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { intakeDataset, loadChatTemplate, loadTokenizer, parseContract } from '../../src/data/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { assertPreflight, parseRecipe, preflight } from '../../src/train/index.js';
import { randomSentence, seededRandom, writeJsonl, writeModelDir } from '../helpers/jsonl.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CONTRACT = `
name: rag-prefs
version: 3
format: rag
fields:
  question: { type: string, required: true }
  documents: { type: documents, required: true, renders_in: prompt }
  chosen: { type: string, required: true }
  rejected: { type: string, required: true }
deprecated:
  meta: { since: 3, replaced_by: documents, reason: retrieved context moved to documents }
`;

function ragRows(n: number, contextField: 'meta' | 'documents') {
  const rand = seededRandom(3);
  return Array.from({ length: n }, (_, i) => ({
    question: `${randomSentence(rand, 8).slice(0, -1)}?`,
    [contextField]: [{ id: `d${i}`, text: randomSentence(rand, 20) }],
    chosen: randomSentence(rand, 12),
    rejected: randomSentence(rand, 12),
  }));
}

const recipe = (version: string, documents: 'inline' | 'template' = 'inline') =>
  parseRecipe(
    `name: dpo-rag
algorithm: dpo
base_model: llama@1
datasets: [{ name: rag-prefs, version: "${version}" }]
template: { kind: chat, documents: ${documents} }
hyperparameters: { learning_rate: 0.0001, max_length: 4096 }
`,
    'dpo-rag.yaml',
  );

let store: Store;
let model: string;
beforeEach(async () => {
  store = createStore({ databaseUrl: `sqlite:${path.join(await makeTempDir(), 'ab.db')}` });
  await store.migrate();
  model = await writeModelDir('meta-llama/Llama-3.1-8B-Instruct');
});
afterEach(() => store.close());

async function intake(rows: Record<string, unknown>[]) {
  return intakeDataset(await writeJsonl(rows), {
    store,
    dataset: 'rag-prefs',
    contract: parseContract(CONTRACT),
    template: await loadChatTemplate(model),
    tokenizer: await loadTokenizer(model),
  });
}

test('preflight refuses a quarantined dataset version and says why; an override is recorded', async () => {
  const v = await intake(ragRows(20, 'meta'));
  expect(v.status).toBe('quarantined');
  const report = await preflight(recipe(v.id), { store, modelDir: model });
  expect(report.passed).toBe(false);
  const gate = report.checks.find((c) => c.check === 'dataset_accepted');
  expect(gate).toMatchObject({ passed: false });
  expect(gate?.message).toMatch(/^quarantined/);
  expect(() => assertPreflight(report, 'dpo-rag.yaml')).toThrow(/AB_TRAIN|preflight refused the run/);
  const forced = await preflight(recipe(v.id), { store, modelDir: model, override: true });
  expect(forced.overridden).toBe(true);
  expect(() => assertPreflight(forced)).not.toThrow();
});

test('preflight refuses a recipe whose template drops a contract field, naming the field', async () => {
  const v = await intake(ragRows(20, 'documents'));
  expect(v.status).toBe('accepted');
  expect((await preflight(recipe(v.id), { store, modelDir: model })).passed).toBe(true);
  // The same data, but the recipe passes documents to a template that ignores documents=.
  const report = await preflight(recipe(v.id, 'template'), { store, modelDir: model });
  expect(report.passed).toBe(false);
  const c = report.checks.find((x) => x.check === 'field_consumption');
  expect(c).toMatchObject({ passed: false, field: 'documents' });
  expect(c?.message).toContain('field "documents" is dropped');
  expect(() => assertPreflight(report, 'dpo-rag.yaml')).toThrow(/field "datasets.documents"/);
});

test('preflight refuses a dataset whose shape does not fit the algorithm (preference rows for SFT)', async () => {
  const v = await intake(ragRows(20, 'documents'));
  const sft = parseRecipe(
    `name: x\nalgorithm: sft\nbase_model: llama@1\ndatasets: [{ name: rag-prefs, version: "${v.id}" }]\nhyperparameters: { learning_rate: 0.0001, max_length: 4096 }\n`,
  );
  const report = await preflight(sft, { store, modelDir: model });
  expect(report.checks.find((x) => x.check === 'format_fit')).toMatchObject({ passed: false });
});
