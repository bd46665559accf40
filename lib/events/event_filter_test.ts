import assert from "node:assert/strict";
import type { NookEvent } from "./event.ts";
import { eventMatches, parseEventFilters } from "./event_filter.ts";

function event(type: NookEvent["Type"], action: string, id: string, attrs = {}): NookEvent {
  return {
    Type: type,
    Action: action,
    Actor: { ID: id, Attributes: attrs },
    scope: "local",
    time: 0,
    timeNano: 0n,
  };
}

const web = event("container", "start", "abc123", { name: "web", image: "busybox:latest", a: "1" });
const tag = event("image", "tag", "sha256:ff", { name: "me/app:1" });
const net = event("network", "connect", "n0", { name: "backend", container: "abc123" });

const match = (e: NookEvent, ...f: string[]) => eventMatches(e, parseEventFilters(f));

Deno.test("eventMatches() takes a key's values as alternatives and needs every key", () => {
  assert.ok(match(web, "event=die", "event=start"));
  assert.ok(!match(web, "event=start", "type=image"));
  assert.ok(match(web, "type=container", "type=image"));
  assert.ok(match(web));
});

Deno.test("eventMatches() finds a container by id or name prefix, only its own events", () => {
  assert.ok(match(web, "container=web"));
  assert.ok(match(web, "container=abc"));
  assert.ok(!match(web, "container=db"));
  assert.ok(!match(net, "container=abc123"), "a network event is the network's");
  assert.ok(match(net, "network=back"));
  assert.ok(!match(web, "network=backend"));
});

Deno.test("eventMatches() finds an image by name with or without its tag, or by id", () => {
  assert.ok(match(web, "image=busybox"));
  assert.ok(match(web, "image=busybox:latest"));
  assert.ok(!match(web, "image=busy"));
  assert.ok(match(tag, "image=me/app"));
  assert.ok(match(tag, "image=sha256:ff"));
});

Deno.test("eventMatches() needs every label given, by key or key=value", () => {
  assert.ok(match(web, "label=a"));
  assert.ok(match(web, "label=a=1"));
  assert.ok(!match(web, "label=a=2"));
  assert.ok(!match(web, "label=a", "label=b"));
});

Deno.test("parseEventFilters() refuses unknown keys and values without '='", () => {
  assert.throws(
    () => parseEventFilters(["colour=red"]),
    /Invalid filter 'colour=red': use KEY=VALUE/,
  );
  assert.throws(() => parseEventFilters(["type"]), /Invalid filter 'type'/);
});
