/**
 * The error for an image reference that names no image in the store.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/**
 * An image reference that matches no image in the store (`No such image: <ref>`).
 *
 * @example
 * ```ts ignore
 * import { NoSuchImageError, removeImage } from "../../mod.ts";
 * try {
 *   await removeImage("nothing-here");
 * } catch (err) {
 *   if (!(err instanceof NoSuchImageError)) throw err;
 * }
 * ```
 */
export class NoSuchImageError extends UsageError {
  /** The reference that matched nothing. */
  readonly reference: string;
  /**
   * The error for a reference that matched nothing.
   *
   * @param reference The reference the caller gave.
   */
  constructor(reference: string) {
    super(`No such image: ${reference}`);
    this.name = "NoSuchImageError";
    this.reference = reference;
  }
}
