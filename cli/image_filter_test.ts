import assert from "node:assert/strict";
import { familiarNames, imageFilter, matchReference } from "./image_filter.ts";
import type { ImageRecord } from "../lib/store/image_index.ts";
import { NoSuchImageError } from "../lib/image/no_such_image.ts";
import { UsageError } from "../lib/errors/mod.ts";

function image(id: string, names: string[], pulled: string): ImageRecord {
  return {
    id,
    manifestDigest: "",
    manifestMediaType: "",
    names,
    repoDigests: [],
    chainIds: [],
    layerDigests: [],
    size: 0,
    pulled,
  };
}

const old = image("sha256:aa", ["docker.io/library/busybox:1"], "2024-01-01T00:00:00.000Z");
const mid = image("sha256:bb", [], "2024-01-02T00:00:00.000Z");
const young = image("sha256:cc", ["localhost:5000/test/app:2"], "2024-01-03T00:00:00.000Z");
const all = [old, mid, young];
const labels: Record<string, Record<string, string>> = { "sha256:cc": { tier: "front" } };
const store = {
  find: (ref: string) => all.find((i) => i.id === ref || i.names.includes(ref)) ?? null,
  labels: (i: ImageRecord) => labels[i.id] ?? {},
};
const ids = (...filters: string[]) => all.filter(imageFilter(filters, store)).map((i) => i.id);

Deno.test("familiarNames() gives docker's short names and the full ones", () => {
  assert.deepEqual(familiarNames("docker.io/library/busybox:1"), [
    "busybox",
    "busybox:1",
    "docker.io/library/busybox",
    "docker.io/library/busybox:1",
  ]);
  assert.deepEqual(familiarNames("localhost:5000/a/b:2").slice(0, 2), [
    "localhost:5000/a/b",
    "localhost:5000/a/b:2",
  ]);
});

Deno.test("matchReference() matches * and ? within one path part, the rest literally", () => {
  assert.ok(matchReference("busybox", "busybox"));
  assert.ok(matchReference("busy*", "busybox"));
  assert.ok(matchReference("*:1", "busybox:1"));
  assert.ok(matchReference("busybo?", "busybox"));
  assert.ok(!matchReference("busy*", "library/busybox"));
  assert.ok(!matchReference("*", "test/app"));
  assert.ok(matchReference("*/*", "test/app"));
  assert.ok(!matchReference("busybox.", "busyboxx"), "a dot is a dot");
});

Deno.test("imageFilter() takes dangling, reference, before, since and label; values of a key are alternatives", () => {
  assert.deepEqual(ids(), ["sha256:aa", "sha256:bb", "sha256:cc"]);
  assert.deepEqual(ids("dangling=true"), ["sha256:bb"]);
  assert.deepEqual(ids("dangling=false"), ["sha256:aa", "sha256:cc"]);
  assert.deepEqual(ids("reference=busybox"), ["sha256:aa"]);
  assert.deepEqual(ids("reference=busybox:1"), ["sha256:aa"]);
  assert.deepEqual(ids("reference=busybox:2"), []);
  assert.deepEqual(ids("reference=localhost:5000/test/*"), ["sha256:cc"]);
  assert.deepEqual(ids("reference=busybox", "reference=*/*/app"), ["sha256:aa", "sha256:cc"]);
  assert.deepEqual(ids("before=sha256:bb"), ["sha256:aa"]);
  assert.deepEqual(ids("since=sha256:bb"), ["sha256:cc"]);
  assert.deepEqual(ids("since=docker.io/library/busybox:1", "dangling=false"), ["sha256:cc"]);
  assert.deepEqual(ids("label=tier"), ["sha256:cc"]);
  assert.deepEqual(ids("label=tier=front"), ["sha256:cc"]);
  assert.deepEqual(ids("label=tier=back"), []);
});

Deno.test("imageFilter() names an unknown key, a bad dangling= value and a missing image", () => {
  assert.throws(() => imageFilter(["colour=red"], store), (e: Error) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /^Invalid --filter 'colour=red': no filter 'colour'/);
    return true;
  });
  assert.throws(() => imageFilter(["dangling=yes"], store), /dangling= takes true or false/);
  assert.throws(() => imageFilter(["nokey"], store), /use KEY=VALUE/);
  assert.throws(() => imageFilter(["before=nosuch"], store), NoSuchImageError);
});
