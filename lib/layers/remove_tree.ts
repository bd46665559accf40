/**
 * Removes a directory tree that may hold files owned by subordinate ids (an
 * unpacked layer, a container's upper directory): the user cannot delete those
 * directly, root in the user's user namespace can.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import { spawnPlanned } from "../runtime/spawn_process.ts";
import { Op } from "../../shim/protocol.ts";
import { sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";

/**
 * `rm -rf PATH` as root in the user namespace.
 *
 * @param path An absolute path (a missing one is fine).
 * @throws {NookError} When rm fails.
 *
 * @example
 * ```ts ignore
 * await removeTree("/home/u/.local/share/nook/layers/incoming/x");
 * ```
 */
export async function removeTree(path: string): Promise<void> {
  if (!path.startsWith("/") || path === "/") throw new RangeError(`Refusing to remove '${path}'`);
  if (!sys.lstat(path)) return;
  try {
    sys.remove(path); // the fast path: everything is ours
    return;
  } catch {
    // files of subordinate ids: go through the user namespace
  }
  const argv = ["/bin/rm", "-rf", "--", path];
  const child = await spawnPlanned({
    program: {
      cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS,
      steps: [
        { op: Op.PDEATHSIG, n: [9] },
        { op: Op.CLOSE_FDS },
        { op: Op.EXEC, n: [argv.length, 0], s: [argv[0], null, argv, []] },
      ],
    },
    describe: ["set the parent-death signal", "close inherited file descriptors", "exec /bin/rm"],
  }, chooseIdMaps({ onWarning: () => {} }));
  const { exitCode } = await child.status;
  if (exitCode !== 0 || sys.lstat(path)) {
    throw new NookError(`Cannot remove '${path}': rm exited with ${exitCode}`);
  }
}
