/**
 * The worker side of `startFilesWorker()`: the hidden command
 * `_container-files REQUEST`, run as root in the user namespace (where only
 * the directory a copy writes is writable). It lists a container's changes,
 * writes its changes as a layer, its whole file system or one path of it as a
 * tar, or extracts a tar into it. It reports as every such worker does
 * ({@linkcode runUsernsWorker}): errors and warnings on standard error, and
 * its exit code.
 *
 * @module
 */
import { writeTar } from "../image/tar_writer.ts";
import { runUsernsWorker } from "../layers/userns_worker_main.ts";
import { sys } from "../sys/mod.ts";
import { containerChanges } from "./container_changes.ts";
import { copyIntoTree } from "./copy_into_tree.ts";
import { LayeredTree } from "./layered_tree.ts";
import type { FilesRequest } from "./start_files_worker.ts";
import { layerEntries, treeEntries } from "./tree_entries.ts";

async function writeOut(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  const out = sys.stdoutStream().getWriter();
  try {
    for await (const chunk of chunks) await out.write(chunk);
    await out.close(); // fd 1 stays open
  } finally {
    out.releaseLock();
  }
}

async function serve(request: FilesRequest, warn: (message: string) => void): Promise<void> {
  switch (request.op) {
    case "diff": {
      const changes = containerChanges(request).map(({ kind, path }) => ({ kind, path }));
      await writeOut([new TextEncoder().encode(JSON.stringify(changes))]);
      return;
    }
    case "layer":
      return await writeOut(writeTar(layerEntries(containerChanges(request))));
    case "export": {
      const tree = new LayeredTree(request.layers);
      return await writeOut(writeTar(treeEntries(tree, tree.root(), "")));
    }
    case "archive": {
      const tree = new LayeredTree(request.layers);
      const { node } = tree.resolve(request.path, { followLast: request.followLink });
      if (!node) {
        throw new Error(
          `Could not find the file ${request.path} in container ${request.container}`,
        );
      }
      return await writeOut(writeTar(treeEntries(tree, node, request.name)));
    }
    case "extract": {
      await copyIntoTree({
        tree: new LayeredTree(request.layers),
        dest: request.dest,
        source: request.source,
        input: sys.stdinStream(),
        owners: request.owners,
        onWarning: warn,
      });
      return;
    }
  }
}

/**
 * `_container-files REQUEST`, REQUEST being the JSON of a {@linkcode FilesRequest}.
 *
 * @param args The arguments.
 * @returns The exit code: 0, or 125 after an error.
 *
 * @example
 * ```ts ignore
 * await main([JSON.stringify({ op: "export", layers: [{ path: "/c/rootfs", style: "none" }] })]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  return await runUsernsWorker((warn) =>
    serve(JSON.parse(args[0] ?? "null") as FilesRequest, warn)
  );
}
