/**
 * The {@linkcode Host} that reads this machine.
 *
 * @module
 */
import type { Host, HostStat } from "./host.ts";
import { sys } from "../sys/sys.ts";

const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
/** Where `getcap` lives when `/usr/sbin` is not on a user's PATH. */
const GETCAP_FALLBACKS = ["/usr/sbin/getcap", "/sbin/getcap"];

// Synchronous reads behind the async interface: the host's files are small /proc, /sys and /etc
// files, and Deno's first async file operation costs about 0.5 ms (its thread pool starts), which
// `nook run` would pay for each container's cgroup.
function readTextFile(path: string): Promise<string | null> {
  return settle(() => sys.readText(path));
}

/** What `fn` returns (sys gives null for a missing path), as a promise (rejected on errors). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

async function stat(path: string): Promise<HostStat | null> {
  const info = await settle(() => sys.stat(path));
  if (info === null) return null;
  const mode = info.mode & 0o7777;
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    isCharDevice: info.isCharDevice,
    mode,
    uid: info.uid,
    gid: info.gid,
    setuid: (mode & 0o4000) !== 0,
  };
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    return st !== null && st.isFile && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

async function which(name: string): Promise<string | null> {
  if (name.includes("/")) return await isExecutableFile(name) ? name : null;
  const dirs = (sys.env("PATH") || DEFAULT_PATH).split(":");
  for (const dir of dirs) {
    const candidate = `${dir || "."}/${name}`;
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function fileCapabilities(path: string): Promise<string | null> {
  let getcap = await which("getcap");
  for (const fallback of GETCAP_FALLBACKS) {
    if (getcap !== null) break;
    if (await isExecutableFile(fallback)) getcap = fallback;
  }
  if (getcap === null) return null;
  try {
    const out = await sys.run(getcap, [path], { stderr: "null" });
    if (out.code !== 0) return null;
    // "PATH cap_setuid=ep" (libcap >= 2.41) or "PATH = cap_setuid+ep" (older).
    const text = out.stdout.trim();
    return text.startsWith(path) ? text.slice(path.length).replace(/^\s*=?\s*/, "") : text;
  } catch {
    return null;
  }
}

function processId(kind: "uid" | "gid"): number {
  return kind === "uid" ? sys.uid() : sys.gid();
}

/** The name field of the passwd line with this uid, from `text` in passwd(5) format. */
function passwdName(text: string, uid: number): string | null {
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 3 && fields[0] !== "" && fields[2] === String(uid)) return fields[0];
  }
  return null;
}

/**
 * getpwuid(3) without FFI: /etc/passwd, then `getent passwd` for users from
 * NSS (LDAP, systemd-homed). Sync so that {@linkcode Host.userName} is.
 */
function lookUpUserName(uid: number): string | null {
  try {
    const name = passwdName(sys.readText("/etc/passwd") ?? "", uid);
    if (name !== null) return name;
  } catch {
    // An unreadable /etc/passwd: ask NSS.
  }
  try {
    const out = sys.runSync("getent", ["passwd", String(uid)]);
    return out.code === 0 ? passwdName(out.stdout, uid) : null;
  } catch {
    return null;
  }
}

/**
 * The host nook runs on. Needs `--allow-read`, `--allow-env`, `--allow-sys`
 * and, for file capabilities, `--allow-run`.
 *
 * @returns A {@linkcode Host} that reads this machine on each call.
 *
 * @example Who am I
 * ```ts
 * import { realHost } from "./real_host.ts";
 * const host = realHost();
 * console.log(host.userName(), host.uid(), host.kernelRelease());
 * ```
 */
export function realHost(): Host {
  let name: string | null | undefined;
  return {
    readTextFile,
    stat,
    which,
    fileCapabilities,
    uid: () => processId("uid"),
    gid: () => processId("gid"),
    userName: () => name === undefined ? (name = lookUpUserName(processId("uid"))) : name,
    env: (name) => sys.env(name),
    kernelRelease: () => sys.osRelease(),
  };
}
