/**
 * The platform of the machine nook runs on.
 *
 * @module
 */
import { normalizePlatform, type Platform } from "./platform.ts";
import { runtimeArch } from "./_runtime.ts";

/**
 * The platform images are pulled for by default: `linux` and the host's CPU
 * (`linux/amd64` on x86-64, `linux/arm64/v8` on aarch64).
 *
 * @returns The canonical host platform.
 *
 * @example
 * ```ts
 * import { hostPlatform } from "./host_platform.ts";
 * console.assert(hostPlatform().os === "linux");
 * ```
 */
export function hostPlatform(): Platform {
  return normalizePlatform({ os: "linux", architecture: runtimeArch() });
}
