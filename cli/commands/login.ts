/**
 * `nook login [-u USER] [-p PASS | --password-stdin] [--tls-verify=false]
 * [--cert-dir DIR] [REGISTRY]`.
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { normalizeRegistry } from "../../lib/reference/mod.ts";
import { readCredentials } from "../../lib/registry/credentials.ts";
import { login } from "../../lib/registry/login.ts";
import { RegistryClient } from "../../lib/registry/registry_client.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { REGISTRY_FLAGS, type RegistryFlagOptions, registryOptions } from "../registry_flags.ts";
import { nextStdinByte } from "../stdin_line.ts";

const FLAGS: FlagSpec[] = [
  { name: "username", short: "u", type: "string", value: "USER", help: "User name" },
  {
    name: "password",
    short: "p",
    type: "string",
    value: "PASS",
    help: "Password (prefer --password-stdin)",
  },
  { name: "password-stdin", type: "bool", help: "Read the password from stdin" },
  ...REGISTRY_FLAGS,
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook login`: checks the credentials with the registry, then stores
 * them in nook's auth file (podman's format, which `pull` reads). Missing
 * user name or password are asked for only when stdin is a terminal. Without
 * any, stored credentials are checked first, as docker does.
 *
 * @param args Arguments after "login": flags and the registry (default `docker.io`).
 * @returns 0 when logged in.
 * @throws {UsageError} On conflicting flags, or a missing user name or
 *   password when stdin is not a terminal.
 * @throws {RegistryError} When the registry refuses them (nothing is stored).
 *
 * @example
 * ```ts ignore
 * await main(["-u", "me", "--password-stdin", "127.0.0.1:5000"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "login", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook login [OPTIONS] [SERVER]", "Log in to a registry.", FLAGS));
    return 0;
  }
  if (p.rest.length > 1) {
    throw new UsageError("'nook login' takes at most one registry\nSee 'nook login --help'");
  }
  const registry = normalizeRegistry(p.rest[0] ?? "docker.io");
  const tls = registryOptions(p);
  let username = p.strings.username;
  let password = p.strings.password;
  if (password !== undefined && p.bools["password-stdin"]) {
    throw new UsageError("--password and --password-stdin are mutually exclusive");
  }
  if (password !== undefined) {
    sys.stderr("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  }
  if (p.bools["password-stdin"]) {
    if (!username) throw new UsageError("Must provide --username with --password-stdin");
    password = (await new Response(sys.stdinStream()).text()).replace(/\n$/, "").replace(
      /\r$/,
      "",
    );
  }
  if (username === undefined && password === undefined && await existingValid(registry, tls)) {
    sys.stdout("Login Succeeded\n");
    return 0;
  }
  const terminal = sys.isTerminal(0);
  if (!username) {
    if (!terminal) {
      throw new UsageError(
        `Cannot log in to '${registry}': no user name; give -u USER (stdin is not a terminal to ask)`,
      );
    }
    username = (await prompt("Username: ", true)).trim();
  }
  if (!password) {
    if (!terminal) {
      throw new UsageError(
        `Cannot log in to '${registry}': no password; give --password-stdin or -p ` +
          "(stdin is not a terminal to ask)",
      );
    }
    password = await prompt("Password: ", false);
  }
  await login(registry, username, password, tls);
  sys.stdout("Login Succeeded\n");
  return 0;
}

/** Whether stored credentials for `registry` exist and the registry accepts them. */
async function existingValid(
  registry: string,
  tls: RegistryFlagOptions,
): Promise<boolean> {
  const stored = readCredentials(registry);
  if (!stored) return false;
  sys.stdout("Authenticating with existing credentials...\n");
  const client = new RegistryClient({ ...tls, credentials: () => stored });
  try {
    await client.checkCredentials(registry);
    return true;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code !== "UNAUTHORIZED" && e.code !== "DENIED") throw err;
    sys.stderr(`nook: the stored credentials are not valid: ${e.message}\n`);
    return false;
  } finally {
    client.close();
  }
}

/** Asks on the terminal; without echo for passwords. */
async function prompt(question: string, echo: boolean): Promise<string> {
  sys.stdout(question);
  if (!echo) sys.setRaw(true);
  const bytes: number[] = [];
  try {
    while (true) {
      const b = await nextStdinByte();
      if (b === null) break;
      if (b === 0x0a || b === 0x0d) break;
      if (b === 0x03) throw new NookError("Login cancelled");
      if (b === 0x04 && bytes.length === 0) break;
      if (b === 0x7f || b === 0x08) bytes.pop();
      else bytes.push(b);
    }
  } finally {
    if (!echo) {
      sys.setRaw(false);
      sys.stdout("\n");
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
