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
 * A temporary directory for a test file's stores, removed when the file's
 * tests end: as root in the user namespace (`nook unshare rm -rf`), since
 * container and image files there belong to subordinate ids.
 *
 * @param prefix The directory name's prefix.
 * @returns Its path.
 *
 * @example
 * ```ts ignore
 * const root = storesRoot("nook-events-test-");
 * ```
 */
export function storesRoot(prefix: string): string {
  const root = Deno.makeTempDirSync({ prefix });
  globalThis.addEventListener("unload", () => {
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
    }).outputSync();
  });
  return root;
}

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
 * @example Tell whether many uids can be mapped (a test that needs them uses {@linkcode requireSubidRange})
 * ```ts
 * import { hasSubidRange } from "./helpers.ts";
 * console.assert(typeof hasSubidRange() === "boolean");
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

// ---------------------------------------------------------------------------
// What a test needs from the host: the one way a test is skipped.

/**
 * Something a test needs from the host, made by {@linkcode requireTool},
 * {@linkcode requireAnyTool}, {@linkcode requireSubidRange} or
 * {@linkcode requireHost}, and given to {@linkcode testNeeds}.
 */
export interface Need {
  /** Whether the host has it. */
  met: boolean;
  /** What is missing, for the test's name and failure ("needs 'nft' (Debian package nftables)"). */
  reason: string;
  /** How to get it ("install it, e.g. with scripts/provision.sh"), or "" when it is by design. */
  fix: string;
  /**
   * Whether, with CI=true, an unmet need fails the test rather than skipping
   * it: true for what scripts/provision.sh installs or sets up, false for what
   * is so by design (run as root, a host that does not delegate cgroups).
   */
  failsInCi: boolean;
}

/** Options of {@linkcode requireTool} and {@linkcode requireAnyTool}. */
export interface RequireToolOptions {
  /**
   * The directories searched, `:`-separated (default: PATH, then /usr/sbin,
   * /sbin, /usr/bin and /bin, where nook itself also looks for host tools).
   */
  path?: string;
}

const PROVISION_FIX = "e.g. with scripts/provision.sh";

/** The executable file `tool` in one of `path`'s directories, or null. */
function findTool(tool: string, path: string | undefined): string | null {
  const dirs = (path ?? `${Deno.env.get("PATH") ?? ""}:/usr/sbin:/sbin:/usr/bin:/bin`)
    .split(":").filter((d) => d !== "");
  for (const dir of dirs) {
    try {
      const st = Deno.statSync(`${dir}/${tool}`);
      if (st.isFile && (st.mode ?? 0) & 0o111) return `${dir}/${tool}`;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * A test's need for a host program that a Debian package installs (and
 * scripts/provision.sh does).
 *
 * @param tool The program, as run ("nft").
 * @param pkg Its Debian package ("nftables").
 * @param options Where to look (default: PATH and the system directories).
 * @returns The need: met when `tool` is an executable file there.
 *
 * @example A tool that is missing
 * ```ts
 * import { requireTool } from "./helpers.ts";
 * const need = requireTool("nft", "nftables", { path: "/nonexistent" });
 * console.assert(!need.met && need.reason === "needs 'nft' (Debian package nftables)");
 * ```
 */
export function requireTool(tool: string, pkg: string, options: RequireToolOptions = {}): Need {
  return {
    met: findTool(tool, options.path) !== null,
    reason: `needs '${tool}' (Debian package ${pkg})`,
    fix: `install it, ${PROVISION_FIX}`,
    failsInCi: true,
  };
}

/**
 * A test's need for one of several host programs (such as either network
 * helper).
 *
 * @param tools Each program and its Debian package, as `[tool, pkg]`.
 * @param options Where to look (default: PATH and the system directories).
 * @returns The need: met when any of `tools` is there.
 * @throws {RangeError} When `tools` is empty.
 *
 * @example Either network helper
 * ```ts
 * import { requireAnyTool } from "./helpers.ts";
 * const need = requireAnyTool([["pasta", "passt"], ["slirp4netns", "slirp4netns"]], { path: "" });
 * console.assert(need.reason.endsWith("or 'slirp4netns' (Debian package slirp4netns)"));
 * ```
 */
export function requireAnyTool(
  tools: ReadonlyArray<readonly [string, string]>,
  options: RequireToolOptions = {},
): Need {
  if (tools.length === 0) throw new RangeError("Cannot require any of no tools: 'tools' is empty");
  return {
    met: tools.some(([tool]) => findTool(tool, options.path) !== null),
    reason: "needs " + tools.map(([tool, pkg]) => `'${tool}' (Debian package ${pkg})`).join(" or "),
    fix: `install one, ${PROVISION_FIX}`,
    failsInCi: true,
  };
}

/** Either user-mode network helper: what an image's container or a published port needs. */
export const NET_HELPERS: ReadonlyArray<readonly [string, string]> = [
  ["pasta", "passt"],
  ["slirp4netns", "slirp4netns"],
];

/**
 * A test's need for subordinate ids (an /etc/subuid range of the user's):
 * scripts/provision.sh gives the test user `nooktest` one, and scripts/test.sh
 * runs only tests/single_mapping_test.ts as `nooksingle`, who has none. So in
 * CI a missing range is a provisioning error, and fails.
 *
 * @returns The need: met when {@linkcode hasSubidRange} says so.
 *
 * @example
 * ```ts
 * import { requireSubidRange } from "./helpers.ts";
 * console.assert(requireSubidRange().reason.startsWith("needs an /etc/subuid range"));
 * ```
 */
export function requireSubidRange(): Need {
  return {
    met: hasSubidRange(),
    reason: `needs an /etc/subuid range of uid ${hostUid()}`,
    fix: "run it as the test user nooktest, whom scripts/provision.sh gives one",
    failsInCi: true,
  };
}

/**
 * A condition of the host or of the user the tests run as that is so by
 * design and that no package changes: the test is skipped, saying why, even
 * with CI=true.
 *
 * @param met Whether the condition holds here.
 * @param reason Why the test cannot run otherwise ("run as root, who can read any file").
 * @returns The need.
 *
 * @example Skip as root
 * ```ts
 * import { hostUid, requireHost } from "./helpers.ts";
 * const need = requireHost(hostUid() !== 0, "run as root, who can read any file");
 * console.assert(need.failsInCi === false);
 * ```
 */
export function requireHost(met: boolean, reason: string): Need {
  return { met, reason, fix: "", failsInCi: false };
}

/**
 * Whether the tests run in CI: the environment variable CI is set to
 * something other than "", "0" or "false" (scripts/test.sh passes it on to
 * the test user).
 *
 * @param env The environment (default: this process's).
 * @returns Whether this is a CI run.
 *
 * @example
 * ```ts
 * import { inCi } from "./helpers.ts";
 * console.assert(inCi({ CI: "true" }) && !inCi({}) && !inCi({ CI: "false" }));
 * ```
 */
export function inCi(env: { CI?: string } = { CI: Deno.env.get("CI") }): boolean {
  return env.CI !== undefined && !["", "0", "false"].includes(env.CI.toLowerCase());
}

/** Options of {@linkcode needsDefinition} and {@linkcode testNeeds}. */
export interface TestNeedsOptions {
  /** Whether this is a CI run (default: {@linkcode inCi}). */
  ci?: boolean;
}

/**
 * The Deno test a test with needs becomes: itself when every need is met;
 * with CI=true and a need unmet that provisioning meets, a test of the same
 * name that fails saying what is missing and how to get it ("needs 'nft'
 * (Debian package nftables): install it, e.g. with scripts/provision.sh");
 * otherwise ignored, with "(skipped: <why>)" added to its name, so that
 * scripts/test.sh lists it.
 *
 * @param needs What the test needs.
 * @param definition The test.
 * @param options Whether this is a CI run.
 * @returns The definition to give to `Deno.test`.
 *
 * @example In CI a missing tool fails the test
 * ```ts
 * import { needsDefinition, requireTool } from "./helpers.ts";
 * const nft = requireTool("nft", "nftables", { path: "" });
 * const t = needsDefinition([nft], { name: "t", fn: () => {} }, { ci: true });
 * console.assert(t.name === "t" && !t.ignore);
 * const local = needsDefinition([nft], { name: "t", fn: () => {} }, { ci: false });
 * console.assert(local.ignore && local.name === "t (skipped: needs 'nft' (Debian package nftables))");
 * ```
 */
export function needsDefinition(
  needs: readonly Need[],
  definition: Deno.TestDefinition,
  options: TestNeedsOptions = {},
): Deno.TestDefinition {
  const unmet = needs.filter((n) => !n.met);
  if (unmet.length === 0) return definition;
  const failing = unmet.filter((n) => n.failsInCi);
  if ((options.ci ?? inCi()) && failing.length > 0) {
    const message = failing.map((n) => `${n.reason}: ${n.fix}`).join("; ");
    return {
      ...definition,
      ignore: false,
      fn: () => {
        throw new Error(message);
      },
    };
  }
  return {
    ...definition,
    name: `${definition.name} (skipped: ${unmet.map((n) => n.reason).join("; ")})`,
    ignore: true,
  };
}

/**
 * Registers a Deno test that runs only where its needs are met; see
 * {@linkcode needsDefinition} for what it becomes otherwise. Every test that
 * cannot run everywhere goes through here, so none is skipped in silence.
 *
 * @param needs What the test needs.
 * @param definition The test.
 * @param options Whether this is a CI run.
 *
 * @example
 * ```ts ignore
 * import { requireTool, testNeeds } from "./helpers.ts";
 * testNeeds([requireTool("nft", "nftables")], {
 *   name: "a network's way out masquerades",
 *   fn: async () => {},
 * });
 * ```
 */
export function testNeeds(
  needs: readonly Need[],
  definition: Deno.TestDefinition,
  options: TestNeedsOptions = {},
): void {
  Deno.test(needsDefinition(needs, definition, options));
}

// ---------------------------------------------------------------------------
// Fetching a page from inside a container (or the host) with busybox

/** Options of {@linkcode httpGetScript}. */
export interface HttpGetOptions {
  /**
   * A busybox binary to run the applets (nc, sh, timeout) through, such as
   * "/bin/busybox" on the host (default: the applets on PATH, as in the
   * test root filesystem).
   */
  busybox?: string;
  /** Seconds after which the fetch is given up (killed: a status > 128); default: none. */
  timeoutS?: number;
}

/**
 * What runs on the connection (`nc -e`: stdin and stdout are the socket; the body goes to fd 3):
 * the request, then the status line, the headers up to the empty line ("\r"), and the body as it
 * is. The case patterns open with "(" so that the script may stand inside "$(...)".
 */
const HTTP_CLIENT =
  'printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nConnection: close\\r\\n\\r\\n" "$1" "$2"; ' +
  'IFS= read -r s || exit 1; case "$s" in ("HTTP/1."?" 2"*) ;; ' +
  '(*) echo "http: $s" | tr -d "\\r" >&2; exit 1 ;; esac; ' +
  'while IFS= read -r l && [ "${#l}" -gt 1 ]; do :; done; exec cat >&3';

/**
 * A shell command (for busybox sh) that fetches `url` with an HTTP/1.0 GET
 * that busybox `nc -e` writes by hand, prints the body exactly as sent, and
 * exits 0 on a 2xx status, else 1 (nc's "can't connect to remote host (ADDR):
 * ..." or "http: STATUS LINE" on stderr). The client does not half-close the
 * connection, as wget and curl do not. It stands in for busybox `wget`,
 * which segfaults in Debian 12's busybox-static.
 *
 * @param url An `http://HOST[:PORT][/PATH]` URL.
 * @param options The busybox binary and a timeout.
 * @returns The command, for `sh -c` (redirections after it apply to all of it).
 * @throws {TypeError} When `url` is not an http URL.
 *
 * @example Fetch a page inside a container
 * ```ts
 * import { httpGetScript } from "./helpers.ts";
 * const script = httpGetScript("http://web:8080/index.html");
 * console.assert(script.includes("nc web 8080 -e sh -c"));
 * ```
 */
export function httpGetScript(url: string, options: HttpGetOptions = {}): string {
  const u = new URL(url);
  if (u.protocol !== "http:") throw new TypeError(`Cannot fetch '${url}': not an http:// URL`);
  const port = u.port || "80";
  const bb = options.busybox === undefined ? "" : `${options.busybox} `;
  const get = `${bb}nc ${u.hostname} ${port} -e ${bb}sh -c '${HTTP_CLIENT}' sh ` +
    `'${u.pathname}${u.search}' '${u.host}' 3>&1`;
  if (options.timeoutS === undefined) return `{ ${get}; }`;
  // Not busybox `timeout`: its watchdog would hold stdout open, and "$(...)" wait for it.
  // A subshell in braces: "$((" would start arithmetic.
  return `{ (${get} & p=$!; { ${bb}sleep ${options.timeoutS}; kill $p; } >/dev/null 2>&1 & ` +
    "w=$!; wait $p; r=$?; kill $w 2>/dev/null; exit $r); }";
}
