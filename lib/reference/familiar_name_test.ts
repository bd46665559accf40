import { strictEqual } from "node:assert";
import { familiarName } from "./familiar_name.ts";
import { parseReference } from "./parse_reference.ts";

const D = "sha256:" + "0".repeat(64);

Deno.test("familiarName() drops docker.io and library/ as docker does", () => {
  for (
    const [text, short] of [
      ["busybox", "busybox:latest"],
      ["docker.io/library/busybox:1", "busybox:1"],
      ["user/repo:tag", "user/repo:tag"],
      ["docker.io/library/a/b", "library/a/b:latest"],
      ["127.0.0.1:5000/x:y", "127.0.0.1:5000/x:y"],
      ["localhost/repo", "localhost/repo:latest"],
      ["quay.io/library/x", "quay.io/library/x:latest"],
      [`busybox@${D}`, `busybox@${D}`],
      [`busybox:1@${D}`, `busybox:1@${D}`],
    ]
  ) {
    strictEqual(familiarName(parseReference(text)), short, text);
  }
});
