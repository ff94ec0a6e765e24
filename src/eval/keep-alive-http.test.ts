import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { KeepAliveHttp, NoReplyError } from './keep-alive-http.js';

/** A server on 127.0.0.1: `/echo` answers the body it got with the request's headers, `/hang` never answers. */
async function startServer() {
  const sockets = new Set<string>();
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/hang') return hanging.push(res);
      res.writeHead(req.url === '/v1/echo' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ body: Buffer.concat(chunks).toString(), auth: req.headers.authorization ?? null }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, sockets };
}

test('sends JSON to paths under the base URL with the given headers, over reused sockets', async () => {
  const { baseUrl, sockets } = await startServer();
  const http = new KeepAliveHttp(baseUrl, 5000, { authorization: 'Bearer k' });
  onTestFinished(() => http.close());
  for (let i = 0; i < 5; i++) {
    const reply = await http.request('POST', 'echo', { i });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ body: `{"i":${i}}`, auth: 'Bearer k' });
  }
  expect(sockets.size).toBe(1);
  expect((await http.request('GET', 'missing')).status).toBe(404);
});

test('a timeout is a NoReplyError that says so; a refused connection is one that does not', async () => {
  const { baseUrl } = await startServer();
  const http = new KeepAliveHttp(baseUrl, 100, {});
  onTestFinished(() => http.close());
  const timedOut = await http.request('POST', 'hang', {}).catch((err: unknown) => err);
  expect(timedOut).toBeInstanceOf(NoReplyError);
  expect(timedOut).toMatchObject({ isTimeout: true, message: 'no answer within 100 ms' });
  const closed = new KeepAliveHttp('http://127.0.0.1:9/v1', 1000, {}); // port 9 (discard): nothing listens
  const refused = await closed.request('GET', 'echo').catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(NoReplyError);
  expect(refused).toMatchObject({ isTimeout: false, message: expect.stringMatching(/ECONNREFUSED/) });
});

test("many requests on one caller's signal: no listener-leak warning, and an abort ends them all with its reason", async () => {
  const { baseUrl } = await startServer();
  const http = new KeepAliveHttp(baseUrl, 5000, {});
  onTestFinished(() => http.close());
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  onTestFinished(() => {
    process.off('warning', onWarning);
  });
  const stop = new AbortController();
  const requests = Array.from({ length: 40 }, () =>
    http.request('POST', 'hang', {}, stop.signal).catch((err: unknown) => err),
  );
  stop.abort(new Error('run cancelled'));
  const outcomes = await Promise.all(requests);
  expect(outcomes.every((e) => e instanceof Error && e.message === 'run cancelled')).toBe(true);
  await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  expect(warnings).toEqual([]);
  await expect(http.request('GET', 'echo', undefined, stop.signal)).rejects.toThrow('run cancelled');
});
