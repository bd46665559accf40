/**
 * `nook diff`: the files a container added (`A`), changed (`C`) and deleted
 * (`D`) in its image, read by the container files worker as root in the user
 * namespace. See `container_changes.ts` for the rules.
 *
 * @module
 */
import type { ContainerChange } from "./container_changes.ts";
import { containerFilesystem } from "./container_filesystem.ts";
import { startFilesWorker, workerOutput } from "./start_files_worker.ts";

export type { ContainerChange };

/** Options of {@linkcode containerDiff}. */
export interface ContainerDiffOptions {
  /** Warnings of the worker. */
  onWarning?: (message: string) => void;
}

/**
 * The changes of a container's files against its image, sorted by path.
 *
 * @param ref The container (id, id prefix or name).
 * @param options Warnings.
 * @returns The changes.
 * @throws {UsageError} "No such container: REF".
 * @throws {NookError} When its files or its image cannot be read.
 *
 * @example
 * ```ts ignore
 * import { containerDiff } from "./container_diff.ts";
 * for (const { kind, path } of await containerDiff("f45a27")) console.log(kind, path);
 * ```
 */
export async function containerDiff(
  ref: string,
  options: ContainerDiffOptions = {},
): Promise<ContainerChange[]> {
  const fs = containerFilesystem(ref);
  const worker = await startFilesWorker(
    { op: "diff", top: fs.top, lowers: fs.lowers, copy: fs.driver === "vfs" },
    options,
  );
  worker.closeInput();
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of workerOutput(worker)) text += decoder.decode(chunk, { stream: true });
  return JSON.parse(text + decoder.decode()) as ContainerChange[];
}
