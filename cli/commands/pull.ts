/**
 * `nook pull [OPTIONS] IMAGE`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { pullImage } from "../../lib/image/pull_image.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { pullProgress } from "../progress.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry_flags.ts";
import { sys } from "../../lib/sys/sys.ts";

const FLAGS: FlagSpec[] = [
  { name: "quiet", short: "q", type: "bool", help: "Print only the image id" },
  {
    name: "platform",
    type: "string",
    value: "OS/ARCH[/VARIANT]",
    help: "Platform to pull (default: this machine's)",
  },
  ...REGISTRY_FLAGS,
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook pull`.
 *
 * @param args Arguments after "pull".
 * @returns 0 when the image is in the store.
 * @throws {UsageError} Without exactly one image.
 *
 * @example
 * ```ts ignore
 * await main(["-q", "127.0.0.1:5000/busybox"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "pull" });
  if (p.bools.help) {
    console.log(helpText("nook pull [OPTIONS] IMAGE", "Pull an image from a registry.", FLAGS));
    return 0;
  }
  if (p.rest.length !== 1) throw new UsageError("'nook pull' takes exactly one image\nSee 'nook pull --help'");
  const image = await pullImage(p.rest[0], {
    platform: p.strings.platform,
    registry: registryOptions(p),
    onProgress: p.bools.quiet ? undefined : pullProgress(),
    onWarning: (m) => sys.stderr(`nook: ${m}\n`),
  });
  console.log(p.bools.quiet ? image.id : (image.names[0] ?? image.repoDigests[0]));
  return 0;
}
