import assert from "node:assert/strict";
import { containerChanges } from "./container_changes.ts";
import { stack } from "./_test_layers.ts";
import { layerEntries } from "./tree_entries.ts";

const IMAGE = [
  "bin/",
  "bin/sh=sh",
  "bin/ls=ls",
  "etc/",
  "etc/passwd=root",
  "etc/group=g",
  "data/",
  "data/a=1",
  "data/b=2",
  "same/",
];

Deno.test("containerChanges() of an upper directory: A, C, D, opaque, parents, runtime mount points", () => {
  using s = stack([
    [
      "bin/",
      "wh:bin/ls",
      "wh:nothing-below",
      "etc/",
      "etc/passwd=root+x",
      "etc/hosts=",
      "proc/",
      "sys/",
      "dev/",
      "data/",
      "opaque:data",
      "data/b=new",
      "data/c=3",
      "same/",
      "new/",
      "new/deep/",
      "new/deep/f=f",
      "link->/etc",
    ],
    IMAGE,
  ]);
  const changes = containerChanges({
    top: { path: s.paths[0], style: "overlay" },
    lowers: [{ path: s.paths[1], style: "overlay" }],
    copy: false,
  });
  assert.deepEqual(changes.map((c) => `${c.kind} ${c.path}`), [
    "C /bin",
    "D /bin/ls",
    "C /data",
    "D /data/a",
    "C /data/b",
    "A /data/c",
    "C /etc",
    "C /etc/passwd",
    "A /link",
    "A /new",
    "A /new/deep",
    "A /new/deep/f",
  ]);
  const entries = [...layerEntries(changes)].map((e) => `${e.type} ${e.name}`);
  assert.deepEqual(entries, [
    "directory bin",
    "file bin/.wh.ls",
    "directory data",
    "file data/.wh..wh..opq",
    "file data/b",
    "file data/c",
    "directory etc",
    "file etc/passwd",
    "symlink link",
    "directory new",
    "directory new/deep",
    "file new/deep/f",
  ]);
});

Deno.test("containerChanges() of a vfs copy compares it with the image", () => {
  using s = stack([
    [
      "bin/",
      "bin/sh=sh",
      "etc/",
      "etc/passwd=root+x",
      "etc/group=g",
      "etc/resolv.conf=",
      "data/",
      "data/a=1",
      "data/b=2",
      "same/",
      "proc/",
      "added=yes",
    ],
    IMAGE,
  ]);
  for (const dir of s.paths) {
    for (const f of ["bin/sh", "etc/passwd", "etc/group", "data/a", "data/b"]) {
      Deno.utimeSync(`${dir}/${f}`, 1_600_000_000, 1_600_000_000);
    }
  }
  Deno.utimeSync(`${s.paths[0]}/data/a`, 1_600_000_000, 1_700_000_000); // touched, same size
  const changes = containerChanges({
    top: { path: s.paths[0], style: "none" },
    lowers: [{ path: s.paths[1], style: "overlay" }],
    copy: true,
  });
  assert.deepEqual(changes.map((c) => `${c.kind} ${c.path}`), [
    "A /added",
    "C /bin",
    "D /bin/ls",
    "C /data",
    "C /data/a",
    "C /etc",
    "C /etc/passwd",
  ]);
});
