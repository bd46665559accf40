/**
 * The planner: a resolved {@linkcode ContainerSpec} becomes the ordered list of
 * shim steps, each with the words an error message uses for it. Pure: tested
 * without namespaces; the shim only executes.
 *
 * Order: namespaces are made by clone; then mounts beneath the rootfs (proc,
 * dev, sys, init layer, user mounts, masks), pivot_root, read-only root,
 * stdio, capabilities, ids, chdir, exec.
 *
 * @module
 */
import { isMapped } from "../userns/mod.ts";
import { Op, type Program, type Step, StepFlag } from "../../shim/protocol.ts";
import type { ContainerSpec } from "./container_spec.ts";
import {
  CloneFlag,
  DEFAULT_PATH,
  DEV_SYMLINKS,
  DEVICES,
  MASKED_PATHS,
  MountFlag,
  OpenFlag,
  READONLY_PATHS,
} from "./defaults.ts";

/** A program with a description of every step. */
export interface Plan {
  /** What the shim runs. */
  program: Program;
  /** describe[i] names step i in an error ("mount proc on /proc"). */
  describe: string[];
}

const { NOSUID, NODEV, NOEXEC, RDONLY, REC, STRICTATIME } = MountFlag;
const SIGKILL = 9;

/**
 * Plans the steps of a container.
 *
 * @param spec The resolved container.
 * @returns The program and step descriptions.
 *
 * @example
 * ```ts ignore
 * import { planContainer } from "./plan_steps.ts";
 * const { program, describe } = planContainer(spec);
 * ```
 */
export function planContainer(spec: ContainerSpec): Plan {
  const steps: Step[] = [];
  const describe: string[] = [];
  const add = (what: string, step: Step) => {
    steps.push(step);
    describe.push(what);
  };
  const mount = (
    what: string,
    src: string,
    target: string,
    fs: string,
    flags: number,
    data?: string,
    opt = 0,
  ) =>
    add(what, {
      op: Op.MOUNT,
      flags: StepFlag.MKDIR | opt,
      n: [flags],
      s: [src, target, fs, data ?? null],
    });
  const bind = (src: string, target: string, flags: number) =>
    add(`bind ${src} on ${target}`, { op: Op.BIND, n: [flags], s: [src, target] });

  let clone = CloneFlag.NEWUSER | CloneFlag.NEWNS | CloneFlag.NEWPID | CloneFlag.NEWUTS |
    CloneFlag.NEWIPC | CloneFlag.NEWCGROUP;
  const ownNet = spec.network !== "host";
  if (ownNet) clone |= CloneFlag.NEWNET;

  if (spec.dieWithParent) add("set the parent-death signal", { op: Op.PDEATHSIG, n: [SIGKILL] });
  add("make the mounts private", { op: Op.MOUNT_PRIVATE });
  if (ownNet) add("bring up the loopback interface", { op: Op.LOOPBACK_UP });
  add(`set the hostname to '${spec.hostname}'`, { op: Op.SETHOSTNAME, s: [spec.hostname] });
  spec.rootfsSetup?.steps.forEach((step, i) => add(spec.rootfsSetup!.describe[i], step));
  add(`bind the rootfs ${spec.rootfs} on itself`, { op: Op.ENTER_ROOT, s: [spec.rootfs] });

  // /proc, /dev, /sys: fresh instances that belong to the container's namespaces.
  mount("mount proc on /proc", "proc", "/proc", "proc", NOSUID | NODEV | NOEXEC);
  mount(
    "mount tmpfs on /dev",
    "tmpfs",
    "/dev",
    "tmpfs",
    NOSUID | STRICTATIME,
    "mode=755,size=65536k",
  );
  for (const dev of DEVICES) bind(`/dev/${dev}`, `/dev/${dev}`, 0);
  // gid=5 (tty) only where the group exists inside; else the kernel refuses the mount.
  const ttyGid = isMapped(spec.idMap.gid, 5) ? ",gid=5" : "";
  mount(
    "mount devpts on /dev/pts",
    "devpts",
    "/dev/pts",
    "devpts",
    NOSUID | NOEXEC,
    `newinstance,ptmxmode=0666,mode=0620${ttyGid}`,
  );
  for (const [path, text] of DEV_SYMLINKS) {
    add(`symlink ${path} -> ${text}`, { op: Op.SYMLINK, s: [text, path] });
  }
  mount(
    "mount tmpfs on /dev/shm",
    "shm",
    "/dev/shm",
    "tmpfs",
    NOSUID | NODEV | NOEXEC,
    "mode=1777,size=65536k",
  );
  mount("mount mqueue on /dev/mqueue", "mqueue", "/dev/mqueue", "mqueue", NOSUID | NODEV | NOEXEC);
  if (ownNet) {
    mount("mount sysfs on /sys", "sysfs", "/sys", "sysfs", RDONLY | NOSUID | NODEV | NOEXEC);
    mount(
      "mount cgroup2 on /sys/fs/cgroup",
      "cgroup2",
      "/sys/fs/cgroup",
      "cgroup2",
      RDONLY | NOSUID | NODEV | NOEXEC,
      undefined,
      StepFlag.OPTIONAL,
    );
  } else {
    // sysfs belongs to a network namespace; with the host's, bind the host's /sys.
    bind("/sys", "/sys", REC | RDONLY);
  }

  // The init layer: per-container files over the rootfs's own, which stay untouched.
  bind(spec.initLayer.hostname, "/etc/hostname", 0);
  bind(spec.initLayer.hosts, "/etc/hosts", 0);
  bind(spec.initLayer.resolvConf, "/etc/resolv.conf", 0);

  for (const m of spec.mounts) {
    if (m.type === "bind") bind(m.source, m.target, REC | (m.readOnly ? RDONLY : 0));
    else {
      const flags = NOSUID | NODEV | (m.readOnly ? RDONLY : 0);
      mount(
        `mount tmpfs on ${m.target}`,
        "tmpfs",
        m.target,
        "tmpfs",
        flags,
        m.options.join(",") || undefined,
      );
    }
  }

  // After the user's mounts, so that no volume can uncover what is hidden.
  for (const p of MASKED_PATHS) add(`mask ${p}`, { op: Op.MASK, s: [null, p] });
  for (const p of READONLY_PATHS) add(`make ${p} read-only`, { op: Op.READONLY, s: [null, p] });

  add(`create the working directory ${spec.cwd}`, {
    op: Op.MKDIR,
    n: [0o755],
    s: [null, spec.cwd],
  });
  if (!spec.interactive && !spec.tty) {
    add("open /dev/null as stdin", { op: Op.OPEN_FD, n: [0, OpenFlag.RDONLY], s: ["/dev/null"] });
  }
  for (const [fd, from] of [[1, spec.stdoutFd], [2, spec.stderrFd]] as const) {
    if (from === "null") {
      add(`open /dev/null as fd ${fd}`, {
        op: Op.OPEN_FD,
        n: [fd, OpenFlag.WRONLY],
        s: ["/dev/null"],
      });
    } else if (from !== undefined) {
      add(`redirect fd ${fd}`, { op: Op.DUP2, n: [from, fd] });
    }
  }

  add(`pivot_root to ${spec.rootfs}`, { op: Op.PIVOT_ROOT });
  if (spec.readOnly) add("make the root read-only", { op: Op.REMOUNT_RO, s: [null, "/"] });

  add("start a new session", { op: Op.SETSID });
  if (spec.tty) {
    const size = spec.ttySize ?? { rows: 24, columns: 80 };
    add("allocate a pty in /dev/pts", { op: Op.PTY, n: [size.rows, size.columns] });
  }

  add("reduce the capability bounding set", { op: Op.CAPS, n: [spec.capabilities, spec.lastCap] });
  if (spec.idMap.mode === "subid") {
    const list = spec.user.groups.join(",");
    add(`set the supplementary groups ${list}`, { op: Op.SETGROUPS, s: [list] });
  }
  add(`set gid ${spec.user.gid}`, { op: Op.SETGID, n: [spec.user.gid] });
  add(`set uid ${spec.user.uid}`, { op: Op.SETUID, n: [spec.user.uid] });
  if (spec.dieWithParent) {
    // The kernel clears the parent-death signal when the uid or gid changes: set it again.
    add("set the parent-death signal again", { op: Op.PDEATHSIG, n: [SIGKILL] });
  }
  add("set no_new_privs", { op: Op.NO_NEW_PRIVS });
  add(`change to the working directory ${spec.cwd}`, { op: Op.CHDIR, s: [spec.cwd] });
  add("close inherited file descriptors", { op: Op.CLOSE_FDS });
  if (spec.init) add("start the init process", { op: Op.INIT });

  const path = spec.env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
  const file = spec.argv[0];
  add(`exec ${JSON.stringify(file)}`, {
    op: Op.EXEC,
    n: [spec.argv.length, spec.env.length],
    s: [file, file.includes("/") ? null : path, spec.argv, spec.env],
  });
  return { program: { cloneFlags: clone, steps }, describe };
}
