import { type ChildProcess, spawn } from 'node:child_process';
import Fastify from 'fastify';
import { onTestFinished } from 'vitest';

interface FakeJob {
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
  logs: string;
  entrypoint: string;
  exitCode: number | null;
  message: string;
  metadata: Record<string, string>;
  runtimeEnv: { env_vars?: Record<string, string> };
  child?: ChildProcess;
}

/**
 * A Ray dashboard job server speaking the Jobs REST API as documented (submit, status, logs,
 * stop, version). It runs each entrypoint with `sh -c` on this machine, so jobs really run;
 * what it cannot show is Ray's scheduling, which is why the Ray executor is tested at the
 * protocol level only.
 */
export async function startFakeRay(): Promise<{
  address: string;
  jobs: Map<string, FakeJob>;
  headers: Record<string, string>[];
}> {
  const jobs = new Map<string, FakeJob>();
  const headers: Record<string, string>[] = [];
  const app = Fastify();
  app.addHook('onRequest', async (req) => {
    headers.push(Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])));
  });
  app.get('/api/version', async () => ({ version: '3', ray_version: '2.40.0', ray_commit: 'fake' }));
  app.post('/api/jobs/', async (req, reply) => {
    const body = req.body as {
      entrypoint?: string;
      submission_id?: string;
      runtime_env?: FakeJob['runtimeEnv'];
      metadata?: Record<string, string>;
    };
    if (!body?.entrypoint) return reply.status(400).send('entrypoint is required');
    const id = body.submission_id ?? `raysubmit_${jobs.size + 1}`;
    if (jobs.has(id)) return reply.status(400).send(`Job with submission_id ${id} already exists.`);
    const job: FakeJob = {
      status: 'PENDING',
      logs: '',
      entrypoint: body.entrypoint,
      exitCode: null,
      message: 'Job has not started yet.',
      metadata: body.metadata ?? {},
      runtimeEnv: body.runtime_env ?? {},
    };
    jobs.set(id, job);
    const child = spawn('sh', ['-c', body.entrypoint], {
      env: { ...process.env, ...job.runtimeEnv.env_vars },
    });
    job.child = child;
    job.status = 'RUNNING';
    job.message = 'Job is currently running.';
    child.stdout?.on('data', (d) => {
      job.logs += d;
    });
    child.stderr?.on('data', (d) => {
      job.logs += d;
    });
    child.on('close', (code) => {
      if (job.status === 'STOPPED') return;
      job.exitCode = code;
      job.status = code === 0 ? 'SUCCEEDED' : 'FAILED';
      job.message =
        code === 0 ? 'Job finished successfully.' : `Job entrypoint command failed with exit code ${code}`;
    });
    return { job_id: null, submission_id: id };
  });
  app.get('/api/jobs/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const job = jobs.get(id);
    if (!job) return reply.status(404).send(`Job ${id} does not exist`);
    return {
      type: 'SUBMISSION',
      submission_id: id,
      status: job.status,
      message: job.message,
      entrypoint: job.entrypoint,
      driver_exit_code: job.exitCode,
      metadata: job.metadata,
      runtime_env: job.runtimeEnv,
    };
  });
  app.get('/api/jobs/:id/logs', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const job = jobs.get(id);
    if (!job) return reply.status(404).send(`Job ${id} does not exist`);
    return { logs: job.logs };
  });
  app.post('/api/jobs/:id/stop', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const job = jobs.get(id);
    if (!job) return reply.status(404).send(`Job ${id} does not exist`);
    const running = job.status === 'RUNNING' || job.status === 'PENDING';
    if (running) {
      job.status = 'STOPPED';
      job.message = 'Job was intentionally stopped.';
      job.child?.kill('SIGTERM');
    }
    return { stopped: running };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(async () => {
    for (const job of jobs.values()) job.child?.kill('SIGKILL');
    await app.close();
  });
  return { address, jobs, headers };
}
