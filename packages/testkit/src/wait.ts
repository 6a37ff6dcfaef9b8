// Waiting on events rather than sleeping.
import { once, type EventEmitter } from 'node:events';

/** Resolves with the event's arguments, or rejects after timeoutMs. */
export async function nextEvent<T extends unknown[] = unknown[]>(
  emitter: EventEmitter,
  event: string,
  timeoutMs = 10000,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return (await once(emitter, event, { signal })) as T;
  } catch (err) {
    if (signal.aborted) throw new Error(`no "${event}" event within ${timeoutMs} ms`);
    throw err;
  }
}

/**
 * Resolves on the first emission whose arguments satisfy the predicate. Listening starts at the
 * call, so call it before causing the event.
 */
export function eventMatching<T extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  predicate: (...args: T) => boolean,
  timeoutMs = 10000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (predicate(...(args as T))) {
        clearTimeout(timer);
        emitter.off(event, listener);
        resolve(args as T);
      }
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no matching "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

/** Polls an async condition until it holds (for state with no event to wait on). */
export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
