/**
 * Which user-mode network helpers this host has, what they support, and the
 * network mode a container gets when none is asked for: the cheapest helper
 * that serves it. A container that publishes no port needs only a way out:
 * slirp4netns (about 3.5 MB resident and ~20 ms less per start than pasta,
 * which keeps ~30 MB of buffers). One that publishes ports gets pasta, which
 * shows the container the client's real address (slirp4netns shows its
 * gateway). Each falls back to the other, else `none` (with one warning
 * naming the package to install).
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
 * The mode of a container for which no `--network` was given. Without
 * published ports: slirp4netns, else pasta. With ports: pasta, else
 * slirp4netns. pasta is passed over when the host has no default route (it
 * then refuses to start); with neither helper the mode is none.
 *
 * @param warn Receives the one warning when no helper can be used.
 * @param find Finds a helper (default: on PATH).
 * @param routed Whether the host has a default route (default: read from /proc).
 * @param ports Whether the container publishes ports (`-p` or `-P`).
 * @returns "pasta", "slirp4netns" or "none".
 *
 * @example
 * ```ts
 * import { defaultNetworkMode } from "./find_net_helper.ts";
 * const warnings: string[] = [];
 * console.assert(defaultNetworkMode((m) => warnings.push(m), () => null) === "none");
 * console.assert(warnings.length === 1 && warnings[0].includes("passt"));
 * const both = (t: string) => `/usr/bin/${t}`;
 * console.assert(defaultNetworkMode(() => {}, both, () => true) === "slirp4netns");
 * console.assert(defaultNetworkMode(() => {}, both, () => true, true) === "pasta");
 * const pastaOnly = (t: string) => t === "pasta" ? "/usr/bin/pasta" : null;
 * console.assert(defaultNetworkMode(() => {}, pastaOnly, () => true) === "pasta");
 * ```
 */
export function defaultNetworkMode(
  warn: (message: string) => void,
  find: (tool: NetHelperTool) => string | null = findNetHelper,
  routed: () => boolean = hasDefaultRoute,
  ports = false,
): NetworkMode {
  return pickNetworkMode(
    (tool) => find(tool) !== null,
    routed,
    ports,
    warn,
  );
}

/**
 * The choice of {@link defaultNetworkMode}, from what is installed.
 *
 * @param has Whether a helper is installed.
 * @param routed Whether the host has a default route.
 * @param ports Whether the container publishes ports.
 * @param warn Receives the one warning when no helper can be used.
 * @returns "pasta", "slirp4netns" or "none".
 *
 * @example
 * ```ts
 * import { pickNetworkMode } from "./find_net_helper.ts";
 * console.assert(pickNetworkMode(() => true, () => false, true, () => {}) === "slirp4netns");
 * ```
 */
export function pickNetworkMode(
  has: (tool: NetHelperTool) => boolean,
  routed: () => boolean,
  ports: boolean,
  warn: (message: string) => void = () => {},
): NetworkMode {
  const pasta = has("pasta") && routed();
  const slirp = has("slirp4netns");
  if (ports && pasta) return "pasta";
  if (slirp) return "slirp4netns";
  if (pasta) return "pasta";
  warn(
    has("pasta")
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
