import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { intakeDataset, loadChatTemplate, loadTokenizer, parseContract } from '../../src/data/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { randomSentence, seededRandom, writeJsonl, writeModelDir } from '../helpers/jsonl.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// The incident of PRODUCT.md: a RAG preference dataset kept its retrieved context in `meta`,
// a field deprecated months earlier; training silently ignored it for a month.
const CONTRACT_V3 = `
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
limits: { max_length: 4096 }
`;

function ragRows(n: number, contextField: 'meta' | 'documents') {
  const rand = seededRandom(7);
  return Array.from({ length: n }, (_, i) => {
    const docs = [
      { id: `d${i}a`, text: randomSentence(rand, 20) },
      { id: `d${i}b`, text: randomSentence(rand, 20) },
    ];
    return {
      question: `${randomSentence(rand, 8).slice(0, -1)}?`,
      [contextField]: docs,
      chosen: randomSentence(rand, 15),
      rejected: randomSentence(rand, 15),
    };
  });
}

let store: Store;
beforeEach(async () => {
  store = createStore({ databaseUrl: `sqlite:${path.join(await makeTempDir(), 'ab.db')}` });
  await store.migrate();
});
afterEach(() => store.close());

describe('the meta incident', () => {
  test('context in the deprecated "meta" field is quarantined, naming the field, the contract version and lines', async () => {
    const model = await writeModelDir('meta-llama/Llama-3.1-8B-Instruct');
    const file = await writeJsonl(ragRows(40, 'meta'));
    const v = await intakeDataset(file, {
      store,
      dataset: 'rag-prefs',
      contract: parseContract(CONTRACT_V3),
      template: await loadChatTemplate(model),
      tokenizer: await loadTokenizer(model),
    });
    expect(v.status).toBe('quarantined');
    expect(v.contract).toEqual({ name: 'rag-prefs', version: 3 });
    const meta = v.consumption?.fields.find((f) => f.field === 'meta');
    expect(meta).toMatchObject({
      status: 'dropped',
      deprecated: { since: 3, replacedBy: 'documents' },
      rows: 40,
      droppedRows: 40,
    });
    const dropped = v.report.findings.find((f) => f.code === 'AB_DATA_FIELD_DROPPED' && f.field === 'meta');
    expect(dropped?.message).toContain('deprecated since contract v3');
    expect(dropped?.examples.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    const deprecated = v.report.findings.find((f) => f.code === 'AB_DATA_FIELD_DEPRECATED');
    expect(deprecated).toMatchObject({ field: 'meta', count: 40 });
    expect(deprecated?.message).toContain('v3');
    expect(deprecated?.examples[0]).toMatchObject({ file, line: 1, field: 'meta' });
    const metrics = v.reasons.map((r) => r.metric);
    expect(metrics).toEqual(
      expect.arrayContaining(['deprecated_field_rows', 'consumption_failures', 'contract_violation_rate']),
    );
    expect(v.reasons.find((r) => r.metric === 'consumption_failures')?.message).toContain('"meta"');
  });

  test('the same data with the context in "documents" passes', async () => {
    const model = await writeModelDir('meta-llama/Llama-3.1-8B-Instruct');
    const file = await writeJsonl(ragRows(40, 'documents'));
    const v = await intakeDataset(file, {
      store,
      dataset: 'rag-prefs',
      contract: parseContract(CONTRACT_V3),
      template: await loadChatTemplate(model),
      tokenizer: await loadTokenizer(model),
    });
    expect(v.reasons).toEqual([]);
    expect(v.status).toBe('accepted');
    expect(v.consumption?.passed).toBe(true);
    expect(v.consumption?.fields.find((f) => f.field === 'documents')).toMatchObject({
      status: 'rendered',
      foundIn: { prompt: 80 },
    });
  });

  test('documents passed as documents= to a template that ignores them are dropped; Command-A renders them', async () => {
    const file = await writeJsonl(ragRows(10, 'documents'));
    const llama = await loadChatTemplate(await writeModelDir('meta-llama/Llama-3.1-8B-Instruct'), {
      documents: 'template',
    });
    const v = await intakeDataset(file, {
      store,
      dataset: 'rag-trap',
      contract: parseContract(CONTRACT_V3),
      template: llama,
    });
    expect(v.status).toBe('quarantined');
    expect(v.consumption?.fields.find((f) => f.field === 'documents')?.status).toBe('dropped');
    const commandA = await loadChatTemplate(await writeModelDir('CohereLabs/c4ai-command-a-03-2025'), {
      documents: 'template',
    });
    const w = await intakeDataset(file, {
      store,
      dataset: 'rag-trap-2',
      contract: parseContract(CONTRACT_V3),
      template: commandA,
    });
    expect(w.consumption?.fields.find((f) => f.field === 'documents')?.status).toBe('rendered');
    expect(w.status).toBe('accepted');
  });
});
