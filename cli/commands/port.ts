/**
 * `nook port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published ports of a
 * running container, as docker prints them (`80/tcp -> 0.0.0.0:8080`), or
 * the host side of one of them.
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { containerStatus } from "../../lib/records/container_state.ts";
import { readNetworkState } from "../../lib/records/network_state.ts";
import { hostAddress, parseExposedPort } from "../../lib/network/port_mapping.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { EXIT_NO_SUCH_OBJECT, isNoSuchObject } from "../exit_code.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook port`.
 *
 * @param args Arguments after "port".
 * @returns 0, or 1 when the container does not exist or the asked port is not published.
 * @throws {UsageError} On a missing container or a bad port.
 *
 * @example
 * ```ts ignore
 * await main(["web", "80/tcp"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "port", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook port CONTAINER [PRIVATE_PORT[/PROTO]]",
        "List a container's published ports, or the host address of one.",
        FLAGS,
      ),
    );
    return Promise.resolve(0);
  }
  if (p.rest.length < 1 || p.rest.length > 2) {
    throw new UsageError("'nook port' takes a container and at most one PRIVATE_PORT[/PROTO]");
  }
  let record;
  try {
    record = findContainer(p.rest[0]);
  } catch (err) {
    if (!isNoSuchObject(err)) throw err;
    sys.stderr(`nook: ${(err as Error).message}\n`);
    return Promise.resolve(EXIT_NO_SUCH_OBJECT);
  }
  const wanted = p.rest[1] === undefined ? null : parseExposedPort(p.rest[1]);
  if (p.rest[1] !== undefined && !wanted) {
    throw new UsageError(
      `Invalid port '${p.rest[1]}': give PORT or PORT/PROTO with tcp or udp, e.g. 80/tcp`,
    );
  }
  const running = containerStatus(record.id).status === "running";
  const ports = running ? readNetworkState(record.id)?.ports ?? [] : [];
  const sorted = [...ports].sort((a, b) =>
    a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol)
  );
  if (!wanted) {
    sys.stdout(
      sorted.map((m) => `${m.containerPort}/${m.protocol} -> ${hostAddress(m)}\n`).join(""),
    );
    return Promise.resolve(0);
  }
  const found = sorted.filter((m) =>
    m.containerPort === wanted.port && m.protocol === wanted.protocol
  );
  if (found.length === 0) {
    throw new NookError(
      `No public port '${wanted.port}/${wanted.protocol}' published for ${record.name}` +
        (running ? "" : " (it is not running)"),
      { exitCode: 1 },
    );
  }
  sys.stdout(found.map((m) => `${hostAddress(m)}\n`).join(""));
  return Promise.resolve(0);
}
