/**
 * A client of OCI distribution registries: resolve a reference to the
 * manifest for a platform, fetch configs and blobs, upload blobs and
 * manifests, list tags and repositories, search; with Bearer/Basic auth,
 * podman-compatible `login`/`logout`, TLS options and retries.
 *
 * @example Pull a manifest and its config
 * ```ts ignore
 * import { parseReference } from "../reference/mod.ts";
 * import { RegistryClient } from "./mod.ts";
 * using client = new RegistryClient({ certDir: "/etc/my-ca" });
 * const ref = parseReference("127.0.0.1:5000/x/busybox:1.0");
 * const { manifest } = await client.getManifest(ref);
 * const { config, digest } = await client.getConfig(ref, manifest);
 * ```
 *
 * @module
 */
export {
  type BlobResult,
  type ConfigResult,
  type FetchFunction,
  type GetBlobOptions,
  type GetManifestOptions,
  type ManifestResult,
  type RawManifest,
  RegistryClient,
  type RegistryClientOptions,
  type RequestOptions,
  type SearchOptions,
  type SearchResult,
  type UploadBlobOptions,
  type UploadResult,
} from "./registry_client.ts";
export { RegistryError, type RegistryErrorOptions } from "./registry_error.ts";
export { login, type LoginOptions, logout, type LogoutOptions } from "./login.ts";
export {
  type AuthFileOptions,
  authFilePath,
  type Credential,
  credentialFiles,
  type CredentialLookup,
  readCredentials,
  type ReadCredentialsOptions,
  removeCredentials,
  storeCredentials,
} from "./credentials.ts";
export type {
  ContainerConfig,
  Descriptor,
  ImageConfig,
  ImageIndex,
  ImageManifest,
} from "./manifest.ts";
export * from "./media_types.ts";
export { type ParsedManifest, parseManifest } from "./parse_manifest.ts";
export { formatPlatform, normalizePlatform, parsePlatform, type Platform } from "./platform.ts";
export { hostPlatform } from "./host_platform.ts";
export { selectPlatform } from "./select_platform.ts";
export { type LayerSource, layerSources } from "./layer_sources.ts";
export { type Challenge, parseWwwAuthenticate } from "./www_authenticate.ts";
export {
  backoffDelay,
  isTransientStatus,
  type RetryOptions,
  type RetryPolicy,
  retryPolicy,
  sleep,
} from "./retry.ts";
export { sha256Digest } from "./sha256_digest.ts";
