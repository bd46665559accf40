/**
 * `nook run -d` warns once per boot when systemd-logind would end detached
 * containers at logout (lingering off; see lib/host/check_linger.ts).
 *
 * @module
 */
import { runtimeDir } from "../paths/mod.ts";
import { sys } from "../sys/mod.ts";

/**
 * Prints one warning per boot when lingering is off on a systemd host.
 *
 * @example
 * ```ts ignore
 * await warnIfNoLinger();
 * ```
 */
export async function warnIfNoLinger(): Promise<void> {
  const marker = `${runtimeDir()}/linger-warned`;
  if (sys.lstat(marker)) return;
  const { checkLinger, realHost } = await import("../host/mod.ts");
  const check = await checkLinger(realHost());
  if (check.status === "warn") {
    sys.stderr(`nook: warning: ${check.detail}; to keep them, run '${check.fix}'\n`);
  }
  sys.writeText(marker, "");
}
