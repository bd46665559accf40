/**
 * When and how long to wait before trying a registry request again.
 *
 * @module
 */

/** Retry settings of a registry client. */
export interface RetryOptions {
  /** Tries in all, the first included (default 5; 1 turns retries off). */
  attempts?: number;
  /** Wait before the first retry; it doubles each time (default 250 ms). */
  baseDelayMs?: number;
  /** Longest wait; a `Retry-After` longer than this is not waited for (default 4,000 ms). */
  maxDelayMs?: number;
  /** How to wait (tests pass a fake); rejects when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** {@linkcode RetryOptions} with every field set. */
export type RetryPolicy = Required<RetryOptions>;

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason when it aborts.
 *
 * @param ms Milliseconds.
 * @param signal Cancels the wait.
 * @returns A promise that resolves after the wait.
 *
 * @example
 * ```ts
 * import { sleep } from "./retry.ts";
 * await sleep(1);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Fills in the defaults of retry settings and checks them.
 *
 * @param options Partial settings.
 * @returns Complete settings.
 * @throws {RangeError} When `attempts` is not an integer from 1 to 20 or a
 *   delay is negative.
 *
 * @example
 * ```ts
 * import { retryPolicy } from "./retry.ts";
 * console.assert(retryPolicy({ attempts: 1 }).attempts === 1);
 * ```
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = {
    attempts: options.attempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 4000,
    sleep: options.sleep ?? sleep,
  };
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1 || policy.attempts > 20) {
    throw new RangeError(`Invalid retry attempts '${policy.attempts}': expected 1 to 20`);
  }
  for (const key of ["baseDelayMs", "maxDelayMs"] as const) {
    if (!(policy[key] >= 0)) throw new RangeError(`Invalid retry ${key} '${policy[key]}'`);
  }
  return policy;
}

/**
 * Whether an HTTP status is worth retrying: 408, 429 and 5xx other than 501
 * and 505 (which will not change).
 *
 * @param status An HTTP status.
 * @returns True for a transient failure.
 *
 * @example
 * ```ts
 * import { isTransientStatus } from "./retry.ts";
 * console.assert(isTransientStatus(503) && !isTransientStatus(404));
 * ```
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 ||
    (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * How long to wait before retry number `retry` (1 for the first): the
 * server's `Retry-After` when it gave one, else `baseDelayMs * 2^(retry-1)`
 * capped at `maxDelayMs`.
 *
 * @param retry Which retry, from 1.
 * @param policy Retry settings.
 * @param retryAfter The `Retry-After` header (seconds or an HTTP date), if any.
 * @param now The current time in ms (for HTTP dates).
 * @returns Milliseconds to wait, or `undefined` when the server asks for
 *   longer than `maxDelayMs` (then do not retry).
 *
 * @example
 * ```ts
 * import { backoffDelay, retryPolicy } from "./retry.ts";
 * const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
 * console.assert(backoffDelay(1, policy) === 100 && backoffDelay(3, policy) === 400);
 * console.assert(backoffDelay(9, policy) === 1000);
 * console.assert(backoffDelay(1, policy, "2") === undefined);
 * ```
 */
export function backoffDelay(
  retry: number,
  policy: RetryPolicy,
  retryAfter?: string | null,
  now: number = Date.now(),
): number | undefined {
  if (retryAfter) {
    const seconds = /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : undefined;
    const ms = seconds !== undefined ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms)) return ms > policy.maxDelayMs ? undefined : Math.max(0, ms);
  }
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}
