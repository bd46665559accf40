/**
 * The error of a tar stream that is not a valid archive.
 *
 * @module
 */
import { UnpackError, type UnpackErrorOptions } from "./unpack_error.ts";

/**
 * The bytes are not a valid tar archive: a bad checksum, a malformed number,
 * PAX record or sparse map, or an archive cut short. It is an
 * {@linkcode UnpackError} whose message reads `Corrupt layer: <reason>`, as
 * layers are what nook reads most; a reader of another kind of archive (an
 * image archive) shows {@linkcode TarFormatError.reason} in its own words.
 *
 * @example Show the reason without the layer wording
 * ```ts
 * import { TarFormatError } from "./tar_format_error.ts";
 * const err = new TarFormatError("bad tar header checksum at byte 0");
 * console.assert(err.message === "Corrupt layer: bad tar header checksum at byte 0");
 * console.assert(err.reason === "bad tar header checksum at byte 0");
 * ```
 */
export class TarFormatError extends UnpackError {
  /** What is wrong, and where, without the `Corrupt layer: ` prefix. */
  readonly reason: string;

  /**
   * @param reason What is wrong, and where (starting lower case).
   * @param options The entry at fault, when there is one, and the cause.
   */
  constructor(reason: string, options: UnpackErrorOptions = {}) {
    super(`Corrupt layer: ${reason}`, options);
    this.name = "TarFormatError";
    this.reason = reason;
  }
}
