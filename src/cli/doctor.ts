import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Config } from '../common/config.js';
import { createStore } from '../store/index.js';

const run = promisify(execFile);

export interface DoctorCheck {
  name: string;
  /** Required checks fail the command; optional ones only report what is missing. */
  isRequired: boolean;
  isOk: boolean;
  detail: string;
}

/** Optional tools, each found by asking it for its version. */
const OPTIONAL_TOOLS: { name: string; file: string; args: string[]; purpose: string }[] = [
  {
    name: 'chromium',
    file: process.env.ALIGNBOARD_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--version'],
    purpose: 'browser tests',
  },
  { name: 'python3', file: 'python3', args: ['--version'], purpose: 'TRL/OpenRLHF/verl engines' },
  {
    name: 'transformers',
    file: 'python3',
    args: ['-c', 'import transformers; print(transformers.__version__)'],
    purpose: 'parity checks, TRL engine',
  },
  {
    name: 'vllm',
    file: 'python3',
    args: ['-c', 'import vllm; print(vllm.__version__)'],
    purpose: 'online generation',
  },
  { name: 'slurm', file: 'sbatch', args: ['--version'], purpose: 'Slurm executor' },
  { name: 'ray', file: 'ray', args: ['--version'], purpose: 'Ray executor' },
  { name: 'postgresql', file: 'psql', args: ['--version'], purpose: 'team database (client)' },
];

async function versionOf(file: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(file, args, { timeout: 10_000 });
  return (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
}

/** What is installed and reachable: Node, the data dir, the database, and optional tools. */
export async function runDoctor(config: Config): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > 20 || (major === 20 && minor >= 19);
  checks.push({
    name: 'node',
    isRequired: true,
    isOk: nodeOk,
    detail: `v${process.versions.node}${nodeOk ? '' : ' (need >= 20.19)'}`,
  });

  try {
    mkdirSync(config.dataDir, { recursive: true });
    accessSync(config.dataDir, constants.W_OK);
    checks.push({ name: 'data dir', isRequired: true, isOk: true, detail: config.dataDir });
  } catch (err) {
    checks.push({
      name: 'data dir',
      isRequired: true,
      isOk: false,
      detail: `${config.dataDir}: ${(err as Error).message}`,
    });
  }

  const store = createStore({ databaseUrl: config.databaseUrl });
  try {
    const applied = await store.appliedMigrations();
    checks.push({
      name: 'database',
      isRequired: true,
      isOk: true,
      detail: `${store.dialect} ${store.location} (${applied.length} migrations applied)`,
    });
  } catch (err) {
    checks.push({
      name: 'database',
      isRequired: true,
      isOk: false,
      detail: `${store.location}: ${(err as Error).message}`,
    });
  } finally {
    await store.close();
  }

  for (const tool of OPTIONAL_TOOLS) {
    try {
      const version = await versionOf(tool.file, tool.args);
      checks.push({ name: tool.name, isRequired: false, isOk: true, detail: `${version} — ${tool.purpose}` });
    } catch {
      // Absent or failing: optional tools are reported, never fatal.
      checks.push({
        name: tool.name,
        isRequired: false,
        isOk: false,
        detail: `not found — needed for ${tool.purpose}`,
      });
    }
  }
  return checks;
}

export function formatDoctor(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  return checks
    .map((c) => `${c.isOk ? '✓' : c.isRequired ? '✗' : '-'} ${c.name.padEnd(width)}  ${c.detail}`)
    .join('\n');
}
