/**
 * `exec` in a container by its record: the runtime's exec (setns through a
 * pidfd) with the container's defaults, as docker applies them: its
 * environment (image, then run flags), its configured user and working
 * directory (else root, never the ids its first process dropped to), its
 * capabilities and `--group-add` groups.
 *
 * @module
 */
import { containerCgroupDir } from "../cgroups/container_cgroup_dir.ts";
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { CAPABILITIES, capabilitySet } from "../runtime/capabilities.ts";
import { DEFAULT_PATH } from "../runtime/defaults.ts";
import { mergeEnv } from "../runtime/env_spec.ts";
import { execInContainer, type ExecOptions, type RunningExec } from "../runtime/exec_process.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";

/** Options of {@linkcode execContainer}: the runtime's, with the container's defaults. */
export type ExecContainerOptions = Omit<
  ExecOptions,
  "env" | "capabilities" | "defaultUser" | "groupAdd"
>;

/**
 * Starts a command in a running container.
 *
 * @param record The container.
 * @param options The command and docker's exec flags.
 * @returns The running command.
 * @throws {UsageError} When the container is not running, or paused.
 * @throws {SetupError} When the command cannot run (exit code 126/127).
 *
 * @example
 * ```ts ignore
 * const p = await execContainer(record, { command: ["ls"], stdout: "pipe" });
 * console.log((await p.status).exitCode);
 * ```
 */
export async function execContainer(
  record: ContainerRecord,
  options: ExecContainerOptions,
): Promise<RunningExec> {
  const s = containerStatus(record.id, record);
  if (s.status !== "running" || !s.pid) {
    throw new UsageError(
      `Container ${record.name} is not running (status ${s.status}): start it first`,
    );
  }
  if (s.paused) {
    // Its command would join the frozen cgroup and hang there.
    throw new UsageError(`Container ${record.name} is paused: unpause it before exec`);
  }
  const o = record.config;
  const hostname = o.hostname ?? record.id.slice(0, 12);
  const mask = capabilitySet({ add: o.capAdd, drop: o.capDrop });
  return await execInContainer(
    {
      pid: s.pid,
      startTime: s.pidStart === "-" ? undefined : s.pidStart,
      name: record.name,
      cgroup: containerCgroupDir(record) ?? undefined,
      // Its limits bind what runs in it; only --cgroups=required insists that the command does.
      onCgroupRefused: o.cgroups === "required" ? undefined : (why) =>
        sys.stderr(
          `nook: the command runs outside the cgroup of container ${record.name}: ${why}; run ` +
            "nook from where the container was started (e.g. 'systemd-run --user --scope nook ...')\n",
        ),
    },
    {
      ...options,
      env: mergeEnv([`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`], record.process.env, o.env),
      defaultUser: record.process.user,
      groupAdd: o.groupAdd,
      workdir: options.workdir ?? record.process.workdir ?? "/",
      capabilities: CAPABILITIES.filter((_, i) => (mask & (1n << BigInt(i))) !== 0n),
    },
  );
}
