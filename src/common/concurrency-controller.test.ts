import { expect, test } from 'vitest';
import { ConcurrencyController, type ConcurrencyWindow } from './concurrency-controller.js';

test('doubles while throughput grows, holds when it stops, probes again later, halves on overload', () => {
  const c = new ConcurrencyController({ start: 2, max: 64, probeEvery: 3 });
  c.observe(100);
  expect(c.limit).toBe(4);
  c.observe(200);
  expect(c.limit).toBe(8);
  c.observe(205); // no real gain: hold
  expect(c.limit).toBe(8);
  c.observe(204);
  c.observe(206); // third window since holding: probe
  expect(c.limit).toBe(16);
  c.observe(207); // the probe did not pay: back
  expect(c.limit).toBe(8);
  c.overloaded();
  expect(c.limit).toBe(4);
});

test('the limit stays within min and max', () => {
  const c = new ConcurrencyController({ start: 100, min: 3, max: 16 });
  expect(c.limit).toBe(16);
  c.observe(10);
  expect(c.limit).toBe(16);
  for (let i = 0; i < 5; i++) c.overloaded();
  expect(c.limit).toBe(3);
  expect(new ConcurrencyController({ start: 0 }).limit).toBe(1);
});

test('slots: tryAcquire stops at the limit, acquire waits for a release, and a release wakes one waiter per free slot', async () => {
  const c = new ConcurrencyController({ start: 2, max: 2 });
  expect([c.tryAcquire(), c.tryAcquire(), c.tryAcquire()]).toEqual([true, true, false]);
  const order: string[] = [];
  const first = c.acquire().then(() => order.push('first'));
  const second = c.acquire().then(() => order.push('second'));
  await Promise.resolve();
  expect(order).toEqual([]);
  c.release('error');
  await first;
  expect(order).toEqual(['first']);
  expect(c.active).toBe(2);
  c.release('ok');
  await second;
  expect(order).toEqual(['first', 'second']);
  expect(c.active).toBe(2);
});

test('an overload with retry-after pauses every slot for that long', async () => {
  const c = new ConcurrencyController({ start: 4, max: 4 });
  expect(c.tryAcquire()).toBe(true);
  c.release('overload', { retryAfterMs: 80 });
  expect(c.limit).toBe(2);
  expect(c.tryAcquire()).toBe(false);
  const started = performance.now();
  await c.acquire();
  expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  expect(c.active).toBe(1);
});

test('an aborted signal ends a wait for a slot', async () => {
  const c = new ConcurrencyController({ start: 1, max: 1 });
  expect(c.tryAcquire()).toBe(true);
  const stop = new AbortController();
  const waiting = c.acquire(stop.signal);
  stop.abort(new Error('stopped'));
  c.release('error'); // wakes the waiter, which sees the abort
  await expect(waiting).rejects.toThrow('stopped');
});

test('a window closes after max(4, limit) completions, after the turn they arrived in, and feeds the growth step', async () => {
  const windows: ConcurrencyWindow[] = [];
  let onWindow = () => {};
  const closed = new Promise<void>((resolve) => {
    onWindow = resolve;
  });
  const c = new ConcurrencyController({
    start: 2,
    max: 64,
    onWindow: (w) => {
      windows.push(w);
      onWindow();
    },
  });
  // Six answers read in one turn: one window holds all six.
  for (let i = 0; i < 6; i++) {
    expect(c.tryAcquire()).toBe(true);
    c.release('ok', { work: 10 });
  }
  c.tryAcquire();
  c.release('error'); // a failure is not a completion
  expect(windows).toHaveLength(0);
  await closed;
  expect(windows).toHaveLength(1);
  expect(windows[0]).toMatchObject({ completed: 6, work: 60, limit: 2 });
  expect(windows[0]?.seconds).toBeGreaterThan(0);
  expect(windows[0]?.utilization).toBeGreaterThanOrEqual(0);
  expect(windows[0]?.utilization).toBeLessThanOrEqual(1);
  // The first window is the best so far: the limit doubles.
  expect(c.limit).toBe(4);
});
