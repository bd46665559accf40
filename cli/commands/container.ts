/**
 * `nook container SUBCOMMAND`: docker's management verbs for containers
 * (`ls`, `rm`, `prune`, ... ) over the same commands as the top level.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import type { CommandModule } from "../main.ts";

const SUB: Record<string, () => Promise<CommandModule>> = {
  ls: () => import("./ps.ts"),
  list: () => import("./ps.ts"),
  ps: () => import("./ps.ts"),
  create: () => import("./create.ts"),
  run: () => import("./run.ts"),
  start: () => import("./start.ts"),
  stop: () => import("./stop.ts"),
  restart: () => import("./restart.ts"),
  kill: () => import("./kill.ts"),
  rm: () => import("./rm.ts"),
  remove: () => import("./rm.ts"),
  wait: () => import("./wait.ts"),
  logs: () => import("./logs.ts"),
  inspect: () => import("./inspect.ts"),
  rename: () => import("./rename.ts"),
  top: () => import("./top.ts"),
  port: () => import("./port.ts"),
  attach: () => import("./attach.ts"),
  exec: () => import("./exec.ts"),
  update: () => import("./update.ts"),
  pause: () => import("./pause.ts"),
  unpause: () => import("./unpause.ts"),
  stats: () => import("./stats.ts"),
  prune: () => import("./container_prune.ts"),
  cp: () => import("./cp.ts"),
  diff: () => import("./diff.ts"),
  commit: () => import("./commit.ts"),
  export: () => import("./export.ts"),
  exists: () => import("./container_exists.ts"),
};

/**
 * Runs `nook container`.
 *
 * @param args Arguments after "container".
 * @returns The subcommand's exit code.
 *
 * @example
 * ```ts ignore
 * await main(["ls", "-a"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    sys.stdout(
      "Usage:  nook container COMMAND\n\nManage containers.\n\nCommands:\n" +
        Object.keys(SUB).map((s) => `  ${s}\n`).join(""),
    );
    return sub === undefined ? 125 : 0;
  }
  const load = SUB[sub];
  if (!load) {
    throw new UsageError(`Unknown command 'nook container ${sub}'\nSee 'nook container --help'`);
  }
  return await (await load()).main(rest);
}
