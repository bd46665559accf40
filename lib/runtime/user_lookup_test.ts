import assert from "node:assert/strict";
import { resolveInRoot } from "./in_root.ts";
import { resolveUser } from "./user_lookup.ts";

function rootfs(): string {
  const root = Deno.makeTempDirSync({ prefix: "nook-user-test-" });
  Deno.mkdirSync(`${root}/etc`);
  Deno.writeTextFileSync(
    `${root}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000::/home/tester:/bin/sh\n",
  );
  Deno.writeTextFileSync(
    `${root}/etc/group`,
    "root:x:0:\ntester:x:1000:\nextra:x:2000:tester,other\nwheel:x:10:root\n",
  );
  return root;
}

Deno.test("resolveUser() reads names, ids and groups from the rootfs", () => {
  const root = rootfs();
  try {
    assert.deepEqual(resolveUser(root, undefined), {
      uid: 0,
      gid: 0,
      groups: [0, 10],
      home: "/root",
    });
    assert.deepEqual(resolveUser(root, "tester"), {
      uid: 1000,
      gid: 1000,
      groups: [1000, 2000],
      home: "/home/tester",
    });
    assert.deepEqual(resolveUser(root, "1000:extra"), {
      uid: 1000,
      gid: 2000,
      groups: [2000],
      home: "/home/tester",
    });
    assert.deepEqual(resolveUser(root, "4242"), { uid: 4242, gid: 0, groups: [0], home: "/" });
    assert.deepEqual(resolveUser(root, "tester", { groupAdd: ["wheel", "77"] }).groups, [
      1000,
      2000,
      10,
      77,
    ]);
    assert.throws(() => resolveUser(root, "nobody"), /Unable to find user 'nobody'/);
    assert.throws(() => resolveUser(root, "tester:nogroup"), /Unable to find group 'nogroup'/);
    assert.throws(() => resolveUser(root, ":1"), /Invalid user ':1'/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("resolveInRoot() keeps absolute symlinks and .. inside the rootfs", () => {
  const root = rootfs();
  try {
    Deno.symlinkSync("/etc", `${root}/data`);
    Deno.symlinkSync("../../../../etc/passwd", `${root}/etc/link`);
    assert.equal(resolveInRoot(root, "/data/passwd"), `${root}/etc/passwd`);
    assert.equal(resolveInRoot(root, "/etc/link"), `${root}/etc/passwd`);
    assert.equal(resolveInRoot(root, "/../../.."), root);
    Deno.symlinkSync("/loop", `${root}/loop`);
    assert.throws(() => resolveInRoot(root, "/loop"), /too many symlinks/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
