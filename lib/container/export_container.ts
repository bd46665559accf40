/**
 * `nook export`: a container's whole file system (its image's layers with
 * its own changes over them, deletions applied) as a tar, written by the
 * container files worker as root in the user namespace, so the archive holds
 * every file with the owner and mode the container sees.
 *
 * @module
 */
import { containerFilesystem } from "./container_filesystem.ts";
import { startFilesWorker, workerOutput } from "./start_files_worker.ts";

/** Options of {@linkcode exportContainer}. */
export interface ExportOptions {
  /** Warnings of the worker. */
  onWarning?: (message: string) => void;
}

/**
 * Starts the export of a container's file system.
 *
 * @param ref The container (id, id prefix or name).
 * @param options Warnings.
 * @returns The tar's bytes; the iteration throws when the worker fails.
 * @throws {UsageError} "No such container: REF" (before anything is written).
 * @throws {NookError} When its files or its image cannot be read.
 *
 * @example
 * ```ts ignore
 * import { exportContainer } from "./export_container.ts";
 * const file = await Deno.open("rootfs.tar", { write: true, create: true });
 * for await (const chunk of await exportContainer("f45a27")) await file.write(chunk);
 * ```
 */
export async function exportContainer(
  ref: string,
  options: ExportOptions = {},
): Promise<AsyncGenerator<Uint8Array>> {
  const fs = containerFilesystem(ref);
  const worker = await startFilesWorker({ op: "export", layers: fs.merged }, options);
  worker.closeInput();
  return workerOutput(worker);
}
