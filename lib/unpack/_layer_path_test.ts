import assert from "node:assert/strict";
import { baseOf, cleanEntryName, parentOf } from "./_layer_path.ts";

Deno.test("cleanEntryName() drops '.', empty components and a leading slash", () => {
  assert.equal(cleanEntryName("./usr/bin/"), "usr/bin");
  assert.equal(cleanEntryName("/etc/passwd"), "etc/passwd");
  assert.equal(cleanEntryName("a//b/./c"), "a/b/c");
  assert.equal(cleanEntryName("./"), "");
  assert.equal(cleanEntryName("."), "");
  assert.equal(cleanEntryName("/"), "");
});

Deno.test("cleanEntryName() applies '..' lexically inside the layer", () => {
  assert.equal(cleanEntryName("a/../b"), "b");
  assert.equal(cleanEntryName("a/b/../../c"), "c");
  assert.equal(cleanEntryName("a/.."), "");
});

Deno.test("cleanEntryName() refuses names that climb out of the layer", () => {
  assert.equal(cleanEntryName(".."), null);
  assert.equal(cleanEntryName("../x"), null);
  assert.equal(cleanEntryName("./../x"), null);
  assert.equal(cleanEntryName("a/../../x"), null);
  assert.equal(cleanEntryName("/../x"), null);
  assert.equal(cleanEntryName("../../etc/passwd"), null);
});

Deno.test("cleanEntryName() keeps names that only look like '..'", () => {
  assert.equal(cleanEntryName("..."), "...");
  assert.equal(cleanEntryName("..a/b.."), "..a/b..");
});

Deno.test("parentOf() and baseOf() split a cleaned path", () => {
  assert.equal(parentOf("a/b/c"), "a/b");
  assert.equal(parentOf("a"), "");
  assert.equal(baseOf("a/b/c"), "c");
  assert.equal(baseOf("a"), "a");
  assert.equal(baseOf(""), "");
});
