/**
 * nook's command line: `deno run -A cli/main.ts COMMAND [ARGS]`. Commands are
 * loaded lazily so that `nook --help` and `nook run` start fast; every error
 * is printed here, once, and mapped to its exit code.
 *
 * @module
 */
import { EXIT_NOOK, NookError, UsageError } from "../lib/errors/nook_error.ts";
import { BUNDLE_V8_FLAGS, report } from "./report.ts";
import { modulePathOrUrl, setSelfCommand, sys } from "../lib/sys/sys.ts";
import { versionText } from "./version_text.ts";
import { trace } from "../lib/sys/trace.ts";
import denoJson from "../deno.json" with { type: "json" };

/** A command module: `main` gets the arguments after the command name. */
export interface CommandModule {
  /** Runs the command; resolves to the exit code. */
  main(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  run: { summary: "Run a command in a new container", load: () => import("./commands/run.ts") },
  create: { summary: "Create a new container", load: () => import("./commands/create.ts") },
  start: { summary: "Start containers", load: () => import("./commands/start.ts") },
  ps: { summary: "List containers", load: () => import("./commands/ps.ts") },
  logs: { summary: "Show a container's output", load: () => import("./commands/logs.ts") },
  exec: {
    summary: "Run a command in a running container",
    load: () => import("./commands/exec.ts"),
  },
  attach: { summary: "Attach to a running container", load: () => import("./commands/attach.ts") },
  stop: { summary: "Stop running containers", load: () => import("./commands/stop.ts") },
  restart: { summary: "Restart containers", load: () => import("./commands/restart.ts") },
  kill: {
    summary: "Send a signal to running containers",
    load: () => import("./commands/kill.ts"),
  },
  wait: { summary: "Wait for containers to stop", load: () => import("./commands/wait.ts") },
  rm: { summary: "Remove containers", load: () => import("./commands/rm.ts") },
  inspect: { summary: "Show containers as JSON", load: () => import("./commands/inspect.ts") },
  rename: { summary: "Rename a container", load: () => import("./commands/rename.ts") },
  top: { summary: "Show a container's processes", load: () => import("./commands/top.ts") },
  port: {
    summary: "List a container's published ports",
    load: () => import("./commands/port.ts"),
  },
  update: {
    summary: "Update containers' resource limits",
    load: () => import("./commands/update.ts"),
  },
  pause: { summary: "Freeze a container's processes", load: () => import("./commands/pause.ts") },
  unpause: { summary: "Thaw a container's processes", load: () => import("./commands/unpause.ts") },
  stats: {
    summary: "Show containers' resource use, live",
    load: () => import("./commands/stats.ts"),
  },
  container: {
    summary: "Manage containers (ls, rm, prune, inspect, ...)",
    load: () => import("./commands/container.ts"),
  },
  network: {
    summary: "Manage networks (create, ls, inspect, rm, prune, connect, disconnect, exists)",
    load: () => import("./commands/network.ts"),
  },
  pull: { summary: "Pull an image from a registry", load: () => import("./commands/pull.ts") },
  images: { summary: "List images", load: () => import("./commands/images.ts") },
  image: {
    summary:
      "Manage images (inspect, prune, ls, rm, tag, pull, push, load, save, import, history, exists)",
    load: () => import("./commands/image.ts"),
  },
  rmi: { summary: "Remove images", load: () => import("./commands/rmi.ts") },
  tag: { summary: "Give an image another name", load: () => import("./commands/tag.ts") },
  untag: {
    summary: "Take names off an image (podman's)",
    load: () => import("./commands/untag.ts"),
  },
  push: { summary: "Push an image to a registry", load: () => import("./commands/push.ts") },
  load: { summary: "Load images from an archive", load: () => import("./commands/load.ts") },
  save: { summary: "Save images to an archive", load: () => import("./commands/save.ts") },
  import: {
    summary: "Make an image from a rootfs tarball or directory",
    load: () => import("./commands/import.ts"),
  },
  search: { summary: "Search a registry for images", load: () => import("./commands/search.ts") },
  login: { summary: "Log in to a registry", load: () => import("./commands/login.ts") },
  logout: { summary: "Log out of a registry", load: () => import("./commands/logout.ts") },
  unshare: {
    summary: "Run a command in your user namespace (as root inside, with your id maps)",
    load: () => import("./commands/unshare.ts"),
  },
  commit: {
    summary: "Create a new image from a container's changes",
    load: () => import("./commands/commit.ts"),
  },
  cp: {
    summary: "Copy files/folders between a container and the local filesystem",
    load: () => import("./commands/cp.ts"),
  },
  diff: {
    summary: "Inspect changes to files or directories on a container's filesystem",
    load: () => import("./commands/diff.ts"),
  },
  export: {
    summary: "Export a container's filesystem as a tar archive",
    load: () => import("./commands/export.ts"),
  },
  history: {
    summary: "Show the history of an image",
    load: () => import("./commands/history.ts"),
  },
  events: {
    summary: "Show events of containers, images and networks, live",
    load: () => import("./commands/events.ts"),
  },
  info: { summary: "Show what nook finds on this host", load: () => import("./commands/info.ts") },
  system: {
    summary: "Manage nook (check, info, df, events, prune, reset)",
    load: () => import("./commands/system.ts"),
  },
  version: {
    summary: "Show the version information (docker's Client section)",
    load: () => import("./commands/version.ts"),
  },
};

/** Global flags that podman and docker scripts pass before the command, with their variables. */
const GLOBAL_FLAGS: Record<string, { env?: string; values?: readonly string[]; help: string }> = {
  "--root": { env: "NOOK_ROOT", help: "Where images and containers are kept (NOOK_ROOT)" },
  "--runroot": { env: "NOOK_RUNROOT", help: "Where runtime state is kept (NOOK_RUNROOT)" },
  "--storage-driver": {
    env: "NOOK_STORAGE_DRIVER",
    values: ["overlay", "fuse-overlayfs", "vfs"],
    help: "overlay, fuse-overlayfs or vfs (NOOK_STORAGE_DRIVER)",
  },
  "--log-level": {
    values: ["trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"],
    help: "Accepted (docker's and podman's levels); nook prints warnings and errors",
  },
  "--cgroup-manager": {
    values: ["cgroupfs", "systemd"],
    help: "Accepted: nook writes the cgroup files itself (cgroupfs)",
  },
};

/** Global flags without a value. */
const GLOBAL_SWITCHES: Record<string, string> = {
  "--noout": "Print nothing on stdout (podman): the command's output goes away, errors stay",
};

/** Remote modes of docker and podman, which a daemonless tool cannot have. */
const REMOTE_FLAGS = ["--url", "--remote", "-r", "--connection", "-c", "--host", "-H", "--context"];

/**
 * Takes the global flags off the front of `args` (`--root DIR`, `--log-level=debug`, ...),
 * applying those that set a variable; returns the rest.
 */
function applyGlobalFlags(args: string[]): string[] {
  let i = 0;
  while (i < args.length && args[i].startsWith("-")) {
    const at = args[i].indexOf("=");
    const name = at < 0 ? args[i] : args[i].slice(0, at);
    if (REMOTE_FLAGS.includes(name)) {
      throw new UsageError(
        `nook has no remote mode (${name}): it runs containers on this machine without a ` +
          "daemon; run nook where the containers should run (e.g. over ssh)",
      );
    }
    if (name in GLOBAL_SWITCHES && at < 0) {
      if (name === "--noout") silenceStdout();
      i += 1;
      continue;
    }
    const flag = GLOBAL_FLAGS[name];
    if (!flag) break;
    const value = at < 0 ? args[i + 1] : args[i].slice(at + 1);
    if (value === undefined || (at < 0 && value.startsWith("-"))) {
      throw new UsageError(`Flag ${name} needs a value`);
    }
    if (flag.values && !flag.values.includes(value)) {
      const message = `Invalid ${name} '${value}': use ${flag.values.join(", ")}`;
      // podman exits 1 on a log level it does not know.
      throw name === "--log-level"
        ? new NookError(message, { exitCode: 1 })
        : new UsageError(message);
    }
    // A relative directory is taken from here, as podman does (children start elsewhere).
    const dir = name === "--root" || name === "--runroot";
    if (flag.env) {
      sys.setEnv(flag.env, dir && !value.startsWith("/") ? `${sys.cwd()}/${value}` : value);
    }
    i += at < 0 ? 2 : 1;
  }
  return args.slice(i);
}

/** `--noout`: what the command prints on stdout is dropped (its errors still show). */
function silenceStdout(): void {
  sys.stdout = () => {};
  console.log = () => {};
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 3;
  return "Usage:  nook [OPTIONS] COMMAND\n\nA rootless container tool: no daemon, no root.\n\n" +
    "Commands:\n" +
    Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`).join("\n") +
    "\n\nOptions:\n  -v, --version   Print version information and quit\n  -h, --help      Print this help\n" +
    Object.entries(GLOBAL_FLAGS).map(([name, f]) => `  ${`${name} VALUE`.padEnd(24)}${f.help}\n`)
      .join("") +
    Object.entries(GLOBAL_SWITCHES).map(([name, help]) => `  ${name.padEnd(24)}${help}\n`).join(
      "",
    ) +
    "\n" +
    "Run 'nook COMMAND --help' for more information on a command.\n";
}

/**
 * Runs the command line.
 *
 * @param args The process arguments.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["--version"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let globals: string[];
  try {
    globals = applyGlobalFlags(args);
  } catch (err) {
    return await report(err);
  }
  const [first, ...rest] = globals;
  trace("main");
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    sys.stdout(usage());
    return first === undefined ? EXIT_NOOK : 0;
  }
  if (first === "-v" || first === "--version") {
    sys.stdout(await versionText(denoJson.version));
    return 0;
  }
  const cmd = COMMANDS[first];
  if (!cmd) {
    sys.stderr(`nook: unknown command '${first}'\nSee 'nook --help'\n`);
    return EXIT_NOOK;
  }
  try {
    const command = await cmd.load();
    trace(`${first} loaded`);
    return await command.main(rest);
  } catch (err) {
    return await report(err);
  }
}

/** Commands nook runs in its own children; not listed in --help. */
const INTERNAL: Record<string, () => Promise<CommandModule>> = {
  "_unpack-layer": () => import("../lib/layers/unpack_worker.ts"),
  "_container-files": () => import("../lib/container/files_worker.ts"),
};

/**
 * Runs nook as a program (an internal command, else {@linkcode main}) and exits.
 *
 * @param self How to start nook again (see `setSelfCommand`).
 * @returns Never: the process exits with the command's code.
 *
 * @example
 * ```ts ignore
 * await runProgram([process.execPath, process.argv[1]]);
 * ```
 */
export async function runProgram(self: string[]): Promise<never> {
  setSelfCommand(self);
  const args = sys.args();
  const internal = INTERNAL[args[0]];
  if (internal) sys.exit(await (await internal()).main(args.slice(1)));
  sys.exit(await main(args));
}

// The Node/Bun bundle is built with import.meta.main defined false: cli/node_main.ts starts it.
if (import.meta.main) {
  const self = new URL(import.meta.url);
  if (self.protocol === "http:" || self.protocol === "https:") {
    // Run from a URL (e.g. re-executed by a script that imports nook from JSR): fetch the shim
    // and the monitor into the per-user cache before any command loads them.
    try {
      await (await import("../shim/binding.ts")).prepareShim(sys);
    } catch (err) {
      sys.exit(await report(err));
    }
  }
  await runProgram([
    sys.execPath(),
    "run",
    "-A",
    // The Deno bundle (dist/main.js) starts itself as bin/nook starts it.
    ...((globalThis as { NOOK_DENO_ONLY?: boolean }).NOOK_DENO_ONLY ? BUNDLE_V8_FLAGS : []),
    modulePathOrUrl(self),
  ]);
}
