/**
 * A directory standing in for a cgroup, for the tests of this folder.
 *
 * @module
 */

/**
 * Makes a directory with the given files (paths relative to it), runs `fn`
 * on it and removes it.
 *
 * @param files File paths and their text.
 * @param fn What to run.
 *
 * @example
 * ```ts
 * import { fakeCgroup } from "./_fake_cgroup.ts";
 * await fakeCgroup({ "cgroup.events": "populated 0\n" }, (dir) => console.assert(dir !== ""));
 * ```
 */
export async function fakeCgroup(
  files: Record<string, string>,
  fn: (dir: string) => void | Promise<void>,
): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "nook-fake-cgroup-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      Deno.mkdirSync(`${dir}/${name}`.replace(/\/[^/]*$/, ""), { recursive: true });
      Deno.writeTextFileSync(`${dir}/${name}`, text);
    }
    await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
