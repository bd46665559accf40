/**
 * The containers a verb acts on: the names given, or with `--all` every
 * container in the state the verb applies to (podman's `stop -a`, `rm -a`,
 * ...); the `--all` and `--ignore` flags the verbs share.
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";
import { listRecords } from "../lib/records/container_record.ts";
import { type ContainerStatus, containerStatus } from "../lib/records/container_state.ts";
import type { FlagSpec } from "./args.ts";

/**
 * The `-a/--all` flag of a verb.
 *
 * @param which What "all" means for it ("running containers").
 * @param short The one-letter alias ("a"; null for none, where `-a` means something else).
 * @returns The flag.
 *
 * @example
 * ```ts
 * import { allFlag } from "./container_targets.ts";
 * console.assert(allFlag("running containers").short === "a");
 * console.assert(allFlag("containers", null).short === undefined);
 * ```
 */
export function allFlag(which: string, short: string | null = "a"): FlagSpec {
  return { name: "all", short: short ?? undefined, type: "bool", help: `Act on all ${which}` };
}

/**
 * The `--ignore` flag (podman's): a name that matches no container is not an error.
 *
 * @param short The one-letter alias ("i"; null for none, where `-i` means something else).
 * @returns The flag.
 *
 * @example
 * ```ts
 * import { ignoreFlag } from "./container_targets.ts";
 * console.assert(ignoreFlag().name === "ignore");
 * ```
 */
export function ignoreFlag(short: string | null = "i"): FlagSpec {
  return {
    name: "ignore",
    short: short ?? undefined,
    type: "bool",
    help: "A container that does not exist is not an error",
  };
}

/** Options of {@linkcode containerTargets}. */
export interface ContainerTargetsOptions {
  /** `--all` was given. */
  all?: boolean;
  /** With `all`: the states it takes (default: every container). */
  select?: (status: ContainerStatus) => boolean;
}

/**
 * The references a verb works on: `names`, or with `all` the ids of the
 * containers `select` takes, oldest first (none is fine: an empty store).
 *
 * @param verb The command ("stop"), for messages.
 * @param names The positional arguments.
 * @param options `all` and `select`.
 * @returns Container references.
 * @throws {UsageError} With neither names nor `all`, or with both.
 *
 * @example
 * ```ts ignore
 * const refs = containerTargets("stop", p.rest, { all: p.bools.all, select: isRunning });
 * ```
 */
export function containerTargets(
  verb: string,
  names: readonly string[],
  options: ContainerTargetsOptions = {},
): string[] {
  if (options.all) {
    if (names.length) {
      throw new UsageError(
        `'nook ${verb} --all' takes no container names, got '${names[0]}': give one or the other`,
      );
    }
    const select = options.select ?? (() => true);
    return listRecords().filter((r) => select(containerStatus(r.id))).map((r) => r.id);
  }
  if (names.length === 0) {
    throw new UsageError(`'nook ${verb}' needs at least one container, or --all`);
  }
  return [...names];
}

/**
 * Whether a container runs (a paused one too): what `stop -a` and `kill -a` take.
 *
 * @param s Its status.
 * @returns True when it runs or waits to restart.
 *
 * @example
 * ```ts ignore
 * containerTargets("stop", [], { all: true, select: isActive });
 * ```
 */
export function isActive(s: ContainerStatus): boolean {
  return s.status === "running" || s.status === "restarting";
}
