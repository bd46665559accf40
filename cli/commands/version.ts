/**
 * `nook version [--format TEMPLATE|json]`: docker's `Client:` section (nook
 * has no daemon, so no `Server:`, as podman without a remote). The runtime
 * stands where docker names its Go version ("Deno 2.1.4", "Node 22.1.0",
 * "Bun 1.1.0"). `--format` takes docker's `{{.Client.Version}}` and podman's
 * older `{{.Version}}` (a template that fails on the report is tried on its
 * `Client`, as podman does), and `json`.
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { loadShim } from "../../shim/binding.ts";
import { ABI } from "../../shim/protocol.ts";
import { isCompiled } from "../../shim/embedded_files.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import denoJson from "../../deno.json" with { type: "json" };

const FLAGS: FlagSpec[] = [
  {
    name: "format",
    short: "f",
    type: "string",
    value: "FORMAT",
    help: "json, or a template: '{{.Client.Version}}' (docker), '{{.Version}}' (podman)",
  },
  { name: "help", short: "h", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** Go's names of the architectures (GOARCH), as docker prints OS/Arch. */
const GOARCH: Record<string, string> = { x86_64: "amd64", aarch64: "arm64" };
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Go's time.ANSIC layout, in local time: "Fri Jul 21 20:35:18 2023". */
function ansic(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** The client's facts, under docker's field names (and podman's where they differ). */
function clientVersion(): Record<string, unknown> {
  const arch = GOARCH[sys.arch] ?? sys.arch;
  const runtime = sys.runtime[0].toUpperCase() + sys.runtime.slice(1);
  let built: Date | undefined;
  let shim: string;
  try {
    const { path } = loadShim();
    built = new Date(sys.lstat(path)?.mtimeMs ?? 0);
    shim = `ABI ${ABI} (${path})`;
  } catch (err) {
    shim = `not loaded: ${(err as Error).message}`;
  }
  return {
    Platform: { Name: "nook" },
    Version: denoJson.version,
    APIVersion: "n/a",
    GoVersion: `${runtime} ${sys.version}${isCompiled() ? " (compiled)" : ""}`,
    Os: "linux",
    Arch: arch,
    OsArch: `linux/${arch}`,
    // When the shim nook loaded was built (a compiled nook: unpacked into its cache).
    BuildTime: built ? ansic(built) : "n/a",
    BuiltTime: built ? ansic(built) : "n/a",
    Built: built ? Math.floor(built.getTime() / 1000) : 0,
    Shim: shim,
  };
}

/**
 * Runs `nook version`.
 *
 * @param args Arguments after "version".
 * @returns 0.
 * @throws {UsageError} On arguments, or a template that fits neither the report nor its client.
 *
 * @example
 * ```ts ignore
 * await main(["--format", "{{.Client.Version}}"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "version", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook version [OPTIONS]", "Show the nook version information.", FLAGS));
    return 0;
  }
  if (p.rest.length) {
    throw new UsageError(`'nook version' takes no arguments, got '${p.rest[0]}'`);
  }
  const client = clientVersion();
  const report = { Client: client };
  const format = p.strings.format;
  if (format === "json") {
    sys.stdout(JSON.stringify(report) + "\n");
  } else if (format !== undefined) {
    // The template engine (loaded only for a template). docker's fields are under .Client;
    // podman's `{{.Version}}` names the client's own: a template that fails on the report is
    // tried on the client, as podman does.
    const { compileFormat } = await import("../format_rows.ts");
    let text: string;
    try {
      text = compileFormat(format)(report);
    } catch (err) {
      if (!(err instanceof NookError)) throw err;
      text = compileFormat(format.replaceAll(".Client.", "."), { name: format })(client);
    }
    sys.stdout(text + "\n");
  } else {
    const rows: [string, unknown][] = [
      ["Version", client.Version],
      ["API version", client.APIVersion],
      ["Go version", client.GoVersion],
      ["Built", client.BuildTime],
      ["OS/Arch", client.OsArch],
      ["Shim", client.Shim],
    ];
    sys.stdout("Client:\n" + rows.map(([k, v]) => ` ${`${k}:`.padEnd(19)}${v}\n`).join(""));
  }
  return 0;
}
