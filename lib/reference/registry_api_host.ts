/**
 * Where a registry's HTTP API lives.
 *
 * @module
 */
import { DEFAULT_REGISTRY } from "./reference.ts";

/** The host of Docker Hub's registry API. */
const DOCKER_HUB_API_HOST = "registry-1.docker.io";

/**
 * The host (and port) to send `/v2/` requests to for a registry: Docker Hub
 * (`docker.io`, `index.docker.io`) answers at `registry-1.docker.io`, every
 * other registry at its own name.
 *
 * @param registry The registry part of a reference.
 * @returns A host with an optional port.
 *
 * @example
 * ```ts
 * import { registryApiHost } from "./registry_api_host.ts";
 * console.assert(registryApiHost("docker.io") === "registry-1.docker.io");
 * console.assert(registryApiHost("127.0.0.1:5000") === "127.0.0.1:5000");
 * ```
 */
export function registryApiHost(registry: string): string {
  if (registry === DEFAULT_REGISTRY || registry === "index.docker.io") return DOCKER_HUB_API_HOST;
  return registry;
}
