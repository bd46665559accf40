/**
 * What `nook --version` prints: nook's version, the runtime it runs on and
 * the shim it loaded (its ABI and the start of the library's SHA-256), so a
 * bug report tells which of the three ways nook was run and which C code.
 *
 * @module
 */
import { sys } from "../lib/sys/sys.ts";
import { loadShim } from "../shim/binding.ts";
import { ABI } from "../shim/protocol.ts";
import { isCompiled } from "../shim/embedded_files.ts";

/**
 * The version text, e.g.
 * `nook version 0.1.0\nruntime: node 20.20.2 (x86_64)\nshim: ABI 3, sha256 1a2b3c4d5e6f (/path/libnook_shim-x86_64.so)\n`;
 * a compiled nook says `(x86_64, compiled)` and names the shim's copy in its cache.
 * A shim that does not load is named with the reason instead.
 *
 * @param version nook's version.
 * @returns The lines to print.
 *
 * @example
 * ```ts ignore
 * import { versionText } from "./version_text.ts";
 * sys.stdout(await versionText("0.1.0"));
 * ```
 */
export async function versionText(version: string): Promise<string> {
  let shim: string;
  try {
    const { path } = loadShim();
    const bytes = sys.readBytes(path) ?? new Uint8Array();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
    shim = `ABI ${ABI}, sha256 ${hex} (${path})`;
  } catch (err) {
    shim = `not loaded: ${(err as Error).message}`;
  }
  const form = isCompiled() ? `${sys.arch}, compiled` : sys.arch;
  return `nook version ${version}\nruntime: ${sys.runtime} ${sys.version} (${form})\nshim: ${shim}\n`;
}
