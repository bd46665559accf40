/**
 * Shared helpers of nook's tests: where the repository is, a busybox root
 * filesystem to run containers in, a way to run the CLI, and facts about the
 * host user.
 *
 * @module
 */

/** Where Debian's busybox-static installs the static busybox binary. */
const HOST_BUSYBOX = "/bin/busybox";

/**
 * The root of the nook repository the tests run from: `NOOK_TEST_REPO` when
 * set (scripts/test.sh sets it to its copy of the tree), otherwise the parent
 * of this file's folder.
 *
 * @returns Absolute path of the repository root, without a trailing slash.
 *
 * @example Find the CLI entry point
 * ```ts
 * import { repoRoot } from "./helpers.ts";
 * const main = `${repoRoot()}/cli/main.ts`;
 * console.assert(main.endsWith("/cli/main.ts"));
 * ```
 */
export function repoRoot(): string {
  const fromEnv = Deno.env.get("NOOK_TEST_REPO");
  if (fromEnv) return fromEnv.replace(/\/+$/, "");
  return decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/+$/, "");
}

let rootfs: Promise<string> | undefined;

/**
 * A minimal root filesystem built from the host's static busybox, made once
 * per test process and removed when the process exits. Contents:
 * `/bin/busybox`, a symlink in `/bin` for every applet (so `/bin/sh`), empty
 * `/usr/bin` and `/sbin`; `/etc/passwd` with root (0), tester (1000) and
 * nobody (65534); `/etc/group` with root (0), tester (1000), extra (2000,
 * member tester) and nogroup (65534); empty `/proc /sys /dev /tmp (1777) /root
 * /home/tester /var /run`; and `/bin/notexec`, a shell script of mode 0644 for
 * "cannot execute" cases. Directories are mode 0755 unless said otherwise.
 *
 * @returns Absolute path of the root filesystem. Callers must not change it.
 * @throws {Error} When `/bin/busybox` is missing or not runnable (install the
 *   Debian package busybox-static).
 *
 * @example Run a shell from the root filesystem
 * ```ts ignore
 * import { busyboxRootfs, nook } from "./helpers.ts";
 * const rootfs = await busyboxRootfs();
 * const result = await nook(["run", "--rootfs", rootfs, "--", "/bin/sh", "-c", "echo hi"]);
 * ```
 */
export function busyboxRootfs(): Promise<string> {
  rootfs ??= buildBusyboxRootfs();
  return rootfs;
}

async function buildBusyboxRootfs(): Promise<string> {
  const applets = await listApplets();
  const dir = await Deno.makeTempDir({ prefix: "nook-test-rootfs-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Best effort: the process is exiting and the dir is in the temp folder.
    }
  });

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
  return dir;
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

/** Options of {@linkcode nook}. */
export interface NookOptions {
  /** Text written to the CLI's stdin, which is then closed (default: stdin is /dev/null). */
  stdin?: string;
  /** Variables added to (or overriding) the test process's environment. */
  env?: Record<string, string>;
  /** Milliseconds before the CLI is killed and the call throws (default 30,000). */
  timeoutMs?: number;
}

/** What {@linkcode nook} returns once the CLI has exited. */
export interface NookResult {
  /** Exit code of the CLI (128 + signal number when killed by a signal). */
  code: number;
  /** Everything the CLI wrote to stdout, decoded as UTF-8. */
  stdout: string;
  /** Everything the CLI wrote to stderr, decoded as UTF-8. */
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** How long to wait for output pipes to close after the CLI was killed. */
const DRAIN_AFTER_KILL_MS = 2_000;

/**
 * Runs the nook CLI (`deno run -A <repo>/cli/main.ts ...args`) with the Deno
 * binary running the tests, and collects its exit code and output. A CLI that
 * does not exit within the timeout is killed (SIGKILL, by its pid) and the
 * call throws.
 *
 * @param args Arguments after `nook`, such as `["run", "--rootfs", dir, "--", "true"]`.
 * @param options Stdin text, extra environment, timeout.
 * @returns Exit code, stdout and stderr of the CLI.
 * @throws {RangeError} When `timeoutMs` is not a positive number.
 * @throws {Error} When the CLI does not exit within the timeout; the message
 *   holds the arguments and the output so far.
 *
 * @example Print the version
 * ```ts ignore
 * import { nook } from "./helpers.ts";
 * const { code, stdout } = await nook(["--version"]);
 * ```
 */
export async function nook(args: string[], options: NookOptions = {}): Promise<NookResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`Cannot run nook: timeoutMs '${timeoutMs}' is not a positive number`);
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, ...args],
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited between the timer firing and the kill.
    }
  }, timeoutMs);

  try {
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      try {
        await writer.write(new TextEncoder().encode(options.stdin));
        await writer.close();
      } catch {
        // The CLI exited or closed stdin without reading all of it.
      }
    }
    const status = await child.status;
    if (timedOut) {
      // A grandchild may still hold the pipes open: give up on them after a while.
      const drain = setTimeout(() => {
        stdout.cancel();
        stderr.cancel();
      }, DRAIN_AFTER_KILL_MS);
      const [out, err] = await Promise.all([stdout.text, stderr.text]);
      clearTimeout(drain);
      throw new Error(
        `nook ${JSON.stringify(args)} did not exit within ${timeoutMs} ms and was killed ` +
          `(pid ${child.pid})\n--- stdout ---\n${out}\n--- stderr ---\n${err}`,
      );
    }
    const [out, err] = await Promise.all([stdout.text, stderr.text]);
    return { code: status.code, stdout: out, stderr: err };
  } finally {
    clearTimeout(timer);
  }
}

interface Collected {
  text: Promise<string>;
  cancel(): void;
}

/** Reads a stream to its end as UTF-8 text; `cancel()` ends it early with what was read. */
function collect(stream: ReadableStream<Uint8Array>): Collected {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const done = (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // Cancelled or the pipe broke: keep what was read.
    } finally {
      reader.releaseLock();
    }
    return text + decoder.decode();
  })();
  return {
    text: done,
    cancel: () => {
      reader.cancel().catch(() => {});
    },
  };
}

/**
 * The uid the tests run as on the host.
 *
 * @returns The real uid of this process.
 *
 * @example Tell whether the tests run as root
 * ```ts
 * import { hostUid } from "./helpers.ts";
 * const asRoot = hostUid() === 0;
 * console.assert(typeof asRoot === "boolean");
 * ```
 */
export function hostUid(): number {
  const uid = Deno.uid();
  if (uid === null) throw new Error("Cannot get the uid of the test process: not on Linux");
  return uid;
}

/**
 * Whether /etc/subuid grants the current user a range of subordinate uids
 * (a line `<name or uid>:<start>:<count>` with count > 0), that is whether
 * newuidmap can map more than the user's own uid.
 *
 * @returns `true` when there is such a range, `false` otherwise or when
 *   /etc/subuid is missing.
 *
 * @example Skip a test that needs many uids
 * ```ts
 * import { hasSubidRange } from "./helpers.ts";
 * const ignore = !hasSubidRange();
 * console.assert(typeof ignore === "boolean");
 * ```
 */
export function hasSubidRange(): boolean {
  const uid = String(hostUid());
  const names = new Set([uid]);
  const name = userName(uid);
  if (name) names.add(name);
  let text: string;
  try {
    text = Deno.readTextFileSync("/etc/subuid");
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
  return text.split("\n").some((line) => {
    const [owner, start, count] = line.trim().split(":");
    return names.has(owner) && /^\d+$/.test(start ?? "") && Number(count) > 0;
  });
}

/** The name of `uid` in /etc/passwd, or USER when /etc/passwd has none. */
function userName(uid: string): string | undefined {
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields[2] === uid) return fields[0];
    }
  } catch {
    // No readable /etc/passwd: fall back to the environment.
  }
  return Deno.env.get("USER");
}
