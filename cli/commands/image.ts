/**
 * `nook image SUBCOMMAND`: `inspect` and `prune` here; `ls`, `rm`, `tag`,
 * `pull`, `push`, `load`, `save`, `import` and `history` are the top-level commands,
 * loaded only when asked for (a missing one breaks only itself).
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { inspectImage } from "../../lib/image/image_api.ts";
import type { ImageInspect } from "../../lib/image/inspect_image.ts";
import { NoSuchImageError } from "../../lib/image/no_such_image.ts";
import { findImage } from "../../lib/image/find_image.ts";
import { storeLayout } from "../../lib/store/layout.ts";
import { namesHistory } from "../../lib/store/image_index.ts";
import { displayName } from "../../lib/image/display_name.ts";
import { EXIT_NO_SUCH_OBJECT } from "../exit_code.ts";
import { withHidden } from "../hidden_fields.ts";
import { printInspected } from "../print_inspected.ts";
import { existsMain } from "../exists_command.ts";
import { pruneImages } from "../../lib/image/prune_images.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { readStdinLine } from "../stdin_line.ts";
import { humanSize } from "../table.ts";

/** A command module, as `cli/main.ts` loads them. */
interface CommandModule {
  main(args: string[]): Promise<number>;
}

const DELEGATED: Record<string, () => Promise<CommandModule>> = {
  ls: () => import("./images.ts"),
  list: () => import("./images.ts"),
  rm: () => import("./rmi.ts"),
  remove: () => import("./rmi.ts"),
  tag: () => import("./tag.ts"),
  untag: () => import("./untag.ts"),
  pull: () => import("./pull.ts"),
  push: () => import("./push.ts"),
  load: () => import("./load.ts"),
  save: () => import("./save.ts"),
  import: () => import("./import.ts"),
  history: () => import("./history.ts"),
};

const USAGE = `Usage:  nook image COMMAND

Manage images

Commands:
  history     Show the history of an image (same as 'nook history')
  inspect     Show details of one or more images (JSON)
  ls          List images (also: list; same as 'nook images')
  prune       Remove unused images
  rm          Remove one or more images (also: remove; same as 'nook rmi')
  tag         Give an image another name
  untag       Take names off an image (podman's)
  pull        Pull an image from a registry
  push        Push an image to a registry
  load        Load images from an archive
  save        Save images to an archive
  import      Make an image from a rootfs tarball or directory
  exists      Exit 0 when an image exists, 1 when not (podman's)

Run 'nook image COMMAND --help' for more information on a command.
`;

/**
 * Runs `nook image`.
 *
 * @param args The subcommand and its arguments.
 * @returns The exit code.
 * @throws {UsageError} On an unknown subcommand.
 * @throws {NookError} When the subcommand's module cannot be loaded.
 *
 * @example
 * ```ts ignore
 * await main(["inspect", "busybox"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    sys.stdout(USAGE);
    return sub === undefined ? 125 : 0;
  }
  if (sub === "inspect") return inspect(rest);
  if (sub === "prune") return await prune(rest);
  if (sub === "exists") return exists(rest);
  const load = DELEGATED[sub];
  if (!load) throw new UsageError(`unknown command 'image ${sub}'\nSee 'nook image --help'`);
  let mod: CommandModule;
  try {
    mod = await load();
  } catch (err) {
    throw new NookError(`'nook image ${sub}' is not available: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return await mod.main(rest);
}

const INSPECT_FLAGS: FlagSpec[] = [
  {
    name: "format",
    short: "f",
    type: "string",
    value: "string",
    help: "Go template ('{{.Id}}', '{{json .Config}}') or 'json'",
  },
  { name: "help", type: "bool", help: "Print usage" },
];

async function inspect(args: string[]): Promise<number> {
  const p = parseArgs(args, INSPECT_FLAGS, { command: "image inspect", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook image inspect [OPTIONS] IMAGE [IMAGE...]",
        "Show details of images.",
        INSPECT_FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) {
    throw new UsageError(
      "'nook image inspect' needs at least one image\nSee 'nook image inspect --help'",
    );
  }
  const found: ImageInspect[] = [];
  let code = 0;
  for (const name of p.rest) {
    try {
      found.push(inspectImageItem(name));
    } catch (err) {
      if (!(err instanceof NoSuchImageError)) throw err;
      sys.stderr(`nook: ${err.message}\n`);
      code = EXIT_NO_SUCH_OBJECT;
    }
  }
  await printInspected(found, p.strings.format);
  return code;
}

/**
 * An image as `inspect` shows it, with podman's template fields beside
 * docker's JSON: `.ID` (the id's hex), `.Digest`, `.Labels`, `.NamesHistory`, `.User`.
 *
 * @param ref A name, id or id prefix.
 * @returns docker's object.
 * @throws {NoSuchImageError} When it matches no image.
 *
 * @example
 * ```ts ignore
 * inspectImageItem("busybox").Id;
 * ```
 */
export function inspectImageItem(ref: string): ImageInspect {
  const layout = storeLayout();
  const record = findImage(layout, ref);
  if (!record) throw new NoSuchImageError(ref);
  const item = inspectImage(record.id);
  return withHidden(item, {
    ID: item.Id.replace(/^sha256:/, ""),
    Digest: record.manifestDigest,
    Labels: item.Config.Labels ?? {},
    NamesHistory: namesHistory(record).map(displayName),
    User: item.Config.User,
  });
}

function exists(args: string[]): number {
  return existsMain(args, {
    kind: "image",
    exists: (ref) => findImage(storeLayout(), ref) !== null,
  });
}

const PRUNE_FLAGS: FlagSpec[] = [
  {
    name: "all",
    short: "a",
    type: "bool",
    help: "Remove all unused images, not just dangling ones",
  },
  { name: "force", short: "f", type: "bool", help: "Do not prompt for confirmation" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

async function prune(args: string[]): Promise<number> {
  const p = parseArgs(args, PRUNE_FLAGS, { command: "image prune", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook image prune [OPTIONS]", "Remove unused images.", PRUNE_FLAGS));
    return 0;
  }
  if (p.rest.length > 0) {
    throw new UsageError("'nook image prune' takes no arguments\nSee 'nook image prune --help'");
  }
  if (!p.bools.force) {
    sys.stdout(
      (p.bools.all
        ? "WARNING! This will remove all images without at least one container associated to them."
        : "WARNING! This will remove all dangling images.") +
        "\nAre you sure you want to continue? [y/N] ",
    );
    const answer = (await readStdinLine()).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") return 0;
  }
  const { untagged, deleted, freed } = await pruneImages({ all: p.bools.all });
  if (untagged.length || deleted.length) {
    sys.stdout(
      "Deleted Images:\n" + untagged.map((n) => `untagged: ${n}\n`).join("") +
        deleted.map((d) => `deleted: ${d}\n`).join("") + "\n",
    );
  }
  for (const w of freed.warnings) sys.stderr(`nook: ${w}\n`);
  sys.stdout(`Total reclaimed space: ${humanSize(freed.bytes)}\n`);
  return 0;
}
