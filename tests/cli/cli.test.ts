import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { sleep } from '../../src/common/async.js';
import { BIN, freePort, ROOT, runCli, runCommand } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

// Each case starts Node and imports the whole CLI; allow for a busy machine.
describe('alignboard CLI', { timeout: 60_000 }, () => {
  test('--version and --help from node_modules/.bin', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve \[options\]/);
    expect(help.stdout).toMatch(/doctor/);
  });

  test('npx alignboard resolves the same command', async () => {
    const res = await runCommand('npx', ['--no-install', 'alignboard', '--version']);
    expect(res).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  test('doctor reports node, data dir and database as JSON', async () => {
    const dataDir = await makeTempDir();
    const res = await runCli(['doctor', '--json'], { ALIGNBOARD_DATA_DIR: dataDir });
    expect(res.code).toBe(0);
    const checks = JSON.parse(res.stdout) as {
      name: string;
      isOk: boolean;
      isRequired: boolean;
      detail: string;
    }[];
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName.node).toMatchObject({ isOk: true, detail: `v${process.versions.node}` });
    expect(byName['data dir']).toMatchObject({ isOk: true, detail: dataDir });
    expect(byName.database?.detail).toContain(path.join(dataDir, 'alignboard.db'));
    expect(byName.chromium?.isRequired).toBe(false);
  });

  test('bad input exits 2 with the variable named', async () => {
    const res = await runCli(['doctor'], { ALIGNBOARD_PORT: 'eighty' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/AB_CONFIG_INVALID.*ALIGNBOARD_PORT/);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  test('serve answers /api/health and the home page within 10 s, and stops cleanly on SIGTERM', {
    timeout: 30_000,
  }, async () => {
    const dataDir = await makeTempDir();
    const port = await freePort();
    const started = Date.now();
    const child = spawn(BIN, ['serve', '--port', String(port)], {
      cwd: ROOT,
      env: { ...process.env, ALIGNBOARD_DATA_DIR: dataDir, ALIGNBOARD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let health: Response | undefined;
      while (Date.now() - started < 10_000) {
        health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
        if (health) break;
        await sleep(100);
      }
      expect(health?.status).toBe(200);
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<div id="root">');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
