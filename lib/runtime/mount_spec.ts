/**
 * Parses docker's volume flags into mount descriptions: `-v HOST:CTR[:ro|rw]`,
 * `--tmpfs CTR[:size=..,mode=..]` and `--mount type=bind|tmpfs,...`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** A host directory or file bound into the container. */
export interface BindMount {
  /** Kind. */
  type: "bind";
  /** Absolute host path. */
  source: string;
  /** Absolute container path. */
  target: string;
  /** Read-only. */
  readOnly: boolean;
}

/** A tmpfs in the container. */
export interface TmpfsMount {
  /** Kind. */
  type: "tmpfs";
  /** Absolute container path. */
  target: string;
  /** Mount options for tmpfs (size=, mode=, ...). */
  options: string[];
  /** Read-only. */
  readOnly: boolean;
}

/** A mount asked for by the user. */
export type MountSpec = BindMount | TmpfsMount;

function normalize(path: string, what: string, flagValue: string): string {
  if (!path.startsWith("/")) {
    throw new UsageError(`Invalid ${what} '${flagValue}': '${path}' is not an absolute path`);
  }
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (!p || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

/**
 * Parses a `-v`/`--volume` value.
 *
 * @param value `HOST:CONTAINER[:OPTIONS]`, options `ro`, `rw` (and `z`, `Z`, ignored).
 * @param cwd Directory against which a relative host path (`./x`) is resolved.
 * @returns A bind mount.
 * @throws {UsageError} On a malformed value, naming it and the fix.
 *
 * @example
 * ```ts
 * import { parseVolume } from "./mount_spec.ts";
 * const m = parseVolume("/srv/data:/data:ro", "/");
 * console.assert(m.readOnly && m.target === "/data");
 * ```
 */
export function parseVolume(value: string, cwd: string): BindMount {
  const parts = value.split(":");
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw new UsageError(
      `Invalid volume '${value}': expected HOST-PATH:CONTAINER-PATH[:ro|rw] ` +
        "(named volumes come with images)",
    );
  }
  let source = parts[0];
  if (source.startsWith("./") || source.startsWith("../") || source === ".") {
    source = `${cwd}/${source}`;
  }
  if (!source.startsWith("/")) {
    throw new UsageError(
      `Invalid volume '${value}': '${parts[0]}' is not an absolute host path ` +
        "(named volumes are not supported yet; use /abs/path or ./rel/path)",
    );
  }
  let readOnly = false;
  for (const opt of (parts[2] ?? "").split(",").filter(Boolean)) {
    if (opt === "ro") readOnly = true;
    else if (opt === "rw") readOnly = false;
    else if (opt !== "z" && opt !== "Z") {
      throw new UsageError(`Invalid volume '${value}': unknown option '${opt}' (use ro or rw)`);
    }
  }
  return {
    type: "bind",
    source: normalize(source, "volume", value),
    target: normalize(parts[1], "volume", value),
    readOnly,
  };
}

/**
 * Parses a `--tmpfs` value.
 *
 * @param value `CONTAINER-PATH[:OPTIONS]`, e.g. `/run:size=64m,mode=1777`.
 * @returns A tmpfs mount.
 * @throws {UsageError} On a relative path.
 *
 * @example
 * ```ts
 * import { parseTmpfs } from "./mount_spec.ts";
 * console.assert(parseTmpfs("/run:size=1m").options[0] === "size=1m");
 * ```
 */
export function parseTmpfs(value: string): TmpfsMount {
  const at = value.indexOf(":");
  const path = at < 0 ? value : value.slice(0, at);
  const opts = at < 0 ? [] : value.slice(at + 1).split(",").filter(Boolean);
  return {
    type: "tmpfs",
    target: normalize(path, "tmpfs", value),
    options: opts.filter((o) => o !== "ro" && o !== "rw"),
    readOnly: opts.includes("ro"),
  };
}

/**
 * Parses a `--mount` value (`type=bind,source=..,target=..[,readonly]` or
 * `type=tmpfs,target=..[,tmpfs-size=..][,tmpfs-mode=..]`).
 *
 * @param value The comma-separated key=value list.
 * @param cwd Directory against which a relative source is resolved.
 * @returns A bind or tmpfs mount.
 * @throws {UsageError} On an unknown type or key, or a missing target.
 *
 * @example
 * ```ts
 * import { parseMount } from "./mount_spec.ts";
 * const m = parseMount("type=tmpfs,destination=/cache,tmpfs-size=1m", "/");
 * console.assert(m.type === "tmpfs" && m.target === "/cache");
 * ```
 */
export function parseMount(value: string, cwd: string): MountSpec {
  const kv = new Map<string, string>();
  for (const field of value.split(",")) {
    const eq = field.indexOf("=");
    kv.set(eq < 0 ? field : field.slice(0, eq), eq < 0 ? "true" : field.slice(eq + 1));
  }
  const type = kv.get("type") ?? "volume";
  const target = kv.get("target") ?? kv.get("destination") ?? kv.get("dst");
  if (!target) throw new UsageError(`Invalid mount '${value}': target= is missing`);
  const ro = ["readonly", "ro"].some((k) => kv.has(k) && kv.get(k) !== "false");
  const known = new Set(["type", "target", "destination", "dst", "readonly", "ro"]);
  if (type === "bind") {
    for (const k of ["source", "src", "bind-propagation"]) known.add(k);
    const source = kv.get("source") ?? kv.get("src");
    if (!source) throw new UsageError(`Invalid mount '${value}': source= is missing`);
    checkKeys(kv, known, value);
    const m = parseVolume(`${source}:${target}`, cwd);
    return { ...m, readOnly: ro };
  }
  if (type === "tmpfs") {
    for (const k of ["tmpfs-size", "tmpfs-mode"]) known.add(k);
    checkKeys(kv, known, value);
    const options: string[] = [];
    if (kv.has("tmpfs-size")) options.push(`size=${kv.get("tmpfs-size")}`);
    if (kv.has("tmpfs-mode")) options.push(`mode=${kv.get("tmpfs-mode")}`);
    return { type: "tmpfs", target: normalize(target, "mount", value), options, readOnly: ro };
  }
  throw new UsageError(
    `Invalid mount '${value}': type '${type}' is not supported (use bind or tmpfs)`,
  );
}

function checkKeys(kv: Map<string, string>, known: Set<string>, value: string) {
  for (const k of kv.keys()) {
    if (!known.has(k)) throw new UsageError(`Invalid mount '${value}': unknown key '${k}'`);
  }
}
