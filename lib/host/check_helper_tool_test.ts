import { strictEqual } from "node:assert";
import { checkHelperTool } from "./check_helper_tool.ts";
import { fakeHost } from "./fake_host.ts";

const DEVICE = { isFile: false, isCharDevice: true, uid: 0, gid: 0 };

Deno.test("checkHelperTool() warns with the package when the tool is missing", async () => {
  const fuse = await checkHelperTool(fakeHost(), "fuse-overlayfs");
  strictEqual(fuse.status, "warn");
  strictEqual(fuse.fix, "sudo apt-get install fuse-overlayfs");
  strictEqual(
    (await checkHelperTool(fakeHost(), "slirp4netns")).fix,
    "sudo apt-get install slirp4netns",
  );
  strictEqual((await checkHelperTool(fakeHost(), "pasta")).fix, "sudo apt-get install passt");
});

Deno.test("checkHelperTool() says which network helper nook uses instead", async () => {
  const host = fakeHost({ executables: { pasta: "/usr/bin/pasta" } });
  const check = await checkHelperTool(host, "slirp4netns");
  strictEqual(check.status, "warn");
  strictEqual(check.detail, "not found on PATH: nook uses pasta");
});

Deno.test("checkHelperTool() is ok when the tool and its device are usable", async () => {
  const host = fakeHost({
    executables: { "fuse-overlayfs": "/usr/bin/fuse-overlayfs" },
    stats: { "/dev/fuse": { ...DEVICE, mode: 0o666 } },
  });
  const check = await checkHelperTool(host, "fuse-overlayfs");
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "/usr/bin/fuse-overlayfs");
});

Deno.test("checkHelperTool() warns when the device is not readable and writable", async () => {
  const host = fakeHost({
    executables: { pasta: "/usr/bin/pasta" },
    stats: { "/dev/net/tun": { ...DEVICE, mode: 0o600 } },
  });
  const check = await checkHelperTool(host, "pasta");
  strictEqual(check.status, "warn");
  strictEqual(
    check.detail,
    "/usr/bin/pasta, but /dev/net/tun is not readable and writable by you (mode 0600)",
  );
  strictEqual(check.fix, "sudo chmod 0666 /dev/net/tun");
});

Deno.test("checkHelperTool() uses the group bits for a member of the device's group", async () => {
  const host = fakeHost({
    uid: 1000,
    executables: { "fuse-overlayfs": "/usr/bin/fuse-overlayfs" },
    stats: { "/dev/fuse": { ...DEVICE, gid: 44, mode: 0o660 } },
    files: { "/proc/self/status": "Name:\tdeno\nGroups:\t27 44 1000\n" },
  });
  strictEqual((await checkHelperTool(host, "fuse-overlayfs")).status, "ok");
});

Deno.test("checkHelperTool() warns with modprobe when the device is missing", async () => {
  const host = fakeHost({ executables: { "fuse-overlayfs": "/usr/bin/fuse-overlayfs" } });
  const check = await checkHelperTool(host, "fuse-overlayfs");
  strictEqual(check.detail, "/usr/bin/fuse-overlayfs, but /dev/fuse does not exist");
  strictEqual(check.fix, "sudo modprobe fuse");
});
