import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { containerPasswd, parsePasswd } from "./passwd_entries.ts";

const HOST = "root:x:0:0:root:/root:/bin/bash\n" +
  "ann:x:1000:1000:Ann A:/home/ann:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/zsh\n";
const IMAGE = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false";

Deno.test("parsePasswd() reads names, ids, home and shell; skips lines that do not parse", () => {
  const entries = parsePasswd(HOST + "broken\nx:y:z:1\n");
  assert.deepEqual(entries.map((e) => e.name), ["root", "ann", "bob"]);
  assert.equal(entries[1].gecos, "Ann A");
  assert.equal(entries[2].shell, "/bin/zsh");
});

Deno.test("containerPasswd() adds your entry with keep-id, with the given home and /bin/sh", () => {
  const text = containerPasswd(IMAGE, {
    hostText: HOST,
    keepId: { uid: 1000, gid: 1000 },
    home: "/home/work",
  });
  assert.equal(text, IMAGE + "\nann:*:1000:1000:Ann A:/home/work:/bin/sh\n");
  // Already there (by uid): nothing to add.
  assert.equal(
    containerPasswd("ann2:x:1000:1000::/:/bin/sh\n", {
      hostText: HOST,
      keepId: { uid: 1000, gid: 1000 },
      home: "/",
    }),
    null,
  );
  // A uid the host does not name is named by its number.
  assert.match(
    containerPasswd(IMAGE, { hostText: HOST, keepId: { uid: 4242, gid: 7 }, home: "/" })!,
    /\n4242:\*:4242:7::\/:\/bin\/sh\n$/,
  );
});

Deno.test("containerPasswd() adds --hostuser entries by name or uid, once", () => {
  const text = containerPasswd(IMAGE, {
    hostText: HOST,
    hostUsers: ["bob", "1000", "bob"],
    home: "/",
  });
  assert.ok(
    text?.endsWith(
      "bob:*:1001:1001::/home/bob:/bin/zsh\nann:*:1000:1000:Ann A:/home/ann:/bin/bash\n",
    ),
  );
  assert.equal(containerPasswd(IMAGE, { hostText: HOST, hostUsers: ["root"], home: "/" }), null);
  assert.equal(containerPasswd(IMAGE, { hostText: HOST, home: "/" }), null);
});

Deno.test("containerPasswd() refuses a --hostuser the host does not have, with exit 126", () => {
  assert.throws(
    () => containerPasswd(IMAGE, { hostText: HOST, hostUsers: ["bogus"], home: "/" }),
    (e: unknown) => e instanceof NookError && e.exitCode === 126 && /'bogus'/.test(e.message),
  );
});
