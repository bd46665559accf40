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
  /** "missing" (default), "always" or "never". */
  pull?: "missing" | "always" | "never";
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
  /** `--hostuser`: host users (names or uids) whose passwd entries the container's gets. */
  hostUsers?: readonly string[];
}
