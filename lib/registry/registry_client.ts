/**
 * A client of the OCI distribution API (`/v2/`): manifests, configs, blobs,
 * uploads, tags, catalog, search; with Bearer and Basic auth, TLS settings
 * and retries.
 *
 * @module
 */
import {
  familiarName,
  normalizeRegistry,
  type Reference,
  validateDigest,
} from "../reference/mod.ts";
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from "./manifest.ts";
import { MANIFEST_ACCEPT } from "./media_types.ts";
import { type ParsedManifest, parseManifest } from "./parse_manifest.ts";
import { formatPlatform, parsePlatform, type Platform } from "./platform.ts";
import { hostPlatform } from "./host_platform.ts";
import { selectPlatform } from "./select_platform.ts";
import { layerSources } from "./layer_sources.ts";
import { RegistryError } from "./registry_error.ts";
import { type CredentialLookup, readCredentials } from "./credentials.ts";
import { type RetryOptions, retryPolicy } from "./retry.ts";
import { sha256Digest } from "./sha256_digest.ts";
import { type FetchFunction, lowerFirst, type Op, RegistryHttp } from "./_registry_http.ts";

export type { FetchFunction };

/** Options of {@linkcode RegistryClient}. */
export interface RegistryClientOptions {
  /**
   * Verify TLS certificates (default true). With false, HTTPS certificates
   * are not checked (through `node:https`, loaded only then).
   */
  tlsVerify?: boolean;
  /**
   * A directory of extra CA certificates (`*.crt`, PEM), trusted for every
   * registry this client talks to (podman's `--cert-dir`). Without it, each
   * registry's `~/.config/containers/certs.d/<registry>`,
   * `/etc/containers/certs.d/<registry>` or `/etc/docker/certs.d/<registry>`
   * is used when it exists.
   */
  certDir?: string;
  /**
   * Registries (`host[:port]`) that may answer over plain HTTP and whose
   * certificates are not verified, like docker's `insecure-registries`.
   * Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) may always use
   * plain HTTP: HTTPS is tried first, then HTTP when the server does not
   * speak TLS; their certificates are still verified.
   */
  insecureRegistries?: string[];
  /**
   * Finds credentials (default: `readCredentials()` over podman's and
   * docker's auth files).
   */
  credentials?: CredentialLookup;
  /** The `User-Agent` header (default `nook/0.1`). */
  userAgent?: string;
  /** Replaces every HTTP exchange (tests); TLS options are then unused. */
  fetch?: FetchFunction;
  /** Retries of network errors, 408, 429 and 5xx. */
  retry?: RetryOptions;
}

/** Options shared by the client's methods. */
export interface RequestOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** Options of {@linkcode RegistryClient.getManifest}. */
export interface GetManifestOptions extends RequestOptions {
  /**
   * The platform to pick from an index or manifest list, as a value or
   * `os/arch[/variant]` text (default: the host's, {@linkcode hostPlatform}).
   */
  platform?: Platform | string;
}

/** A manifest or index as fetched: bytes, digest and parsed content. */
export type RawManifest = ParsedManifest & {
  /** `sha256:` of `bytes` (checked against the reference's digest when pulled by digest). */
  digest: string;
  /** The document byte for byte, as its digest covers it. */
  bytes: Uint8Array;
};

/** What {@linkcode RegistryClient.getManifest} returns. */
export interface ManifestResult {
  /** Media type of the image manifest. */
  mediaType: string;
  /** Digest of the image manifest. */
  digest: string;
  /** The image manifest byte for byte. */
  bytes: Uint8Array;
  /** The parsed image manifest. */
  manifest: ImageManifest;
  /**
   * The index (manifest list) the manifest was chosen from, when the
   * reference named one; its digest is what docker records as the repo digest.
   */
  index?: { mediaType: string; digest: string; bytes: Uint8Array; index: ImageIndex };
  /** The platform of the chosen entry, when it came from an index. */
  platform?: Platform;
}

/** What {@linkcode RegistryClient.getConfig} returns. */
export interface ConfigResult {
  /** The config's digest: the image id. */
  digest: string;
  /** The config byte for byte. */
  bytes: Uint8Array;
  /** The parsed config. */
  config: ImageConfig;
}

/** Options of {@linkcode RegistryClient.getBlob} and {@linkcode RegistryClient.getLayer}. */
export interface GetBlobOptions extends RequestOptions {
  /** Resume from this byte (an HTTP `Range` request); default 0. */
  offset?: number;
}

/** A blob being downloaded. */
export interface BlobResult {
  /** The bytes from `offset` on; read it to the end or cancel it. */
  body: ReadableStream<Uint8Array>;
  /** Total size of the blob, when the server said. */
  size?: number;
  /**
   * Where `body` starts: the requested offset, or 0 when the server ignored
   * the `Range` request (then the caller starts over).
   */
  offset: number;
  /** Where the bytes come from: `registry`, or the URL of a foreign layer. */
  source: string;
}

/** Options of {@linkcode RegistryClient.uploadBlob}. */
export interface UploadBlobOptions extends RequestOptions {
  /** Upload in `PATCH` chunks instead of one `PUT` (default false). */
  chunked?: boolean;
  /** Chunk size for chunked uploads (default 8 MiB). */
  chunkSize?: number;
  /**
   * Try a cross-repository mount from this repository of the same registry
   * first (`POST ...?mount=<digest>&from=<repo>`); uploads when refused.
   */
  mountFrom?: string;
}

/** What {@linkcode RegistryClient.uploadBlob} did. */
export interface UploadResult {
  /** The blob's digest. */
  digest: string;
  /** True when the registry mounted it from `mountFrom` (nothing was sent). */
  mounted: boolean;
}

/** Options of {@linkcode RegistryClient.search}. */
export interface SearchOptions extends RequestOptions {
  /** Most results (default 25). */
  limit?: number;
}

/** One search result. */
export interface SearchResult {
  /** Registry it is in. */
  registry: string;
  /** Repository, as the registry names it (`library/busybox` or `busybox` on Docker Hub). */
  name: string;
  /** Description (Docker Hub only). */
  description: string;
  /** Stars (Docker Hub only). */
  stars: number;
  /** A Docker official image. */
  official: boolean;
  /** An automated build. */
  automated: boolean;
}

/** Largest manifest accepted, as in containerd. */
const MANIFEST_LIMIT = 4 << 20;
/** Largest image config accepted. */
const CONFIG_LIMIT = 32 << 20;
/** Chunk size of chunked uploads. */
const DEFAULT_CHUNK = 8 << 20;
const DOCKER_HUB_SEARCH = "https://index.docker.io/v1/search";

/**
 * A client of OCI distribution registries (Docker Hub, quay.io, the CNCF
 * distribution registry, ...). One client can talk to many registries; it
 * caches tokens per registry and scope, the scheme of each registry and its
 * connections. Call {@linkcode RegistryClient.close} (or `using`) when done.
 *
 * Auth: anonymous and authenticated Bearer tokens from the registry's
 * `WWW-Authenticate` challenge, and Basic auth, with stored credentials
 * (podman's and docker's auth files). A 401 on a cached token fetches a new
 * one once. Transient failures (network errors, 408, 429, 5xx) are retried
 * with exponential backoff, honouring `Retry-After`. Redirects (blob
 * downloads from a CDN) are followed without sending credentials to other
 * hosts.
 *
 * @example Pull a manifest, its config and first layer
 * ```ts ignore
 * import { parseReference } from "../reference/mod.ts";
 * import { RegistryClient } from "./registry_client.ts";
 * using client = new RegistryClient();
 * const ref = parseReference("127.0.0.1:5000/x/busybox:1.0");
 * const { manifest } = await client.getManifest(ref, { platform: "linux/amd64" });
 * const { config } = await client.getConfig(ref, manifest);
 * const { body } = await client.getBlob(ref, manifest.layers[0].digest);
 * ```
 */
export class RegistryClient implements Disposable {
  #http: RegistryHttp;

  /**
   * Makes a client; nothing is sent until a method is called.
   *
   * @param options TLS, credentials, user agent, retries, a fetch for tests.
   * @throws {RangeError} When the retry settings are out of range.
   * @throws {UsageError} When an entry of `insecureRegistries` is not `host[:port]`.
   */
  constructor(options: RegistryClientOptions = {}) {
    this.#http = new RegistryHttp({
      tlsVerify: options.tlsVerify ?? true,
      certDir: options.certDir,
      insecureRegistries: (options.insecureRegistries ?? []).map((r) => normalizeRegistry(r)),
      credentials: options.credentials ??
        ((registry, repository) => readCredentials(registry, repository)),
      userAgent: options.userAgent ?? "nook/0.1",
      fetch: options.fetch,
      retry: retryPolicy(options.retry),
    });
  }

  /**
   * Fetches an image manifest. When the reference names an index (manifest
   * list), the entry for the platform is chosen (see `selectPlatform()`) and
   * fetched. Content fetched by digest is checked against it. A single image
   * manifest is returned whatever its platform (compare its config's
   * `os`/`architecture` to warn as docker does).
   *
   * @param ref The image; its digest wins over its tag.
   * @param options Platform and signal.
   * @returns The manifest, its digest and bytes, and the index it came from.
   * @throws {RegistryError} `MANIFEST_UNKNOWN`/`NAME_UNKNOWN` (no such image),
   *   `PLATFORM_UNKNOWN` (no entry for the platform; the message lists the
   *   platforms there are), `UNAUTHORIZED`, `DIGEST_MISMATCH`,
   *   `MANIFEST_INVALID`, `UNSUPPORTED` (schema 1), `NETWORK`, `TLS`.
   * @throws {UsageError} When `options.platform` is malformed.
   *
   * @example
   * ```ts ignore
   * const { manifest, digest, index } = await client.getManifest(ref, { platform: "linux/arm64" });
   * ```
   */
  async getManifest(ref: Reference, options: GetManifestOptions = {}): Promise<ManifestResult> {
    const platform = typeof options.platform === "string"
      ? parsePlatform(options.platform)
      : options.platform ?? hostPlatform();
    const op = this.#pullOp(ref, options.signal);
    const first = await this.#fetchManifest(op, ref, ref.digest ?? ref.tag ?? "latest");
    if (first.kind === "manifest") {
      return {
        mediaType: first.mediaType,
        digest: first.digest,
        bytes: first.bytes,
        manifest: first.manifest,
      };
    }
    const entry = selectPlatform(first.index.manifests, platform);
    if (!entry) {
      const have = first.index.manifests
        .filter((m) => m.platform && m.platform.os !== "unknown")
        .map((m) => formatPlatform(m.platform!));
      throw new RegistryError(
        `Cannot ${op.action} '${op.target}': no image for platform '${formatPlatform(platform)}' ` +
          `(the image has ${have.length ? have.join(", ") : "no platforms"})`,
        { code: "PLATFORM_UNKNOWN", registry: ref.registry },
      );
    }
    const chosen = await this.#fetchManifest(op, ref, entry.digest);
    if (chosen.kind !== "manifest") {
      throw new RegistryError(
        `Cannot ${op.action} '${op.target}': the entry '${entry.digest}' of its index is not ` +
          "an image manifest",
        { code: "MANIFEST_INVALID", registry: ref.registry },
      );
    }
    return {
      mediaType: chosen.mediaType,
      digest: chosen.digest,
      bytes: chosen.bytes,
      manifest: chosen.manifest,
      index: {
        mediaType: first.mediaType,
        digest: first.digest,
        bytes: first.bytes,
        index: first.index,
      },
      platform: entry.platform,
    };
  }

  /**
   * Fetches what a reference names without choosing a platform: an image
   * manifest or an index (for `manifest inspect`, or to push an index).
   *
   * @param ref The image; its digest wins over its tag.
   * @param options Signal.
   * @returns The document, its kind, digest and bytes.
   * @throws {RegistryError} As {@linkcode RegistryClient.getManifest}.
   *
   * @example
   * ```ts ignore
   * const raw = await client.getManifestOrIndex(ref);
   * if (raw.kind === "index") console.log(raw.index.manifests.length);
   * ```
   */
  getManifestOrIndex(ref: Reference, options: RequestOptions = {}): Promise<RawManifest> {
    return this.#fetchManifest(
      this.#pullOp(ref, options.signal),
      ref,
      ref.digest ?? ref.tag ?? "latest",
    );
  }

  /**
   * Fetches and parses an image's config, checking its digest and size.
   *
   * @param ref The image (for the registry and repository).
   * @param manifest Its manifest.
   * @param options Signal.
   * @returns The config, its digest (the image id) and bytes.
   * @throws {RegistryError} `BLOB_UNKNOWN`, `DIGEST_MISMATCH`, `MANIFEST_INVALID`
   *   (config not JSON or too large), and the errors of every request.
   *
   * @example
   * ```ts ignore
   * const { config } = await client.getConfig(ref, manifest);
   * console.log(config.config?.Cmd);
   * ```
   */
  async getConfig(
    ref: Reference,
    manifest: ImageManifest,
    options: RequestOptions = {},
  ): Promise<ConfigResult> {
    const op = this.#pullOp(ref, options.signal);
    const { digest, size } = manifest.config;
    const res = await this.#http.send(op, await this.#blobUrl(op, ref, digest), { method: "GET" });
    if (!res.ok) return this.#http.fail(op, res);
    const bytes = await this.#http.read(op, res, CONFIG_LIMIT);
    if (!bytes) {
      throw this.#http.error(
        op,
        `its config is larger than ${CONFIG_LIMIT >> 20} MiB`,
        "MANIFEST_INVALID",
      );
    }
    await this.#checkDigest(op, bytes, digest, size);
    let config: ImageConfig;
    try {
      config = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw this.#http.error(op, `its config '${digest}' is not JSON`, "MANIFEST_INVALID");
    }
    if (typeof config !== "object" || config === null) {
      throw this.#http.error(op, `its config '${digest}' is not a JSON object`, "MANIFEST_INVALID");
    }
    return { digest, bytes, config };
  }

  /**
   * Starts downloading a blob from the registry. The bytes are not checked
   * here: hash them while reading and compare with `digest`.
   *
   * @param ref The image (for the registry and repository).
   * @param digest The blob's digest (validated before use).
   * @param options Resume offset and signal.
   * @returns The body stream, total size and where the body starts.
   * @throws {UsageError} When `digest` is not a sha256 digest.
   * @throws {RegistryError} `BLOB_UNKNOWN` and the errors of every request.
   *
   * @example Resume a download
   * ```ts ignore
   * const part = await client.getBlob(ref, digest, { offset: 1024 });
   * if (part.offset === 0) {
   *   // the server ignored the range: start over
   * }
   * ```
   */
  async getBlob(ref: Reference, digest: string, options: GetBlobOptions = {}): Promise<BlobResult> {
    validateDigest(digest);
    const op = this.#pullOp(ref, options.signal);
    const url = await this.#blobUrl(op, ref, digest);
    return await this.#download(op, url, options.offset ?? 0, "registry", true);
  }

  /**
   * Starts downloading a layer from where it lives (see `layerSources()`):
   * a foreign / non-distributable layer from its `urls` first (without
   * registry credentials), then the registry.
   *
   * @param ref The image.
   * @param layer The layer's descriptor.
   * @param options Resume offset and signal.
   * @returns As {@linkcode RegistryClient.getBlob}, with `source` naming the URL used.
   * @throws {RegistryError} When no source has it (the registry's error).
   *
   * @example
   * ```ts ignore
   * for (const layer of manifest.layers) {
   *   const { body, source } = await client.getLayer(ref, layer);
   * }
   * ```
   */
  async getLayer(
    ref: Reference,
    layer: Descriptor,
    options: GetBlobOptions = {},
  ): Promise<BlobResult> {
    validateDigest(layer.digest);
    const op = this.#pullOp(ref, options.signal);
    for (const source of layerSources(layer)) {
      if (source.kind === "registry") break;
      try {
        return await this.#download(op, source.url, options.offset ?? 0, source.url, false);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        // Try the next source, as docker does.
      }
    }
    return this.getBlob(ref, layer.digest, options);
  }

  /**
   * Whether the repository holds a blob (`HEAD`).
   *
   * @param ref The repository (tag and digest unused).
   * @param digest The blob's digest.
   * @param options Signal.
   * @returns True when it exists.
   * @throws {UsageError} When `digest` is not a sha256 digest.
   * @throws {RegistryError} For answers other than 200 and 404.
   *
   * @example
   * ```ts ignore
   * if (!await client.blobExists(ref, digest)) await client.uploadBlob(ref, digest, size, bytes);
   * ```
   */
  async blobExists(ref: Reference, digest: string, options: RequestOptions = {}): Promise<boolean> {
    validateDigest(digest);
    const op = this.#pushOp(ref, options.signal);
    const res = await this.#http.send(op, await this.#blobUrl(op, ref, digest), { method: "HEAD" });
    await res.body?.cancel();
    if (res.ok) return true;
    if (res.status === 404) return false;
    return this.#http.fail(op, res);
  }

  /**
   * Uploads a blob: `POST` an upload, then one `PUT` with the bytes
   * (monolithic), or `PATCH` chunks and a closing `PUT` (chunked). A
   * `Uint8Array` body is retried on transient errors; a stream is sent once.
   * The registry checks the digest.
   *
   * @param ref The repository (tag and digest unused).
   * @param digest The blob's digest.
   * @param size Its size in bytes.
   * @param body The bytes.
   * @param options Chunking, a repository to mount from, signal.
   * @returns The digest and whether it was mounted.
   * @throws {UsageError} When `digest` is not a sha256 digest.
   * @throws {RangeError} When `size` or `chunkSize` is not a valid size.
   * @throws {RegistryError} `SIZE_INVALID` (body size differs), `DIGEST_INVALID`,
   *   `UNAUTHORIZED`, `DENIED`, and the errors of every request.
   *
   * @example
   * ```ts ignore
   * await client.uploadBlob(ref, digest, bytes.length, bytes, { chunked: true });
   * ```
   */
  async uploadBlob(
    ref: Reference,
    digest: string,
    size: number,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options: UploadBlobOptions = {},
  ): Promise<UploadResult> {
    validateDigest(digest);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`Invalid blob size '${size}' for '${digest}'`);
    }
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      throw new RangeError(`Invalid chunk size '${chunkSize}'`);
    }
    const op = this.#pushOp(ref, options.signal, options.mountFrom);
    if (body instanceof Uint8Array && body.byteLength !== size) {
      throw this.#http.error(
        op,
        `blob '${digest}' is ${body.byteLength} bytes, not ${size}`,
        "SIZE_INVALID",
      );
    }
    const base = await this.#http.base(op);
    let start = `${base}/v2/${ref.repository}/blobs/uploads/`;
    if (options.mountFrom) {
      start += `?mount=${digest}&from=${encodeURIComponent(options.mountFrom)}`;
    }
    const begun = await this.#http.send(op, start, {
      method: "POST",
      headers: { "content-length": "0" },
    });
    if (begun.status === 201 && options.mountFrom) {
      await begun.body?.cancel();
      if (body instanceof ReadableStream) await body.cancel().catch(() => {});
      return { digest, mounted: true };
    }
    if (begun.status !== 202) {
      if (body instanceof ReadableStream) await body.cancel().catch(() => {});
      return this.#http.fail(op, begun);
    }
    await begun.body?.cancel();
    let location = this.#location(op, begun, start);
    try {
      if (!options.chunked) {
        // A stream is counted on its way out; a wrong size fails the PUT and is reported.
        let wrongSize: RegistryError | undefined;
        const counted = body instanceof Uint8Array ? body : countBytes(body, size, (seen) => {
          const how = seen > size ? `longer than ${size} bytes` : `${seen} bytes, not ${size}`;
          wrongSize = this.#http.error(op, `blob '${digest}' is ${how}`, "SIZE_INVALID");
          return wrongSize;
        });
        const headers: Record<string, string> = { "content-type": "application/octet-stream" };
        if (body instanceof Uint8Array) headers["content-length"] = String(size);
        const res = await this.#http.send(
          op,
          withDigest(location, digest),
          { method: "PUT", headers, body: counted, duplex: "half" } as RequestInit,
          body instanceof Uint8Array,
        ).catch((err) => {
          throw wrongSize ?? err;
        });
        if (wrongSize) {
          await res.body?.cancel();
          throw wrongSize;
        }
        if (res.status !== 201) return await this.#http.fail(op, res);
        await res.body?.cancel();
      } else {
        let offset = 0;
        for await (const chunk of chunks(body, chunkSize)) {
          const res = await this.#http.send(op, location, {
            method: "PATCH",
            headers: {
              "content-type": "application/octet-stream",
              "content-range": `${offset}-${offset + chunk.byteLength - 1}`,
              "content-length": String(chunk.byteLength),
            },
            body: chunk as Uint8Array<ArrayBuffer>,
          });
          if (res.status !== 202) return await this.#http.fail(op, res);
          await res.body?.cancel();
          location = this.#location(op, res, location);
          offset += chunk.byteLength;
        }
        if (offset !== size) {
          throw this.#http.error(
            op,
            `blob '${digest}' is ${offset} bytes, not ${size}`,
            "SIZE_INVALID",
          );
        }
        const res = await this.#http.send(op, withDigest(location, digest), {
          method: "PUT",
          headers: { "content-length": "0" },
        });
        if (res.status !== 201) return await this.#http.fail(op, res);
        await res.body?.cancel();
      }
    } catch (err) {
      // Best effort: tell the registry to drop the upload.
      await this.#http.send({ ...op, signal: undefined }, location, { method: "DELETE" }, true)
        .then((res) => res.body?.cancel())
        .catch(() => {});
      throw err;
    }
    return { digest, mounted: false };
  }

  /**
   * Uploads a manifest or index under the reference's tag (or digest).
   * Its blobs (and, for an index, its manifests) must be there already.
   *
   * @param ref Where: the tag, else the digest, names it.
   * @param mediaType Its media type (the `Content-Type`).
   * @param bytes The document.
   * @param options Signal.
   * @returns The manifest's digest.
   * @throws {RegistryError} `MANIFEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`,
   *   `DIGEST_MISMATCH` (the reference's digest is not that of `bytes`), ...
   *
   * @example
   * ```ts ignore
   * const digest = await client.putManifest(ref, OCI_MANIFEST, bytes);
   * ```
   */
  async putManifest(
    ref: Reference,
    mediaType: string,
    bytes: Uint8Array,
    options: RequestOptions = {},
  ): Promise<string> {
    const op = this.#pushOp(ref, options.signal);
    const digest = await sha256Digest(bytes);
    if (ref.digest && ref.digest !== digest) {
      throw this.#http.error(
        op,
        `the manifest's digest is '${digest}', not '${ref.digest}'`,
        "DIGEST_MISMATCH",
      );
    }
    const base = await this.#http.base(op);
    const url = `${base}/v2/${ref.repository}/manifests/${ref.tag ?? digest}`;
    const res = await this.#http.send(op, url, {
      method: "PUT",
      headers: { "content-type": mediaType },
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    if (res.status !== 201 && res.status !== 200) return this.#http.fail(op, res);
    await res.body?.cancel();
    return digest;
  }

  /**
   * The tags of a repository, following pagination (`Link` headers).
   *
   * @param ref The repository (tag and digest unused).
   * @param options Signal.
   * @returns Tags in the registry's order.
   * @throws {RegistryError} `NAME_UNKNOWN` when there is no such repository, ...
   *
   * @example
   * ```ts ignore
   * const tags = await client.listTags(parseReference("127.0.0.1:5000/x/busybox"));
   * ```
   */
  async listTags(ref: Reference, options: RequestOptions = {}): Promise<string[]> {
    const op: Op = {
      ...this.#pullOp(ref, options.signal),
      action: "list the tags of",
      target: familiarName({ registry: ref.registry, repository: ref.repository }),
    };
    const base = await this.#http.base(op);
    const pages = await this.#paginate(op, `${base}/v2/${ref.repository}/tags/list`);
    return pages.flatMap((page) => Array.isArray(page.tags) ? page.tags as string[] : []);
  }

  /**
   * The repositories of a registry (`/v2/_catalog`, paginated). Docker Hub
   * does not offer it.
   *
   * @param registry The registry, `host[:port]`.
   * @param options Signal.
   * @returns Repository names.
   * @throws {UsageError} When `registry` is not `host[:port]`.
   * @throws {RegistryError} `UNSUPPORTED`/`HTTP_404` when the registry has no catalog, ...
   *
   * @example
   * ```ts ignore
   * const repos = await client.catalog("127.0.0.1:5000");
   * ```
   */
  async catalog(registry: string, options: RequestOptions = {}): Promise<string[]> {
    const name = normalizeRegistry(registry);
    const op: Op = {
      registry: name,
      action: "list the repositories of",
      target: name,
      scopes: ["registry:catalog:*"],
      signal: options.signal,
    };
    const base = await this.#http.base(op);
    const pages = await this.#paginate(op, `${base}/v2/_catalog`);
    return pages.flatMap((page) =>
      Array.isArray(page.repositories) ? page.repositories as string[] : []
    );
  }

  /**
   * Searches a registry: Docker Hub's search API
   * (`https://index.docker.io/v1/search`) for `docker.io`, else the
   * registry's catalog filtered to names that contain the term.
   *
   * @param registry The registry, `host[:port]` (`docker.io` for Docker Hub).
   * @param term What to look for.
   * @param options Most results, signal.
   * @returns Results, at most `limit`.
   * @throws {UsageError} When `registry` is not `host[:port]`.
   * @throws {RegistryError} When the search or catalog fails.
   *
   * @example
   * ```ts ignore
   * for (const r of await client.search("docker.io", "busybox")) console.log(r.name, r.stars);
   * ```
   */
  async search(
    registry: string,
    term: string,
    options: SearchOptions = {},
  ): Promise<SearchResult[]> {
    const name = normalizeRegistry(registry);
    const limit = options.limit ?? 25;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`Invalid search limit '${limit}'`);
    }
    if (name !== "docker.io") {
      const repos = await this.catalog(name, options);
      return repos.filter((r) => r.includes(term)).slice(0, limit).map((repo) => ({
        registry: name,
        name: repo,
        description: "",
        stars: 0,
        official: false,
        automated: false,
      }));
    }
    const op: Op = {
      registry: name,
      action: "search",
      target: name,
      scopes: [],
      signal: options.signal,
    };
    const url = `${DOCKER_HUB_SEARCH}?q=${encodeURIComponent(term)}&n=${limit}`;
    const res = await this.#http.exchange(op, await this.#http.transport(name), url, {
      method: "GET",
      headers: { "user-agent": this.#http.userAgent },
    });
    if (!res.ok) return this.#http.fail(op, res);
    const doc = await this.#http.json(op, res);
    const results = Array.isArray(doc.results) ? doc.results : [];
    return results.slice(0, limit).map((r: Record<string, unknown>) => ({
      registry: name,
      name: String(r.name ?? ""),
      description: String(r.description ?? ""),
      stars: Number(r.star_count ?? 0),
      official: r.is_official === true,
      automated: r.is_automated === true,
    }));
  }

  /**
   * Checks that the registry accepts this client's credentials (`GET /v2/`
   * through the auth flow): what `login` does before it stores them.
   *
   * @param registry The registry, `host[:port]`.
   * @param options Signal.
   * @throws {RegistryError} `UNAUTHORIZED` with `Cannot log in to '<registry>':
   *   wrong user name or password`, `NETWORK`, `TLS`, ...
   *
   * @example
   * ```ts ignore
   * const client = new RegistryClient({ credentials: () => ({ username: "u", password: "p" }) });
   * await client.checkCredentials("127.0.0.1:5000");
   * ```
   */
  async checkCredentials(registry: string, options: RequestOptions = {}): Promise<void> {
    const name = normalizeRegistry(registry);
    const op: Op = {
      registry: name,
      action: "log in to",
      target: name,
      scopes: [],
      signal: options.signal,
    };
    const base = await this.#http.base(op);
    const res = await this.#http.send(op, `${base}/v2/`, { method: "GET" });
    if (!res.ok) return this.#http.fail(op, res);
    await res.body?.cancel();
  }

  /** Releases connections. The client cannot be used afterwards. */
  close(): void {
    this.#http.close();
  }

  /** Same as {@linkcode RegistryClient.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  // --- Operations -----------------------------------------------------------

  #pullOp(ref: Reference, signal?: AbortSignal): Op {
    return {
      registry: ref.registry,
      repository: ref.repository,
      action: "pull",
      target: familiarName(ref),
      scopes: [`repository:${ref.repository}:pull`],
      signal,
    };
  }

  #pushOp(ref: Reference, signal?: AbortSignal, mountFrom?: string): Op {
    const scopes = [`repository:${ref.repository}:pull,push`];
    if (mountFrom) scopes.push(`repository:${mountFrom}:pull`);
    return {
      registry: ref.registry,
      repository: ref.repository,
      action: "push",
      target: familiarName(ref),
      scopes,
      signal,
    };
  }

  async #fetchManifest(op: Op, ref: Reference, reference: string): Promise<RawManifest> {
    const base = await this.#http.base(op);
    const res = await this.#http.send(op, `${base}/v2/${ref.repository}/manifests/${reference}`, {
      method: "GET",
      headers: { accept: MANIFEST_ACCEPT.join(", ") },
    });
    if (!res.ok) return this.#http.fail(op, res);
    const bytes = await this.#http.read(op, res, MANIFEST_LIMIT);
    if (!bytes) {
      throw this.#http.error(
        op,
        `its manifest is larger than ${MANIFEST_LIMIT >> 20} MiB`,
        "MANIFEST_INVALID",
      );
    }
    const digest = await sha256Digest(bytes);
    if (reference.startsWith("sha256:") && digest !== reference) {
      throw this.#http.error(
        op,
        `the registry sent a manifest with digest '${digest}' for '${reference}'`,
        "DIGEST_MISMATCH",
      );
    }
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(bytes, res.headers.get("content-type"));
    } catch (err) {
      const message = (err as Error).message;
      const code = message.startsWith("Unsupported") ? "UNSUPPORTED" : "MANIFEST_INVALID";
      throw this.#http.error(op, lowerFirst(message), code);
    }
    return { ...parsed, digest, bytes };
  }

  async #blobUrl(op: Op, ref: Reference, digest: string): Promise<string> {
    return `${await this.#http.base(op)}/v2/${ref.repository}/blobs/${digest}`;
  }

  async #download(
    op: Op,
    url: string,
    offset: number,
    source: string,
    authorize: boolean,
  ): Promise<BlobResult> {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`Invalid blob offset '${offset}'`);
    }
    const headers: Record<string, string> = {};
    if (offset > 0) headers.range = `bytes=${offset}-`;
    const res = authorize
      ? await this.#http.send(op, url, { method: "GET", headers })
      : await this.#http.exchange(op, await this.#http.transport(""), url, {
        method: "GET",
        headers: { ...headers, "user-agent": this.#http.userAgent },
      });
    if (res.status === 206 && offset > 0) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
      if (range && Number(range[1]) === offset) {
        const size = range[2] === "*" ? undefined : Number(range[2]);
        return { body: res.body ?? emptyStream(), size, offset, source };
      }
      await res.body?.cancel();
      throw this.#http.error(op, `the registry sent an unexpected range for '${url}'`, "HTTP_206");
    }
    if (res.status !== 200) return this.#http.fail(op, res);
    const length = res.headers.get("content-length");
    const size = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    return { body: res.body ?? emptyStream(), size, offset: 0, source };
  }

  async #paginate(op: Op, first: string): Promise<Record<string, unknown>[]> {
    const pages: Record<string, unknown>[] = [];
    let url: string | undefined = first;
    while (url && pages.length < 10_000) {
      const res = await this.#http.send(op, url, { method: "GET" });
      if (!res.ok) return this.#http.fail(op, res);
      pages.push(await this.#http.json(op, res));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get("link") ?? "");
      url = next ? new URL(next[1], url).href : undefined;
    }
    return pages;
  }

  async #checkDigest(op: Op, bytes: Uint8Array, digest: string, size: number): Promise<void> {
    const actual = await sha256Digest(bytes);
    if (actual !== digest || bytes.byteLength !== size) {
      throw this.#http.error(
        op,
        `the registry sent ${bytes.byteLength} bytes with digest '${actual}' for '${digest}' ` +
          `(${size} bytes)`,
        "DIGEST_MISMATCH",
      );
    }
  }

  /** The upload URL of a response, absolute. */
  #location(op: Op, res: Response, requested: string): string {
    const location = res.headers.get("location");
    if (!location) {
      throw this.#http.error(op, "the registry gave no upload location", "BLOB_UPLOAD_INVALID");
    }
    return new URL(location, requested).href;
  }
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.href;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (c) => c.close() });
}

/**
 * Passes a stream through; when it is not `size` bytes long, errors it with
 * what `onWrongSize` makes of the count so far.
 */
function countBytes(
  body: ReadableStream<Uint8Array>,
  size: number,
  onWrongSize: (seen: number) => Error,
): ReadableStream<Uint8Array> {
  let total = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > size) controller.error(onWrongSize(total)); // seen > size: too long
        else controller.enqueue(chunk);
      },
      flush(controller) {
        if (total !== size) controller.error(onWrongSize(total));
      },
    }),
  );
}

/** The body in pieces of exactly `size` bytes (the last may be shorter). */
async function* chunks(
  body: Uint8Array | ReadableStream<Uint8Array>,
  size: number,
): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    for (let i = 0; i < body.byteLength; i += size) yield body.subarray(i, i + size);
    return;
  }
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const piece of body) {
    let offset = 0;
    while (offset < piece.byteLength) {
      const n = Math.min(size - filled, piece.byteLength - offset);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
