import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { importModel } from '../../src/registry/index.js';
import { type FakeHub, startFakeHub } from '../helpers/fake-hub.js';
import { writeHfModelFolder } from '../helpers/hf-folder.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { makeRegistryStore } from './helpers.js';

let hub: FakeHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

describe('import from the Hub through @huggingface/hub', { timeout: 15_000 }, () => {
  test('a sharded Gemma v5 repo: same spec and exact count as a local import, weights never downloaded', async () => {
    const dir = path.join(await makeTempDir(), 'repo');
    const written = await writeHfModelFolder(dir, {
      family: 'gemma',
      layout: 'v5',
      shards: 2,
      card: { base_model: 'google/gemma-2b', license: 'gemma' },
    });
    hub = await startFakeHub({ repos: { 'acme/gemma-tiny': dir }, token: 'hf_canary_token_123' });
    const store = await makeRegistryStore();
    const m = await importModel(
      store,
      { hubRepo: 'acme/gemma-tiny' },
      { hubUrl: hub.url, hubToken: 'hf_canary_token_123', hubTimeoutMs: 5_000 },
    );
    expect(m).toMatchObject({
      name: 'acme/gemma-tiny',
      location: 'hf://acme/gemma-tiny',
      sourceKind: 'hub',
      family: 'gemma',
      parameterCount: written.parameterCount,
      spec: { configLayout: 'v5', tiedEmbeddings: true, kvHeads: 2 },
      weights: { sharded: true },
      baseModel: { id: null, name: 'google/gemma-2b' },
    });
    const local = await importModel(store, { path: dir, name: 'local-copy' });
    expect(m.spec).toEqual(local.spec);
    expect(m.weights?.parametersByComponent).toEqual(local.weights?.parametersByComponent);
    // Safetensors files were read by range only: the header length, then the header.
    const weightReads = hub.requests.filter((r) => r.path.endsWith('.safetensors') && r.method === 'GET');
    expect(weightReads.length).toBeGreaterThan(0);
    for (const r of weightReads) expect(r.range).toMatch(/^bytes=\d+-\d+$/);
    expect(JSON.stringify(m)).not.toContain('hf_canary_token_123');
  });

  const errorCases = [
    { name: 'unknown repo', repo: 'acme/missing', failWith: undefined, code: 'AB_REGISTRY_HUB_NOT_FOUND' },
    { name: 'Hub 500', repo: 'acme/tiny', failWith: 500, code: 'AB_REGISTRY_HUB_ERROR' },
  ] as const;
  test.each(errorCases)('$name → $code, nothing written', async ({ repo, failWith, code }) => {
    const dir = (await writeHfModelFolder(await makeTempDir())).dir;
    hub = await startFakeHub({ repos: { 'acme/tiny': dir }, failWith });
    const store = await makeRegistryStore();
    const err = await importModel(store, { hubRepo: repo }, { hubUrl: hub.url, hubTimeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code });
    expect((await store.db.selectFrom('registry_models').selectAll().execute()).length).toBe(0);
  });

  test('an unreachable Hub is AB_REGISTRY_HUB_UNREACHABLE', async () => {
    const store = await makeRegistryStore();
    // Port 9 on 127.0.0.1 (discard) refuses connections.
    await expect(
      importModel(store, { hubRepo: 'acme/tiny' }, { hubUrl: 'http://127.0.0.1:9', hubTimeoutMs: 2_000 }),
    ).rejects.toMatchObject({ code: 'AB_REGISTRY_HUB_UNREACHABLE', status: 502 });
  });
});
