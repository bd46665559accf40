import assert from "node:assert/strict";
import { UsageError } from "../lib/errors/mod.ts";
import { parseEntrypoint } from "./entrypoint_flag.ts";

Deno.test("parseEntrypoint() keeps a plain value as one program, spaces and all", () => {
  assert.deepEqual(parseEntrypoint("/bin/sh"), ["/bin/sh"]);
  assert.deepEqual(parseEntrypoint("/bin/my prog"), ["/bin/my prog"]);
  assert.deepEqual(parseEntrypoint(""), [""]);
});

Deno.test("parseEntrypoint() takes a JSON array as the argv; [] clears the image's", () => {
  assert.deepEqual(parseEntrypoint('["/bin/echo","a b"]'), ["/bin/echo", "a b"]);
  assert.deepEqual(parseEntrypoint("[]"), [""]);
  assert.throws(() => parseEntrypoint('["/bin/echo",1]'), UsageError);
  assert.throws(() => parseEntrypoint("[not json"), /JSON array of strings/);
});
