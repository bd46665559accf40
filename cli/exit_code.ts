/**
 * The exit codes of the verbs that act on named objects (`rm`, `rmi`, `stop`,
 * `inspect`, ...), as docker and podman give them: 1 when a name matches no
 * container, image or network, else the error's own (2 for a state that
 * forbids the action, 125 for the rest). `run`, `create` and `exec` keep 125
 * for every error of nook, and 126 and 127 for a command that cannot run; to
 * the other verbs (`start` of such a container) that is an error as any, 125
 * (podman's).
 *
 * @module
 */
import {
  EXIT_CANNOT_EXECUTE,
  EXIT_NOOK,
  EXIT_NOT_FOUND,
  type NookError,
} from "../lib/errors/mod.ts";
import { NoSuchContainerError } from "../lib/container/find_container.ts";
import { NoSuchImageError } from "../lib/image/no_such_image.ts";
import { NoSuchNetworkError } from "../lib/network/no_such_network.ts";

/** Exit code of a verb when a name matches nothing (docker's and podman's). */
export const EXIT_NO_SUCH_OBJECT = 1;

/**
 * Whether an error says that a name matched nothing.
 *
 * @param err The error.
 * @returns True for a missing container, image or network.
 *
 * @example
 * ```ts
 * import { isNoSuchObject } from "./exit_code.ts";
 * import { NoSuchImageError } from "../lib/image/no_such_image.ts";
 * console.assert(isNoSuchObject(new NoSuchImageError("x")));
 * ```
 */
export function isNoSuchObject(err: unknown): boolean {
  return err instanceof NoSuchContainerError || err instanceof NoSuchImageError ||
    err instanceof NoSuchNetworkError;
}

/**
 * The exit code a verb gives for an error.
 *
 * @param err The error.
 * @returns 1 for a name that matched nothing, 125 for a command that cannot
 *   run (126, 127), else the error's exit code.
 *
 * @example
 * ```ts
 * import { verbExitCode } from "./exit_code.ts";
 * import { NoSuchContainerError } from "../lib/container/find_container.ts";
 * import { NookError } from "../lib/errors/mod.ts";
 * console.assert(verbExitCode(new NoSuchContainerError("web")) === 1);
 * console.assert(verbExitCode(new NookError("x", { exitCode: 2 })) === 2);
 * console.assert(verbExitCode(new NookError("x", { exitCode: 127 })) === 125);
 * ```
 */
export function verbExitCode(err: NookError): number {
  if (isNoSuchObject(err)) return EXIT_NO_SUCH_OBJECT;
  return err.exitCode === EXIT_CANNOT_EXECUTE || err.exitCode === EXIT_NOT_FOUND
    ? EXIT_NOOK
    : err.exitCode;
}
