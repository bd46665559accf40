/**
 * Which user-mode network helpers this host has, what they support, and the
 * network mode a container gets when none is asked for: pasta when it is
 * installed, else slirp4netns, else `none` (with one warning naming the
 * package to install).
 *
 * @module
 */
import { runtimeDir } from "../paths/mod.ts";
import { sys, which } from "../sys/mod.ts";
import { hasDefaultRoute } from "./host_route.ts";
import type { NetHelperTool, NetworkMode } from "./network_option.ts";

/** The Debian package of each helper. */
export const NET_HELPER_PACKAGES: Record<NetHelperTool, string> = {
  pasta: "passt",
  slirp4netns: "slirp4netns",
};

/** Optional features of a helper, read from its `--help`. */
export interface NetHelperFeatures {
  /** slirp4netns `--enable-sandbox`. */
  sandbox: boolean;
  /** slirp4netns `--enable-seccomp`. */
  seccomp: boolean;
}

/**
 * Where a helper is installed.
 *
 * @param tool The helper.
 * @returns Its absolute path on PATH, or null.
 *
 * @example
 * ```ts ignore
 * findNetHelper("pasta"); // "/usr/bin/pasta"
 * ```
 */
export function findNetHelper(tool: NetHelperTool): string | null {
  return which(tool);
}

/**
 * The mode of a container for which no `--network` was given: pasta, unless
 * the host has no default route (pasta then refuses to start), else
 * slirp4netns, else none.
 *
 * @param warn Receives the one warning when no helper can be used.
 * @param find Finds a helper (default: on PATH).
 * @param routed Whether the host has a default route (default: read from /proc).
 * @returns "pasta", "slirp4netns" or "none".
 *
 * @example
 * ```ts
 * import { defaultNetworkMode } from "./find_net_helper.ts";
 * const warnings: string[] = [];
 * console.assert(defaultNetworkMode((m) => warnings.push(m), () => null) === "none");
 * console.assert(warnings.length === 1 && warnings[0].includes("passt"));
 * const pastaOnly = (t: string) => t === "pasta" ? "/usr/bin/pasta" : null;
 * console.assert(defaultNetworkMode(() => {}, pastaOnly, () => true) === "pasta");
 * ```
 */
export function defaultNetworkMode(
  warn: (message: string) => void,
  find: (tool: NetHelperTool) => string | null = findNetHelper,
  routed: () => boolean = hasDefaultRoute,
): NetworkMode {
  const pasta = find("pasta") !== null;
  if (pasta && routed()) return "pasta";
  if (find("slirp4netns")) return "slirp4netns";
  warn(
    pasta
      ? "this host has no default route, which pasta needs, and slirp4netns is not installed: " +
        "the container gets only a loopback interface; install it with " +
        "'sudo apt-get install slirp4netns'"
      : "no user-mode network helper is installed (pasta or slirp4netns): the container gets " +
        "only a loopback interface; install one with 'sudo apt-get install passt' " +
        "(or slirp4netns)",
  );
  return "none";
}

/**
 * Reads a helper's features from its `--help` text.
 *
 * @param help What `TOOL --help` printed.
 * @returns The features.
 *
 * @example
 * ```ts
 * import { parseHelperFeatures } from "./find_net_helper.ts";
 * const f = parseHelperFeatures("--enable-sandbox  create a new mount namespace\n");
 * console.assert(f.sandbox && !f.seccomp);
 * ```
 */
export function parseHelperFeatures(help: string): NetHelperFeatures {
  return { sandbox: help.includes("--enable-sandbox"), seccomp: help.includes("--enable-seccomp") };
}

/**
 * A helper's features, probed once per installed binary (cached in the
 * runtime directory, keyed by its path, size and modification time).
 *
 * @param path The helper's absolute path.
 * @returns The features (none when `--help` cannot be run).
 *
 * @example
 * ```ts ignore
 * netHelperFeatures("/usr/bin/slirp4netns"); // { sandbox: true, seccomp: true }
 * ```
 */
export function netHelperFeatures(path: string): NetHelperFeatures {
  let key = path;
  const st = sys.stat(path); // when missing, probed below, and fails there too
  if (st) key = `${path} ${st.size} ${st.mtimeMs}`;
  const cache = `${runtimeDir()}/net-helpers.json`;
  let known: Record<string, NetHelperFeatures> = {};
  try {
    known = JSON.parse(sys.readText(cache) ?? "{}");
  } catch {
    // rewritten below
  }
  if (known[key]) return known[key];
  let help = "";
  try {
    const out = sys.runSync(path, ["--help"]);
    help = out.stdout + out.stderr;
  } catch {
    // not runnable: no optional features
  }
  const features = parseHelperFeatures(help);
  try {
    sys.writeText(cache, JSON.stringify({ ...known, [key]: features }), 0o600);
  } catch {
    // a cache only
  }
  return features;
}
