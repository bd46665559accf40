/**
 * Entries nook adds to a container's /etc/passwd: your own with
 * `--userns=keep-id` (so that your uid has a name inside, as podman does), and
 * host users named by `--hostuser`. The result is bind-mounted over the
 * image's file, which stays untouched.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";

/** One line of an /etc/passwd. */
export interface PasswdEntry {
  /** Login name. */
  name: string;
  /** uid. */
  uid: number;
  /** Primary gid. */
  gid: number;
  /** GECOS (full name). */
  gecos: string;
  /** Home directory. */
  home: string;
  /** Login shell. */
  shell: string;
}

/**
 * The entries of an /etc/passwd text (lines that do not parse are skipped).
 *
 * @param text The file.
 * @returns Its entries, in order.
 *
 * @example
 * ```ts
 * import { parsePasswd } from "./passwd_entries.ts";
 * const [root] = parsePasswd("root:x:0:0:root:/root:/bin/sh\nbad line\n");
 * console.assert(root.name === "root" && root.home === "/root");
 * ```
 */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || !f[0] || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) continue;
    out.push({
      name: f[0],
      uid: Number(f[2]),
      gid: Number(f[3]),
      gecos: f[4] ?? "",
      home: f[5] || "/",
      shell: f[6] ?? "",
    });
  }
  return out;
}

/** Options of {@linkcode containerPasswd}. */
export interface ContainerPasswdOptions {
  /** The host's /etc/passwd. */
  hostText: string;
  /** With `--userns=keep-id`: your uid and gid (your entry is added with them). */
  keepId?: { uid: number; gid: number };
  /** `--hostuser` values: names or uids of the host's /etc/passwd. */
  hostUsers?: readonly string[];
  /** Home for your keep-id entry (podman's: the container's working directory). */
  home: string;
}

function line(e: PasswdEntry): string {
  return `${e.name}:*:${e.uid}:${e.gid}:${e.gecos}:${e.home}:${e.shell}\n`;
}

/**
 * The container's /etc/passwd with the entries keep-id and `--hostuser` add,
 * each unless the image has its name or uid already.
 *
 * @param imageText The image's /etc/passwd ("" when it has none).
 * @param options The host's file, keep-id's ids, the `--hostuser` values.
 * @returns The new text, or null when nothing is added (the image's file is used as it is).
 * @throws {NookError} (exit code 126, as podman's) When a `--hostuser` is not in the host's file.
 *
 * @example
 * ```ts
 * import { containerPasswd } from "./passwd_entries.ts";
 * const host = "root:x:0:0::/root:/bin/bash\nann:x:1000:1000:Ann:/home/ann:/bin/bash\n";
 * const text = containerPasswd("root:x:0:0::/root:/bin/sh\n", {
 *   hostText: host,
 *   keepId: { uid: 1000, gid: 1000 },
 *   home: "/",
 * });
 * console.assert(text?.endsWith("ann:*:1000:1000:Ann:/:/bin/sh\n"));
 * ```
 */
export function containerPasswd(imageText: string, options: ContainerPasswdOptions): string | null {
  const host = parsePasswd(options.hostText);
  const have = parsePasswd(imageText);
  const adds: PasswdEntry[] = [];
  const taken = (e: PasswdEntry) =>
    [...have, ...adds].some((h) => h.name === e.name || h.uid === e.uid);
  if (options.keepId) {
    const { uid, gid } = options.keepId;
    const me = host.find((e) => e.uid === uid);
    const entry: PasswdEntry = {
      name: me?.name ?? String(uid),
      uid,
      gid,
      gecos: me?.gecos ?? "",
      home: options.home,
      shell: "/bin/sh",
    };
    if (!have.some((h) => h.uid === uid)) adds.push(entry);
  }
  for (const wanted of options.hostUsers ?? []) {
    const entry = /^\d+$/.test(wanted)
      ? host.find((e) => e.uid === Number(wanted))
      : host.find((e) => e.name === wanted);
    if (!entry) {
      throw new NookError(
        `Cannot add host user '${wanted}' (--hostuser) to the container's /etc/passwd: ` +
          "the host's /etc/passwd has no such user",
        { exitCode: 126 },
      );
    }
    if (!taken(entry)) adds.push(entry);
  }
  if (adds.length === 0) return null;
  const base = imageText === "" || imageText.endsWith("\n") ? imageText : `${imageText}\n`;
  return base + adds.map(line).join("");
}
