/**
 * Builds a busybox root filesystem from the host's busybox-static: the test
 * fixture, the README's demo and the benchmark's rootfs.
 *
 * Usage: deno run -A scripts/busybox_rootfs.ts DIR
 *
 * @module
 */

/** Where Debian's busybox-static installs the static busybox binary. */
const HOST_BUSYBOX = "/bin/busybox";

/**
 * Fills `dir` (existing and empty) with a minimal root filesystem from the
 * host's static busybox: `/bin/busybox` and a symlink per applet, `/etc/passwd`
 * (root 0, tester 1000, nobody 65534), `/etc/group` (root, tester, extra 2000
 * with member tester, nogroup), the usual empty directories (`/tmp` 1777) and
 * `/bin/notexec` (a script of mode 0644). Made from an independent tool, so a
 * nook bug cannot hide behind nook-made data.
 *
 * @param dir The directory to fill.
 * @throws {Error} When `/bin/busybox` is missing (install busybox-static).
 *
 * @example
 * ```ts ignore
 * import { makeBusyboxRootfs } from "./busybox_rootfs.ts";
 * await makeBusyboxRootfs(await Deno.makeTempDir());
 * ```
 */
export async function makeBusyboxRootfs(dir: string): Promise<void> {
  const applets = await listApplets();

  for (
    const path of ["bin", "usr/bin", "sbin", "etc", "proc", "sys", "dev", "root", "var", "run"]
  ) {
    await Deno.mkdir(`${dir}/${path}`, { recursive: true });
    await Deno.chmod(`${dir}/${path}`, 0o755);
  }
  await Deno.mkdir(`${dir}/home/tester`, { recursive: true });
  await Deno.chmod(`${dir}/home`, 0o755);
  await Deno.chmod(`${dir}/home/tester`, 0o755);
  await Deno.mkdir(`${dir}/tmp`);
  await Deno.chmod(`${dir}/tmp`, 0o1777);

  await Deno.copyFile(HOST_BUSYBOX, `${dir}/bin/busybox`);
  await Deno.chmod(`${dir}/bin/busybox`, 0o755);
  for (const applet of new Set([...applets, "sh"])) {
    if (applet === "busybox") continue;
    await Deno.symlink("busybox", `${dir}/bin/${applet}`);
  }

  await writeFile(
    `${dir}/etc/passwd`,
    [
      "root:x:0:0:root:/root:/bin/sh",
      "tester:x:1000:1000:tester:/home/tester:/bin/sh",
      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false",
    ],
    0o644,
  );
  await writeFile(
    `${dir}/etc/group`,
    ["root:x:0:", "tester:x:1000:", "extra:x:2000:tester", "nogroup:x:65534:"],
    0o644,
  );
  await writeFile(`${dir}/bin/notexec`, ["#!/bin/sh", "echo hi"], 0o644);
}

/** The applet names of the host's busybox, one per line of `busybox --list`. */
async function listApplets(): Promise<string[]> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(HOST_BUSYBOX, {
      args: ["--list"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new Error(
      `Cannot run '${HOST_BUSYBOX}': ${errorMessage(err)}; ` +
        "install the Debian package busybox-static (sudo bash scripts/provision.sh)",
      { cause: err },
    );
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    throw new Error(
      `Cannot list the applets of '${HOST_BUSYBOX}': exit code ${output.code}: '${stderr}'; ` +
        "install the Debian package busybox-static",
    );
  }
  const applets = new TextDecoder().decode(output.stdout).split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (!applets.includes("sh")) {
    throw new Error(
      `Cannot build a busybox root filesystem: '${HOST_BUSYBOX} --list' has no 'sh' applet; ` +
        "install the Debian package busybox-static",
    );
  }
  return applets;
}

async function writeFile(path: string, lines: string[], mode: number): Promise<void> {
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  await Deno.chmod(path, mode);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: deno run -A scripts/busybox_rootfs.ts DIR");
    Deno.exit(2);
  }
  Deno.mkdirSync(dir, { recursive: true });
  await makeBusyboxRootfs(dir);
}
