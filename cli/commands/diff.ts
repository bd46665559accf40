/**
 * `nook diff CONTAINER`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { containerDiff } from "../../lib/container/container_diff.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook diff`: prints `A PATH`, `C PATH` and `D PATH` lines for what the
 * container added, changed and deleted in its image's files, sorted by path.
 *
 * @param args Arguments after "diff".
 * @returns 0.
 * @throws {UsageError} Without exactly one container, or an unknown one.
 *
 * @example
 * ```ts ignore
 * await main(["f45a27"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "diff", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook diff CONTAINER",
        "Inspect changes to files or directories on a container's filesystem.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length !== 1) {
    throw new UsageError("'nook diff' takes exactly one container\nSee 'nook diff --help'");
  }
  const changes = await containerDiff(p.rest[0], { onWarning: warn });
  sys.stdout(changes.map((c) => `${c.kind} ${c.path}\n`).join(""));
  return 0;
}

function warn(message: string): void {
  sys.stderr(`nook: ${message}\n`);
}
