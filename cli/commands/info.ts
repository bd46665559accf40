/**
 * `nook info` prints facts about the host; `nook system check` (dispatched
 * here as `--check`) runs the host checks and prints a fix for each problem.
 *
 * @module
 */
import config from "../../deno.json" with { type: "json" };
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import {
  cgroupModeText,
  type Check,
  formatSubidRange,
  type Host,
  type HostInfo,
  hostInfo,
  type OverlayProbe,
  realHost,
  runChecks,
  type SubidRange,
} from "../../lib/host/mod.ts";
import type { StorageChoice } from "../../lib/storage/choose_storage_driver.ts";
import { parseHasDefaultRoute } from "../../lib/network/host_route.ts";
import { pickNetworkMode } from "../../lib/network/find_net_helper.ts";
import { sys } from "../../lib/sys/sys.ts";

/** Options of {@linkcode main}, for tests and for the dispatcher. */
export interface InfoOptions {
  /** The host to read (default: {@linkcode realHost}). */
  host?: Host;
  /** Probe for kernel overlayfs in a user namespace, used by `system check`. */
  probeOverlay?: OverlayProbe;
  /** The storage driver a container would get (default on the real host: the real choice). */
  chooseStorage?: () => Promise<StorageChoice>;
  /** Where output goes (default: stdout). */
  write?: (text: string) => void;
}

const INFO_USAGE = `Usage: nook info [--format text|json|TEMPLATE]

Show facts about the host: versions, kernel, user, subordinate ids, id
mapping, cgroups, storage drivers and network helpers. A Go template
('{{.KernelVersion}}', '{{json .}}') gets the JSON fields and docker's and
podman's common ones: .ServerVersion .KernelVersion .Architecture .Driver
.CgroupVersion .DockerRootDir .Host.Security.Rootless .Store.GraphRoot.
`;
const CHECK_USAGE = `Usage: nook system check [--format text|json]

Check that the host can run rootless containers and print a fix for each
problem. Exits 1 when a check is an error.
`;

/** "text", "json", or a Go template (`info` only). */
type Format = string;

interface Parsed {
  check: boolean;
  format: Format;
  help: boolean;
}

function parseArgs(args: string[]): Parsed {
  const parsed: Parsed = { check: false, format: "text", help: false };
  const rest = [...args];
  if (rest[0] === "--check") {
    parsed.check = true;
    rest.shift();
  }
  const command = parsed.check ? "nook system check" : "nook info";
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "-h" || arg === "--help") {
      parsed.help = true;
    } else if (arg === "--format" || arg.startsWith("--format=")) {
      const value = arg === "--format" ? rest[++i] : arg.slice("--format=".length);
      if (value === undefined) {
        throw new UsageError(`Missing value for --format of '${command}': expected text or json`);
      }
      if (value !== "text" && value !== "json" && (parsed.check || !value.includes("{{"))) {
        throw new UsageError(
          `Invalid value '${value}' for --format of '${command}': expected text or json` +
            (parsed.check ? "" : " or a Go template"),
        );
      }
      parsed.format = value;
    } else if (arg.startsWith("-")) {
      throw new UsageError(`Unknown flag '${arg}' for '${command}': expected --format`);
    } else {
      throw new UsageError(`Unexpected argument '${arg}' for '${command}': it takes none`);
    }
  }
  return parsed;
}

function writeStdout(text: string): void {
  sys.stdout(text);
}

/** Lines of "key: value" with the values in one column. */
function aligned(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([key]) => key.length)) + 2;
  return rows.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}\n`).join("");
}

/** Columns padded to their widest cell, the last one not padded. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) =>
    row.map((cell, col) => col === row.length - 1 ? cell : cell.padEnd(widths[col] + 2)).join("")
      .trimEnd() + "\n"
  ).join("");
}

function ranges(list: SubidRange[]): string {
  return list.length === 0 ? "none" : list.map(formatSubidRange).join(", ");
}

function cgroupText(info: HostInfo["cgroups"]): string {
  return info.mode === "v2" ? `v2 at ${info.mount}` : cgroupModeText(info);
}

/** Where containers' cgroups go, and the limits that cannot be applied there. */
function containerCgroupsText(c: HostInfo["containerCgroups"]): string {
  if (c.base === null) return `none (limits are not applied): ${c.reason}`;
  const missing = ["cpu", "memory", "pids", "io", "cpuset"].filter((n) =>
    !c.controllers.includes(n)
  );
  return `in ${c.base} (${c.source}), controllers: ${c.controllers.join(" ") || "none"}` +
    (missing.length ? `; limits needing ${missing.join(", ")} are not applied` : "");
}

/** The storage driver and why; an invalid NOOK_STORAGE_DRIVER is shown, not thrown. */
async function storageRow(
  choose: () => Promise<StorageChoice>,
): Promise<{ name: string; reason: string }> {
  try {
    const choice = await choose();
    return { name: choice.driver, reason: choice.reason };
  } catch (err) {
    if (!(err instanceof NookError)) throw err;
    return { name: "none", reason: err.message };
  }
}

/**
 * The network modes of an image's container without --network (as
 * defaultNetworkMode decides): without published ports, and with them.
 */
async function networkDefault(
  host: Host,
  info: HostInfo,
): Promise<{ plain: string; ports: string }> {
  const has = (name: string) => info.networkHelpers.some((h) => h.name === name);
  const route = parseHasDefaultRoute(
    await host.readTextFile("/proc/net/route") ?? "",
    await host.readTextFile("/proc/net/ipv6_route") ?? "",
  );
  const routed = () => route;
  return {
    plain: pickNetworkMode(has, routed, false),
    ports: pickNetworkMode(has, routed, true),
  };
}

function infoText(
  info: HostInfo,
  storage: { name: string; reason: string } | undefined,
  network: { plain: string; ports: string },
): string {
  const user = info.user.name ?? "(no name)";
  const mapping = info.idMapping === "subid"
    ? "subuid range via newuidmap"
    : `single mapping (only your uid): ${info.idMappingReason}`;
  const helpers = info.networkHelpers.map((h) => `${h.name} (${h.path})`).join(", ") || "none";
  return aligned([
    ["version", config.version],
    [sys.runtime, sys.version],
    ["kernel", info.kernel],
    ["user", `${user} (uid ${info.user.uid}, gid ${info.user.gid})`],
    ["subuid", ranges(info.subuid)],
    ["subgid", ranges(info.subgid)],
    ["id mapping", mapping],
    ["cgroups", cgroupText(info.cgroups)],
    ["cgroup subtree", containerCgroupsText(info.containerCgroups)],
    ["storage drivers", info.storageDrivers.join(", ")],
    ...(storage
      ? [["storage driver", `${storage.name} (${storage.reason})`] as [string, string]]
      : []),
    ["network helpers", helpers],
    [
      "network default",
      network.plain === "none"
        ? "none (no usable helper: install passt or slirp4netns for networking)"
        : network.plain === network.ports
        ? `${network.plain} (for images and -p; --rootfs runs without -p: none)`
        : `${network.plain} (for images without -p; with -p or -P: ${network.ports}; ` +
          "--rootfs runs without -p: none)",
    ],
    ["runtime dir", info.runtimeDir],
  ]);
}

/** The JSON fields, and (not in `{{json .}}`) the fields docker's and podman's scripts read. */
async function templateData(
  data: Record<string, unknown>,
  info: HostInfo,
): Promise<Record<string, unknown>> {
  const { dataDir, runtimeDir } = await import("../../lib/paths/mod.ts");
  const driver = (data.storageDriver as { name: string } | undefined)?.name ?? "";
  const cgroup = info.cgroups.mode === "v2" ? "2" : info.cgroups.mode === "none" ? "" : "1";
  const hidden = (value: unknown) => ({ value, enumerable: false });
  return Object.defineProperties({ ...data }, {
    ServerVersion: hidden(config.version),
    KernelVersion: hidden(info.kernel),
    Architecture: hidden(sys.arch),
    OSType: hidden("linux"),
    Driver: hidden(driver),
    CgroupVersion: hidden(cgroup),
    DockerRootDir: hidden(dataDir()),
    Host: hidden({
      Arch: sys.arch,
      Kernel: info.kernel,
      CgroupsVersion: cgroup ? `v${cgroup}` : "",
      Security: { Rootless: true },
    }),
    Store: hidden({ GraphRoot: dataDir(), RunRoot: runtimeDir(), GraphDriverName: driver }),
    Version: hidden({ Version: config.version }),
  });
}

function checksText(checks: Check[]): string {
  const rows = [["CHECK", "STATUS", "DETAIL"], ...checks.map((c) => [c.id, c.status, c.detail])];
  const fixes = checks
    .filter((c) => c.status !== "ok" && c.fix !== undefined)
    .map((c) => `fix: ${c.id}: ${c.fix}\n`);
  return table(rows) + (fixes.length > 0 ? "\n" + fixes.join("") : "");
}

/**
 * Runs `nook info [--format text|json]`, or `nook system check [--format
 * text|json]` when the first argument is `--check`.
 *
 * @param args The arguments after the verb.
 * @param options Host, overlay probe and output, for tests and the dispatcher.
 * @returns The exit code: 0, or for `system check` 1 when a check is an error.
 * @throws {UsageError} For an unknown flag, a bad `--format` or an argument.
 *
 * @example Check a fake host
 * ```ts
 * import { main } from "./info.ts";
 * import { fakeHost } from "../../lib/host/mod.ts";
 * let out = "";
 * const code = await main(["--check"], { host: fakeHost(), write: (t) => out += t });
 * console.assert(code === 0 && out.startsWith("CHECK"));
 * ```
 */
export async function main(args: string[], options: InfoOptions = {}): Promise<number> {
  const parsed = parseArgs(args);
  const write = options.write ?? writeStdout;
  if (parsed.help) {
    write(parsed.check ? CHECK_USAGE : INFO_USAGE);
    return 0;
  }
  const host = options.host ?? realHost();
  if (parsed.check) {
    // On the real host, probe overlay for real: a mount in a throwaway user namespace.
    const probeOverlay = options.probeOverlay ?? (options.host ? undefined : async () => {
      const { probeOverlay } = await import("../../lib/runtime/probe_overlay.ts");
      return await probeOverlay();
    });
    const checks = await runChecks(host, { probeOverlay });
    write(parsed.format === "json" ? JSON.stringify(checks, null, 2) + "\n" : checksText(checks));
    return checks.some((c) => c.status === "error") ? 1 : 0;
  }
  const info = await hostInfo(host);
  // On the real host, the driver `nook run` would use (the overlay probe is cached per boot).
  const chooseStorage = options.chooseStorage ?? (options.host ? undefined : async () => {
    const { chooseStorageDriver } = await import("../../lib/storage/choose_storage_driver.ts");
    return await chooseStorageDriver({ announce: false });
  });
  const storageDriver = chooseStorage && await storageRow(chooseStorage);
  const network = await networkDefault(host, info);
  const data = {
    version: config.version,
    [sys.runtime]: sys.version,
    ...info,
    networkDefault: network.plain,
    networkDefaultPorts: network.ports,
    storageDriver,
  };
  if (parsed.format === "json") {
    write(JSON.stringify(data, null, 2) + "\n");
  } else if (parsed.format !== "text") {
    const { compileFormat } = await import("../format_rows.ts");
    write(compileFormat(parsed.format)(await templateData(data, info)) + "\n");
  } else {
    write(infoText(info, storageDriver, network));
  }
  return 0;
}
