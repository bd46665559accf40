/**
 * `nook network create|ls|inspect|rm|prune|connect|disconnect|exists`: user-defined
 * networks, where containers reach each other by name and by address.
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { createNetwork } from "../../lib/network/manage_networks.ts";
import {
  inspectNetwork,
  networkInspect,
  pruneNetworks,
  removeNetwork,
} from "../../lib/network/network_api.ts";
import { findNetwork, listNetworks } from "../../lib/network/network_record.ts";
import { NoSuchNetworkError } from "../../lib/network/no_such_network.ts";
import { userNetworkName } from "../../lib/config/network_config.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { table } from "../table.ts";
import { existsMain } from "../exists_command.ts";

const HELP = [{ name: "help", type: "bool", help: "Print usage" }] as FlagSpec[];

const CREATE_FLAGS: FlagSpec[] = [
  {
    name: "subnet",
    type: "string",
    value: "CIDR",
    help: "IPv4 subnet (default: a free /24 of 10.89.0.0/16)",
  },
  {
    name: "gateway",
    type: "string",
    value: "IP",
    help: "The gateway address (default: the subnet's first)",
  },
  { name: "internal", type: "bool", help: "No way out of the network" },
  { name: "driver", short: "d", type: "string", value: "DRIVER", help: "bridge (the only one)" },
  { name: "label", type: "list", value: "KEY=VALUE", help: "Set a label" },
  {
    name: "opt",
    short: "o",
    type: "list",
    value: "KEY=VALUE",
    help: "Driver option: allow_host_loopback=true (members reach the host's 127.0.0.1 as " +
      "host.containers.internal), helper=slirp4netns|pasta (the way out; slirp4netns publishes -p)",
  },
  ...HELP,
]; // deno-fmt-ignore

const LS_FLAGS: FlagSpec[] = [
  { name: "quiet", short: "q", type: "bool", help: "Only names" },
  { name: "format", type: "string", value: "FORMAT", help: "table (default), json, or a template like '{{.ID}} {{.Name}}'" },
  ...HELP,
]; // deno-fmt-ignore

const INSPECT_FLAGS: FlagSpec[] = [
  { name: "format", short: "f", type: "string", value: "TEMPLATE", help: "Print fields, e.g. '{{.IPAM.Config}}'" },
  ...HELP,
]; // deno-fmt-ignore

/** docker's column titles of `network ls`, by template field. */
const LS_HEADERS: Record<string, string> = {
  ID: "NETWORK ID", Name: "NAME", Driver: "DRIVER", Scope: "SCOPE", IPv6: "IPV6",
  Internal: "INTERNAL", Labels: "LABELS", CreatedAt: "CREATED AT", Subnet: "SUBNET",
}; // deno-fmt-ignore

/**
 * Runs `nook network`.
 *
 * @param args Arguments after "network".
 * @returns 0, or 125 when something failed.
 *
 * @example
 * ```ts ignore
 * await main(["create", "backend"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create": {
      const p = parseArgs(rest, CREATE_FLAGS, {
        command: "network create",
        stopAtPositional: false,
      });
      if (p.bools.help) {
        sys.stdout(
          helpText("nook network create [OPTIONS] NAME", "Create a network.", CREATE_FLAGS),
        );
        return 0;
      }
      if (p.rest.length !== 1) throw new UsageError("'nook network create' needs exactly one name");
      if (p.strings.driver !== undefined && p.strings.driver !== "bridge") {
        throw new UsageError(`Unknown network driver '${p.strings.driver}': nook has 'bridge'`);
      }
      const n = await createNetwork(p.rest[0], {
        subnet: p.strings.subnet,
        gateway: p.strings.gateway,
        internal: p.bools.internal,
        labels: p.lists.label,
        opts: p.lists.opt,
      });
      sys.stdout(n.name + "\n");
      return 0;
    }
    case "ls":
    case "list": {
      const p = parseArgs(rest, LS_FLAGS, { command: "network ls", stopAtPositional: false });
      if (p.bools.help) {
        sys.stdout(helpText("nook network ls [OPTIONS]", "List networks.", LS_FLAGS));
        return 0;
      }
      const nets = listNetworks();
      if (p.bools.quiet) sys.stdout(nets.map((n) => n.name + "\n").join(""));
      else if (p.strings.format === "json") {
        sys.stdout(nets.map((n) => JSON.stringify(networkInspect(n)) + "\n").join(""));
      } else if (p.strings.format !== undefined && p.strings.format !== "table") {
        // The template engine is loaded only for a template.
        const { formatRows } = await import("../format_rows.ts");
        const rows = nets.map((n) => ({
          ID: n.id.slice(0, 12),
          Name: n.name,
          Driver: n.driver,
          Scope: "local",
          IPv6: "false",
          Internal: String(n.internal),
          Labels: Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(","),
          CreatedAt: n.created,
          Subnet: n.subnet,
        }));
        const table = "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Subnet}}";
        sys.stdout(formatRows(p.strings.format, rows, { headers: LS_HEADERS, table }));
      } else {
        sys.stdout(table(
          ["NETWORK ID", "NAME", "DRIVER", "SUBNET"],
          nets.map((n) => [n.id.slice(0, 12), n.name, n.driver, n.subnet]),
        ));
      }
      return 0;
    }
    case "inspect": {
      const p = parseArgs(rest, INSPECT_FLAGS, {
        command: "network inspect",
        stopAtPositional: false,
      });
      if (p.bools.help || p.rest.length === 0) {
        sys.stdout(
          helpText(
            "nook network inspect [OPTIONS] NETWORK [NETWORK...]",
            "Show networks as JSON.",
            INSPECT_FLAGS,
          ),
        );
        return p.bools.help ? 0 : 125;
      }
      const found = p.rest.map(inspectNetwork);
      const format = p.strings.format;
      if (format !== undefined && format !== "json") {
        const { compileFormat } = await import("../format_rows.ts");
        const render = compileFormat(format);
        sys.stdout(found.map((n) => render(n) + "\n").join(""));
      } else sys.stdout(JSON.stringify(found, null, 4) + "\n");
      return 0;
    }
    case "rm":
    case "remove": {
      const p = parseArgs(rest, HELP, { command: "network rm", stopAtPositional: false });
      if (p.rest.length === 0) throw new UsageError("'nook network rm' needs at least one network");
      let code = 0;
      for (const ref of p.rest) {
        try {
          await removeNetwork(ref);
          sys.stdout(ref + "\n");
        } catch (err) {
          if (!(err instanceof NookError)) throw err;
          sys.stderr(`nook: ${err.message}\n`);
          code = err.exitCode;
        }
      }
      return code;
    }
    case "prune": {
      const p = parseArgs(rest, [{ name: "force", short: "f", type: "bool" }, ...HELP], {
        command: "network prune",
        stopAtPositional: false,
      });
      if (!p.bools.force && !sys.isTerminal(0)) {
        throw new UsageError(
          "'nook network prune' removes every unused network: add -f to confirm",
        );
      }
      const removed = await pruneNetworks();
      sys.stdout(removed.length ? `Deleted Networks:\n${removed.join("\n")}\n` : "");
      return 0;
    }
    case "connect":
    case "disconnect": {
      const p = parseArgs(rest, HELP, { command: `network ${sub}`, stopAtPositional: false });
      if (p.rest.length !== 2) {
        throw new UsageError(`'nook network ${sub}' needs a network and a container`);
      }
      const net = findNetwork(p.rest[0]);
      if (
        sub === "disconnect" &&
        userNetworkName(findContainer(p.rest[1]).config.network) !== net.name
      ) {
        throw new UsageError(`Container ${p.rest[1]} is not on network '${net.name}'`);
      }
      const { setContainerNetwork } = await import(
        "../../lib/container/set_container_network.ts"
      );
      await setContainerNetwork(findContainer(p.rest[1]), sub === "connect" ? net.name : "none");
      return 0;
    }
    case "exists":
      return existsMain(rest, {
        kind: "network",
        exists: (ref) => {
          try {
            findNetwork(ref);
            return true;
          } catch (err) {
            if (err instanceof NoSuchNetworkError) return false;
            throw err;
          }
        },
      });
    default:
      if (sub === undefined || sub === "--help" || sub === "-h") {
        sys.stdout(
          "Usage:  nook network COMMAND\n\nManage networks.\n\nCommands:\n" +
            "  create, ls, inspect, rm, prune, connect, disconnect, exists\n",
        );
        return sub === undefined ? 125 : 0;
      }
      throw new UsageError(`Unknown command 'nook network ${sub}'\nSee 'nook network --help'`);
  }
}
