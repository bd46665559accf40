/**
 * The container's environment from docker's flags: `-e NAME=VALUE`, `-e NAME`
 * (taken from nook's own environment, left out when unset) and `--env-file`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";

/**
 * Parses the lines of an env file: `NAME=VALUE` or `NAME`, `#` comments.
 *
 * @param text The file's contents.
 * @param path The file's name, for messages.
 * @returns `NAME=VALUE` entries in order.
 * @throws {UsageError} On a line with a bad name.
 *
 * @example
 * ```ts
 * import { parseEnvFile } from "./env_spec.ts";
 * console.assert(parseEnvFile("# c\nA=1\n", "f")[0] === "A=1");
 * ```
 */
export function parseEnvFile(text: string, path: string): string[] {
  const out: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/^\s+/, "").replace(/\r$/, "");
    if (!line || line.startsWith("#")) return;
    const entry = envEntry(line, `${path}:${i + 1}`);
    if (entry) out.push(entry);
  });
  return out;
}

/**
 * One `-e` value as NAME=VALUE; a bare NAME takes nook's own value.
 *
 * @param value `NAME=VALUE` or `NAME`.
 * @param where What to name in an error message.
 * @returns The entry, or null for a bare NAME that is unset here.
 * @throws {UsageError} When NAME is empty or holds '='-less junk.
 *
 * @example
 * ```ts
 * import { envEntry } from "./env_spec.ts";
 * console.assert(envEntry("A=b=c", "-e") === "A=b=c");
 * ```
 */
export function envEntry(value: string, where: string): string | null {
  const eq = value.indexOf("=");
  const name = eq < 0 ? value : value.slice(0, eq);
  if (!name || /\s/.test(name)) {
    throw new UsageError(
      `Invalid environment variable '${value}' in ${where}: expected NAME=VALUE`,
    );
  }
  if (eq >= 0) return value;
  const own = sys.env(name);
  return own === undefined ? null : `${name}=${own}`;
}

/**
 * Merges entries; a later NAME replaces an earlier one, keeping its place.
 *
 * @param lists Lists of NAME=VALUE, lowest priority first.
 * @returns The merged list.
 *
 * @example
 * ```ts
 * import { mergeEnv } from "./env_spec.ts";
 * console.assert(mergeEnv(["A=1", "B=2"], ["A=3"]).join() === "A=3,B=2");
 * ```
 */
export function mergeEnv(...lists: readonly (readonly string[])[]): string[] {
  const map = new Map<string, string>();
  for (const list of lists) {
    for (const e of list) map.set(e.slice(0, e.indexOf("=") < 0 ? e.length : e.indexOf("=")), e);
  }
  return [...map.values()];
}

/** The environment flags of `run` and `exec`. */
export interface EnvFlags {
  /** `-e` values (`NAME=VALUE` or `NAME`), or a record. */
  env?: readonly string[] | Record<string, string>;
  /** `--env-file` paths. */
  envFiles?: readonly string[];
}

/**
 * The entries of `--env-file` files and `-e` values, `-e` winning.
 *
 * @param flags The `-e` values and env files.
 * @returns NAME=VALUE entries.
 * @throws {UsageError} On an unreadable file or a bad entry.
 *
 * @example
 * ```ts
 * import { envFromFlags } from "./env_spec.ts";
 * console.assert(envFromFlags({ env: ["A=1"] }).join() === "A=1");
 * ```
 */
export function envFromFlags(flags: EnvFlags): string[] {
  const env = flags.env ?? [];
  const own = Array.isArray(env)
    ? (env as readonly string[]).map((e) => envEntry(e, "--env")).filter((e): e is string =>
      e !== null
    )
    : Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const files = (flags.envFiles ?? []).flatMap((f) => {
    const text = sys.readText(f);
    if (text === null) throw new UsageError(`Cannot read env file '${f}': no such file`);
    return parseEnvFile(text, f);
  });
  return mergeEnv(files, own);
}
