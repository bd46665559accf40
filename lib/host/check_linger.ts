/**
 * Check lingering: on a systemd host, systemd-logind ends a user's processes
 * at logout (detached containers and their monitors too) unless lingering is
 * enabled for the user (`/var/lib/systemd/linger/<user>` exists).
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";

/**
 * Whether logout would end detached containers: true when the host runs
 * systemd and lingering is off for the user, false when it is on, null where
 * it does not apply (no systemd).
 *
 * @param host The host to read.
 * @returns The answer.
 *
 * @example
 * ```ts
 * import { lingerOff } from "./check_linger.ts";
 * import { fakeHost } from "./fake_host.ts";
 * console.assert(await lingerOff(fakeHost()) === null);
 * ```
 */
export async function lingerOff(host: Host): Promise<boolean | null> {
  if (!(await host.stat("/run/systemd/system"))?.isDirectory) return null;
  const user = host.userName() ?? String(host.uid());
  return (await host.stat(`/var/lib/systemd/linger/${user}`)) === null;
}

/**
 * The `linger` check: a warning (with the fix) when lingering is off on a systemd host.
 *
 * @param host The host to read.
 * @returns The check.
 *
 * @example
 * ```ts
 * import { checkLinger } from "./check_linger.ts";
 * import { fakeHost } from "./fake_host.ts";
 * console.assert((await checkLinger(fakeHost())).status === "ok");
 * ```
 */
export async function checkLinger(host: Host): Promise<Check> {
  const base = { id: "linger", title: "Detached containers after logout" };
  const off = await lingerOff(host);
  if (off === null) {
    return { ...base, status: "ok", detail: "no systemd-logind: they keep running" };
  }
  if (!off) return { ...base, status: "ok", detail: "lingering is on: they keep running" };
  const user = host.userName() ?? String(host.uid());
  return {
    ...base,
    status: "warn",
    detail: "lingering is off: systemd-logind ends detached containers when you log out",
    fix: `loginctl enable-linger ${user}`,
  };
}
