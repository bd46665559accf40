/**
 * `nook logout [REGISTRY]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { normalizeRegistry } from "../../lib/reference/mod.ts";
import { logout } from "../../lib/registry/login.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook logout`: removes the registry's credentials from nook's (and
 * podman's) auth file. Docker's `~/.docker/config.json` is left alone.
 *
 * @param args Arguments after "logout": the registry (default `docker.io`).
 * @returns 0 (also when not logged in, as docker).
 * @throws {UsageError} On more than one registry or an invalid name.
 *
 * @example
 * ```ts ignore
 * await main(["127.0.0.1:5000"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "logout", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook logout [SERVER]", "Log out of a registry.", FLAGS));
    return Promise.resolve(0);
  }
  if (p.rest.length > 1) {
    throw new UsageError("'nook logout' takes at most one registry\nSee 'nook logout --help'");
  }
  const registry = normalizeRegistry(p.rest[0] ?? "docker.io");
  if (logout(registry)) sys.stdout(`Removing login credentials for ${registry}\n`);
  else sys.stdout(`Not logged in to ${registry}\n`);
  return Promise.resolve(0);
}
