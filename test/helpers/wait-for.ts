import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that. Fails after
 * `timeoutMs` with `what` and the last value seen, so a timeout says which state was never reached.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => unknown } = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 150 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const last = options.describe ? await options.describe() : undefined;
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last seen: ${JSON.stringify(last)}` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}
