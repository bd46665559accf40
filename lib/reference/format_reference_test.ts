import { strictEqual } from "node:assert";
import { formatReference } from "./format_reference.ts";
import { parseReference } from "./parse_reference.ts";

const D = "sha256:" + "0".repeat(64);

Deno.test("formatReference() prints the full form that parseReference() reads back", () => {
  for (
    const [text, full] of [
      ["busybox", "docker.io/library/busybox:latest"],
      ["user/repo:tag", "docker.io/user/repo:tag"],
      ["127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y"],
      [`repo@${D}`, `docker.io/library/repo@${D}`],
      [`localhost/r:t@${D}`, `localhost/r:t@${D}`],
    ]
  ) {
    strictEqual(formatReference(parseReference(text)), full);
    strictEqual(formatReference(parseReference(full)), full);
  }
});
