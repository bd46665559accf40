/**
 * Probes whether the kernel mounts overlayfs inside a user namespace (Linux
 * 5.11+, with `userxattr`), by trying it in a throwaway namespace.
 *
 * @module
 */
import { Op, StepFlag } from "../../shim/protocol.ts";
import { runtimeDir } from "../paths/mod.ts";
import { sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import { CloneFlag } from "./defaults.ts";
import { spawnPlanned } from "./spawn_process.ts";

/**
 * Tries an overlay mount in a new user and mount namespace.
 *
 * @returns true when it mounts, else the reason.
 *
 * @example
 * ```ts ignore
 * import { probeOverlay } from "./probe_overlay.ts";
 * console.log(await probeOverlay());
 * ```
 */
export async function probeOverlay(): Promise<true | string> {
  const dir = sys.makeTempDir(runtimeDir(), "probe-overlay-");
  try {
    for (const d of ["lower", "upper", "work", "merged"]) sys.mkdirp(`${dir}/${d}`);
    const data = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work,userxattr`;
    const child = await spawnPlanned({
      program: {
        cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS,
        steps: [
          { op: Op.MOUNT_PRIVATE },
          { op: Op.ENTER_ROOT, s: [dir] },
          {
            op: Op.MOUNT,
            flags: StepFlag.MKDIR,
            n: [0],
            s: ["overlay", "/merged", "overlay", data],
          },
        ],
      },
      describe: ["make the mounts private", "enter the probe directory", "mount overlay"],
    }, chooseIdMaps({ onWarning: () => {} }));
    const { exitCode } = await child.status;
    return exitCode === 0 ? true : `probe exited with ${exitCode}`;
  } catch (err) {
    return (err as Error).message;
  } finally {
    sys.remove(dir);
  }
}
