/**
 * Chooses this user's id maps: the subordinate ranges through newuidmap where
 * both exist, else the single mapping, said once (per boot: the marker lives
 * in the runtime directory).
 *
 * @module
 */
import { runtimeDir } from "../paths/mod.ts";
import { sys, which } from "../sys/mod.ts";
import { type IdMapPlan, planIdMaps } from "./id_map.ts";
import { ownRanges } from "./own_ranges.ts";

/** Options of {@linkcode chooseIdMaps}. */
export interface ChooseIdMapsOptions {
  /** Your ids are the same inside (`--userns=keep-id`). */
  keepId?: boolean;
  /** Receives the one-time warning about the single mapping. */
  onWarning?: (message: string) => void;
}

function warnOnce(key: string, message: string, warn: (m: string) => void): void {
  let marker: string | undefined;
  try {
    marker = `${runtimeDir()}/warned-${key}`;
    if (sys.lstat(marker)) return;
  } catch {
    // no runtime directory: warn every time
  }
  warn(message);
  try {
    if (marker) sys.writeText(marker, "", 0o600);
  } catch {
    // best effort
  }
}

/**
 * The id maps for a new user namespace of this user.
 *
 * @param options keep-id and where warnings go.
 * @returns The plan.
 *
 * @example
 * ```ts
 * import { chooseIdMaps } from "./choose_id_maps.ts";
 * const plan = chooseIdMaps({ onWarning: () => {} });
 * console.assert(plan.uid[0].inside === 0);
 * ```
 */
export function chooseIdMaps(options: ChooseIdMapsOptions = {}): IdMapPlan {
  const warn = options.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
  const { subuids, subgids } = ownRanges();
  const haveRange = subuids.length > 0 && subgids.length > 0;
  const haveTools = haveRange && which("newuidmap") !== null && which("newgidmap") !== null;
  if (!haveRange) {
    warnOnce(
      "single-mapping",
      "no /etc/subuid and /etc/subgid range for this user: only your own uid and gid are " +
        "mapped (as root inside); files of other owners cannot be created",
      warn,
    );
  } else if (!haveTools) {
    warnOnce(
      "no-newuidmap",
      "newuidmap/newgidmap not found (install the 'uidmap' package): only your own uid " +
        "and gid are mapped",
      warn,
    );
  }
  return planIdMaps({
    uid: sys.uid(),
    gid: sys.gid(),
    subuids,
    subgids,
    keepId: options.keepId,
    single: !haveTools,
  });
}
