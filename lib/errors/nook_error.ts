/**
 * The one error hierarchy of nook. Every error that nook means to show a user
 * is a {@linkcode NookError}: it carries the process exit code the CLI uses and
 * the details (step, errno, path) a caller may want to inspect.
 *
 * @module
 */

/** Exit code for an error of nook itself (bad input, host problem, setup step). */
export const EXIT_NOOK = 125;
/**
 * Exit code (podman's) when an object's state forbids the action: `rm` of a running
 * container without `-f`, `rmi` of an image a container uses.
 */
export const EXIT_STATE_INVALID = 2;
/** Exit code when the container command exists but cannot be executed. */
export const EXIT_CANNOT_EXECUTE = 126;
/** Exit code when the container command is not found. */
export const EXIT_NOT_FOUND = 127;

/** The sentence that ends every message about a host problem. */
export const HOST_FIX_HINT = "run 'nook system check' to see what to fix";

/** Options of {@linkcode NookError}. */
export interface NookErrorOptions {
  /** Process exit code the CLI uses for this error (default 125). */
  exitCode?: number;
  /** The underlying cause. */
  cause?: unknown;
}

/**
 * Base class of every error nook reports to a user.
 *
 * @example Catch any nook error
 * ```ts
 * import { NookError } from "./nook_error.ts";
 * const err = new NookError("Cannot find image 'x'");
 * console.assert(err.exitCode === 125);
 * ```
 */
export class NookError extends Error {
  /** Exit code the CLI uses for this error. */
  readonly exitCode: number;

  /**
   * Makes a nook error.
   *
   * @param message What failed and the current state.
   * @param options Exit code and cause.
   */
  constructor(message: string, options: NookErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "NookError";
    this.exitCode = options.exitCode ?? EXIT_NOOK;
  }
}

/**
 * Bad input from the user: a flag, a value, a path that does not fit.
 *
 * @example
 * ```ts
 * import { UsageError } from "./nook_error.ts";
 * throw new UsageError("Invalid volume spec 'x': expected HOST:CONTAINER[:ro|rw]");
 * ```
 */
export class UsageError extends NookError {
  /**
   * Makes a usage error.
   *
   * @param message What is wrong with the input and how to fix it.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The host lacks something nook needs (user namespaces, a helper, a range).
 * Its message always ends with {@linkcode HOST_FIX_HINT}.
 *
 * @example
 * ```ts
 * import { HostError } from "./nook_error.ts";
 * const err = new HostError("User namespaces are disabled");
 * console.assert(err.message.endsWith("see what to fix"));
 * ```
 */
export class HostError extends NookError {
  /**
   * Makes a host error; the fix hint is appended to the message.
   *
   * @param message The problem, without the fix hint.
   * @param options Exit code and cause.
   */
  constructor(message: string, options: NookErrorOptions = {}) {
    super(`${message}; ${HOST_FIX_HINT}`, options);
    this.name = "HostError";
  }
}

/** Options of {@linkcode SetupError}. */
export interface SetupErrorOptions extends NookErrorOptions {
  /** Name of the failed step ("mount", "exec", ...). */
  step: string;
  /** errno the kernel returned. */
  errno: number;
  /** Path the step worked on, if any. */
  path?: string;
}

/**
 * A container setup step failed in the child between clone and execve.
 *
 * @example
 * ```ts
 * import { SetupError } from "./nook_error.ts";
 * const err = new SetupError("mount proc on /proc: Operation not permitted", {
 *   step: "mount",
 *   errno: 1,
 * });
 * console.assert(err.errno === 1);
 * ```
 */
export class SetupError extends NookError {
  /** Name of the failed step. */
  readonly step: string;
  /** errno the kernel returned. */
  readonly errno: number;
  /** Path the step worked on, if any. */
  readonly path?: string;

  /**
   * Makes a setup error.
   *
   * @param message The step, its arguments and the errno text.
   * @param options Step, errno, path and exit code.
   */
  constructor(message: string, options: SetupErrorOptions) {
    super(message, options);
    this.name = "SetupError";
    this.step = options.step;
    this.errno = options.errno;
    this.path = options.path;
  }
}
