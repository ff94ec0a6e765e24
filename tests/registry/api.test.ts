import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  type Lineage,
  type ModelDetail,
  type ModelDiff,
  type ModelList,
  registerModel,
} from '../../src/registry/index.js';
import { writeHfModelFolder } from '../helpers/hf-folder.js';
import { startTestServer } from '../helpers/server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { importChain, makeRegistryStore } from './helpers.js';

async function call<T>(
  base: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: (await res.json()) as T };
}

describe('/api/registry', { timeout: 20_000 }, () => {
  test('import, list, get, update, lineage, diff, evaluations, delete', async () => {
    const store = await makeRegistryStore();
    const { base } = await startTestServer({ store });
    const { sft, dpo } = await importChain(store);

    const dir = path.join(await makeTempDir(), 'qwen-api');
    await writeHfModelFolder(dir, { family: 'qwen2' });
    const imported = await call<ModelDetail>(base, 'POST', '/api/registry/models/import', {
      path: dir,
      owner: 'dana',
    });
    expect(imported.status).toBe(201);
    expect(imported.json).toMatchObject({ name: 'qwen-api', family: 'qwen2', owner: 'dana' });

    const raw = await fetch(`${base}/api/registry/models/${imported.json.id}/files/config.json`);
    expect(raw.headers.get('content-type')).toContain('text/plain');
    expect(JSON.parse(await raw.text())).toMatchObject({ model_type: 'qwen2' });
    const weights = await call<{ code: string }>(
      base,
      'GET',
      `/api/registry/models/${imported.json.id}/files/model.safetensors`,
    );
    expect(weights).toMatchObject({ status: 400, json: { code: 'AB_REGISTRY_FILE_NOT_TEXT' } });
    const outside = await call<{ code: string }>(
      base,
      'GET',
      `/api/registry/models/${imported.json.id}/files/..%2F..%2Fetc%2Fpasswd`,
    );
    expect(outside).toMatchObject({ status: 404, json: { code: 'AB_REGISTRY_FILE_NOT_FOUND' } });

    const list = await call<ModelList>(base, 'GET', '/api/registry/models?family=llama&sort=name&limit=10');
    expect(list.status).toBe(200);
    expect(list.json.total).toBe(3);
    const search = await call<ModelList>(base, 'GET', '/api/registry/models?q=qwen');
    expect(search.json.items.map((m) => m.name)).toEqual(['qwen-api']);

    const got = await call<ModelDetail>(
      base,
      'GET',
      `/api/registry/models/${encodeURIComponent(`${sft.name}@1`)}`,
    );
    expect(got.json).toMatchObject({ id: sft.id, spec: { family: 'llama' }, curves: expect.any(Array) });

    const patched = await call<ModelDetail>(base, 'PATCH', `/api/registry/models/${dpo.id}`, {
      notes: 'candidate for release',
      tags: ['dpo', 'rc1'],
      status: 'released',
    });
    expect(patched.json).toMatchObject({
      notes: 'candidate for release',
      tags: ['dpo', 'rc1'],
      status: 'released',
    });

    const lineage = await call<Lineage>(base, 'GET', `/api/registry/models/${dpo.id}/lineage`);
    expect(lineage.json.nodes.filter((n) => n.kind === 'model')).toHaveLength(3);

    const diff = await call<ModelDiff>(
      base,
      'GET',
      `/api/registry/models/diff?ids=${sft.id},${dpo.id}&onlyDifferences=true`,
    );
    expect(diff.status).toBe(200);
    expect(diff.json.rows.length).toBe(diff.json.differentCount);
    expect(diff.json.rows.some((r) => r.section === 'hyperparameters' && r.field === 'learning_rate')).toBe(
      true,
    );

    const ev = await call<{ id: string }>(base, 'POST', `/api/registry/models/${dpo.id}/evaluations`, {
      name: 'mt-bench',
      metrics: { score: 7.1 },
    });
    expect(ev.status).toBe(201);
    expect(
      (await call<ModelDetail>(base, 'GET', `/api/registry/models/${dpo.id}`)).json.evaluations,
    ).toHaveLength(1);

    const del = await call<{ deletedAt: string | null }>(
      base,
      'DELETE',
      `/api/registry/models/${imported.json.id}`,
    );
    expect(del.json.deletedAt).not.toBeNull();
    expect((await call<ModelList>(base, 'GET', '/api/registry/models')).json.total).toBe(3);
  });

  const invalid = [
    {
      name: 'bad status',
      method: 'PATCH',
      url: '/api/registry/models/x',
      body: { status: 'shipped' },
      code: 'AB_INPUT_INVALID',
      http: 400,
    },
    {
      name: 'unknown field',
      method: 'PATCH',
      url: '/api/registry/models/x',
      body: { colour: 'red' },
      code: 'AB_INPUT_INVALID',
      http: 400,
    },
    {
      name: 'missing model',
      method: 'GET',
      url: '/api/registry/models/nope',
      code: 'AB_REGISTRY_MODEL_NOT_FOUND',
      http: 404,
    },
    {
      name: 'missing lineage',
      method: 'GET',
      url: '/api/registry/models/nope/lineage',
      code: 'AB_REGISTRY_MODEL_NOT_FOUND',
      http: 404,
    },
    {
      name: 'missing delete',
      method: 'DELETE',
      url: '/api/registry/models/nope',
      code: 'AB_REGISTRY_MODEL_NOT_FOUND',
      http: 404,
    },
    {
      name: 'diff of one',
      method: 'GET',
      url: '/api/registry/models/diff?ids=a',
      code: 'AB_REGISTRY_DIFF_ARGS',
      http: 400,
    },
    {
      name: 'diff without ids',
      method: 'GET',
      url: '/api/registry/models/diff',
      code: 'AB_INPUT_INVALID',
      http: 400,
    },
    {
      name: 'list limit too big',
      method: 'GET',
      url: '/api/registry/models?limit=100000',
      code: 'AB_INPUT_INVALID',
      http: 400,
    },
    {
      name: 'import with neither path nor repo',
      method: 'POST',
      url: '/api/registry/models/import',
      body: {},
      code: 'AB_INPUT_INVALID',
      http: 400,
    },
    {
      name: 'import a missing folder',
      method: 'POST',
      url: '/api/registry/models/import',
      body: { path: '/nonexistent/model' },
      code: 'AB_REGISTRY_NOT_A_FOLDER',
      http: 400,
    },
    {
      name: 'evaluation without metrics',
      method: 'POST',
      url: '/api/registry/models/x/evaluations',
      body: { name: 'e' },
      code: 'AB_INPUT_INVALID',
      http: 400,
    },
  ] as const;
  test.each(invalid)('$name → $http $code', async ({ method, url, code, http, ...rest }) => {
    const { base } = await startTestServer();
    const res = await call<{ code: string }>(base, method, url, 'body' in rest ? rest.body : undefined);
    expect(res.status).toBe(http);
    expect(res.json.code).toBe(code);
  });

  test('a cycle via PATCH is 409 and the OpenAPI document lists the registry routes', async () => {
    const store = await makeRegistryStore();
    const { base } = await startTestServer({ store });
    const a = await registerModel(store, { name: 'a', location: '/m/a' });
    const b = await registerModel(store, { name: 'b', location: '/m/b', baseModel: a.id });
    const res = await call<{ code: string; where: { field: string } }>(
      base,
      'PATCH',
      `/api/registry/models/${a.id}`,
      {
        baseModel: b.id,
      },
    );
    expect(res).toMatchObject({
      status: 409,
      json: { code: 'AB_REGISTRY_BASE_CYCLE', where: { field: 'baseModel' } },
    });
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/registry/models',
        '/api/registry/models/{id}/lineage',
        '/api/registry/models/diff',
      ]),
    );
  });
});
