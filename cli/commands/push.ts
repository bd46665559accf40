/**
 * `nook push [OPTIONS] IMAGE [DESTINATION]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { type PushEvent, pushImage } from "../../lib/image/push_image.ts";
import { parseReference } from "../../lib/reference/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry_flags.ts";
import { sys } from "../../lib/sys/sys.ts";

const FLAGS: FlagSpec[] = [
  { name: "quiet", short: "q", type: "bool", help: "Print only the pushed digest" },
  ...REGISTRY_FLAGS,
  {
    name: "chunked",
    type: "bool",
    help: "Upload blobs in chunks (default: blobs of 256 MiB and more)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

const say = (text: string) => sys.stderr(text);

function printer(): (event: PushEvent) => void {
  return (e) => {
    if (e.kind === "start") say(`The push refers to repository [${e.repository}]\n`);
    else if (e.kind === "blob") {
      const id = e.digest.slice(7, 19);
      if (e.state === "exists") say(`${id}: Layer already exists\n`);
      else if (e.state === "mounted") say(`${id}: Mounted from ${e.from}\n`);
      else if (e.state === "pushed") say(`${id}: Pushed\n`);
    }
  };
}

/**
 * Runs `nook push`: IMAGE is pushed under its name, or to DESTINATION.
 *
 * @param args Arguments after "push".
 * @returns 0 when the manifest is in the registry.
 * @throws {UsageError} Without one or two arguments.
 *
 * @example
 * ```ts ignore
 * await main(["--tls-verify=false", "busybox", "127.0.0.1:5000/me/busybox:1"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "push", stopAtPositional: false });
  if (p.bools.help) {
    console.log(
      helpText(
        "nook push [OPTIONS] IMAGE [DESTINATION]",
        "Push an image to a registry; with --tls-verify=false, also over plain HTTP.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length < 1 || p.rest.length > 2) {
    throw new UsageError(
      "'nook push' takes an image and an optional destination\nSee 'nook push --help'",
    );
  }
  const [image, destination] = p.rest;
  let targetRegistry: string | undefined; // it may use plain HTTP with --tls-verify=false
  try {
    targetRegistry = parseReference(destination ?? image).registry;
  } catch {
    // pushImage says what is wrong with it
  }
  const result = await pushImage(image, destination, {
    registry: registryOptions(p, targetRegistry),
    chunked: p.bools.chunked,
    onProgress: p.bools.quiet ? undefined : printer(),
  });
  const tag = result.reference.slice(result.reference.lastIndexOf(":") + 1);
  if (p.bools.quiet) console.log(result.digest);
  else console.log(`${tag}: digest: ${result.digest} size: ${result.size}`);
  return 0;
}
