/**
 * Reading manifests and indexes from their bytes, with every digest checked.
 *
 * @module
 */
import { isDigest } from "../reference/mod.ts";
import type { Descriptor, ImageIndex, ImageManifest } from "./manifest.ts";
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V1,
  DOCKER_MANIFEST_V1_SIGNED,
  isIndexMediaType,
  isManifestMediaType,
  OCI_INDEX,
  OCI_MANIFEST,
} from "./media_types.ts";

/** A parsed manifest or index. */
export type ParsedManifest =
  | { kind: "manifest"; mediaType: string; manifest: ImageManifest }
  | { kind: "index"; mediaType: string; index: ImageIndex };

/**
 * Parses the bytes of an image manifest or index (OCI or Docker schema 2)
 * and checks its shape: schema version 2, descriptors with a media type, a
 * sha256 digest (so no digest from a registry can become a path outside the
 * blob store, CVE-2024-3727) and a non-negative size, `urls` a list of strings.
 * The media type comes from the document, else from `contentType`, else from
 * its shape (`manifests` means an index).
 *
 * @param bytes The manifest as fetched.
 * @param contentType The `Content-Type` it came with, if any.
 * @returns Its kind, media type and content.
 * @throws {TypeError} When it is not JSON, is schema 1, or has a bad field;
 *   the message names the field and its value.
 *
 * @example
 * ```ts
 * import { parseManifest } from "./parse_manifest.ts";
 * const d = "sha256:" + "a".repeat(64);
 * const text = JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d, size: 2 },
 *   layers: [],
 * });
 * const parsed = parseManifest(new TextEncoder().encode(text));
 * console.assert(parsed.kind === "manifest");
 * ```
 */
export function parseManifest(bytes: Uint8Array, contentType?: string | null): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new TypeError("Invalid manifest: not JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new TypeError("Invalid manifest: not a JSON object");
  }
  const header = contentType?.split(";")[0].trim().toLowerCase() || undefined;
  if (
    doc.schemaVersion === 1 || header === DOCKER_MANIFEST_V1 ||
    header === DOCKER_MANIFEST_V1_SIGNED
  ) {
    throw new TypeError(
      "Unsupported manifest: Docker schema 1 is deprecated and no longer supported",
    );
  }
  if (doc.schemaVersion !== 2) {
    throw new TypeError(`Invalid manifest: schemaVersion '${doc.schemaVersion}', expected 2`);
  }
  let mediaType = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  if (
    mediaType === undefined && header && (isIndexMediaType(header) || isManifestMediaType(header))
  ) {
    mediaType = header;
  }
  if (mediaType === undefined) mediaType = "manifests" in doc ? OCI_INDEX : OCI_MANIFEST;

  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new TypeError("Invalid index: no 'manifests' list");
    doc.manifests.forEach((d, i) => checkDescriptor(d, `manifests[${i}]`));
    return { kind: "index", mediaType, index: doc as unknown as ImageIndex };
  }
  if (!isManifestMediaType(mediaType)) {
    throw new TypeError(
      `Unsupported manifest media type '${mediaType}', expected one of ` +
        [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST].join(", "),
    );
  }
  checkDescriptor(doc.config, "config");
  if (!Array.isArray(doc.layers)) throw new TypeError("Invalid manifest: no 'layers' list");
  doc.layers.forEach((d, i) => checkDescriptor(d, `layers[${i}]`));
  return { kind: "manifest", mediaType, manifest: doc as unknown as ImageManifest };
}

function checkDescriptor(value: unknown, where: string): asserts value is Descriptor {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`Invalid manifest: '${where}' is not a descriptor`);
  }
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== "string" || d.mediaType === "") {
    throw new TypeError(`Invalid manifest: '${where}' has no mediaType`);
  }
  if (!isDigest(d.digest)) {
    throw new TypeError(
      `Invalid manifest: '${where}' has digest '${String(d.digest)}', ` +
        "expected 'sha256:' and 64 lowercase hex digits",
    );
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new TypeError(`Invalid manifest: '${where}' has size '${String(d.size)}'`);
  }
  if (d.urls !== undefined) {
    if (!Array.isArray(d.urls) || d.urls.some((u) => typeof u !== "string")) {
      throw new TypeError(`Invalid manifest: '${where}' has 'urls' that are not strings`);
    }
  }
  if (d.platform !== undefined) {
    const p = d.platform as Record<string, unknown>;
    if (typeof p !== "object" || typeof p.os !== "string" || typeof p.architecture !== "string") {
      throw new TypeError(`Invalid manifest: '${where}' has a platform without os/architecture`);
    }
  }
}
