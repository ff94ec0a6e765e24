// Which process drives a run, so a resume can tell a live driver from a killed one.
// `<runDir>/driver.json` names the driver's host and PID while it drives; a SIGKILLed driver
// leaves the file behind, and a PID that is dead on this host makes it stale.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LOCAL_HOST, processState } from '../common/local-process.js';
import { TrainError } from './errors.js';

const DriverSchema = z.object({ host: z.string(), pid: z.number().int().positive() });
export type RunDriver = z.infer<typeof DriverSchema>;

const driverFile = (runDir: string) => path.join(runDir, 'driver.json');

export async function readRunDriver(runDir: string): Promise<RunDriver | null> {
  const text = await readFile(driverFile(runDir), 'utf8').catch(() => undefined); // absent: nobody drives
  if (text === undefined) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null; // not a driver record (written by hand?): nobody can be named as the driver
  }
  const parsed = DriverSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Throws AB_TRAIN_RUN_STATE when another process that is alive (or on another host) drives the run. */
export function assertNoOtherDriver(runId: string, runDir: string, driver: RunDriver | null): void {
  if (!driver || (driver.host === LOCAL_HOST && driver.pid === process.pid)) return;
  const state = processState(driver.host, driver.pid);
  if (state === 'dead') return;
  throw new TrainError(
    'AB_TRAIN_RUN_STATE',
    state === 'alive'
      ? `run ${runId} is being driven by process ${driver.pid}; resume it once that process has ended`
      : `run ${runId} is being driven by process ${driver.pid} on host ${driver.host}; resume it there`,
    { file: driverFile(runDir), field: 'runId' },
    { status: 409 },
  );
}

/**
 * Records this process as the run's driver and returns its release. `isLeaseHolder`: the caller
 * holds the run's queue lease, which outranks a record it cannot check (another host's).
 */
export async function holdRunDriver(
  runId: string,
  runDir: string,
  opts: { isLeaseHolder?: boolean } = {},
): Promise<() => Promise<void>> {
  if (!opts.isLeaseHolder) assertNoOtherDriver(runId, runDir, await readRunDriver(runDir));
  const file = driverFile(runDir);
  await writeFile(`${file}.${process.pid}`, JSON.stringify({ host: LOCAL_HOST, pid: process.pid }));
  await rename(`${file}.${process.pid}`, file); // never torn, even by a SIGKILL mid-write
  return async function releaseRunDriver() {
    const now = await readRunDriver(runDir);
    if (now?.host === LOCAL_HOST && now.pid === process.pid) await rm(file, { force: true });
  };
}
