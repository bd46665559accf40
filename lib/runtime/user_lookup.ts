/**
 * Resolves `--user` against the rootfs's /etc/passwd and /etc/group, as
 * docker does: `name`, `uid`, `name:group`, `uid:gid`, with supplementary
 * groups from /etc/group membership.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { resolveInRoot } from "./in_root.ts";

/** Who the container's process is. */
export interface ResolvedUser {
  /** uid inside the container. */
  uid: number;
  /** Primary gid. */
  gid: number;
  /** Supplementary gids (the primary one first). */
  groups: number[];
  /** Home directory (for $HOME). */
  home: string;
}

/** Options of {@linkcode resolveUser}. */
export interface ResolveUserOptions {
  /** uid when no user is given (0, or your uid with keep-id). */
  defaultUid?: number;
  /** gid when no user is given. */
  defaultGid?: number;
  /** `--group-add` values (names or gids). */
  groupAdd?: readonly string[];
  /** Reads a container file (default: from `root`, symlinks resolved inside it). */
  readFile?: (path: string) => string | null;
}

interface Entry {
  name: string;
  id: number;
  gid: number;
  home: string;
  members: string[];
}

function table(read: (path: string) => string | null, file: string): Entry[] {
  const text = read(file) ?? "";
  const out: Entry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || !/^\d+$/.test(f[2])) continue;
    out.push({
      name: f[0],
      id: Number(f[2]),
      gid: file === "/etc/passwd" ? Number(f[3]) : Number(f[2]),
      home: file === "/etc/passwd" ? f[5] ?? "/" : "",
      members: file === "/etc/group" ? (f[3] ?? "").split(",").filter(Boolean) : [],
    });
  }
  return out;
}

const isNumber = (s: string) => /^\d+$/.test(s);

function group(groups: Entry[], spec: string): number {
  if (isNumber(spec)) return Number(spec);
  const g = groups.find((e) => e.name === spec);
  if (!g) {
    throw new UsageError(
      `Unable to find group '${spec}': no matching entries in the container's /etc/group`,
    );
  }
  return g.id;
}

/**
 * Resolves a `--user` value in the rootfs.
 *
 * @param root The rootfs directory on the host.
 * @param spec The `--user` value, or undefined for the default user.
 * @param options The default ids and `--group-add`.
 * @returns uid, gid, supplementary groups and home.
 * @throws {UsageError} When a name is not in the container's files.
 *
 * @example
 * ```ts ignore
 * import { resolveUser } from "./user_lookup.ts";
 * resolveUser("/tmp/rootfs", "tester"); // { uid: 1000, gid: 1000, groups: [1000, 2000], home: "/home/tester" }
 * ```
 */
export function resolveUser(
  root: string,
  spec: string | undefined,
  options: ResolveUserOptions = {},
): ResolvedUser {
  const [userPart, groupPart] = (spec ?? "").split(":", 2);
  if (spec !== undefined && userPart === "") {
    throw new UsageError(`Invalid user '${spec}': expected NAME|UID[:GROUP|GID]`);
  }
  const read = options.readFile ?? ((path: string) => sys.readText(resolveInRoot(root, path)));
  const users = table(read, "/etc/passwd");
  const groups = table(read, "/etc/group");
  let entry: Entry | undefined;
  let uid: number;
  if (!userPart) {
    uid = options.defaultUid ?? 0;
    entry = users.find((u) => u.id === uid);
  } else if (isNumber(userPart)) {
    uid = Number(userPart);
    entry = users.find((u) => u.id === uid);
  } else {
    entry = users.find((u) => u.name === userPart);
    if (!entry) {
      throw new UsageError(
        `Unable to find user '${userPart}': no matching entries in the container's /etc/passwd`,
      );
    }
    uid = entry.id;
  }
  const defaultGid = !userPart ? options.defaultGid ?? 0 : 0;
  const gid = groupPart ? group(groups, groupPart) : entry?.gid ?? defaultGid;
  const list = [gid];
  if (entry && !groupPart) {
    for (const g of groups) if (g.members.includes(entry.name)) list.push(g.id);
  }
  for (const g of options.groupAdd ?? []) list.push(group(groups, g));
  return {
    uid,
    gid,
    groups: [...new Set(list)],
    home: entry?.home || "/",
  };
}
