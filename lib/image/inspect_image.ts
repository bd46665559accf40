/**
 * An image as docker's `image inspect` shows it.
 *
 * @module
 */
import type { ImageRecord, StoreLayout } from "../store/mod.ts";
import { displayName } from "./display_name.ts";
import type { ImageConfig } from "./image_config.ts";
import { readImageConfig } from "./read_image_config.ts";

/** The container defaults of an image, docker's `Config` of `image inspect`. */
export interface InspectConfig {
  /** User to run as ("" for root). */
  User: string;
  /** Ports the image exposes, when it says. */
  ExposedPorts?: Record<string, unknown>;
  /** NAME=VALUE entries. */
  Env: string[] | null;
  /** Default arguments. */
  Cmd: string[] | null;
  /** Anonymous volumes. */
  Volumes: Record<string, unknown> | null;
  /** Working directory ("" for /). */
  WorkingDir: string;
  /** Entrypoint. */
  Entrypoint: string[] | null;
  /** Labels. */
  Labels: Record<string, string> | null;
  /** Signal that stops a container, when the image says. */
  StopSignal?: string;
}

/** One element of docker's `image inspect` array. */
export interface ImageInspect {
  /** The image id (`sha256:` of its config). */
  Id: string;
  /** Its names, familiar (`busybox:latest`). */
  RepoTags: string[];
  /** Its repository digests, familiar (`busybox@sha256:...`). */
  RepoDigests: string[];
  /** Always "" (images have no parent here). */
  Parent: string;
  /** The config's `comment`, or "". */
  Comment: string;
  /** When it was built (the config's `created`), else when it was pulled. */
  Created: string;
  /** The config's `author`, or "". */
  Author: string;
  /** The container defaults. */
  Config: InspectConfig;
  /** CPU architecture. */
  Architecture: string;
  /** Variant (v7, v8), when there is one. */
  Variant?: string;
  /** Operating system. */
  Os: string;
  /** Size of its layers in bytes (compressed, as nook's `images` shows). */
  Size: number;
  /** The layers: diff ids, bottom first. */
  RootFS: { Type: string; Layers: string[] };
  /** nook's own facts. */
  Metadata: { Pulled: string; ManifestDigest: string; ManifestMediaType: string };
}

/**
 * Docker's `image inspect` object of a stored image.
 *
 * @param layout The store.
 * @param image Its record.
 * @returns The object, ready for `JSON.stringify`.
 * @throws {Error} When the image's config blob is missing or not JSON.
 *
 * @example
 * ```ts ignore
 * console.log(JSON.stringify([inspectImage(layout, findImage(layout, "busybox")!)], null, 4));
 * ```
 */
export function inspectImage(layout: StoreLayout, image: ImageRecord): ImageInspect {
  const config: ImageConfig & { author?: string; comment?: string } = readImageConfig(
    layout,
    image,
  );
  const c = config.config ?? {};
  const Config: InspectConfig = {
    User: c.User ?? "",
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? "",
    Entrypoint: c.Entrypoint ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
  };
  return {
    Id: image.id,
    RepoTags: image.names.map(displayName),
    RepoDigests: image.repoDigests.map(displayName),
    Parent: "",
    Comment: config.comment ?? "",
    Created: config.created ?? image.pulled,
    Author: config.author ?? "",
    Config,
    Architecture: config.architecture ?? "",
    ...(config.variant ? { Variant: config.variant } : {}),
    Os: config.os ?? "",
    Size: image.size,
    RootFS: { Type: "layers", Layers: config.rootfs?.diff_ids ?? [] },
    Metadata: {
      Pulled: image.pulled,
      ManifestDigest: image.manifestDigest,
      ManifestMediaType: image.manifestMediaType,
    },
  };
}
