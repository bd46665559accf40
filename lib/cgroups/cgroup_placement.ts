/**
 * Where nook may make containers' cgroups: a cgroup2 subtree delegated to
 * the user. In this order: `--cgroup-parent` (or `NOOK_CGROUP_PARENT`); the
 * user's systemd service `user@UID.service` (systemd delegates it with
 * `Delegate=yes`); the topmost writable cgroup above nook's own. Each must be
 * a directory the user may write, whose common ancestor with nook's own
 * cgroup has a `cgroup.procs` the user may write: moving a process (cloning
 * one into a cgroup too) needs that. Where none is found, the answer says
 * why and how to get one.
 *
 * @module
 */
import { canAccess } from "../host/_access.ts";
import { type CgroupInfo, detectCgroups } from "../host/detect_cgroups.ts";
import type { Host } from "../host/host.ts";
import { controllerList } from "./_controller_list.ts";

/** What {@linkcode findCgroupPlacement} takes. */
export interface PlacementOptions {
  /** `--cgroup-parent`: a cgroup2 directory, or a path in the cgroup2 hierarchy; wins over the environment. */
  parent?: string;
}

/** Where nook makes containers' cgroups. */
export interface CgroupPlacement {
  /** Found. */
  ok: true;
  /** The host's hierarchy. */
  info: CgroupInfo;
  /** The cgroup delegated to the user (the given parent, or the one found). */
  delegated: string;
  /** The directory containers' cgroups are made in: the given parent, else `<delegated>/nook`. */
  base: string;
  /** How messages name where it came from ("--cgroup-parent", "user@1000.service", ...). */
  source: string;
  /**
   * The controllers containers can have: those `delegated` offers
   * (cgroup.controllers), or where it holds processes itself only those
   * already enabled (cgroup.subtree_control: v2's no-internal-process rule).
   */
  controllers: string[];
  /** What `delegated` offers but cannot hand down, because it holds processes itself. */
  blocked: string[];
}

/** Why there is no place for containers' cgroups, and the way to one. */
export interface NoPlacement {
  /** Not found. */
  ok: false;
  /** The host's hierarchy. */
  info: CgroupInfo;
  /** Why, in words ("your cgroup /user.slice/... is not delegated to you"). */
  reason: string;
  /** How to get one. */
  fix: string;
  /** A parent was given (--cgroup-parent, NOOK_CGROUP_PARENT) and cannot be used. */
  explicit: boolean;
}

/** The fix when the host has no usable cgroup2 (v1, or none). */
export const UNIFY_FIX = "boot with systemd.unified_cgroup_hierarchy=1 (add it to " +
  "GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub and reboot), so that " +
  "systemd delegates cgroup v2 to your user manager (Delegate=yes for user@.service)";

/** The fix when cgroup2 is there but nothing is delegated to this user. */
export const DELEGATE_FIX = "run nook under your systemd user manager, whose cgroup " +
  "user@UID.service systemd delegates to you (Delegate=yes), e.g. 'systemd-run --user " +
  "--scope nook ...'; or give --cgroup-parent DIR (or NOOK_CGROUP_PARENT) naming a cgroup2 " +
  "directory delegated to you (owned by you, with its cgroup.procs and cgroup.subtree_control)";

/** The path in the hierarchy of a cgroup directory ("/" for the mount itself). */
function cgroupPath(mount: string, dir: string): string {
  return dir === mount ? "/" : dir.slice(mount.length);
}

/** The deepest cgroup that holds both paths (cgroup paths, "/"-rooted). */
function commonAncestor(a: string, b: string): string {
  const pa = a.split("/").filter(Boolean);
  const pb = b.split("/").filter(Boolean);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return "/" + pa.slice(0, i).join("/");
}

/** Whether the user may make cgroups in `dir` and clone processes from nook's cgroup into them. */
async function usable(
  host: Host,
  info: CgroupInfo & { mount: string },
  dir: string,
): Promise<string | null> {
  const st = await host.stat(dir);
  const path = cgroupPath(info.mount, dir);
  if (!st?.isDirectory) return `${dir} does not exist`;
  if (!(await canAccess(host, dir, { write: true }))) {
    return `${dir} is not delegated to you (you may not make cgroups in it)`;
  }
  if (info.path !== null) {
    const common = commonAncestor(info.path, path);
    const commonDir = common === "/" ? info.mount : `${info.mount}${common}`;
    if (!(await canAccess(host, `${commonDir}/cgroup.procs`, { write: true }))) {
      return `nook runs in cgroup ${info.path}, outside ${path}: moving a process between ` +
        `them needs write access to the cgroup.procs of ${common}, which you do not have`;
    }
  }
  return null;
}

/** The cgroup2 directory a --cgroup-parent names: a directory under the mount, or a cgroup path. */
function parentDir(mount: string, value: string): string {
  const clean = value.replace(/\/+$/, "");
  if (clean === mount || clean.startsWith(`${mount}/`)) return clean;
  return `${mount}/${clean.replace(/^\/+/, "")}`.replace(/\/+$/, "");
}

/** The topmost cgroup at or above nook's own that the user may write (the delegated root). */
async function topWritable(
  host: Host,
  info: CgroupInfo & { mount: string },
): Promise<string | null> {
  if (info.path === null || !info.writable) return null;
  let path = info.path;
  while (path !== "/") {
    const up = path.slice(0, path.lastIndexOf("/")) || "/";
    const dir = up === "/" ? info.mount : `${info.mount}${up}`;
    const writable = await canAccess(host, dir, { write: true }) &&
      await canAccess(host, `${dir}/cgroup.procs`, { write: true });
    if (!writable) break;
    path = up;
  }
  return path === "/" ? info.mount : `${info.mount}${path}`;
}

async function placed(
  host: Host,
  info: CgroupInfo,
  delegated: string,
  base: string,
  source: string,
): Promise<CgroupPlacement> {
  const [offered, enabled, procs] = await Promise.all([
    host.readTextFile(`${delegated}/cgroup.controllers`),
    host.readTextFile(`${delegated}/cgroup.subtree_control`),
    host.readTextFile(`${delegated}/cgroup.procs`),
  ]);
  const all = controllerList(offered);
  // The root cgroup may hold processes and hand controllers down; no other may.
  const busy = delegated !== info.mount && (procs ?? "").trim() !== "";
  const controllers = busy ? all.filter((c) => controllerList(enabled).includes(c)) : all;
  return {
    ok: true,
    info,
    delegated,
    base,
    source,
    controllers,
    blocked: all.filter((c) => !controllers.includes(c)),
  };
}

/**
 * Finds where containers' cgroups go.
 *
 * @param host The host to read.
 * @param options `--cgroup-parent`.
 * @returns The placement, or why there is none and the fix.
 *
 * @example A hybrid host where nothing is delegated
 * ```ts
 * import { fakeHost } from "../host/fake_host.ts";
 * import { findCgroupPlacement } from "./cgroup_placement.ts";
 * const host = fakeHost({
 *   files: {
 *     "/sys/fs/cgroup/unified/cgroup.controllers": "",
 *     "/sys/fs/cgroup/unified/cgroup.procs": "",
 *     "/proc/self/cgroup": "4:memory:/\n0::/\n",
 *   },
 * });
 * const p = await findCgroupPlacement(host);
 * console.assert(!p.ok && p.reason.includes("not delegated to you"));
 * ```
 */
export async function findCgroupPlacement(
  host: Host,
  options: PlacementOptions = {},
): Promise<CgroupPlacement | NoPlacement> {
  const info = await detectCgroups(host);
  if (info.mount === null) {
    return {
      ok: false,
      info,
      reason: info.mode === "v1"
        ? "this host has only cgroup v1 hierarchies, and nook uses cgroup v2"
        : "this host has no cgroup filesystem mounted",
      fix: UNIFY_FIX,
      explicit: false,
    };
  }
  const withMount = { ...info, mount: info.mount };
  const fromEnv = host.env("NOOK_CGROUP_PARENT");
  const asked = options.parent ?? (fromEnv || undefined);
  if (asked !== undefined) {
    const source = options.parent !== undefined ? "--cgroup-parent" : "NOOK_CGROUP_PARENT";
    const dir = parentDir(info.mount, asked);
    const problem = await usable(host, withMount, dir);
    if (problem) {
      return {
        ok: false,
        info,
        reason: `the cgroup parent ${dir} (${source}) cannot be used: ${problem}`,
        fix: `give ${source} a cgroup2 directory delegated to you (owned by you, with its ` +
          "cgroup.procs and cgroup.subtree_control), e.g. under user@UID.service",
        explicit: true,
      };
    }
    return await placed(host, info, dir, dir, source);
  }
  const uid = host.uid();
  const service = `${info.mount}/user.slice/user-${uid}.slice/user@${uid}.service`;
  const serviceProblem = await usable(host, withMount, service);
  if (serviceProblem === null) {
    return await placed(host, info, service, `${service}/nook`, `user@${uid}.service`);
  }
  const top = await topWritable(host, withMount);
  if (top !== null) return await placed(host, info, top, `${top}/nook`, "nook's own cgroup");
  const hybrid = info.mode === "hybrid"
    ? " (this host mounts cgroups in hybrid mode: v1 controllers, cgroup2 at " +
      `${info.mount})`
    : "";
  const serviceExists = (await host.stat(service))?.isDirectory ?? false;
  return {
    ok: false,
    info,
    reason: serviceExists
      ? serviceProblem
      : `your cgroup ${info.path ?? "(unknown)"} is not delegated to you${hybrid}, and there ` +
        `is no user@${uid}.service`,
    fix: info.mode === "hybrid" ? `${UNIFY_FIX}; or ${DELEGATE_FIX}` : DELEGATE_FIX,
    explicit: false,
  };
}
