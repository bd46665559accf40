import assert from "node:assert/strict";
import { containerFilter } from "./container_filter.ts";
import { UsageError } from "../lib/errors/mod.ts";
import type { ContainerRecord } from "../lib/records/container_record.ts";
import type { ContainerStatus } from "../lib/records/container_state.ts";

/** A record with the fields the filters read (the rest is not looked at). */
function record(name: string, restart: string): ContainerRecord {
  return {
    id: `${name}0123`,
    name,
    created: "2026-01-01T00:00:00Z",
    image: "sha256:aa",
    imageName: "busybox",
    config: { labels: {}, restart: { name: restart, maximumRetryCount: 0 } },
  } as unknown as ContainerRecord;
}

function status(s: ContainerStatus["status"], exitCode = 0): ContainerStatus {
  return { status: s, exitCode, paused: false } as ContainerStatus;
}

Deno.test("containerFilter() takes podman's restart-policy= (none is no) and status=stopped (exited)", () => {
  const always = record("a", "always");
  const none = record("n", "no");
  const policy = (v: string) => containerFilter([`restart-policy=${v}`]);
  assert.ok(policy("always")(always, status("exited")));
  assert.ok(!policy("always")(none, status("exited")));
  assert.ok(policy("none")(none, status("exited")));
  assert.ok(policy("no")(none, status("exited")));
  const stopped = containerFilter(["status=stopped"]);
  assert.ok(stopped(none, status("exited", 1)));
  assert.ok(!stopped(none, status("running")));
  assert.ok(!stopped(none, status("created")));
  assert.throws(() => policy("sometimes"), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /'sometimes' is no restart policy: use no, none, always/);
    return true;
  });
});
