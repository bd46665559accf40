/**
 * Container names: docker's rules (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), and a
 * generated `adjective_noun` name when none is given.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const ADJECTIVES = [
  "amber",
  "brave",
  "calm",
  "clever",
  "cosy",
  "eager",
  "fond",
  "gentle",
  "happy",
  "keen",
  "lively",
  "lucid",
  "merry",
  "nimble",
  "proud",
  "quiet",
  "quick",
  "sharp",
  "snug",
  "steady",
  "sunny",
  "swift",
  "tidy",
  "vivid",
  "warm",
  "wise",
  "witty",
  "zesty",
]; // deno-fmt-ignore
const NOUNS = [
  "badger", "beaver", "bison", "crane", "dingo", "falcon", "ferret", "gecko", "heron", "ibis",
  "jackal", "koala", "lemur", "lynx", "marten", "newt", "otter", "panda", "quokka", "raven",
  "robin", "seal", "stoat", "tapir", "vole", "walrus", "wren", "yak",
]; // deno-fmt-ignore

/**
 * Checks a container name.
 *
 * @param name The name.
 * @returns The name without a leading "/".
 * @throws {UsageError} When it breaks docker's rules.
 *
 * @example
 * ```ts
 * import { checkContainerName } from "./container_name.ts";
 * console.assert(checkContainerName("/web-1") === "web-1");
 * ```
 */
export function checkContainerName(name: string): string {
  const n = name.replace(/^\//, "");
  if (!VALID.test(n)) {
    throw new UsageError(
      `Invalid container name '${name}': use [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least 2 characters)`,
    );
  }
  if (/^[0-9a-f]{64}$/.test(n)) {
    throw new UsageError(`Invalid container name '${name}': it looks like a container id`);
  }
  return n;
}

/**
 * A random name that is not in `taken`.
 *
 * @param taken Names in use.
 * @returns e.g. "swift_otter" (with a number when all simple names are taken).
 *
 * @example
 * ```ts
 * import { generateName } from "./container_name.ts";
 * console.assert(/^[a-z]+_[a-z]+\d*$/.test(generateName(new Set())));
 * ```
 */
export function generateName(taken: ReadonlySet<string>): string {
  const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)];
  for (let i = 0;; i++) {
    const base = `${pick(ADJECTIVES)}_${pick(NOUNS)}`;
    const name = i < 20 ? base : `${base}${i}`;
    if (!taken.has(name)) return name;
  }
}
