/**
 * The JSON documents of an image: descriptors, manifests, indexes, configs
 * (OCI image-spec; Docker schema 2 uses the same shapes).
 *
 * @module
 */
import type { Platform } from "./platform.ts";

/** A pointer to content: media type, digest, size. */
export interface Descriptor {
  /** Media type of the content. */
  mediaType: string;
  /** `sha256:<hex>`, validated by `parseManifest()`. */
  digest: string;
  /** Size in bytes. */
  size: number;
  /** Where the content can also be fetched (foreign / non-distributable layers). */
  urls?: string[];
  /** Annotations. */
  annotations?: Record<string, string>;
  /** The platform of a manifest in an index. */
  platform?: Platform;
  /** Artifact type (OCI 1.1). */
  artifactType?: string;
}

/** An image manifest: a config and layers, bottom first. */
export interface ImageManifest {
  /** Always 2. */
  schemaVersion: 2;
  /** OCI or Docker schema 2 manifest type. */
  mediaType?: string;
  /** The image config blob. */
  config: Descriptor;
  /** Layer blobs, the base layer first. */
  layers: Descriptor[];
  /** Annotations. */
  annotations?: Record<string, string>;
  /** The manifest this one refers to (OCI 1.1). */
  subject?: Descriptor;
}

/** An image index or manifest list: one manifest per platform. */
export interface ImageIndex {
  /** Always 2. */
  schemaVersion: 2;
  /** OCI index or Docker manifest list type. */
  mediaType?: string;
  /** The manifests, each with a `platform`. */
  manifests: Descriptor[];
  /** Annotations. */
  annotations?: Record<string, string>;
}

/** The run-time defaults of an image (the `config` object of an image config). */
export interface ContainerConfig {
  /** Default user, `name|uid[:group|gid]`. */
  User?: string;
  /** Environment, `NAME=VALUE`. */
  Env?: string[];
  /** Entrypoint. */
  Entrypoint?: string[] | null;
  /** Default command. */
  Cmd?: string[] | null;
  /** Working directory. */
  WorkingDir?: string;
  /** Ports, `80/tcp` -> `{}`. */
  ExposedPorts?: Record<string, unknown>;
  /** Volumes, path -> `{}`. */
  Volumes?: Record<string, unknown>;
  /** Labels. */
  Labels?: Record<string, string>;
  /** Signal that stops the container. */
  StopSignal?: string;
  /** Other fields (Healthcheck, OnBuild, Shell, ...). */
  [key: string]: unknown;
}

/** An image config (`application/vnd.oci.image.config.v1+json`). */
export interface ImageConfig {
  /** CPU architecture. */
  architecture: string;
  /** Operating system. */
  os: string;
  /** CPU variant. */
  variant?: string;
  /** Creation time, RFC 3339. */
  created?: string;
  /** Author. */
  author?: string;
  /** Run-time defaults. */
  config?: ContainerConfig;
  /** Uncompressed layer digests, base first. */
  rootfs: { type: string; diff_ids: string[] };
  /** Build history. */
  history?: {
    created?: string;
    created_by?: string;
    author?: string;
    comment?: string;
    empty_layer?: boolean;
  }[];
  /** Other fields. */
  [key: string]: unknown;
}
