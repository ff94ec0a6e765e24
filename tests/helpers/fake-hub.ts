import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyReply } from 'fastify';

/**
 * A fake Hugging Face Hub on 127.0.0.1 that speaks the parts of the Hub protocol the real
 * `@huggingface/hub` client uses to read a model repo: the tree API
 * (`GET /api/models/:owner/:repo/tree/:rev`) and file downloads
 * (`GET|HEAD /:owner/:repo/resolve|raw/:rev/:path`) with byte ranges, ETags and the
 * `X-Error-Code` header on 404. Each repo is served from a local folder.
 */
export interface FakeHub {
  /** Pass as `hubUrl` to the client. */
  url: string;
  /** Every request path, in order, for asserting what was (not) downloaded. */
  requests: { method: string; path: string; range: string | undefined }[];
  close(): Promise<void>;
}

export interface FakeHubOptions {
  /** `owner/name` → local folder. */
  repos: Record<string, string>;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Answer every file request with this status (to test Hub errors). */
  failWith?: number;
}

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
  const app = Fastify({ logger: false });
  const requests: FakeHub['requests'] = [];
  app.addHook('onRequest', async (req, reply) => {
    requests.push({ method: req.method, path: req.url, range: req.headers.range });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`) {
      await reply
        .status(401)
        .header('content-type', 'application/json')
        .send({ error: 'Invalid credentials' });
    }
  });

  const repoDir = (owner: string, name: string) => opts.repos[`${owner}/${name}`];
  const notFound = (reply: FastifyReply, code: 'RepoNotFound' | 'EntryNotFound') =>
    reply
      .status(404)
      .header('x-error-code', code)
      .header('content-type', 'application/json')
      .send({ error: code });

  app.get<{ Params: { owner: string; name: string; rev: string; '*': string } }>(
    '/api/models/:owner/:name/tree/:rev/*',
    async (req, reply) => {
      const dir = repoDir(req.params.owner, req.params.name);
      if (!dir) return notFound(reply, 'RepoNotFound');
      const files = await listRecursive(dir, '');
      return files.map((f) => ({
        type: 'file',
        path: f.path,
        size: f.size,
        oid: createHash('sha1').update(f.path).digest('hex'),
        ...(f.path.endsWith('.safetensors') ? { lfs: { oid: 'x', size: f.size, pointerSize: 134 } } : {}),
      }));
    },
  );
  app.get<{ Params: { owner: string; name: string; rev: string } }>(
    '/api/models/:owner/:name/tree/:rev',
    async (req, reply) => {
      const dir = repoDir(req.params.owner, req.params.name);
      if (!dir) return notFound(reply, 'RepoNotFound');
      const files = await listRecursive(dir, '');
      return files.map((f) => ({ type: 'file', path: f.path, size: f.size, oid: 'x' }));
    },
  );

  const serveFile = async (
    req: {
      params: { owner: string; name: string; '*': string };
      headers: { range?: string };
      method: string;
    },
    reply: FastifyReply,
  ) => {
    if (opts.failWith) return reply.status(opts.failWith).send({ error: 'simulated failure' });
    const dir = repoDir(req.params.owner, req.params.name);
    if (!dir) return notFound(reply, 'RepoNotFound');
    const rel = decodeURIComponent(req.params['*']);
    if (rel.split('/').includes('..')) return notFound(reply, 'EntryNotFound');
    const file = path.join(dir, ...rel.split('/'));
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return notFound(reply, 'EntryNotFound');
    const size = info.size;
    const etag = `"${createHash('sha1').update(`${file}:${size}`).digest('hex')}"`;
    reply
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header('content-type', 'application/octet-stream');
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (m) reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`);
    if (req.method === 'HEAD') return reply.header('content-length', String(end - start + 1)).send();
    const handle = await open(file, 'r');
    try {
      const buf = Buffer.alloc(Math.max(0, end - start + 1));
      await handle.read(buf, 0, buf.length, start);
      return reply.send(buf);
    } finally {
      await handle.close();
    }
  };
  for (const kind of ['resolve', 'raw']) {
    app.route<{ Params: { owner: string; name: string; rev: string; '*': string } }>({
      method: ['GET', 'HEAD'],
      url: `/:owner/:name/${kind}/:rev/*`,
      handler: (req, reply) => serveFile(req, reply),
    });
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, requests, close: () => app.close() };
}

async function listRecursive(root: string, rel: string): Promise<{ path: string; size: number }[]> {
  const out: { path: string; size: number }[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listRecursive(root, p)));
    else out.push({ path: p, size: (await stat(path.join(root, p))).size });
  }
  return out;
}
