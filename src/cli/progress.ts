import cliProgress from 'cli-progress';

export interface ProgressBar {
  /** Sets the total once it is known (a scan may learn it late). */
  setTotal(total: number): void;
  update(done: number, info?: string): void;
  stop(): void;
}

/**
 * One progress bar on stderr (stdout stays for results). On a terminal it redraws in place;
 * elsewhere (CI, pipes) it prints a line at most every `intervalMs`, so logs stay readable.
 */
export function createProgressBar(
  label: string,
  opts: { total?: number; stream?: NodeJS.WriteStream; intervalMs?: number } = {},
): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  let total = opts.total ?? 0;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% {value}/{total} {info} eta {eta_formatted}`,
        stream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: '' });
    return {
      setTotal: (t) => {
        total = t;
        bar.setTotal(t);
      },
      update: (done, info = '') => bar.update(done, { info }),
      stop: () => bar.stop(),
    };
  }
  const intervalMs = opts.intervalMs ?? 5000;
  let last = 0;
  let lastDone = 0;
  const print = (done: number, info: string) => {
    const pct = total > 0 ? ` ${Math.floor((100 * done) / total)}%` : '';
    stream.write(`${label}: ${done}${total > 0 ? `/${total}` : ''}${pct}${info ? ` ${info}` : ''}\n`);
  };
  return {
    setTotal: (t) => {
      total = t;
    },
    update(done, info = '') {
      lastDone = done;
      const now = Date.now();
      if (now - last >= intervalMs) {
        last = now;
        print(done, info);
      }
    },
    stop: () => print(lastDone, 'done'),
  };
}
