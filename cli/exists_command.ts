/**
 * podman's `container exists`, `image exists` and `network exists NAME`: no
 * output, exit 0 when it exists, 1 when not, 125 on an error (a bad argument,
 * an ambiguous id prefix, an unreadable store).
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";
import { sys } from "../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "./args.ts";

/** What one `exists` command looks up. */
export interface ExistsKind {
  /** "container", "image" or "network". */
  kind: string;
  /** Whether `ref` names one; throws on an error (exit 125). */
  exists(ref: string): boolean;
  /** More flags it accepts (podman's `container exists --external`). */
  flags?: FlagSpec[];
}

/**
 * Runs `nook KIND exists NAME`.
 *
 * @param args The arguments after "exists".
 * @param what The kind and its look-up.
 * @returns 0 when it exists, 1 when not.
 * @throws {UsageError} Without exactly one name (exit 125).
 *
 * @example
 * ```ts
 * import { existsMain } from "./exists_command.ts";
 * const code = existsMain(["web"], { kind: "container", exists: (r) => r === "web" });
 * console.assert(code === 0);
 * ```
 */
export function existsMain(args: string[], what: ExistsKind): number {
  const flags: FlagSpec[] = [
    ...what.flags ?? [],
    { name: "help", short: "h", type: "bool", help: "Print usage" },
  ];
  const command = `${what.kind} exists`;
  const p = parseArgs(args, flags, { command, stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        `nook ${command} ${what.kind.toUpperCase()}`,
        `Exit 0 when the ${what.kind} exists, 1 when not, 125 on an error; print nothing.`,
        flags,
      ),
    );
    return 0;
  }
  if (p.rest.length !== 1) {
    throw new UsageError(
      `'nook ${command}' needs exactly one ${what.kind}, got ${p.rest.length}\n` +
        `See 'nook ${command} --help'`,
    );
  }
  return what.exists(p.rest[0]) ? 0 : 1;
}
