/**
 * An in-process event bus: publishers push events, each subscriber reads them as an async
 * iterable (what `sendEvents` streams). `close()` ends every subscription, so open SSE streams
 * end before the server closes.
 */
export class EventBus<T> {
  private readonly subscribers = new Set<{ push(e: T): void; end(): void }>();
  private isClosed = false;

  publish(event: T): void {
    for (const s of this.subscribers) s.push(event);
  }

  /** Events published from now on, until the caller stops iterating or the bus closes. */
  subscribe(): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let wake: (() => void) | null = null;
    let isDone = this.isClosed;
    const sub = {
      push(e: T) {
        queue.push(e);
        wake?.();
        wake = null;
      },
      end() {
        isDone = true;
        wake?.();
        wake = null;
      },
    };
    this.subscribers.add(sub);
    const subscribers = this.subscribers;
    const iterator: AsyncIterableIterator<T> = {
      async next(): Promise<IteratorResult<T>> {
        while (queue.length === 0 && !isDone) await new Promise<void>((r) => (wake = r));
        if (queue.length > 0) return { value: queue.shift() as T, done: false };
        subscribers.delete(sub);
        return { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<T>> {
        sub.end();
        subscribers.delete(sub);
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  close(): void {
    this.isClosed = true;
    for (const s of this.subscribers) s.end();
    this.subscribers.clear();
  }
}
