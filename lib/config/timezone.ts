/**
 * `--tz` (podman's): the container's /etc/localtime, a copy of a zone file
 * of the host's /usr/share/zoneinfo, or of the host's own /etc/localtime for
 * "local". Checked at create; copied into the run directory at each start.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";

/**
 * Checks `--tz`: "local" (the host's /etc/localtime) or a zone of the host's
 * /usr/share/zoneinfo; the file is copied into the container at each start.
 *
 * @param tz The value.
 * @returns It, or undefined when not given.
 * @throws {UsageError} When the host has no such zone.
 *
 * @example
 * ```ts ignore
 * checkTimezone("Asia/Tokyo"); // "Asia/Tokyo"
 * ```
 */
export function checkTimezone(tz: string | undefined): string | undefined {
  if (tz === undefined) return undefined;
  const file = timezoneFile(tz);
  if (file === null || !sys.stat(file)?.isFile) {
    throw new UsageError(
      tz === "local"
        ? "Cannot use --tz local: the host has no /etc/localtime"
        : `Invalid --tz '${tz}': no such time zone in /usr/share/zoneinfo ` +
          "(give e.g. Europe/Berlin, UTC, or local)",
    );
  }
  return tz;
}

/**
 * The host file a `--tz` value names.
 *
 * @param tz "local" or a zone name.
 * @returns /etc/localtime, /usr/share/zoneinfo/ZONE, or null for a name that leaves the directory.
 *
 * @example
 * ```ts
 * import { timezoneFile } from "./timezone.ts";
 * console.assert(timezoneFile("Asia/Tokyo") === "/usr/share/zoneinfo/Asia/Tokyo");
 * console.assert(timezoneFile("../../etc/passwd") === null);
 * ```
 */
export function timezoneFile(tz: string): string | null {
  if (tz === "local") return "/etc/localtime";
  if (tz === "" || tz.startsWith("/") || tz.split("/").some((p) => p === ".." || p === "")) {
    return null;
  }
  return `/usr/share/zoneinfo/${tz}`;
}
