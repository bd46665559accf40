/**
 * Starts the worker that reads or writes a container's files: nook itself,
 * re-executed as the hidden command `_container-files` as root in the user's
 * user namespace (by {@linkcode startUsernsWorker}), where files of
 * subordinate ids (0600 ones too) are read and written with their real
 * owners and modes. The request goes on its command line; archives and
 * listings come back on its standard output, an archive to copy in goes to
 * its standard input, and its errors come on standard error.
 *
 * In the worker's mount namespace every mount is read-only, except the one
 * directory a copy into the container writes (the upper directory or the vfs
 * copy): whatever a container left in its files, the kernel keeps the worker
 * from writing anywhere else.
 *
 * @module
 */
import { startUsernsWorker, type UsernsWorker } from "../layers/start_userns_worker.ts";
import type { CopySource } from "./copy_into_tree.ts";
import type { TreeLayer } from "./layered_tree.ts";

/** What the worker is asked to do. */
export type FilesRequest =
  | {
    /** List the changes (JSON on standard output). */
    op: "diff";
    /** The upper directory, or the vfs copy. */
    top: TreeLayer;
    /** The image's layers, top first. */
    lowers: TreeLayer[];
    /** `top` is a vfs copy. */
    copy: boolean;
  }
  | {
    /** Write the changes as an image layer (a tar with OCI whiteouts). */
    op: "layer";
    /** The upper directory, or the vfs copy. */
    top: TreeLayer;
    /** The image's layers, top first. */
    lowers: TreeLayer[];
    /** `top` is a vfs copy. */
    copy: boolean;
  }
  | {
    /** Write the whole merged file system as a tar. */
    op: "export";
    /** The stack, top first. */
    layers: TreeLayer[];
  }
  | {
    /** Write one path of the merged file system as a tar. */
    op: "archive";
    /** The stack, top first. */
    layers: TreeLayer[];
    /** The path in the container. */
    path: string;
    /** Follow a symlink in the last component. */
    followLink: boolean;
    /** The top entry's name in the tar. */
    name: string;
    /** The container as the user named it, for messages. */
    container: string;
  }
  | {
    /** Extract the tar on standard input into the container. */
    op: "extract";
    /** The stack, top first; the top one is written. */
    layers: TreeLayer[];
    /** The destination in the container. */
    dest: string;
    /** What the tar holds. */
    source: CopySource;
    /** Keep the tar's owners, or make everything root's. */
    owners: "keep" | "squash";
  };

/**
 * A worker's output as chunks; when they end, the worker is waited for (its
 * error thrown), and when the reader stops early, it is killed.
 *
 * @param worker The worker.
 * @returns Its output.
 *
 * @example
 * ```ts ignore
 * for await (const chunk of workerOutput(worker)) await out.write(chunk);
 * ```
 */
export async function* workerOutput(worker: FilesWorker): AsyncGenerator<Uint8Array> {
  let ended = false;
  try {
    yield* worker.output;
    ended = true;
  } finally {
    if (ended) await worker.finish();
    else await worker.abort();
  }
}

/** Options of {@linkcode startFilesWorker}. */
export interface StartFilesWorkerOptions {
  /** The one directory the worker may write (default: none). */
  writable?: string;
  /** Receives the worker's warnings. */
  onWarning?: (message: string) => void;
}

/** A running worker. */
export type FilesWorker = UsernsWorker;

/**
 * Starts a worker on a request.
 *
 * @param request What to do.
 * @param options The writable directory, warnings.
 * @returns The worker; read its output, then `finish()` it.
 * @throws {NookError} When pipes cannot be made or the worker cannot start.
 *
 * @example
 * ```ts ignore
 * const worker = await startFilesWorker({ op: "export", layers });
 * worker.closeInput();
 * for await (const chunk of worker.output) await out.write(chunk);
 * await worker.finish();
 * ```
 */
export async function startFilesWorker(
  request: FilesRequest,
  options: StartFilesWorkerOptions = {},
): Promise<FilesWorker> {
  return await startUsernsWorker({
    args: ["_container-files", JSON.stringify(request)],
    name: "the container files worker",
    writable: options.writable,
    output: true,
    onWarning: options.onWarning,
  });
}
