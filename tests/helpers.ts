/**
 * Shared helpers of nook's tests: where the repository is, a busybox root
 * filesystem to run containers in, a way to run the CLI, and facts about the
 * host user.
 *
 * @module
 */

import { makeBusyboxRootfs } from "../scripts/busybox_rootfs.ts";

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
  const dir = await Deno.makeTempDir({ prefix: "nook-test-rootfs-" });
  await Deno.chmod(dir, 0o755); // a rootfs's / is 0755: users other than root must enter it
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Best effort: the process is exiting and the dir is in the temp folder.
    }
  });
  await makeBusyboxRootfs(dir);
  return dir;
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

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `fn` every `pollMs` until it returns something truthy; throws after `timeoutMs`.
 *
 * @param what What is waited for (for the error).
 * @param fn The check.
 * @param timeoutMs How long at most.
 * @param pollMs How long between checks.
 * @returns What `fn` returned.
 */
export async function until<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 15_000,
  pollMs = 50,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}
