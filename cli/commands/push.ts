/**
 * `nook push [OPTIONS] IMAGE [DESTINATION]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { type PushEvent, pushImage } from "../../lib/image/push_image.ts";
import { parseReference } from "../../lib/reference/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { sys } from "../../lib/sys/sys.ts";

const FLAGS: FlagSpec[] = [
  { name: "quiet", short: "q", type: "bool", help: "Print only the pushed digest" },
  {
    name: "tls-verify",
    type: "bool",
    help: "Verify the registry's certificate; false also allows plain HTTP (default true)",
  },
  {
    name: "cert-dir",
    type: "string",
    value: "DIR",
    help: "CA certificates (*.crt) for the registry",
  },
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
      helpText("nook push [OPTIONS] IMAGE [DESTINATION]", "Push an image to a registry.", FLAGS),
    );
    return 0;
  }
  if (p.rest.length < 1 || p.rest.length > 2) {
    throw new UsageError(
      "'nook push' takes an image and an optional destination\nSee 'nook push --help'",
    );
  }
  const [image, destination] = p.rest;
  const tlsVerify = p.bools["tls-verify"];
  const target = destination ?? image;
  let insecure: string[] = [];
  if (tlsVerify === false) {
    try {
      insecure = [parseReference(target).registry];
    } catch {
      // pushImage says what is wrong with it
    }
  }
  const result = await pushImage(image, destination, {
    registry: { tlsVerify, certDir: p.strings["cert-dir"], insecureRegistries: insecure },
    chunked: p.bools.chunked,
    onProgress: p.bools.quiet ? undefined : printer(),
  });
  const tag = result.reference.slice(result.reference.lastIndexOf(":") + 1);
  if (p.bools.quiet) console.log(result.digest);
  else console.log(`${tag}: digest: ${result.digest} size: ${result.size}`);
  return 0;
}
