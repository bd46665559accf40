/**
 * Options of a container run, as the API takes them; the CLI fills them from
 * docker's flags.
 *
 * @module
 */
import type { MountSpec } from "./mount_spec.ts";
import type { NetworkOption } from "./network_mode.ts";

/** Where a container's output goes. */
export type OutputMode = "inherit" | "pipe" | "null";

/** Options of `run()` and `spawnContainer()`. */
export interface RunOptions {
  /** The root filesystem directory. */
  rootfs: string;
  /** The command and its arguments. */
  command?: readonly string[];
  /** Put in front of the command (`--entrypoint`). */
  entrypoint?: readonly string[];
  /** Environment: `NAME=VALUE` entries (or `NAME`, taken from nook's own) or a record. */
  env?: readonly string[] | Record<string, string>;
  /** Files of `NAME=VALUE` lines (`--env-file`). */
  envFiles?: readonly string[];
  /** Working directory inside (`-w`), created when missing. Default "/". */
  workdir?: string;
  /** `NAME|UID[:GROUP|GID]` inside (`-u`). */
  user?: string;
  /** Supplementary groups (`--group-add`). */
  groupAdd?: readonly string[];
  /** Hostname (default: the first 12 characters of the id). */
  hostname?: string;
  /**
   * "none" (a network namespace with only lo, the default), "host",
   * "container:NAME|ID" (a running container's, with its hostname and /etc
   * files) or "ns:PATH" (a network namespace file of yours).
   */
  network?: NetworkOption;
  /** Volumes: `HOST:CTR[:ro]` strings or mount objects. */
  volumes?: readonly (string | MountSpec)[];
  /** `--tmpfs CTR[:opts]` values. */
  tmpfs?: readonly string[];
  /** `--mount type=...` values. */
  mounts?: readonly string[];
  /** Root filesystem read-only (`--read-only`). */
  readOnly?: boolean;
  /** A reaping init as PID 1 (`--init`). */
  init?: boolean;
  /** A pty for the container (`-t`). */
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  interactive?: boolean;
  /** Capabilities to add to docker's default set. */
  capAdd?: readonly string[];
  /** Capabilities to drop. */
  capDrop?: readonly string[];
  /** "keep-id": your uid and gid inside are the same as outside. */
  userns?: "" | "keep-id";
  /** Where stdout goes (default "inherit"). */
  stdout?: OutputMode;
  /** Where stderr goes (default "inherit"). */
  stderr?: OutputMode;
  /** Forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 of this process to the container. */
  forwardSignals?: boolean;
  /** Aborting kills the container. */
  signal?: AbortSignal;
  /** Receives warnings (default: printed to stderr). */
  onWarning?: (message: string) => void;
}
