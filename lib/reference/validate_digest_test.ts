import { ok, strictEqual, throws } from "node:assert";
import { UsageError } from "../errors/mod.ts";
import { isDigest, validateDigest } from "./validate_digest.ts";

const GOOD = "sha256:" + "0123456789abcdef".repeat(4);

Deno.test("validateDigest() returns a sha256 digest unchanged", () => {
  strictEqual(validateDigest(GOOD), GOOD);
  ok(isDigest(GOOD));
});

Deno.test("validateDigest() refuses what could escape a blob directory (CVE-2024-3727)", () => {
  for (
    const bad of [
      "sha256:../../../../etc/passwd",
      `sha256:${"0".repeat(63)}/`,
      `sha256:${"0".repeat(64)}\n`,
      `sha256:${"0".repeat(65)}`,
      `sha256:${"A".repeat(64)}`,
      `SHA256:${"0".repeat(64)}`,
      "sha256:",
      "",
      "0".repeat(64),
    ]
  ) {
    ok(!isDigest(bad), bad);
    throws(() => validateDigest(bad), (err: Error) => {
      ok(err instanceof UsageError);
      strictEqual(
        err.message,
        `Invalid digest '${bad}': expected 'sha256:' and 64 lowercase hex digits`,
      );
      return true;
    });
  }
});

Deno.test("validateDigest() names an unsupported algorithm", () => {
  throws(() => validateDigest(`sha512:${"0".repeat(128)}`), /unsupported algorithm 'sha512'/);
  ok(!isDigest(42));
});
