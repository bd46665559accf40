import assert from "node:assert/strict";
import { LayeredTree, TreePathError } from "./layered_tree.ts";
import { stack } from "./_test_layers.ts";

function names(tree: LayeredTree, rel: string): string[] {
  const node = tree.lookup(rel);
  assert.ok(node?.info.isDirectory, rel);
  return tree.children(node).map((n) => n.rel);
}

Deno.test("LayeredTree merges directories, whiteouts hide, opaque directories stop the merge", () => {
  using s = stack([
    ["etc/", "etc/passwd=new", "wh:etc/group", "data/", "opaque:data", "data/x=top", "f/"],
    ["etc/", "etc/group=g", "etc/passwd=old", "etc/hosts=h", "data/", "data/old=o", "f=file"],
    ["f/", "f/below=b", "bin/", "bin/sh=sh"],
  ]);
  const tree = new LayeredTree(s.paths.map((path) => ({ path, style: "overlay" as const })));
  assert.deepEqual(names(tree, ""), ["bin", "data", "etc", "f"]);
  assert.deepEqual(names(tree, "etc"), ["etc/hosts", "etc/passwd"]);
  assert.equal(tree.lookup("etc/passwd")?.path, `${s.paths[0]}/etc/passwd`);
  assert.equal(tree.lookup("etc/group"), null);
  assert.deepEqual(names(tree, "data"), ["data/x"]);
  // f: a directory on top of a file ends the merge; the layer below the file is not seen.
  assert.deepEqual(names(tree, "f"), []);
  assert.equal(tree.lookup("bin/sh")?.layer, 2);
});

Deno.test("LayeredTree reads fuse-overlayfs markers only in its own layers", () => {
  using s = stack([
    ["a/", "a/.wh.gone=", "a/.wh..wh..opq=", "b/", "fuse-opaque:b", ".wh.c="],
    ["a/", "a/gone=1", "a/kept=2", "b/", "b/hidden=3", "c=4", ".wh.d=literal"],
  ]);
  const tree = new LayeredTree([
    { path: s.paths[0], style: "fuse-overlayfs" },
    { path: s.paths[1], style: "overlay" },
  ]);
  assert.deepEqual(names(tree, ""), [".wh.d", "a", "b"]);
  assert.deepEqual(names(tree, "a"), []);
  assert.deepEqual(names(tree, "b"), []);
  const plain = new LayeredTree([{ path: s.paths[0], style: "none" }]);
  assert.deepEqual(names(plain, ""), [".wh.c", "a", "b"]);
  assert.deepEqual(names(plain, "a"), ["a/.wh..wh..opq", "a/.wh.gone"]);
});

Deno.test("LayeredTree.resolve() keeps symlinks, absolute or climbing, inside the tree", () => {
  using s = stack([[
    "etc/",
    "etc/passwd=p",
    "esc->/",
    "up->../../../..",
    "rel->etc",
    "deep/",
    "deep/back->../../esc/etc",
    "loop->loop",
    "file=f",
    "dangling->/nowhere/x",
    "new->/etc/new",
  ]]);
  const tree = new LayeredTree([{ path: s.paths[0], style: "none" }]);
  assert.equal(tree.resolve("/esc/etc/passwd").node?.path, `${s.paths[0]}/etc/passwd`);
  assert.equal(tree.resolve("up/etc/passwd").rel, "etc/passwd");
  assert.equal(tree.resolve("/../../etc/passwd").rel, "etc/passwd");
  assert.equal(tree.resolve("/deep/back/passwd").rel, "etc/passwd");
  assert.equal(tree.resolve("/esc").node?.info.isSymlink, true);
  assert.equal(tree.resolve("/esc", { followLast: true }).rel, "");
  assert.equal(tree.resolve("/rel/").rel, "etc");
  assert.equal(tree.resolve("/rel/.").rel, "etc");
  const missing = tree.resolve("/etc/new");
  assert.equal(missing.node, null);
  assert.equal(missing.rel, "etc/new");
  assert.equal(missing.parent.rel, "etc");
  assert.deepEqual(
    [tree.resolve("/new", { followLast: true })].map(({ rel, node }) => [rel, node]),
    [["etc/new", null]],
  );
  assert.throws(
    () => tree.resolve("/dangling/more"),
    (e) =>
      e instanceof TreePathError && e.code === "ENOENT" &&
      /'\/nowhere' does not exist/.test(e.message),
  );
  assert.throws(
    () => tree.resolve("/file/x"),
    (e) => e instanceof TreePathError && e.code === "ENOTDIR",
  );
  assert.throws(
    () => tree.resolve("/loop/x"),
    (e) => e instanceof TreePathError && e.code === "ELOOP",
  );
});
