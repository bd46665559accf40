/**
 * The flags that `run` and `exec` share, about the process they start: its
 * stdin and terminal, environment, working directory and user. A module of
 * their own, so that `exec` does not load `run` (and the image and network
 * code it pulls in) to parse its arguments.
 *
 * @module
 */
import type { FlagSpec } from "./args.ts";

/**
 * `-i`, `-t`, `-e`, `--env-file`, `-w` and `-u`, in the order `--help` lists them.
 *
 * @example
 * ```ts
 * import { PROCESS_FLAGS } from "./process_flags.ts";
 * console.assert(PROCESS_FLAGS.some((f) => f.name === "workdir"));
 * ```
 */
export const PROCESS_FLAGS: readonly FlagSpec[] = [
  { name: "interactive", short: "i", type: "bool", help: "Keep STDIN open" },
  { name: "tty", short: "t", type: "bool", help: "Allocate a pseudo-TTY" },
  {
    name: "env",
    short: "e",
    type: "list",
    value: "NAME=VALUE",
    help: "Set an environment variable",
  },
  { name: "env-file", type: "list", value: "FILE", help: "Read environment variables from a file" },
  {
    name: "workdir",
    short: "w",
    type: "string",
    value: "DIR",
    help: "Working directory inside the container",
  },
  {
    name: "user",
    short: "u",
    type: "string",
    value: "USER[:GROUP]",
    help: "Name or uid (and group) to run as",
  },
];
