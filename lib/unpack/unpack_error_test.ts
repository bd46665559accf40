import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { UnpackError } from "./unpack_error.ts";

Deno.test("UnpackError is a NookError with the entry and exit code 125", () => {
  const cause = new Error("inner");
  const err = new UnpackError("Refusing layer entry 'x': why", { entry: "x", cause });
  assert.ok(err instanceof NookError);
  assert.equal(err.name, "UnpackError");
  assert.equal(err.entry, "x");
  assert.equal(err.exitCode, 125);
  assert.equal(err.cause, cause);
});
