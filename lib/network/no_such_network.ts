/**
 * The error for a network reference that names no network.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/**
 * A network name or id prefix that matches no network (`No such network: <ref>`).
 *
 * @example
 * ```ts ignore
 * import { inspectNetwork, NoSuchNetworkError } from "../../mod.ts";
 * try {
 *   inspectNetwork("nothing-here");
 * } catch (err) {
 *   if (!(err instanceof NoSuchNetworkError)) throw err;
 * }
 * ```
 */
export class NoSuchNetworkError extends UsageError {
  /** The reference that matched nothing. */
  readonly reference: string;
  /**
   * The error for a reference that matched nothing.
   *
   * @param reference The name or id prefix the caller gave.
   */
  constructor(reference: string) {
    super(`No such network: ${reference}`);
    this.name = "NoSuchNetworkError";
    this.reference = reference;
  }
}
