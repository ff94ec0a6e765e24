import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { downloadFile, HubApiError, listFiles } from '@huggingface/hub';
import { RegistryError } from './errors.js';

export interface SourceFile {
  /** Path inside the model folder, `/`-separated. */
  path: string;
  sizeBytes: number;
}

/**
 * Where a model's files come from: a local folder or a Hugging Face Hub repo. The importer
 * reads small files whole and only ranges (headers) of weight files.
 */
export interface ModelSource {
  readonly kind: 'local' | 'hub';
  /** Stored as the model's location: an absolute path or `hf://<repo>`. */
  readonly location: string;
  /** A short name for messages: the folder or repo name. */
  readonly displayName: string;
  listFiles(): Promise<SourceFile[]>;
  readText(file: string): Promise<string>;
  readRange(file: string, start: number, end: number): Promise<Uint8Array>;
}

/** Files we never descend into when listing a local folder (VCS and caches). */
const SKIP_DIRS = new Set(['.git', '.cache', '__pycache__', 'node_modules']);
/** How deep a local listing goes: HF repos keep files at the root or one or two folders down. */
const MAX_DEPTH = 3;

export async function localModelSource(dir: string): Promise<ModelSource> {
  const root = path.resolve(dir);
  const info = await stat(root).catch((err: unknown) => {
    throw new RegistryError(
      'AB_REGISTRY_NOT_A_FOLDER',
      'does not exist or cannot be read',
      { file: dir },
      { cause: err },
    );
  });
  if (!info.isDirectory()) {
    throw new RegistryError('AB_REGISTRY_NOT_A_FOLDER', 'is a file; pass the model folder', { file: dir });
  }
  const full = (file: string) => path.join(root, ...file.split('/'));
  return {
    kind: 'local',
    location: root,
    displayName: path.basename(root),
    async listFiles() {
      const out: SourceFile[] = [];
      async function walk(rel: string, depth: number): Promise<void> {
        const entries = await readdir(path.join(root, rel), { withFileTypes: true });
        for (const e of entries) {
          const p = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) {
            if (depth < MAX_DEPTH && !SKIP_DIRS.has(e.name)) await walk(p, depth + 1);
          } else if (e.isFile()) {
            out.push({ path: p, sizeBytes: (await stat(path.join(root, p))).size });
          }
        }
      }
      await walk('', 1);
      return out.sort((a, b) => a.path.localeCompare(b.path));
    },
    readText: (file) => readFile(full(file), 'utf8'),
    async readRange(file, start, end) {
      const handle = await open(full(file), 'r');
      try {
        const buf = Buffer.alloc(end - start);
        const { bytesRead } = await handle.read(buf, 0, end - start, start);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}

export interface HubSourceOptions {
  /** `owner/name` on the Hub. */
  repo: string;
  revision?: string;
  /** The Hub's base URL; tests point it at a local server. Default https://huggingface.co. */
  hubUrl?: string;
  /** A Hub token; never logged or put in messages. */
  accessToken?: string;
  /** Limit for each Hub request. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const HUB_REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** A Hub model repo read through `@huggingface/hub` (tree API and ranged `resolve` downloads). */
export function hubModelSource(opts: HubSourceOptions): ModelSource {
  const repo = opts.repo.replace(/^hf:\/\//, '');
  if (!HUB_REPO.test(repo)) {
    throw new RegistryError('AB_REGISTRY_HUB_NOT_FOUND', `"${repo}" is not a Hub repo id like "owner/name"`, {
      field: 'repo',
    });
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const timedFetch: typeof fetch = (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
  const common = {
    repo: { type: 'model' as const, name: repo },
    revision: opts.revision,
    hubUrl: opts.hubUrl,
    fetch: timedFetch,
    ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
  };
  const blobs = new Map<string, Promise<Blob>>();
  const blobOf = (file: string): Promise<Blob> => {
    let blob = blobs.get(file);
    if (!blob) {
      blob = hubCall(repo, file, timeoutMs, async () => {
        const b = await downloadFile({ ...common, path: file });
        if (!b)
          throw new RegistryError('AB_REGISTRY_HUB_NOT_FOUND', 'no such file in the Hub repo', { file });
        return b;
      });
      blobs.set(file, blob);
    }
    return blob;
  };
  return {
    kind: 'hub',
    location: `hf://${repo}`,
    displayName: repo,
    listFiles: () =>
      hubCall(repo, undefined, timeoutMs, async () => {
        const out: SourceFile[] = [];
        for await (const entry of listFiles({ ...common, recursive: true })) {
          if (entry.type === 'file') out.push({ path: entry.path, sizeBytes: entry.lfs?.size ?? entry.size });
        }
        return out.sort((a, b) => a.path.localeCompare(b.path));
      }),
    readText: async (file) => hubCall(repo, file, timeoutMs, async () => (await blobOf(file)).text()),
    readRange: async (file, start, end) =>
      hubCall(
        repo,
        file,
        timeoutMs,
        async () => new Uint8Array(await (await blobOf(file)).slice(start, end).arrayBuffer()),
      ),
  };
}

/** Maps Hub failures to "the Hub said no" (status) versus "the Hub never answered" (network). */
async function hubCall<T>(
  repo: string,
  file: string | undefined,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const where = { file: file ? `hf://${repo}/${file}` : `hf://${repo}` };
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    if (err instanceof HubApiError) {
      if (err.statusCode === 404 || err.statusCode === 401) {
        throw new RegistryError(
          'AB_REGISTRY_HUB_NOT_FOUND',
          `the Hub answered ${err.statusCode}: not found or private`,
          where,
          { cause: err },
        );
      }
      throw new RegistryError(
        'AB_REGISTRY_HUB_ERROR',
        `the Hub answered ${err.statusCode}${err.requestId ? ` (request ${err.requestId})` : ''}`,
        where,
        { cause: err },
      );
    }
    const name = (err as Error)?.name;
    const what =
      name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `could not reach the Hub (${(err as Error)?.message ?? String(err)})`;
    throw new RegistryError('AB_REGISTRY_HUB_UNREACHABLE', what, where, { cause: err });
  }
}
