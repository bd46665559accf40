/**
 * The options of a container as the API (and the CLI, from docker's flags)
 * gives them, before `buildContainerConfig()` (build_config.ts) checks and resolves
 * them into a `ContainerConfig`.
 *
 * @module
 */
import type { PullEvent } from "../image/pull_image.ts";
import type { RegistryClientOptions } from "../registry/mod.ts";
import type { RunOptions } from "../runtime/run_options.ts";

/** Options of `startContainer()` and `create()`: a rootfs run's, plus image ones. */
export interface ContainerOptions extends Omit<RunOptions, "rootfs"> {
  /** The image to run (a name, id or id prefix). */
  image?: string;
  /** Or a rootfs directory. */
  rootfs?: string;
  /**
   * "missing" (default), "always", "never", or "newer" (podman's: pull, and
   * when the registry cannot be reached use the image in the store, with a warning).
   */
  pull?: "missing" | "always" | "never" | "newer";
  /** `os/arch[/variant]` for a pull. */
  platform?: string;
  /** Remove the container's files when it exits. */
  rm?: boolean;
  /** overlay, fuse-overlayfs or vfs (default: `NOOK_STORAGE_DRIVER`, else the best that works). */
  storageDriver?: string;
  /** Registry settings for a pull. */
  registry?: RegistryClientOptions;
  /** Progress of a pull. */
  onPullProgress?: (event: PullEvent) => void;
  /** A unique name (default: a generated one). */
  name?: string;
  /** Labels: `KEY=VALUE` entries or a record. */
  labels?: readonly string[] | Record<string, string>;
  /** `--restart`: no, on-failure[:N], always, unless-stopped (applied to detached containers). */
  restart?: string;
  /** The signal `stop` sends first (default: the image's StopSignal, else SIGTERM). */
  stopSignal?: string;
  /** Seconds `stop` waits before SIGKILL (default 10). */
  stopTimeout?: number;
  /** `--log-opt` values: `max-size=10m`, `max-file=3`. */
  logOptions?: readonly string[];
  /** `--log-driver`: "k8s-file" (default), "json-file" (kept as k8s-file) or "none" (no log). */
  logDriver?: string;
  /** `--label-file`: files of `KEY=VALUE` lines (`#` comments), read before `labels`. */
  labelFiles?: readonly string[];
  /** `--annotation`s (podman): `KEY=VALUE` entries or a record. */
  annotations?: readonly string[] | Record<string, string>;
  /** `--cidfile`: write the container's id here at create; refused when the file exists. */
  cidFile?: string;
  /** `--replace` (podman): remove a container that has this `name` first (needs a name). */
  replace?: boolean;
  /** `--detach-keys`: the sequence that detaches `attach`, e.g. "ctrl-a,d" ("": none). */
  detachKeys?: string;
  /** `--sig-proxy`: false keeps a foreground run from forwarding signals (default true). */
  sigProxy?: boolean;
  /** `--no-healthcheck`: turn the image's health check off (nook runs none yet). */
  noHealthcheck?: boolean;
  /** `--hostuser`: host users (names or uids) whose passwd entries the container's gets. */
  hostUsers?: readonly string[];
}
