/**
 * Calls that share one run: while the run for a key is in flight, later callers with the same key get
 * its promise instead of starting another. Nothing is kept once it settles (a failure is not cached).
 */
export function singleFlight<T>(): (key: string, run: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (key, run) => {
    const current = running.get(key);
    if (current) return current;
    const started = run().finally(() => running.delete(key));
    running.set(key, started);
    return started;
  };
}
