// Whether a process that another Alignboard process recorded (a job's lease owner, a run's
// driver) is still alive. Only a process on this machine can be checked: same host name and,
// on Linux, the same PID namespace (containers on one host share the name, not the PIDs).
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

function pidNamespace(): string {
  try {
    return `/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return ''; // no procfs (macOS): the host name alone
  }
}

/** Names where this process's PIDs mean something: `<host name>[/pid:[<namespace>]]`. */
export const LOCAL_HOST = `${hostname()}${pidNamespace()}`;

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/** 'unknown' for a process on another host: only its own host can tell. */
export function processState(host: string, pid: number): 'alive' | 'dead' | 'unknown' {
  if (host !== LOCAL_HOST) return 'unknown';
  return isPidAlive(pid) ? 'alive' : 'dead';
}
