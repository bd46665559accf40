/**
 * The registry flags that `login`, `pull`, `push` and `search` share
 * (`--tls-verify`, `--cert-dir`), and the client options they give.
 *
 * @module
 */
import type { RegistryClientOptions } from "../lib/registry/registry_client.ts";
import type { FlagSpec, ParsedArgs } from "./args.ts";

/** The flags. */
export const REGISTRY_FLAGS: readonly FlagSpec[] = [
  { name: "tls-verify", type: "bool", help: "Verify the registry's certificate (default true)" },
  {
    name: "cert-dir",
    type: "string",
    value: "DIR",
    help: "CA certificates (*.crt) for the registry",
  },
];

/** The registry client options the flags set. */
export type RegistryFlagOptions = Pick<
  RegistryClientOptions,
  "tlsVerify" | "certDir" | "insecureRegistries"
>;

/**
 * The registry client options among parsed flags.
 *
 * @param p What parseArgs returned for specs that include {@linkcode REGISTRY_FLAGS}.
 * @param insecure A registry that may also answer over plain HTTP when
 *   `--tls-verify=false` is given (push's target); none by default.
 * @returns The options (TLS verification, CA directory, insecure registries).
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { REGISTRY_FLAGS, registryOptions } from "./registry_flags.ts";
 * const p = parseArgs(["--tls-verify=false", "img"], REGISTRY_FLAGS, { command: "push" });
 * const options = registryOptions(p, "registry.test:5000");
 * console.assert(options.tlsVerify === false);
 * console.assert(options.insecureRegistries?.[0] === "registry.test:5000");
 * ```
 */
export function registryOptions(p: ParsedArgs, insecure?: string): RegistryFlagOptions {
  const tlsVerify = p.bools["tls-verify"];
  return {
    tlsVerify,
    certDir: p.strings["cert-dir"],
    insecureRegistries: tlsVerify === false && insecure !== undefined ? [insecure] : [],
  };
}
