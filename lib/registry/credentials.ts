/**
 * Registry credentials from podman's and docker's auth files.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { sys } from "../sys/mod.ts";
import { renameFile } from "./_runtime.ts";

/** A user name and password for a registry. */
export interface Credential {
  /** User name. */
  username: string;
  /** Password or access token. */
  password: string;
}

/**
 * Finds the credentials for a registry (and repository, for auth files with
 * per-namespace entries); `undefined` means anonymous.
 */
export type CredentialLookup = (
  registry: string,
  repository?: string,
) => Credential | undefined | Promise<Credential | undefined>;

/**
 * The auth file nook writes on `login`, as podman does: `REGISTRY_AUTH_FILE`
 * when set, else `$XDG_RUNTIME_DIR/containers/auth.json`, else (no runtime
 * dir) `/tmp/nook-<uid>/containers/auth.json`, whose parent must be a private
 * directory of the user.
 *
 * @returns An absolute path (the file may not exist).
 * @throws {Error} When the `/tmp/nook-<uid>` fallback is not private.
 *
 * @example
 * ```ts ignore
 * import { authFilePath } from "./credentials.ts";
 * console.log(authFilePath()); // /run/user/1000/containers/auth.json
 * ```
 */
export function authFilePath(): string {
  const fromEnv = sys.env("REGISTRY_AUTH_FILE");
  if (fromEnv) return fromEnv;
  const xdg = sys.env("XDG_RUNTIME_DIR");
  if (xdg && sys.stat(xdg)?.isDirectory) return `${xdg}/containers/auth.json`;
  return `${runtimeDir()}/containers/auth.json`;
}

/**
 * The files credentials are read from, first match wins: nook's and podman's
 * {@linkcode authFilePath}, `$XDG_CONFIG_HOME/containers/auth.json` (or
 * `~/.config/...`), then docker's `$DOCKER_CONFIG/config.json` (or
 * `~/.docker/config.json`).
 *
 * @param authFile Use this instead of {@linkcode authFilePath} as the first file.
 * @returns Paths, existing or not.
 *
 * @example
 * ```ts ignore
 * import { credentialFiles } from "./credentials.ts";
 * console.log(credentialFiles());
 * ```
 */
export function credentialFiles(authFile?: string): string[] {
  const home = sys.env("HOME");
  const config = sys.env("XDG_CONFIG_HOME") || (home ? `${home}/.config` : undefined);
  const docker = sys.env("DOCKER_CONFIG") || (home ? `${home}/.docker` : undefined);
  const files = [authFile ?? authFilePath()];
  if (config) files.push(`${config}/containers/auth.json`);
  if (docker) files.push(`${docker}/config.json`);
  return files;
}

/** Options of {@linkcode readCredentials}. */
export interface ReadCredentialsOptions {
  /** The files to read, in order (default {@linkcode credentialFiles}). */
  files?: string[];
}

/**
 * The stored credentials for a registry. Each file is read in turn; in a file
 * the most specific key wins (`registry/namespace/repo`, then its parents,
 * then `registry`), as in podman. Keys may be URLs as docker writes them
 * (`https://index.docker.io/v1/`); every Docker Hub name counts as
 * `docker.io`. Entries hold `auth` (base64 of `user:password`) or `username`
 * and `password`. Unreadable or malformed files are skipped; credential
 * helpers (`credsStore`, `credHelpers`) are not supported.
 *
 * @param registry The registry (`docker.io`, `127.0.0.1:5000`).
 * @param repository The repository, for per-namespace entries.
 * @param options Which files to read.
 * @returns The credentials, or `undefined` when none are stored.
 *
 * @example
 * ```ts ignore
 * import { readCredentials } from "./credentials.ts";
 * const cred = readCredentials("quay.io", "org/app");
 * ```
 */
export function readCredentials(
  registry: string,
  repository?: string,
  options: ReadCredentialsOptions = {},
): Credential | undefined {
  const wanted = candidateKeys(normalizeKey(registry), repository);
  for (const file of options.files ?? credentialFiles()) {
    const auths = readAuths(file);
    if (!auths) continue;
    const found = new Map<string, Credential>();
    for (const [key, entry] of Object.entries(auths)) {
      const cred = decodeEntry(entry);
      if (cred) found.set(normalizeKey(key), cred);
    }
    for (const key of wanted) {
      const cred = found.get(key);
      if (cred) return cred;
    }
  }
  return undefined;
}

/** Options of {@linkcode storeCredentials} and {@linkcode removeCredentials}. */
export interface AuthFileOptions {
  /** The auth file (default {@linkcode authFilePath}). */
  authFile?: string;
}

/**
 * Stores credentials for a registry in the auth file, podman's format
 * (`{"auths":{"host":{"auth":"base64(user:password)"}}}`), keeping the
 * file's other entries. The file is replaced atomically (written to a
 * temporary file, then renamed) with mode 0600; a missing directory is made
 * with mode 0700.
 *
 * @param registry The key, such as `docker.io` or `127.0.0.1:5000`.
 * @param credential User name and password.
 * @param options Which file.
 * @returns The path of the auth file.
 * @throws {NookError} When the file exists but is not a JSON object.
 * @throws {Error} When it cannot be written.
 *
 * @example
 * ```ts ignore
 * import { storeCredentials } from "./credentials.ts";
 * storeCredentials("127.0.0.1:5000", { username: "u", password: "p" });
 * ```
 */
export function storeCredentials(
  registry: string,
  credential: Credential,
  options: AuthFileOptions = {},
): string {
  const path = options.authFile ?? authFilePath();
  const doc = readDocument(path);
  const auths = (doc.auths ?? {}) as Record<string, unknown>;
  auths[registry] = { auth: btoa(binaryString(`${credential.username}:${credential.password}`)) };
  doc.auths = auths;
  writeDocument(path, doc);
  return path;
}

/**
 * Removes a registry's credentials from the auth file (every key that
 * normalises to it, such as `https://index.docker.io/v1/` for `docker.io`).
 *
 * @param registry The registry.
 * @param options Which file.
 * @returns Whether there was anything to remove.
 * @throws {NookError} When the file is not a JSON object.
 * @throws {Error} When it cannot be written.
 *
 * @example
 * ```ts ignore
 * import { removeCredentials } from "./credentials.ts";
 * if (!removeCredentials("127.0.0.1:5000")) console.log("Not logged in");
 * ```
 */
export function removeCredentials(registry: string, options: AuthFileOptions = {}): boolean {
  const path = options.authFile ?? authFilePath();
  if (sys.readText(path) === null) return false;
  const doc = readDocument(path);
  const auths = (doc.auths ?? {}) as Record<string, unknown>;
  const wanted = normalizeKey(registry);
  const keys = Object.keys(auths).filter((k) => normalizeKey(k) === wanted);
  if (keys.length === 0) return false;
  for (const key of keys) delete auths[key];
  writeDocument(path, doc);
  return true;
}

const DOCKER_HUB_KEYS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** `https://index.docker.io/v1/` -> `docker.io`; `quay.io/org` stays. */
function normalizeKey(key: string): string {
  let k = key.trim();
  const scheme = /^https?:\/\//i.exec(k);
  if (scheme) k = k.slice(scheme[0].length).replace(/\/.*$/, "");
  k = k.replace(/\/+$/, "");
  const slash = k.indexOf("/");
  const host = slash === -1 ? k : k.slice(0, slash);
  const rest = slash === -1 ? "" : k.slice(slash);
  return (DOCKER_HUB_KEYS.has(host.toLowerCase()) ? "docker.io" : host) + rest;
}

/** `r/a/b/c`, `r/a/b`, `r/a`, `r`. */
function candidateKeys(registry: string, repository?: string): string[] {
  const keys: string[] = [];
  if (repository) {
    const parts = repository.split("/");
    for (let i = parts.length; i > 0; i--) keys.push(`${registry}/${parts.slice(0, i).join("/")}`);
  }
  keys.push(registry);
  return keys;
}

function readAuths(file: string): Record<string, unknown> | undefined {
  let text: string | null;
  try {
    text = sys.readText(file);
  } catch {
    return undefined; // unreadable (permissions): as if absent
  }
  if (text === null) return undefined;
  try {
    const doc = JSON.parse(text);
    return typeof doc?.auths === "object" && doc.auths !== null ? doc.auths : undefined;
  } catch {
    return undefined;
  }
}

function decodeEntry(entry: unknown): Credential | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.auth === "string" && e.auth !== "") {
    let text: string;
    try {
      text = new TextDecoder().decode(Uint8Array.from(atob(e.auth), (c) => c.charCodeAt(0)));
    } catch {
      return undefined;
    }
    const colon = text.indexOf(":");
    if (colon <= 0) return undefined;
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof e.username === "string" && e.username !== "" && typeof e.password === "string") {
    return { username: e.username, password: e.password };
  }
  return undefined;
}

/** UTF-8 bytes of a string as a binary string, for `btoa`. */
function binaryString(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join("");
}

function readDocument(path: string): Record<string, unknown> {
  const text = sys.readText(path);
  if (text === null || text.trim() === "") return {};
  try {
    const doc = JSON.parse(text);
    if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) return doc;
  } catch {
    // Reported below.
  }
  throw new NookError(
    `Cannot update auth file '${path}': it is not a JSON object; fix or remove it`,
  );
}

function writeDocument(path: string, doc: Record<string, unknown>): void {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  sys.mkdirp(dir, 0o700);
  const tmp = `${path}.tmp-${sys.pid()}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    sys.writeText(tmp, JSON.stringify(doc, null, "\t") + "\n", 0o600);
    renameFile(tmp, path);
  } catch (err) {
    sys.remove(tmp);
    throw err;
  }
}
