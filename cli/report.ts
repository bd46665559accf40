/**
 * The one place a command's error is printed and mapped to its exit code,
 * shared by cli/main.ts and the per-command bundles (see scripts/build.sh).
 *
 * @module
 */
import { EXIT_NOOK } from "../lib/errors/nook_error.ts";
import { setSelfCommand, sys } from "../lib/sys/sys.ts";

/**
 * Prints an error once (a NookError's message; a bug with its stack) and
 * returns its exit code.
 *
 * @param err What was thrown.
 * @returns The exit code (125 unless the error carries one).
 *
 * @example
 * ```ts ignore
 * return await report(err);
 * ```
 */
export function report(err: unknown): Promise<number> {
  const e = err as {
    name?: string;
    message?: string;
    exitCode?: number;
    stack?: string;
    code?: string;
  };
  // NookErrors, the shim loader and the cache of a compiled nook's files, and operating system
  // errors (they name the path) need no stack.
  const known = typeof e?.exitCode === "number" || e?.name === "ShimLoadError" ||
    e?.name === "EmbeddedFileError" ||
    (typeof e?.code === "string" && /^E[A-Z]+$/.test(e.code));
  const text = known ? e.message : `internal error: ${e?.stack ?? String(err)}`;
  sys.stderr(`nook: ${text}\n`);
  return Promise.resolve(typeof e?.exitCode === "number" ? e.exitCode : EXIT_NOOK);
}

/**
 * The V8 flags bin/nook gives Deno for `dist/main.js`: compiled eagerly, the
 * functions of a module come from V8's code cache with it, where lazily
 * compiled ones are compiled anew at each start (`nook run` calls most of what
 * it loads). V8 takes no code cache made under other flags, so nook's own
 * starts of that bundle (workers, a detached `--rm` container's removal) give
 * the same ones: else each would compile the chunks it shares with the others.
 *
 * @example
 * ```ts
 * import { BUNDLE_V8_FLAGS } from "./report.ts";
 * console.assert(BUNDLE_V8_FLAGS[0] === "--v8-flags=--no-lazy");
 * ```
 */
export const BUNDLE_V8_FLAGS: readonly string[] = ["--v8-flags=--no-lazy"];

/**
 * Runs one command as a program: the entry of a per-command bundle
 * (`dist/cmd/NAME.js`), which re-executes nook for internal work through the
 * main bundle beside it.
 *
 * @param main The command's main.
 * @param mainBundle The URL of dist/main.js.
 *
 * @example
 * ```ts ignore
 * await runStandalone(main, new URL("../main.js", import.meta.url));
 * ```
 */
export async function runStandalone(
  main: (args: string[]) => Promise<number>,
  mainBundle: URL,
): Promise<never> {
  setSelfCommand([
    sys.execPath(),
    "run",
    "-A",
    "--no-config",
    ...BUNDLE_V8_FLAGS,
    decodeURIComponent(mainBundle.pathname),
  ]);
  let code: number;
  try {
    code = await main(sys.args());
  } catch (err) {
    code = await report(err);
  }
  sys.exit(code);
}
