/**
 * `nook unshare`: a command in a new user and mount namespace with your id
 * maps, as root inside, in your own filesystem (like `podman unshare`). This
 * is how nook and its users act on files owned by subordinate ids.
 *
 * @module
 */
import { Op } from "../../shim/protocol.ts";
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import { CloneFlag, DEFAULT_PATH } from "./defaults.ts";
import type { Plan } from "./plan_steps.ts";
import { type ExitStatus, spawnPlanned } from "./spawn_process.ts";

/** Options of {@linkcode unshare}. */
export interface UnshareOptions {
  /** Forward this process's signals to the command. */
  forwardSignals?: boolean;
  /** Receives warnings (default: stderr). */
  onWarning?: (message: string) => void;
}

/**
 * Plans an unshare: only a user and a mount namespace; the command runs where
 * nook runs, with nook's environment plus `NOOK_UNSHARE=1`.
 *
 * @param argv The command (argv[0] is searched in PATH).
 * @param env NAME=VALUE entries.
 * @returns The plan.
 *
 * @example
 * ```ts
 * import { planUnshare } from "./unshare.ts";
 * const plan = planUnshare(["id", "-u"], ["PATH=/usr/bin:/bin"]);
 * console.assert(plan.program.steps.length === 3);
 * ```
 */
export function planUnshare(argv: readonly string[], env: readonly string[]): Plan {
  const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
  return {
    program: {
      cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS,
      steps: [
        { op: Op.PDEATHSIG, n: [9] },
        { op: Op.CLOSE_FDS },
        {
          op: Op.EXEC,
          n: [argv.length, env.length],
          s: [argv[0], argv[0].includes("/") ? null : path, argv, env],
        },
      ],
    },
    describe: [
      "set the parent-death signal",
      "close inherited file descriptors",
      `exec ${JSON.stringify(argv[0])}`,
    ],
  };
}

/**
 * Runs a command (default: your $SHELL) in your user namespace.
 *
 * @param command The command and its arguments.
 * @param options Signal forwarding and warnings.
 * @returns How the command ended.
 * @throws {UsageError} On an empty command name.
 *
 * @example
 * ```ts ignore
 * import { unshare } from "./unshare.ts";
 * const { exitCode } = await unshare(["rm", "-rf", "/path/owned/by/subuids"]);
 * ```
 */
export async function unshare(
  command: readonly string[],
  options: UnshareOptions = {},
): Promise<ExitStatus> {
  const argv = command.length ? [...command] : [sys.env("SHELL") || "/bin/sh"];
  if (!argv[0]) throw new UsageError("Empty command name for 'nook unshare'");
  const env = Object.entries(sys.envAll()).map(([k, v]) => `${k}=${v}`);
  env.push("NOOK_UNSHARE=1");
  const child = await spawnPlanned(
    planUnshare(argv, env),
    chooseIdMaps({ onWarning: options.onWarning }),
  );
  const stops = options.forwardSignals
    ? ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"].map((s) => sys.onSignal(s, () => child.kill(s)))
    : [];
  try {
    return await child.status;
  } finally {
    for (const stop of stops) stop();
  }
}
