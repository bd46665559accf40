/**
 * The error of layer unpacking.
 *
 * @module
 */
import { NookError, type NookErrorOptions } from "../errors/nook_error.ts";

/** Options of {@linkcode UnpackError}. */
export interface UnpackErrorOptions extends NookErrorOptions {
  /** Name of the layer entry at fault, as written in the archive. */
  entry?: string;
}

/**
 * A layer cannot be unpacked: an entry is unsafe (it would write outside the
 * layer directory), the archive is corrupt, or the file system refused a
 * write. The destination then holds a partial layer for the caller to remove.
 *
 * @example Tell which entry was refused
 * ```ts
 * import { UnpackError } from "./unpack_error.ts";
 * const err = new UnpackError(
 *   "Refusing layer entry '../etc/passwd': it points outside the layer",
 *   { entry: "../etc/passwd" },
 * );
 * console.assert(err.entry === "../etc/passwd" && err.exitCode === 125);
 * ```
 */
export class UnpackError extends NookError {
  /** Name of the layer entry at fault, when there is one. */
  readonly entry?: string;

  /**
   * @param message What failed, naming the entry, and why.
   * @param options The entry, exit code and cause.
   */
  constructor(message: string, options: UnpackErrorOptions = {}) {
    super(message, options);
    this.name = "UnpackError";
    this.entry = options.entry;
  }
}
