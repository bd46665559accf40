/**
 * `ps --filter KEY=VALUE` (and `start --filter`): docker's container filters
 * (status, name, label, ancestor, id, exited, before, since), and podman's
 * `restart-policy` and `status=stopped` (an exited container).
 *
 * @module
 */
import { parseFilters } from "./filter_flags.ts";
import { findContainer } from "../lib/container/find_container.ts";
import { stateName } from "../lib/container/inspect_container.ts";
import type { ContainerRecord } from "../lib/records/container_record.ts";
import type { ContainerStatus } from "../lib/records/container_state.ts";

const FILTER_KEYS = [
  "status",
  "name",
  "label",
  "ancestor",
  "id",
  "exited",
  "before",
  "since",
  "restart-policy",
];

/** The `--restart` policies; podman's `none` is `no`. */
const RESTART_POLICIES = ["no", "none", "always", "on-failure", "unless-stopped"];

/** Why a filter's value is wrong, or null. */
function checkValue(key: string, value: string): string | null {
  if (key === "exited" && !/^\d+$/.test(value)) return "exited= takes an exit code (0-255)";
  if (key === "restart-policy" && !RESTART_POLICIES.includes(value)) {
    return `'${value}' is no restart policy: use ${RESTART_POLICIES.join(", ")}`;
  }
  return null;
}

/**
 * The test of `ps --filter`s: values of one key are alternatives, keys must all
 * hold (docker's rule). `before=` and `since=` name a container, resolved once.
 *
 * @param filters The `KEY=VALUE` texts.
 * @returns Whether a container (its record and status) passes.
 * @throws {UsageError} On a filter that is not `KEY=VALUE`, an unknown key
 *   (named), or an exit code that is not a number.
 * @throws {NoSuchContainerError} When `before=` or `since=` names no container.
 *
 * @example
 * ```ts ignore
 * const pass = containerFilter(["status=exited", "exited=3"]);
 * listRecords().filter((r) => pass(r, containerStatus(r.id)));
 * ```
 */
export function containerFilter(
  filters: string[],
): (r: ContainerRecord, s: ContainerStatus) => boolean {
  const byKey = parseFilters(filters, FILTER_KEYS, checkValue);
  const created = new Map<string, string>();
  for (const v of [...byKey.get("before") ?? [], ...byKey.get("since") ?? []]) {
    created.set(v, findContainer(v).created);
  }
  return (r, s) => {
    const test: Record<string, (v: string) => boolean> = {
      status: (v) => stateName(s) === (v === "stopped" ? "exited" : v),
      name: (v) => new RegExp(v).test(r.name),
      id: (v) => r.id.startsWith(v),
      label: (v) => {
        const at = v.indexOf("=");
        return at < 0 ? v in r.config.labels : r.config.labels[v.slice(0, at)] === v.slice(at + 1);
      },
      ancestor: (v) => {
        const bare = (n: string) =>
          n.replace(/^(docker\.io\/)?(library\/)?/, "").replace(/:latest$/, "");
        return bare(r.imageName) === bare(v) || r.image === v ||
          r.image.replace(/^sha256:/, "").startsWith(v.replace(/^sha256:/, ""));
      },
      // As docker: a container that ran and ended with that code.
      exited: (v) => s.status === "exited" && s.exitCode === Number(v),
      before: (v) => r.created < created.get(v)!,
      since: (v) => r.created > created.get(v)!,
      "restart-policy": (v) => r.config.restart.name === (v === "none" ? "no" : v),
    };
    return [...byKey].every(([k, values]) => values.some(test[k]));
  };
}
