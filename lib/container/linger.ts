/**
 * systemd-logind kills a user's processes at logout unless lingering is on:
 * detached containers (their monitors) die with the session. Warn once.
 *
 * @module
 */
import { runtimeDir } from "../paths/mod.ts";
import { sys, which } from "../sys/mod.ts";

/**
 * Whether lingering is off for this user on a systemd host (null when unknown:
 * no systemd, no loginctl).
 *
 * @returns True when logout would end detached containers.
 *
 * @example
 * ```ts ignore
 * if (await lingerOff()) console.log("enable linger");
 * ```
 */
export async function lingerOff(): Promise<boolean | null> {
  if (!sys.stat("/run/systemd/system")) return null;
  const loginctl = which("loginctl");
  if (!loginctl) return null;
  const user = String(sys.uid());
  const r = await sys.run(loginctl, ["show-user", user, "--property=Linger", "--value"]);
  if (r.code !== 0) return null;
  return r.stdout.trim() === "no";
}

/** The fix, for the warning and `nook system check`. */
export const LINGER_FIX =
  "run 'loginctl enable-linger' so that they keep running after you log out";

/**
 * Prints one warning per boot when lingering is off.
 *
 * @example
 * ```ts ignore
 * await warnIfNoLinger();
 * ```
 */
export async function warnIfNoLinger(): Promise<void> {
  const marker = `${runtimeDir()}/linger-warned`;
  if (sys.lstat(marker)) return;
  if (await lingerOff()) {
    sys.stderr(
      "nook: warning: lingering is off for your user: systemd-logind ends detached containers " +
        `when you log out; ${LINGER_FIX}\n`,
    );
  }
  sys.writeText(marker, "");
}
