/**
 * Registry names as `login`, `logout` and `search` take them.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { DOMAIN_RE } from "./_grammar.ts";
import { DEFAULT_REGISTRY } from "./reference.ts";

/** Other names of Docker Hub. */
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/**
 * A registry name in the form references use: `host[:port]`. Accepts what
 * docker and podman accept for `login`: a URL (`https://index.docker.io/v1/`
 * becomes `docker.io`; the scheme and path are dropped) and Docker Hub's
 * other names.
 *
 * @param text A registry name or URL.
 * @returns `host[:port]`, or `docker.io` for Docker Hub.
 * @throws {UsageError} When the host is not a valid `host[:port]` or a name
 *   without a scheme has a path.
 *
 * @example
 * ```ts
 * import { normalizeRegistry } from "./normalize_registry.ts";
 * console.assert(normalizeRegistry("https://index.docker.io/v1/") === "docker.io");
 * console.assert(normalizeRegistry("127.0.0.1:5000") === "127.0.0.1:5000");
 * ```
 */
export function normalizeRegistry(text: string): string {
  let host = text.trim();
  const scheme = /^https?:\/\//i.exec(host);
  if (scheme) host = host.slice(scheme[0].length).replace(/\/.*$/, "");
  else host = host.replace(/\/+$/, "");
  if (!DOMAIN_RE.test(host)) {
    throw new UsageError(`Invalid registry '${text}': expected HOST[:PORT], such as 'quay.io'`);
  }
  return DOCKER_HUB_ALIASES.has(host.toLowerCase()) ? DEFAULT_REGISTRY : host;
}
