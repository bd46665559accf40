/**
 * The `--network` value, parsed once: the modes nook runs, and the flags a
 * shared network rules out (docker's rules for `container:`).
 *
 * - `none` (default): a network namespace of the container's own, only `lo`.
 * - `host`: the host's network namespace.
 * - `container:NAME|ID`: the network namespace of a running container, with
 *   its hostname, /etc/hosts and /etc/resolv.conf.
 * - `ns:PATH`: an existing network namespace file (podman's mode), e.g.
 *   /proc/PID/ns/net of a process of yours.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** A parsed `--network` value. */
export type NetworkChoice =
  | { mode: "none" }
  | { mode: "host" }
  | { mode: "container"; container: string }
  | { mode: "ns"; path: string }
  | { mode: "network"; name: string }
  | { mode: "helper"; text: string }; // slirp4netns[:opts] or pasta[:opts] (lib/network parses them)

/** A `--network` value as the API takes it. */
export type NetworkOption =
  | "none"
  | "host"
  | `container:${string}`
  | `ns:${string}`
  | (string & Record<never, never>); // a user-defined network's name

/** The `--network` values nook takes, for messages and help. */
export const NETWORK_MODES =
  "none, host, slirp4netns[:OPTIONS], pasta[:OPTIONS], container:NAME|ID, ns:PATH or a network's name";

/**
 * Parses a `--network` value.
 *
 * @param text The value as given (default "none").
 * @returns The mode and what it names.
 * @throws {UsageError} On a mode nook does not run, or one that names nothing.
 *
 * @example
 * ```ts
 * import { parseNetworkMode } from "./network_mode.ts";
 * const c = parseNetworkMode("container:web");
 * console.assert(c.mode === "container" && c.container === "web");
 * console.assert(parseNetworkMode("ns:/proc/7/ns/net").mode === "ns");
 * ```
 */
export function parseNetworkMode(text: string = "none"): NetworkChoice {
  if (text === "none" || text === "host") return { mode: text };
  if (/^(slirp4netns|pasta)(:|$)/.test(text)) return { mode: "helper", text };
  const colon = text.indexOf(":");
  const kind = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? "" : text.slice(colon + 1);
  if (kind === "container") {
    if (value === "") {
      throw new UsageError(
        `Network mode '${text}' names no container: use container:NAME or container:ID`,
      );
    }
    return { mode: "container", container: value };
  }
  if (kind === "ns") {
    if (!value.startsWith("/")) {
      throw new UsageError(
        `Network mode '${text}' needs an absolute path of a network namespace file, ` +
          "e.g. ns:/proc/PID/ns/net",
      );
    }
    return { mode: "ns", path: value };
  }
  if (colon < 0 && /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(text) && text !== "bridge") {
    return { mode: "network", name: text }; // a user-defined network (nook network create)
  }
  throw new UsageError(`Network mode '${text}' is not supported yet: use ${NETWORK_MODES}`);
}

/** Flags that a shared network may rule out, as given (undefined or empty: not given). */
export interface NetworkFlags {
  /** `-h`/`--hostname`. */
  hostname?: string;
  /** `-p`/`--publish` values. */
  publish?: readonly string[];
  /** `--dns` values. */
  dns?: readonly string[];
  /** `--add-host` values. */
  addHost?: readonly string[];
  /** `--userns`. */
  userns?: string;
}

function given(v: string | readonly string[] | undefined): boolean {
  return typeof v === "string" ? true : (v?.length ?? 0) > 0;
}

/**
 * Refuses flags that contradict the network mode, as docker does for
 * `container:` (the container takes the hostname, /etc/hosts and
 * /etc/resolv.conf of the one whose network it joins, and publishes no ports
 * of its own). A joined network also brings its user namespace, so
 * `--userns` cannot choose the ids.
 *
 * @param choice The parsed network mode (a {@linkcode NetworkChoice} or a container's config).
 * @param flags The flags given with it.
 * @throws {UsageError} Naming both flags and what to do instead.
 *
 * @example
 * ```ts
 * import { checkNetworkFlags, parseNetworkMode } from "./network_mode.ts";
 * let refused = false;
 * try {
 *   checkNetworkFlags(parseNetworkMode("container:web"), { hostname: "x" });
 * } catch {
 *   refused = true;
 * }
 * console.assert(refused);
 * ```
 */
export function checkNetworkFlags(
  choice: { mode: string; container?: string; path?: string },
  flags: NetworkFlags,
): void {
  if (choice.mode !== "container" && choice.mode !== "ns") return;
  const network = choice.mode === "container"
    ? `--network container:${choice.container}`
    : `--network ns:${choice.path}`;
  const conflict = (flag: string, why: string) =>
    new UsageError(`Conflicting options: ${flag} and ${network}: ${why}`);
  if (flags.userns) {
    throw conflict(
      `--userns ${flags.userns}`,
      "the container joins the user namespace that owns that network, whose maps decide its ids",
    );
  }
  if (given(flags.publish)) {
    throw conflict(
      "-p/--publish",
      choice.mode === "container"
        ? `publish the ports on container ${choice.container}, whose network this one shares`
        : "nook publishes ports only into a network namespace it made",
    );
  }
  if (choice.mode !== "container") return;
  const target = `container ${choice.container}`;
  if (given(flags.hostname)) {
    throw conflict("-h/--hostname", `the container takes the hostname of ${target}`);
  }
  if (given(flags.dns)) {
    throw conflict("--dns", `the container uses the /etc/resolv.conf of ${target}`);
  }
  if (given(flags.addHost)) {
    throw conflict("--add-host", `the container uses the /etc/hosts of ${target}`);
  }
}
