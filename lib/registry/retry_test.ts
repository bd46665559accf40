import { strictEqual, throws } from "node:assert";
import { backoffDelay, isTransientStatus, retryPolicy, sleep } from "./retry.ts";

Deno.test("backoffDelay() doubles from the base up to the cap", () => {
  const policy = retryPolicy({ baseDelayMs: 250, maxDelayMs: 4000 });
  strictEqual(backoffDelay(1, policy), 250);
  strictEqual(backoffDelay(2, policy), 500);
  strictEqual(backoffDelay(4, policy), 2000);
  strictEqual(backoffDelay(6, policy), 4000);
});

Deno.test("backoffDelay() follows Retry-After in seconds and as a date", () => {
  const policy = retryPolicy({ maxDelayMs: 10_000 });
  strictEqual(backoffDelay(1, policy, "3"), 3000);
  const now = Date.parse("Tue, 24 Nov 2026 10:00:00 GMT");
  strictEqual(backoffDelay(1, policy, "Tue, 24 Nov 2026 10:00:05 GMT", now), 5000);
  strictEqual(backoffDelay(1, policy, "Tue, 24 Nov 2026 09:00:00 GMT", now), 0);
  strictEqual(backoffDelay(2, policy, "soon"), 500);
});

Deno.test("backoffDelay() gives up when Retry-After is longer than the cap", () => {
  strictEqual(backoffDelay(1, retryPolicy({ maxDelayMs: 1000 }), "3600"), undefined);
});

Deno.test("isTransientStatus() retries 408, 429 and most 5xx", () => {
  for (const s of [408, 429, 500, 502, 503, 504]) strictEqual(isTransientStatus(s), true, `${s}`);
  for (const s of [200, 400, 401, 403, 404, 501, 505]) strictEqual(isTransientStatus(s), false);
});

Deno.test("retryPolicy() refuses nonsense", () => {
  throws(() => retryPolicy({ attempts: 0 }), /Invalid retry attempts '0'/);
  throws(() => retryPolicy({ baseDelayMs: -1 }), /Invalid retry baseDelayMs '-1'/);
});

Deno.test("sleep() rejects when the signal aborts", async () => {
  const controller = new AbortController();
  const waiting = sleep(10_000, controller.signal);
  controller.abort(new Error("stop"));
  let message = "";
  await waiting.catch((err) => message = err.message);
  strictEqual(message, "stop");
});
