/**
 * `login` and `logout`: checking credentials with a registry and storing
 * them in the auth file.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { normalizeRegistry } from "../reference/mod.ts";
import { removeCredentials, storeCredentials } from "./credentials.ts";
import { RegistryClient, type RegistryClientOptions } from "./registry_client.ts";

/** Options of {@linkcode login}. */
export interface LoginOptions extends Omit<RegistryClientOptions, "credentials"> {
  /** The auth file to write (default `authFilePath()`). */
  authFile?: string;
  /** Cancels the check. */
  signal?: AbortSignal;
}

/**
 * Logs in to a registry: checks the user name and password with the
 * registry (`GET /v2/` through its Bearer or Basic auth), then stores them
 * in the auth file (podman's format, replaced atomically, mode 0600).
 *
 * @param registry `host[:port]`, or a URL such as `https://index.docker.io/v1/`.
 * @param username User name.
 * @param password Password or access token.
 * @param options TLS settings, auth file, signal.
 * @returns The path of the auth file written.
 * @throws {UsageError} When the registry name is invalid or the user name
 *   or password is empty.
 * @throws {RegistryError} `UNAUTHORIZED` (`Cannot log in to 'host': wrong user
 *   name or password`), `NETWORK`, `TLS`, ...
 *
 * @example
 * ```ts ignore
 * import { login } from "./login.ts";
 * await login("127.0.0.1:5000", "user", "secret", { certDir: "/etc/my-ca" });
 * ```
 */
export async function login(
  registry: string,
  username: string,
  password: string,
  options: LoginOptions = {},
): Promise<string> {
  const name = normalizeRegistry(registry);
  if (!username) throw new UsageError(`Cannot log in to '${name}': the user name is empty`);
  if (username.includes(":")) {
    throw new UsageError(`Cannot log in to '${name}': user name '${username}' contains ':'`);
  }
  if (!password) throw new UsageError(`Cannot log in to '${name}': the password is empty`);
  const credential = { username, password };
  const { authFile, signal, ...clientOptions } = options;
  const client = new RegistryClient({ ...clientOptions, credentials: () => credential });
  try {
    await client.checkCredentials(name, { signal });
  } finally {
    client.close();
  }
  return storeCredentials(name, credential, { authFile });
}

/** Options of {@linkcode logout}. */
export interface LogoutOptions {
  /** The auth file (default `authFilePath()`). */
  authFile?: string;
}

/**
 * Logs out of a registry: removes its credentials from the auth file.
 * Credentials in docker's `~/.docker/config.json` are left alone.
 *
 * @param registry `host[:port]` or a URL.
 * @param options The auth file.
 * @returns Whether credentials were stored (false: "not logged in").
 * @throws {UsageError} When the registry name is invalid.
 *
 * @example
 * ```ts ignore
 * import { logout } from "./login.ts";
 * if (!logout("127.0.0.1:5000")) console.error("Not logged in to 127.0.0.1:5000");
 * ```
 */
export function logout(registry: string, options: LogoutOptions = {}): boolean {
  return removeCredentials(normalizeRegistry(registry), options);
}
