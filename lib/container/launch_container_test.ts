import assert from "node:assert/strict";
import { encodeProgram } from "../../shim/protocol.ts";
import type { ContainerConfig } from "../config/container_config.ts";
import { readRecord, writeRecord } from "../records/container_record.ts";
import { planIdMaps } from "../userns/mod.ts";
import { planSpec } from "../runtime/plan_spec.ts";
import { planContainer } from "../runtime/plan_steps.ts";
import { sys } from "../sys/mod.ts";
import type { MonitorConfig } from "../monitor/monitor_protocol.ts";
import { createContainer } from "./create_container.ts";
import { type LaunchContext, launchDetached } from "./launch_container.ts";
import { restartContainer } from "./restart_container.ts";

const range = [{ start: 100000, count: 65536 }];

/** A launch context that records what a start writes and starts, and starts nothing. */
function recordingContext() {
  const written = new Map<string, Uint8Array>();
  const monitors: { dir: string; config: MonitorConfig }[] = [];
  const planned: ContainerConfig[] = [];
  const programs: Uint8Array[] = [];
  const context: LaunchContext = {
    sys: {
      ...sys,
      writeFile: (path, data) => void written.set(path, data as Uint8Array),
      isTerminal: () => false,
      terminalSize: () => null,
      stderr: () => {},
    },
    // The real pure planner on facts a host would give: no namespaces, no /etc/passwd.
    planProcess: (config, start) => {
      planned.push(structuredClone(config));
      const spec = planSpec(config, {
        id: start.id,
        rootfs: start.rootfs,
        idMap: planIdMaps({ uid: 1000, gid: 1000, subuids: range, subgids: range }),
        net: { network: "none", ports: [] },
        user: { uid: 0, gid: 0, groups: [], home: "/root" },
        initLayer: { hostname: "/x/hostname", hosts: "/x/hosts", resolvConf: "/x/resolv.conf" },
        detached: true,
        stdinIsTerminal: false,
        lastCap: 40,
      });
      const plan = planContainer(spec);
      programs.push(encodeProgram(plan.program));
      return { spec, plan };
    },
    prepareCgroup: () => Promise.resolve(null),
    startMonitor: (dir, config) => {
      monitors.push({ dir, config: structuredClone(config) });
      return Promise.resolve({ kind: "ok", pid: 4242, pidStart: "1" });
    },
  };
  return { context, written, monitors, planned, programs };
}

async function withStore(fn: (rootfs: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "nook-launch-test-" });
  const saved = ["NOOK_ROOT", "XDG_RUNTIME_DIR"].map((k) => [k, Deno.env.get(k)] as const);
  Deno.mkdirSync(`${dir}/run`, { mode: 0o700 });
  Deno.mkdirSync(`${dir}/rootfs`);
  Deno.env.set("NOOK_ROOT", `${dir}/data`);
  Deno.env.set("XDG_RUNTIME_DIR", `${dir}/run`);
  try {
    await fn(`${dir}/rootfs`);
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("launchDetached() writes the planned program and the monitor's config from the record", async () => {
  await withStore(async (rootfs) => {
    const record = await createContainer({
      rootfs,
      name: "web",
      command: ["httpd", "-f"],
      restart: "on-failure:3",
      logOptions: ["max-size=1k", "max-file=2"],
      tty: true,
    });
    const { context, written, monitors, programs } = recordingContext();
    assert.deepEqual(await launchDetached(record, { context }), { pid: 4242, conn: undefined });
    assert.equal(monitors.length, 1);
    const { dir, config } = monitors[0];
    assert.deepEqual(written.get(`${dir}/program`), programs[0], "the planned program");
    assert.equal(config.id, record.id);
    assert.equal(config.program, `${dir}/program`);
    assert.deepEqual(config.restart, { policy: "on-failure", maxRetries: 3 });
    assert.equal(config.logMaxSize, 1024);
    assert.equal(config.logMaxFiles, 2);
    assert.equal(config.tty, true);
    assert.equal(config.userns.mode, "subid");
    assert.equal(config.onExit, undefined, "no --rm");
  });
});

Deno.test("restartContainer() starts from the config as stored now, not the record it was given", async () => {
  await withStore(async (rootfs) => {
    const stale = await createContainer({ rootfs, name: "api", command: ["sleep", "9"] });
    const now = readRecord(stale.id)!;
    writeRecord({
      ...now,
      config: { ...now.config, env: ["MODE=new"], log: { maxSize: 2048, maxFiles: 4 } },
    });
    const { context, monitors, planned } = recordingContext();
    assert.equal(await restartContainer(stale, 0, { context }), 4242);
    assert.deepEqual(planned[0].env, ["MODE=new"]);
    assert.equal(monitors[0].config.logMaxSize, 2048);
    assert.equal(monitors[0].config.logMaxFiles, 4);
  });
});
