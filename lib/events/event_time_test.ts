import assert from "node:assert/strict";
import { parseEventTime, parseGoDuration } from "./event_time.ts";

const NOW = 1_700_000_000_000_000_000n;

Deno.test("parseGoDuration() reads Go's units, fractions and signs", () => {
  assert.equal(parseGoDuration("10m"), 600e9);
  assert.equal(parseGoDuration("1h30m"), 5400e9);
  assert.equal(parseGoDuration("1.5s"), 1.5e9);
  assert.equal(parseGoDuration("-2ms"), -2e6);
  assert.equal(parseGoDuration("300us"), 300e3);
  assert.equal(parseGoDuration("0"), 0);
  assert.equal(parseGoDuration("10"), null);
  assert.equal(parseGoDuration("m"), null);
  assert.equal(parseGoDuration("10x"), null);
});

Deno.test("parseEventTime() counts durations back from now, exactly", () => {
  assert.equal(parseEventTime("0s", NOW, "--until"), NOW);
  assert.equal(parseEventTime("1m", NOW, "--since"), NOW - 60_000_000_000n);
});

Deno.test("parseEventTime() reads Unix times with up to 9 decimals, and '0' as the epoch", () => {
  assert.equal(parseEventTime("1700000000", NOW, "--since"), NOW);
  assert.equal(parseEventTime("1700000000.000000001", NOW, "--since"), NOW + 1n);
  assert.equal(parseEventTime("0", NOW, "--since"), 0n);
});

Deno.test("parseEventTime() reads RFC 3339 forms with a zone, and local time without", () => {
  assert.equal(parseEventTime("2023-11-14T22:13:20Z", NOW, "--since"), NOW);
  assert.equal(parseEventTime("2023-11-15T00:13:20+02:00", NOW, "--since"), NOW);
  assert.equal(parseEventTime("2023-11-14T22:13:20.25Z", NOW, "--since"), NOW + 250_000_000n);
  const local = BigInt(new Date(2023, 10, 14, 22, 13).getTime()) * 1_000_000n;
  assert.equal(parseEventTime("2023-11-14T22:13", NOW, "--since"), local);
  const day = BigInt(new Date(2023, 10, 14).getTime()) * 1_000_000n;
  assert.equal(parseEventTime("2023-11-14", NOW, "--since"), day);
});

Deno.test("parseEventTime() names the flag and the forms for anything else", () => {
  assert.throws(
    () => parseEventTime("yesterday", NOW, "--since"),
    /^UsageError: Invalid --since 'yesterday': expected a duration \(10m, 1h30m\)/,
  );
  assert.throws(() => parseEventTime("2023-13-45T99", NOW, "--until"), /Invalid --until/);
});
