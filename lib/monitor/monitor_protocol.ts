/**
 * The texts the C monitor (shim/monitor) shares with nook, mirrored from
 * `shim/monitor/monitor_protocol.h` (tests/monitor_protocol_test.ts checks that
 * both sides agree): the config file nook writes, the one-line report the
 * monitor answers with, the state file it keeps, and the stop marker's content.
 *
 * This module only encodes and decodes; it touches no file.
 *
 * @module
 */

/** The value of a field that is not known, as `MON_NONE`. */
export const NONE = "-";

/** The config file's keys, as the `MON_KEY_*` defines. */
export const ConfigKey = {
  ID: "id",
  PROGRAM: "program",
  STATE: "state",
  LOG: "log",
  ATTACH: "attach",
  STOP_MARKER: "stop-marker",
  LOG_MAX_SIZE: "log-max-size",
  LOG_MAX_FILES: "log-max-files",
  RESTART: "restart",
  OPEN_STDIN: "open-stdin",
  TTY: "tty",
  WAIT_ATTACH: "wait-attach",
  USERNS: "userns",
  NEWUIDMAP: "newuidmap",
  NEWGIDMAP: "newgidmap",
  UID_MAP: "uid-map",
  GID_MAP: "gid-map",
  NET_HELPER: "net-helper",
  NET_LOG: "net-log",
  NET_API: "net-api",
  NET_REQUEST: "net-request",
  CGROUP: "cgroup",
  ON_EXIT: "on-exit",
  EVENTS: "events",
  EVENT_ATTRIBUTES: "event-attributes",
} as const;

/**
 * What the monitor writes into the event journal, as the `MON_EVENT_*`
 * defines: the actions (its process started, by nook or by the restart
 * policy; it died), the attributes it adds to a death, and the longest line
 * it writes.
 */
export const EventWord = {
  DIE: "die",
  START: "start",
  ATTR_EXIT_CODE: "exitCode",
  ATTR_EXEC_DURATION: "execDuration",
  MAX_LINE: 4096,
} as const;

/** The restart policies the config names, as the `MON_RESTART_*` defines. */
export const RestartPolicy = {
  NO: "no",
  ON_FAILURE: "on-failure",
  ALWAYS: "always",
  UNLESS_STOPPED: "unless-stopped",
} as const;

/** A restart policy's name. */
export type RestartPolicyName = typeof RestartPolicy[keyof typeof RestartPolicy];

/** The values of the `userns` key, as the `MON_USERNS_*` defines. */
export const UsernsMode = { NEW: "new", JOIN: "join" } as const;

/** The character map texts carry for each newline, as `MON_MAP_NEWLINE`. */
export const MAP_NEWLINE = ";";

/** The size of the monitor's argv arrays (`MON_MAX_ARGS`): a line holds one value less. */
export const MAX_ARGS = 64;

/** Most `net-request` lines one config may hold (`MON_MAX_REQUESTS`). */
export const MAX_REQUESTS = 1024;

/** The report's first word, as the `MON_REPORT_*` defines. */
export const Report = { OK: "ok", FAIL: "fail" } as const;

/** The kinds of failure the report names after "fail", as the `MON_FAIL_*` defines. */
export const FailKind = {
  OTHER: "other",
  STEP: "step",
  CLONE: "clone",
  CGROUP: "cgroup",
  MAP: "map",
  NET: "net",
} as const;

/** The network helper's failures (after "fail net"), as the `MON_NET_*` defines. */
export const NetFailKind = { SPAWN: "spawn", READY: "ready", REQUEST: "request" } as const;

/**
 * The fields of each report, as the `MON_FIELDS_*` defines ("text...": the
 * rest of the line).
 */
export const ReportFields = {
  OK: ["pid", "pid-start"],
  OTHER: ["text..."],
  STEP: ["step", "op", "errno"],
  CLONE: ["errno"],
  CGROUP: ["errno"],
  MAP: ["text..."],
  NET_SPAWN: ["errno"],
  NET_READY: ["errno"],
  NET_REQUEST: ["index", "reply..."],
} as const;

/** The state file's keys, as the `MON_STATE_*` defines. */
export const StateKey = {
  STATUS: "status",
  PID: "pid",
  PID_START: "pid-start",
  MONITOR: "monitor",
  MONITOR_START: "monitor-start",
  BOOT: "boot",
  STARTED: "started",
  RESTARTS: "restarts",
  OOM_KILLS: "oom-kills",
  EXIT_CODE: "exit-code",
  FINISHED: "finished",
} as const;

/** The state file's statuses, as the `MON_STATUS_*` defines. */
export const Status = { RUNNING: "running", RESTARTING: "restarting", EXITED: "exited" } as const;

/** A status the state file records. */
export type StateStatus = typeof Status[keyof typeof Status];

/**
 * What `nook restart` writes into the stop marker (`MON_STOP_RESTART`): the
 * container starts again at once, so its monitor does not run the on-exit
 * command. A plain stop leaves the marker empty.
 */
export const STOP_RESTART = "restart";

export { ANCHOR_NAME } from "./anchor_name.ts";

/** One range of an id map. */
export interface MapRange {
  /** The first id inside. */
  inside: number;
  /** The first id outside. */
  outside: number;
  /** How many. */
  count: number;
}

/** How the container's process gets its user namespace. */
export type MonitorUserns =
  /** The program joins one that exists (and has its maps). */
  | { mode: "join" }
  /** A new one, whose maps the setuid helpers write (subordinate ranges). */
  | {
    mode: "subid";
    /** The newuidmap executable. */
    newuidmap: string;
    /** The newgidmap executable. */
    newgidmap: string;
    /** The uid map. */
    uid: readonly MapRange[];
    /** The gid map. */
    gid: readonly MapRange[];
  }
  /** A new one, whose maps the monitor writes itself (the single mapping). */
  | {
    mode: "single";
    /** The uid map. */
    uid: readonly MapRange[];
    /** The gid map. */
    gid: readonly MapRange[];
  };

/** The network helper the monitor starts with each process (a `NetHelperPlan` is one). */
export interface MonitorNetHelper {
  /** Its argv; "{pid}" stands for the container's pid. */
  readonly argv: readonly string[];
  /** Its stderr. */
  readonly log: string;
  /** slirp4netns's API socket, "" for none. */
  readonly api?: string;
  /** Requests sent to the API socket once the helper is ready. */
  readonly requests: readonly string[];
}

/** A monitor's config, as {@linkcode encodeMonitorConfig} writes it. */
export interface MonitorConfig {
  /** The container's (or network's) id. */
  id: string;
  /** The step program's file. */
  program: string;
  /** The state file. */
  state: string;
  /** The log file. */
  log: string;
  /** The attach socket to listen on. */
  attach?: string;
  /** The stop marker's path. */
  stopMarker?: string;
  /** Rotate the log above this many bytes (0: no limit). */
  logMaxSize?: number;
  /** Log files kept with rotation. */
  logMaxFiles?: number;
  /** The restart policy (default: no). */
  restart?: { policy: RestartPolicyName; maxRetries: number };
  /** Keep a stdin for attach clients. */
  openStdin?: boolean;
  /** The program makes a pty. */
  tty?: boolean;
  /** Wait (at most 10 s) for the first attach client before starting. */
  waitAttach?: boolean;
  /** The user namespace. */
  userns: MonitorUserns;
  /** The network helper, if any. */
  netHelper?: MonitorNetHelper;
  /** The container's own cgroup directory. */
  cgroup?: string;
  /** Exec'd after the final exit. */
  onExit?: readonly string[];
  /** The event journal the monitor appends a container's starts and deaths to. */
  events?: string;
  /** The attributes of those events, as the members of a JSON object (`"name":"web"`). */
  eventAttributes?: string;
}

/**
 * Encodes a monitor's config into its file's text.
 *
 * @param config The config.
 * @returns The text: one "KEY<TAB>VALUE..." line per setting.
 * @throws {RangeError} When a value holds a tab or newline, or a limit is exceeded.
 *
 * @example Encode a network's config
 * ```ts
 * import { encodeMonitorConfig } from "./monitor_protocol.ts";
 * const text = encodeMonitorConfig({
 *   id: "n1",
 *   program: "/run/n1/program",
 *   state: "/run/n1/state",
 *   log: "/run/n1/log",
 *   userns: { mode: "single", uid: [{ inside: 0, outside: 1000, count: 1 }], gid: [] },
 * });
 * console.assert(text.includes("uid-map\t0 1000 1\n"));
 * ```
 */
export function encodeMonitorConfig(config: MonitorConfig): string {
  const lines: string[][] = [];
  const add = (key: string, ...values: readonly (string | number | boolean)[]) => {
    const texts = values.map((v) => typeof v === "boolean" ? (v ? "1" : "0") : String(v));
    const bad = texts.find((v) => /[\t\n]/.test(v));
    if (bad !== undefined) {
      throw new RangeError(`The value of '${key}' (${JSON.stringify(bad)}) holds a tab or newline`);
    }
    if (texts.length > MAX_ARGS - 1) {
      throw new RangeError(
        `'${key}' has ${texts.length} values: the monitor takes at most ${MAX_ARGS - 1}`,
      );
    }
    lines.push([key, ...texts]);
  };
  const flat = (maps: readonly MapRange[]) => maps.flatMap((m) => [m.inside, m.outside, m.count]);
  const text = (maps: readonly MapRange[]) =>
    maps.map((m) => `${m.inside} ${m.outside} ${m.count}`).join(MAP_NEWLINE);
  const c = config;
  add(ConfigKey.ID, c.id);
  add(ConfigKey.PROGRAM, c.program);
  add(ConfigKey.STATE, c.state);
  add(ConfigKey.LOG, c.log);
  if (c.attach !== undefined) add(ConfigKey.ATTACH, c.attach);
  if (c.stopMarker !== undefined) add(ConfigKey.STOP_MARKER, c.stopMarker);
  if (c.logMaxSize !== undefined) add(ConfigKey.LOG_MAX_SIZE, c.logMaxSize);
  if (c.logMaxFiles !== undefined) add(ConfigKey.LOG_MAX_FILES, c.logMaxFiles);
  const restart = c.restart ?? { policy: RestartPolicy.NO, maxRetries: 0 };
  add(ConfigKey.RESTART, restart.policy, restart.maxRetries);
  if (c.openStdin !== undefined) add(ConfigKey.OPEN_STDIN, c.openStdin);
  if (c.tty !== undefined) add(ConfigKey.TTY, c.tty);
  if (c.waitAttach !== undefined) add(ConfigKey.WAIT_ATTACH, c.waitAttach);
  const u = c.userns;
  add(ConfigKey.USERNS, u.mode === "join" ? UsernsMode.JOIN : UsernsMode.NEW);
  if (u.mode === "subid") {
    add(ConfigKey.NEWUIDMAP, u.newuidmap, ...flat(u.uid));
    add(ConfigKey.NEWGIDMAP, u.newgidmap, ...flat(u.gid));
  } else if (u.mode === "single") {
    add(ConfigKey.UID_MAP, text(u.uid));
    add(ConfigKey.GID_MAP, text(u.gid));
  }
  const h = c.netHelper;
  if (h && h.argv.length > 0) {
    if (h.requests.length > MAX_REQUESTS) {
      throw new RangeError(
        `${h.requests.length} network requests: the monitor takes at most ${MAX_REQUESTS}`,
      );
    }
    add(ConfigKey.NET_HELPER, ...h.argv);
    add(ConfigKey.NET_LOG, h.log);
    if (h.api) add(ConfigKey.NET_API, h.api);
    for (const r of h.requests) add(ConfigKey.NET_REQUEST, r);
  }
  if (c.cgroup !== undefined) add(ConfigKey.CGROUP, c.cgroup);
  if (c.onExit?.length) add(ConfigKey.ON_EXIT, ...c.onExit);
  if (c.events !== undefined) add(ConfigKey.EVENTS, c.events);
  if (c.eventAttributes !== undefined) add(ConfigKey.EVENT_ATTRIBUTES, c.eventAttributes);
  return lines.map((l) => l.join("\t")).join("\n") + "\n";
}

/** A failure of the network helper, as the monitor (or the shim) reports it. */
export type NetFailure =
  | { kind: "spawn"; errno: number }
  | { kind: "ready"; errno: number }
  | { kind: "request"; index: number; reply: string };

/** Why the monitor could not start the process, as its report says. */
export type MonitorFailure =
  /** In words (a bad config, an unreadable program, ...). */
  | { kind: "other"; text: string }
  /** A step of the program failed. */
  | { kind: "step"; step: number; op: number; errno: number }
  /** nook_spawn failed. */
  | { kind: "clone"; errno: number }
  /** The cgroup could not be opened. */
  | { kind: "cgroup"; errno: number }
  /** The id maps could not be written (why, in words). */
  | { kind: "map"; text: string }
  /** The network helper failed. */
  | { kind: "net"; failure: NetFailure }
  /** No report nook can read (`text` "": none at all), and the monitor's exit code. */
  | { kind: "unreadable"; text: string; exitCode: number };

/** A monitor's report: the process runs, or why not. */
export type MonitorReport =
  | { kind: "ok"; pid: number; pidStart: string }
  | MonitorFailure;

/**
 * Decodes the monitor's report.
 *
 * @param stdout What the monitor wrote on its stdout (one line).
 * @param exitCode Its exit code, kept with a report that cannot be read.
 * @returns The report.
 *
 * @example Decode a failed step and a start
 * ```ts
 * import { decodeMonitorReport } from "./monitor_protocol.ts";
 * const r = decodeMonitorReport("fail step 3 22 2\n");
 * console.assert(r.kind === "step" && r.step === 3 && r.errno === 2);
 * console.assert(decodeMonitorReport("ok 41 9876\n").kind === "ok");
 * ```
 */
export function decodeMonitorReport(stdout: string, exitCode = 0): MonitorReport {
  const line = stdout.split("\n")[0];
  const unreadable: MonitorReport = { kind: "unreadable", text: line.trim(), exitCode };
  const words = line.split(" ");
  // A field of the line, by its place; "rest" takes the rest of the line.
  const num = (at: number) => /^-?\d+$/.test(words[at] ?? "") ? Number(words[at]) : NaN;
  const rest = (at: number) => words.slice(at).join(" ");
  const checked = (report: MonitorReport, fields: number) =>
    words.length >= fields && Object.values(report).every((v) => !Number.isNaN(v))
      ? report
      : unreadable;
  if (words[0] === Report.OK) {
    return checked({ kind: "ok", pid: num(1), pidStart: words[2] ?? "" }, 3);
  }
  if (words[0] !== Report.FAIL) return unreadable;
  switch (words[1]) {
    case FailKind.OTHER:
      return checked({ kind: "other", text: rest(2) }, 3);
    case FailKind.STEP:
      return checked({ kind: "step", step: num(2), op: num(3), errno: num(4) }, 5);
    case FailKind.CLONE:
      return checked({ kind: "clone", errno: num(2) }, 3);
    case FailKind.CGROUP:
      return checked({ kind: "cgroup", errno: num(2) }, 3);
    case FailKind.MAP:
      return checked({ kind: "map", text: rest(2) }, 3);
    case FailKind.NET: {
      const kind = words[2];
      if (kind === NetFailKind.SPAWN || kind === NetFailKind.READY) {
        const errno = num(3);
        return Number.isNaN(errno) ? unreadable : { kind: "net", failure: { kind, errno } };
      }
      if (kind === NetFailKind.REQUEST && !Number.isNaN(num(3))) {
        return { kind: "net", failure: { kind, index: num(3), reply: rest(4) } };
      }
      return unreadable;
    }
  }
  return unreadable;
}

/** The state file's fields. */
export interface StateFile {
  /** A {@linkcode Status} as last written ("unknown" when the file has none). */
  status: string;
  /** The container's first process. */
  pid: number;
  /** Its start time (field 22 of /proc/PID/stat), to tell a reused pid. */
  pidStart: string;
  /** The process that waits for it (the monitor, or a foreground nook). */
  monitor: number;
  /** The monitor's start time. */
  monitorStart: string;
  /** The boot the pids belong to. */
  boot: string;
  /** Start time, ns since the epoch. */
  started: number;
  /** End time, ns since the epoch (when exited). */
  finished?: number;
  /** Exit code (when exited). */
  exitCode?: number;
  /** Restarts done by the restart policy. */
  restarts: number;
  /**
   * How many processes the OOM killer ended in the container's cgroup (memory.events
   * oom_kill, as the monitor last read it); absent where it could not tell.
   */
  oomKills?: number;
}

/**
 * Parses a state file ("key value" lines).
 *
 * @param text The file's text.
 * @returns The fields.
 *
 * @example
 * ```ts
 * import { parseState } from "./monitor_protocol.ts";
 * const s = parseState("status exited\npid 7\nexit-code 3\n");
 * console.assert(s.status === "exited" && s.exitCode === 3 && s.pid === 7);
 * ```
 */
export function parseState(text: string): StateFile {
  const f = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(" ");
    if (at > 0) f.set(line.slice(0, at), line.slice(at + 1));
  }
  const num = (k: string) => {
    const v = f.get(k);
    return v !== undefined && v !== NONE ? Number(v) : undefined;
  };
  return {
    status: f.get(StateKey.STATUS) ?? "unknown",
    pid: num(StateKey.PID) ?? 0,
    pidStart: f.get(StateKey.PID_START) ?? NONE,
    monitor: num(StateKey.MONITOR) ?? 0,
    monitorStart: f.get(StateKey.MONITOR_START) ?? NONE,
    boot: f.get(StateKey.BOOT) ?? NONE,
    started: num(StateKey.STARTED) ?? 0,
    finished: num(StateKey.FINISHED),
    exitCode: num(StateKey.EXIT_CODE),
    restarts: num(StateKey.RESTARTS) ?? 0,
    oomKills: num(StateKey.OOM_KILLS),
  };
}

/**
 * Formats a state file (the monitor writes the same format in C).
 *
 * @param s The fields.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatState, parseState } from "./monitor_protocol.ts";
 * const s = parseState("status running\npid 9\n");
 * console.assert(parseState(formatState(s)).pid === 9);
 * ```
 */
export function formatState(s: StateFile): string {
  const lines: [string, string | number][] = [
    [StateKey.STATUS, s.status],
    [StateKey.PID, s.pid],
    [StateKey.PID_START, s.pidStart],
    [StateKey.MONITOR, s.monitor],
    [StateKey.MONITOR_START, s.monitorStart],
    [StateKey.BOOT, s.boot],
    [StateKey.STARTED, s.started],
    [StateKey.RESTARTS, s.restarts],
  ];
  if (s.oomKills !== undefined) lines.push([StateKey.OOM_KILLS, s.oomKills]);
  if (s.exitCode !== undefined) {
    lines.push([StateKey.EXIT_CODE, s.exitCode], [StateKey.FINISHED, s.finished ?? 0]);
  }
  return lines.map(([k, v]) => `${k} ${v}`).join("\n") + "\n";
}
