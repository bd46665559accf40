/**
 * `nook cp CONTAINER:PATH DEST`: copying out of a container, with docker's
 * rules. The path is resolved in the container's merged view (its upper
 * directory over its image's layers, deletions applied), symlinks followed
 * inside the container's root only; a symlink in the last component is
 * copied as the link unless `followLink` (`-L`), or the path ends in `/` or
 * `/.`. The container files worker archives it as root in the user
 * namespace; here the archive is extracted as you, so everything copied out
 * is yours (a rootless copy cannot give files the container's owners and
 * still let you read them).
 *
 * Where it goes on the host: a file into an existing directory keeps its
 * name, else it becomes DEST (replacing a file there); a directory into an
 * existing directory keeps its name (its contents go there directly with
 * `PATH/.`), else it becomes DEST. DEST itself may be a symlink you made;
 * nothing under it is ever followed: an entry in the way is replaced.
 *
 * @module
 */
import { NookError, UsageError } from "../errors/mod.ts";
import { type FileInfo, sys } from "../sys/mod.ts";
import { extractTar, type TarEntryType } from "../unpack/mod.ts";
import { containerFilesystem } from "./container_filesystem.ts";
import { startFilesWorker, workerOutput } from "./start_files_worker.ts";

/** Options of {@linkcode containerArchive} and {@linkcode copyFromContainer}. */
export interface CopyFromOptions {
  /** Follow a symlink in the last component of the path (`-L`). */
  followLink?: boolean;
  /** Warnings. */
  onWarning?: (message: string) => void;
}

/** The name the worker gives the top entry for an extraction here. */
const TOP = "top";

/** A container path's base name and whether it asks for a directory's contents. */
function sourceName(path: string): { name: string; contents: boolean } {
  const contents = /(^|\/)\.$/.test(path);
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return { name: parts.at(-1) ?? "", contents };
}

/**
 * Whether a path that does not stat fails with ENOTDIR: the deepest thing
 * on its way that exists (itself, for `FILE/`) is not a directory.
 */
function notADirectory(path: string): boolean {
  let at = path.replace(/(.)\/+$/, "$1");
  if (at === path) at = dirname(path);
  for (;;) {
    const info = sys.stat(at);
    if (info) return !info.isDirectory;
    if (at === "/" || at === ".") return false;
    at = dirname(at);
  }
}

function stat(path: string): FileInfo | null {
  const info = sys.stat(path);
  if (!info && notADirectory(path)) {
    throw new UsageError(`Cannot copy to '${path}': it is not a directory`);
  }
  return info;
}

function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  return at < 0 ? "." : at === 0 ? "/" : trimmed.slice(0, at);
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

/**
 * The tar of a path in a container, as `docker cp CONTAINER:PATH -` writes
 * it: the top entry is named after the path's last component (`.` for the
 * container's root or `PATH/.`).
 *
 * @param ref The container (id, id prefix or name).
 * @param path The path in the container.
 * @param options `-L`, warnings.
 * @returns The tar's bytes; the iteration throws when the path is missing.
 * @throws {UsageError} "No such container: REF".
 *
 * @example
 * ```ts ignore
 * import { containerArchive } from "./copy_from_container.ts";
 * import { sys } from "../sys/mod.ts";
 * const tar = await containerArchive("f45a27", "/etc");
 * for await (const chunk of tar) sys.stdout(chunk);
 * ```
 */
export async function containerArchive(
  ref: string,
  path: string,
  options: CopyFromOptions = {},
): Promise<AsyncGenerator<Uint8Array>> {
  const fs = containerFilesystem(ref);
  const { name, contents } = sourceName(path);
  const worker = await startFilesWorker({
    op: "archive",
    layers: fs.merged,
    path,
    followLink: options.followLink === true,
    name: contents || name === "" ? "." : name,
    container: ref,
  }, options);
  worker.closeInput();
  return workerOutput(worker);
}

/** Where the entries go on the host, decided by the type of the source. */
function hostPlacement(
  dest: string,
  source: { name: string; contents: boolean },
): { root: string; rename: (name: string, type: TarEntryType | null) => string | null } {
  const info = stat(dest);
  let root: string;
  let base: string;
  if (info) {
    const real = sys.realPath(dest);
    root = real === "/" ? "/" : dirname(real);
    base = real === "/" ? "" : basename(real);
  } else {
    const parent = dirname(dest);
    if (!stat(parent)?.isDirectory) {
      throw new UsageError(`Cannot copy to '${dest}': the directory '${parent}' does not exist`);
    }
    root = sys.realPath(parent);
    base = basename(dest);
  }
  let target: string | null = null;
  let skipTop = false;
  const decide = (type: TarEntryType) => {
    if (type === "directory") {
      if (info && !info.isDirectory) {
        throw new UsageError(`Cannot copy a directory to '${dest}': it is not a directory`);
      }
      if (!info) target = base;
      else if (source.contents || source.name === "") {
        target = base;
        skipTop = true;
      } else target = join(base, source.name);
    } else if (info?.isDirectory) {
      target = join(base, source.name);
    } else if (info && /\/\.?$/.test(dest)) {
      throw new UsageError(`Cannot copy to '${dest}': it is not a directory`);
    } else {
      if (!info && /\/\.?$/.test(dest)) {
        throw new UsageError(`Cannot copy to '${dest}': the directory does not exist`);
      }
      target = base;
    }
  };
  return {
    root,
    rename(entryName, type) {
      const name = entryName.replace(/\/+$/, "");
      if (target === null) {
        if (name !== TOP || type === null) {
          throw new NookError(`Unexpected first entry '${name}' in the container's archive`);
        }
        decide(type);
      }
      if (name === TOP) return skipTop ? null : target;
      if (name.startsWith(`${TOP}/`)) return join(target!, name.slice(TOP.length + 1));
      throw new NookError(`Unexpected entry '${name}' in the container's archive`);
    },
  };
}

/**
 * Copies a path of a container to the host.
 *
 * @param ref The container (id, id prefix or name).
 * @param path The path in the container.
 * @param dest Where it goes on the host.
 * @param options `-L`, warnings.
 * @throws {UsageError} On an unknown container, a missing destination
 *   directory, or a directory copied onto a file.
 * @throws {NookError} When the path does not exist in the container, or a
 *   file cannot be written.
 *
 * @example
 * ```ts ignore
 * import { copyFromContainer } from "./copy_from_container.ts";
 * await copyFromContainer("f45a27", "/etc/passwd", "./passwd");
 * ```
 */
export async function copyFromContainer(
  ref: string,
  path: string,
  dest: string,
  options: CopyFromOptions = {},
): Promise<void> {
  const fs = containerFilesystem(ref);
  const source = sourceName(path);
  const { root, rename } = hostPlacement(dest, source);
  const worker = await startFilesWorker({
    op: "archive",
    layers: fs.merged,
    path,
    followLink: options.followLink === true,
    name: TOP,
    container: ref,
  }, options);
  worker.closeInput();
  try {
    await extractTar(worker.output, root, { owners: "squash", rename });
  } catch (err) {
    throw (await worker.stop()) ?? err; // the worker's own error (a missing path) says more
  }
  await worker.finish();
}
