/**
 * The `--network` value, parsed once: `none` (a network namespace with only
 * `lo`), `host` (the host's), and the user-mode modes, where a helper
 * process attaches the container's own network namespace to the host's
 * network: `slirp4netns[:OPTIONS]` and `pasta[:OPTIONS]`.
 *
 * Options (comma-separated, as podman takes them):
 * - `allow_host_loopback=true|false` (both): whether the container reaches
 *   the host's loopback (slirp4netns at 10.0.2.2, pasta at the gateway
 *   address). Default false.
 * - `mtu=N` (both): the MTU of the container's interface. Default 65520.
 * - pasta only: anything else is passed to pasta as an argument, e.g.
 *   `pasta:--ipv4-only` or `pasta:-a,10.0.2.100` (as podman does).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** How a container is networked. */
export type NetworkMode = "none" | "host" | "slirp4netns" | "pasta";

/** A `--network` value as the API takes it. */
export type NetworkOption =
  | "none"
  | "host"
  | "slirp4netns"
  | "pasta"
  | `slirp4netns:${string}`
  | `pasta:${string}`;

/** The user-mode network helpers. */
export type NetHelperTool = "slirp4netns" | "pasta";

/** A parsed `--network` value. */
export interface NetworkChoice {
  /** The mode. */
  mode: NetworkMode;
  /** The container reaches the host's loopback (helper modes). */
  allowHostLoopback: boolean;
  /** MTU of the container's interface (helper modes). */
  mtu: number;
  /** Further arguments for the helper (pasta). */
  helperArgs: string[];
}

/** The `--network` values nook takes, for messages and help. */
export const NETWORK_MODES = "none, host, slirp4netns[:OPTIONS] or pasta[:OPTIONS]";

/** The MTU the helpers give the container by default (podman's). */
export const DEFAULT_MTU = 65520;

/**
 * Whether a mode runs a helper process.
 *
 * @param mode The mode.
 * @returns True for slirp4netns and pasta.
 *
 * @example
 * ```ts
 * import { isHelperMode } from "./network_option.ts";
 * console.assert(isHelperMode("pasta") && !isHelperMode("none"));
 * ```
 */
export function isHelperMode(mode: NetworkMode): mode is NetHelperTool {
  return mode === "slirp4netns" || mode === "pasta";
}

function bool(text: string, option: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new UsageError(
    `Invalid network option '${option}' in '${text}': use ${option.split("=")[0]}=true or =false`,
  );
}

/**
 * Parses a `--network` value.
 *
 * @param text The value as given, e.g. "slirp4netns:allow_host_loopback=true".
 * @returns The mode and its options.
 * @throws {UsageError} On a mode nook does not run, or an option it does not know.
 *
 * @example
 * ```ts
 * import { parseNetwork } from "./network_option.ts";
 * const c = parseNetwork("slirp4netns:allow_host_loopback=true,mtu=1500");
 * console.assert(c.mode === "slirp4netns" && c.allowHostLoopback && c.mtu === 1500);
 * console.assert(parseNetwork("pasta:--ipv4-only").helperArgs[0] === "--ipv4-only");
 * ```
 */
export function parseNetwork(text: string): NetworkChoice {
  const colon = text.indexOf(":");
  const mode = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? "" : text.slice(colon + 1);
  const choice: NetworkChoice = {
    mode: "none",
    allowHostLoopback: false,
    mtu: DEFAULT_MTU,
    helperArgs: [],
  };
  if (mode === "none" || mode === "host") {
    if (colon >= 0) {
      throw new UsageError(`Network mode '${mode}' takes no options, got '${text}'`);
    }
    return { ...choice, mode };
  }
  if (mode !== "slirp4netns" && mode !== "pasta") {
    throw new UsageError(`Network mode '${text}' is not supported yet: use ${NETWORK_MODES}`);
  }
  choice.mode = mode;
  for (const option of rest === "" ? [] : rest.split(",")) {
    const eq = option.indexOf("=");
    const key = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? "" : option.slice(eq + 1);
    if (key === "allow_host_loopback") {
      choice.allowHostLoopback = bool(text, option, value);
    } else if (key === "mtu") {
      const mtu = Number(value);
      if (!/^\d+$/.test(value) || mtu < 68 || mtu > 65520) {
        throw new UsageError(`Invalid network option '${option}' in '${text}': use mtu=68..65520`);
      }
      choice.mtu = mtu;
    } else if (mode === "pasta" && option !== "") {
      choice.helperArgs.push(option);
    } else {
      throw new UsageError(
        `Unknown network option '${option}' in '${text}': ${mode} takes ` +
          "allow_host_loopback=true|false and mtu=N" +
          (mode === "pasta" ? ", and pasta arguments such as --ipv4-only" : ""),
      );
    }
  }
  return choice;
}

/**
 * Writes a choice back as a `--network` value (what `inspect` shows).
 *
 * @param choice The choice.
 * @returns e.g. "slirp4netns:allow_host_loopback=true".
 *
 * @example
 * ```ts
 * import { formatNetwork, parseNetwork } from "./network_option.ts";
 * console.assert(formatNetwork(parseNetwork("pasta")) === "pasta");
 * ```
 */
export function formatNetwork(choice: NetworkChoice): string {
  const options = [
    ...(choice.allowHostLoopback ? ["allow_host_loopback=true"] : []),
    ...(choice.mtu !== DEFAULT_MTU ? [`mtu=${choice.mtu}`] : []),
    ...choice.helperArgs,
  ];
  return options.length ? `${choice.mode}:${options.join(",")}` : choice.mode;
}
