import assert from "node:assert/strict";
import { followEvents, parseEventLine } from "./read_events.ts";
import {
  formatEventLine,
  JOURNAL_ROTATE_BYTES,
  MAX_LINE_BYTES,
  recordEvent,
} from "./record_event.ts";

Deno.test("formatEventLine() keeps a line under PIPE_BUF by dropping labels", () => {
  const attributes: Record<string, string> = { name: "web", image: "busybox" };
  for (let i = 0; i < 200; i++) attributes[`label.${i}`] = "x".repeat(40);
  const line = formatEventLine({ type: "container", action: "start", id: "c1", attributes }, 5n);
  assert.ok(new TextEncoder().encode(line).length < MAX_LINE_BYTES);
  assert.deepEqual(parseEventLine(line.trimEnd())?.Actor.Attributes, {
    name: "web",
    image: "busybox",
  });
});

Deno.test("parseEventLine() skips torn and foreign lines", () => {
  assert.equal(parseEventLine('{"Type":"container","Action":"st'), null);
  assert.equal(
    parseEventLine('{"Type":"plugin","Action":"x","Actor":{"ID":"p"},"timeNano":1}'),
    null,
  );
});

Deno.test("followEvents() reads the rotated file first, then follows appends until aborted", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-events-" });
  try {
    const path = `${dir}/events.jsonl`;
    const old = formatEventLine({ type: "image", action: "pull", id: "old" }, 1n);
    Deno.writeTextFileSync(`${path}.1`, old);
    await recordEvent({ type: "image", action: "tag", id: "a" }, { path, timeNano: 2n });
    const stop = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of followEvents(path, { follow: true, signal: stop.signal, pollMs: 10 })) {
        seen.push(`${e.Actor.ID}@${e.timeNano}`);
        if (seen.length === 4) stop.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await recordEvent({ type: "image", action: "tag", id: "b" }, { path, timeNano: 3n });
    // A rotation while following: the reader moves on to the new file.
    Deno.renameSync(path, `${path}.1`);
    await recordEvent({ type: "image", action: "tag", id: "c" }, { path, timeNano: 4n });
    await done;
    assert.deepEqual(seen, ["old@1", "a@2", "b@3", "c@4"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("followEvents() ends at --until's time when following", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-events-" });
  try {
    const path = `${dir}/events.jsonl`;
    let now = 10n;
    const events = followEvents(path, {
      follow: true,
      untilNano: 15n,
      pollMs: 5,
      now: () => now++,
    });
    const all = await Array.fromAsync(events);
    assert.deepEqual(all, []);
    assert.ok(now > 15n);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("recordEvent() rotates a journal above the limit, keeping every line", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-events-" });
  try {
    const path = `${dir}/events.jsonl`;
    Deno.writeTextFileSync(path, "x".repeat(JOURNAL_ROTATE_BYTES) + "\n");
    await recordEvent({ type: "network", action: "create", id: "n1" }, { path, timeNano: 7n });
    assert.equal(Deno.statSync(`${path}.1`).size > JOURNAL_ROTATE_BYTES, true);
    await recordEvent({ type: "network", action: "destroy", id: "n1" }, { path, timeNano: 8n });
    const actions = (await Array.fromAsync(followEvents(path))).map((e) => e.Action);
    assert.deepEqual(actions, ["create", "destroy"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
