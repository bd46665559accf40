/**
 * The error of talking to a registry.
 *
 * @module
 */
import { NookError, type NookErrorOptions } from "../errors/mod.ts";

/** Options of {@linkcode RegistryError}. */
export interface RegistryErrorOptions extends NookErrorOptions {
  /** HTTP status of the registry's answer, when there was one. */
  status?: number;
  /**
   * What went wrong, as a code: the registry's own (`MANIFEST_UNKNOWN`,
   * `NAME_UNKNOWN`, `BLOB_UNKNOWN`, `UNAUTHORIZED`, `DENIED`,
   * `TOOMANYREQUESTS`, ...) or one of nook's: `NETWORK` (no HTTP answer),
   * `TLS` (certificate not trusted), `PLATFORM_UNKNOWN` (no manifest for
   * the platform), `MANIFEST_INVALID`, `DIGEST_MISMATCH`, `UNSUPPORTED`,
   * `HTTP_<status>` (an error status without a code).
   */
  code: string;
  /** The registry (`docker.io`, `127.0.0.1:5000`). */
  registry?: string;
}

/**
 * A registry refused a request, answered something unusable, or could not be
 * reached. The message says what failed and why, such as
 * `Cannot pull '127.0.0.1:5000/x:y': manifest unknown`.
 *
 * @example Tell "no such image" from other failures
 * ```ts
 * import { RegistryError } from "./registry_error.ts";
 * const err = new RegistryError("Cannot pull 'x:y': manifest unknown", {
 *   status: 404,
 *   code: "MANIFEST_UNKNOWN",
 * });
 * console.assert(err.code === "MANIFEST_UNKNOWN" && err.exitCode === 125);
 * ```
 */
export class RegistryError extends NookError {
  /** HTTP status, when the registry answered. */
  readonly status?: number;
  /** The registry's error code or one of nook's (see {@linkcode RegistryErrorOptions.code}). */
  readonly code: string;
  /** The registry, when known. */
  readonly registry?: string;

  /**
   * Makes the error.
   *
   * @param message What failed and why.
   * @param options Status, code, registry, cause.
   */
  constructor(message: string, options: RegistryErrorOptions) {
    super(message, options);
    this.name = "RegistryError";
    this.status = options.status;
    this.code = options.code;
    this.registry = options.registry;
  }
}
