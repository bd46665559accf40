/**
 * The planner: a resolved {@linkcode ContainerSpec} becomes the ordered list of
 * shim steps, each with the words an error message uses for it. Pure: tested
 * without namespaces; the shim only executes.
 *
 * Order: namespaces are made by clone; then mounts beneath the rootfs (proc,
 * dev, sys, init layer, user mounts, masks), pivot_root, read-only root,
 * stdio, capabilities, ids, chdir, exec. A container that joins an existing
 * network namespace starts in nook's namespaces instead: it joins that
 * namespace and the user namespace owning it, then clones a sibling in the
 * other new namespaces, which nook waits for and which goes on as above (see
 * network_join.ts for why). An exec into a running container
 * ({@linkcode planExec}) shares the tail: stdio, setns, a fork into the pid
 * namespace, then the same session, identity and exec steps.
 *
 * @module
 */
import { isMapped } from "../userns/mod.ts";
import { Op, type Program, type Step, StepFlag } from "../../shim/protocol.ts";
import type { ContainerSpec } from "./container_spec.ts";
import type { ExecSpec } from "./exec_spec.ts";
import type { NetworkJoin } from "./network_join.ts";
import type { NamespaceJoin } from "./namespace_join.ts";
import {
  CloneFlag,
  DEFAULT_PATH,
  DEFAULT_SHM_SIZE,
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

/** Adds a step and the words that name it. */
type Add = (what: string, step: Step) => void;

function builder(): { steps: Step[]; describe: string[]; add: Add } {
  const steps: Step[] = [];
  const describe: string[] = [];
  return {
    steps,
    describe,
    add(what, step) {
      steps.push(step);
      describe.push(what);
    },
  };
}

/** stdin, stdout and stderr: /dev/null, a pipe of nook's, or inherited. */
function addStdio(
  add: Add,
  p: Pick<ContainerSpec, "interactive" | "tty" | "stdoutFd" | "stderrFd">,
): void {
  if (!p.interactive && !p.tty) {
    add("open /dev/null as stdin", { op: Op.OPEN_FD, n: [0, OpenFlag.RDONLY], s: ["/dev/null"] });
  }
  for (const [fd, from] of [[1, p.stdoutFd], [2, p.stderrFd]] as const) {
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
}

/** A session of its own, and with a tty the pty (from the /dev/ptmx the process sees). */
function addSession(add: Add, p: Pick<ContainerSpec, "tty" | "ttySize">): void {
  add("start a new session", { op: Op.SETSID });
  if (p.tty) {
    const size = p.ttySize ?? { rows: 24, columns: 80 };
    add("allocate a pty in /dev/pts", { op: Op.PTY, n: [size.rows, size.columns] });
  }
}

/** Bounding set, then groups, gid and uid, then no_new_privs. */
function addIdentity(
  add: Add,
  p: Pick<ContainerSpec, "capabilities" | "lastCap" | "user">,
  setgroups: boolean,
): void {
  add("reduce the capability bounding set", { op: Op.CAPS, n: [p.capabilities, p.lastCap] });
  if (setgroups) {
    const list = p.user.groups.join(",");
    add(`set the supplementary groups ${list}`, { op: Op.SETGROUPS, s: [list] });
  }
  add(`set gid ${p.user.gid}`, { op: Op.SETGID, n: [p.user.gid] });
  add(`set uid ${p.user.uid}`, { op: Op.SETUID, n: [p.user.uid] });
  add("set no_new_privs", { op: Op.NO_NEW_PRIVS });
}

/**
 * chdir, close what nook holds open (but fds 3 to 3+preserveFds-1), maybe fork an init, and
 * exec (PATH searched for a bare name).
 */
function addExec(
  add: Add,
  p: Pick<ContainerSpec, "cwd" | "argv" | "env" | "preserveFds">,
  init: boolean,
): void {
  add(`change to the working directory ${p.cwd}`, { op: Op.CHDIR, s: [p.cwd] });
  const keep = p.preserveFds ?? 0;
  if (keep > 0) {
    add(`close inherited file descriptors from ${3 + keep} on`, {
      op: Op.CLOSE_FDS,
      n: [3 + keep],
    });
  } else add("close inherited file descriptors", { op: Op.CLOSE_FDS });
  if (init) add("start the init process", { op: Op.INIT });
  const path = p.env.find((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
  const file = p.argv[0];
  add(`exec ${JSON.stringify(file)}`, {
    op: Op.EXEC,
    n: [p.argv.length, p.env.length],
    s: [file, file.includes("/") ? null : path, p.argv, p.env],
  });
}

/**
 * Whether a container joins existing namespaces (a network, a pid or IPC
 * namespace), and with them the user namespace that owns them: then no id
 * maps are written for it.
 *
 * @param spec The spec.
 * @returns True when it joins any.
 *
 * @example
 * ```ts
 * import { joinsUserns } from "./plan_steps.ts";
 * console.assert(!joinsUserns({}));
 * ```
 */
export function joinsUserns(spec: Pick<ContainerSpec, "join" | "nsJoins">): boolean {
  return spec.join !== undefined || (spec.nsJoins?.length ?? 0) > 0;
}

/**
 * Joins existing namespaces (a network namespace, pid and IPC namespaces)
 * with the user namespace that owns them, then clones the process that
 * becomes the container, in the namespaces `flags`; returns the clone flags
 * of the program's own child (none).
 */
function addJoin(
  add: Add,
  join: NetworkJoin | undefined,
  nsJoins: readonly NamespaceJoin[],
  flags: number,
  dieWithParent: boolean,
): number {
  if (join) {
    add(`join ${join.what}`, {
      op: Op.JOIN_NS,
      n: [join.pid ?? 0, CloneFlag.NEWNET],
      s: [join.path, join.startTime ?? null],
    });
  }
  // A pid namespace joined takes effect for the children: the clone below enters it.
  for (const ns of nsJoins) {
    add(`join ${ns.what}`, { op: Op.JOIN_NS, n: [ns.pid, ns.type], s: [ns.path, ns.startTime] });
  }
  const ownNet = join?.attach ? CloneFlag.NEWNET : 0;
  add("start the container's first process in its own namespaces", {
    op: Op.CLONE,
    n: [flags | ownNet],
  });
  // nook is its parent too; a clone clears the parent-death signal.
  if (dieWithParent) add("set the parent-death signal", { op: Op.PDEATHSIG, n: [SIGKILL] });
  join?.attach?.steps.forEach((step, i) => add(join.attach!.describe[i], step));
  return 0;
}

/**
 * /dev/shm and /dev/mqueue: a tmpfs of `--shm-size` and an mqueue of the
 * container's own IPC namespace; with the host's, the host's (an mqueue
 * mount needs privilege over the host's user namespace); with a joined one,
 * the target's /dev/shm (docker shares it) and an mqueue of that namespace.
 */
function addShm(
  add: Add,
  spec: Pick<ContainerSpec, "ipcNs" | "shmSize" | "nsJoins">,
  mount: (
    what: string,
    src: string,
    target: string,
    fs: string,
    flags: number,
    data?: string,
  ) => void,
  bind: (src: string, target: string, flags: number) => void,
): void {
  if (spec.ipcNs === "host") {
    bind("/dev/shm", "/dev/shm", REC);
    add("bind /dev/mqueue on /dev/mqueue", {
      op: Op.BIND,
      flags: StepFlag.OPTIONAL, // a host without one mounted: the container has none either
      n: [REC],
      s: ["/dev/mqueue", "/dev/mqueue"],
    });
    return;
  }
  const shared = spec.ipcNs === "join" ? spec.nsJoins?.find((j) => j.shm)?.shm : undefined;
  if (shared) {
    add(`mount the /dev/shm of ${spec.nsJoins!.find((j) => j.shm)!.what} on /dev/shm`, {
      op: Op.SHARE_MOUNT,
      flags: StepFlag.MKDIR,
      s: [shared.mountNs, shared.path, "/dev/shm"],
    });
  } else {
    const size = spec.shmSize ?? DEFAULT_SHM_SIZE;
    mount(
      "mount tmpfs on /dev/shm",
      "shm",
      "/dev/shm",
      "tmpfs",
      NOSUID | NODEV | NOEXEC,
      `mode=1777,size=${size % 1024 === 0 ? `${size / 1024}k` : size}`,
    );
  }
  mount("mount mqueue on /dev/mqueue", "mqueue", "/dev/mqueue", "mqueue", NOSUID | NODEV | NOEXEC);
}

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
  const { steps, describe, add } = builder();
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

  let clone = CloneFlag.NEWUSER | CloneFlag.NEWNS | CloneFlag.NEWCGROUP;
  // --pid, --ipc, --uts: a namespace of its own unless it shares the host's or joins one.
  if (spec.pidNs === undefined) clone |= CloneFlag.NEWPID;
  if (spec.ipcNs === undefined) clone |= CloneFlag.NEWIPC;
  if (spec.utsNs === undefined) clone |= CloneFlag.NEWUTS;
  // A namespace of its own (made here, or joined): sysfs of its own too.
  const ownNet = spec.network !== "host";
  const newNet = spec.network !== "host" && spec.network !== "join"; // alone, or with a helper
  if (newNet) clone |= CloneFlag.NEWNET;

  if (spec.dieWithParent) add("set the parent-death signal", { op: Op.PDEATHSIG, n: [SIGKILL] });
  if (spec.network === "join" && !spec.join) {
    throw new TypeError("A spec with network 'join' needs its join");
  }
  if (joinsUserns(spec)) {
    clone = addJoin(
      add,
      spec.join,
      spec.nsJoins ?? [],
      clone & ~CloneFlag.NEWUSER,
      spec.dieWithParent,
    );
  } else if (spec.anchor) {
    // Its other namespaces belong to the joined user namespace: made by a clone from inside it
    // (and from inside the container's cgroup, so its cgroup namespace is rooted there).
    const { pid, startTime } = spec.anchor;
    add(`join the user namespace of process ${pid}`, {
      op: Op.JOIN_NS,
      n: [pid, CloneFlag.NEWUSER],
      s: [`/proc/${pid}/ns/user`, startTime],
    });
    add("start the container's first process in its own namespaces", {
      op: Op.CLONE,
      n: [clone & ~CloneFlag.NEWUSER],
    });
    if (spec.dieWithParent) add("set the parent-death signal", { op: Op.PDEATHSIG, n: [SIGKILL] });
    clone = 0;
  } else if (spec.ownCgroup) {
    // Some kernels root a cgroup namespace made by clone3 at the parent's cgroup rather than at
    // the one CLONE_INTO_CGROUP names: the child makes it once it is in its own (as crun does).
    // (A joined network's sibling is cloned from inside the container's cgroup: rooted there.)
    clone &= ~CloneFlag.NEWCGROUP;
    add("enter a new cgroup namespace", { op: Op.UNSHARE, n: [CloneFlag.NEWCGROUP] });
  }
  add("make the mounts private", { op: Op.MOUNT_PRIVATE });
  if (newNet) add("bring up the loopback interface", { op: Op.LOOPBACK_UP });
  // With the host's UTS namespace the hostname is the host's (and not the container's to set).
  if (spec.utsNs === undefined) {
    add(`set the hostname to '${spec.hostname}'`, { op: Op.SETHOSTNAME, s: [spec.hostname] });
  }
  spec.rootfsSetup?.steps.forEach((step, i) => add(spec.rootfsSetup!.describe[i], step));
  add(`bind the rootfs ${spec.rootfs} on itself`, { op: Op.ENTER_ROOT, s: [spec.rootfs] });

  // /proc, /dev, /sys: fresh instances that belong to the container's namespaces.
  if (spec.pidNs === "host") {
    // A new proc needs privilege over the pid namespace's owner, the host's user namespace
    // here: the host's /proc instead (as podman does rootless); the masks below still apply.
    bind("/proc", "/proc", REC);
  } else mount("mount proc on /proc", "proc", "/proc", "proc", NOSUID | NODEV | NOEXEC);
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
  addShm(add, spec, mount, bind);
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
  if (spec.localtime) bind(spec.localtime, "/etc/localtime", 0);
  if (spec.passwd) bind(spec.passwd, "/etc/passwd", 0);
  if (spec.containerEnv) {
    // Optional: a rootfs directory that is not writable has no place for them.
    for (const target of ["/run/.containerenv", "/.dockerenv"]) {
      add(`bind ${spec.containerEnv} on ${target}`, {
        op: Op.BIND,
        flags: StepFlag.OPTIONAL,
        n: [0],
        s: [spec.containerEnv, target],
      });
    }
  }

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
  addStdio(add, spec);

  add(`pivot_root to ${spec.rootfs}`, { op: Op.PIVOT_ROOT });
  if (spec.readOnly) add("make the root read-only", { op: Op.REMOUNT_RO, s: [null, "/"] });

  addSession(add, spec);
  addIdentity(add, spec, spec.idMap.mode === "subid");
  if (spec.dieWithParent) {
    // The kernel clears the parent-death signal when the uid or gid changes: set it again.
    add("set the parent-death signal again", { op: Op.PDEATHSIG, n: [SIGKILL] });
  }
  addExec(add, spec, spec.init);
  return { program: { cloneFlags: clone, steps }, describe };
}

/**
 * Plans a process in a running container (`nook exec`): the clone makes no
 * namespace; the child opens its stdio on the host (so that the container
 * cannot swap /dev/null), joins the container's namespaces through the pidfd,
 * and forks, since only a child enters the pid namespace. The parent stays
 * outside, forwards signals and exits with the command's status; the child
 * takes a session (and pty) of its own, the container's capabilities and the
 * user's ids, and execs.
 *
 * @param spec The resolved exec.
 * @returns The program and step descriptions.
 *
 * @example
 * ```ts ignore
 * import { planExec } from "./plan_steps.ts";
 * const { program, describe } = planExec(spec);
 * console.assert(program.cloneFlags === 0);
 * ```
 */
export function planExec(spec: ExecSpec): Plan {
  const { steps, describe, add } = builder();
  addStdio(add, spec);
  add(`join the namespaces of process ${spec.pid}`, {
    op: Op.SETNS,
    n: [spec.pidfd, spec.namespaces],
  });
  if (spec.dieWithParent) add("set the parent-death signal", { op: Op.PDEATHSIG, n: [SIGKILL] });
  add("fork into the container's pid namespace", { op: Op.INIT });
  addSession(add, spec);
  addIdentity(add, spec, spec.setgroups);
  // After the ids: a change of uid or gid clears the parent-death signal.
  add("set the parent-death signal of the command", { op: Op.PDEATHSIG, n: [SIGKILL] });
  addExec(add, spec, false);
  return { program: { cloneFlags: 0, steps }, describe };
}
