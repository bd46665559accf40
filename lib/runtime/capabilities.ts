/**
 * Capability names and the bounding set a container keeps: docker's default
 * set, changed by `--cap-add` and `--cap-drop`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";

/** Every capability by name (without CAP_), in kernel order. */
export const CAPABILITIES: readonly string[] = [
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
]; // deno-fmt-ignore

/** docker's default bounding set. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP",
  "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
]; // deno-fmt-ignore

function capName(raw: string): string {
  const name = raw.toUpperCase().replace(/^CAP_/, "");
  if (name !== "ALL" && !CAPABILITIES.includes(name)) {
    throw new UsageError(
      `Unknown capability '${raw}': use a name such as NET_ADMIN or CAP_SYS_PTRACE, or ALL`,
    );
  }
  return name;
}

/** Options of {@linkcode capabilitySet}. */
export interface CapabilitySetOptions {
  /** Capabilities to add (`--cap-add`), "ALL" for every one. */
  add?: readonly string[];
  /** Capabilities to drop (`--cap-drop`), "ALL" for every one. */
  drop?: readonly string[];
}

/**
 * The bounding set as a bit mask (bit N = capability N), docker's rules:
 * start from the default set (every capability for `--cap-add ALL`, none for
 * `--cap-drop ALL`), remove the named drops, then add the named adds.
 *
 * @param options `--cap-add` and `--cap-drop` values.
 * @returns The mask.
 * @throws {UsageError} On an unknown capability name.
 *
 * @example
 * ```ts
 * import { capabilitySet, CAPABILITIES } from "./capabilities.ts";
 * const mask = capabilitySet({ add: ["NET_ADMIN"], drop: ["MKNOD"] });
 * console.assert((mask & (1n << BigInt(CAPABILITIES.indexOf("NET_ADMIN")))) !== 0n);
 * ```
 */
export function capabilitySet(options: CapabilitySetOptions = {}): bigint {
  const add = (options.add ?? []).map(capName);
  const drop = (options.drop ?? []).map(capName);
  // docker: ALL in --cap-add starts from every capability, ALL in --cap-drop from none;
  // then the named drops and adds apply.
  const set = new Set(
    add.includes("ALL") ? CAPABILITIES : drop.includes("ALL") ? [] : DEFAULT_CAPABILITIES,
  );
  for (const d of drop) set.delete(d);
  for (const a of add) if (a !== "ALL") set.add(a);
  let mask = 0n;
  for (const name of set) mask |= 1n << BigInt(CAPABILITIES.indexOf(name));
  return mask;
}

/**
 * The highest capability number this kernel knows (`/proc/sys/kernel/cap_last_cap`).
 *
 * @returns The number, 40 when the file cannot be read.
 *
 * @example
 * ```ts
 * import { lastCapability } from "./capabilities.ts";
 * console.assert(lastCapability() >= 36);
 * ```
 */
export function lastCapability(): number {
  const text = sys.readText("/proc/sys/kernel/cap_last_cap");
  return text ? Number(text.trim()) : 40;
}
