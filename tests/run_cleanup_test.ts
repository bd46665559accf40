// What a nook killed with SIGKILL leaves behind is cleaned up: its container
// dies with it (parent-death signal) and the next run removes its run directory.
import assert from "node:assert/strict";
import { busyboxRootfs, nook, repoRoot } from "./helpers.ts";

function runDirs(dir: string): string[] {
  return Array.from(Deno.readDirSync(dir), (e) => e.name).filter((n) => n.startsWith("run-"));
}

async function waitFor(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (fn()) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("a SIGKILLed nook run takes its container along and the next run removes its run directory", async () => {
  const rootfs = await busyboxRootfs();
  const xdg = Deno.makeTempDirSync({ prefix: "nook-cleanup-test-" });
  const env = { XDG_RUNTIME_DIR: xdg };
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "run", "--rootfs", rootfs, "sleep", "30"],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor(
      "the run directory",
      () => Deno.statSync(`${xdg}/nook`).isDirectory && runDirs(`${xdg}/nook`).length === 1,
    );
    const stale = runDirs(`${xdg}/nook`)[0];
    assert.match(stale, new RegExp(`^run-[0-9a-f]{12}-${child.pid}-`));
    // The container is a child of nook: find it before nook dies.
    const kids = () =>
      Array.from(
        Deno.readDirSync(`/proc/${child.pid}/task`),
        (t) => Deno.readTextFileSync(`/proc/${child.pid}/task/${t.name}/children`).trim(),
      ).join(" ").trim();
    await waitFor("the container process", () => kids() !== "");
    const container = Number(kids().split(/\s+/)[0]);
    child.kill("SIGKILL");
    await child.status;
    await waitFor("the container to die with nook", () => {
      try {
        return Deno.readTextFileSync(`/proc/${container}/stat`).split(") ")[1].startsWith("Z") ===
          true;
      } catch {
        return true; // gone
      }
    });
    assert.deepEqual(runDirs(`${xdg}/nook`), [stale], "SIGKILL leaves the run directory");
    const r = await nook(["run", "--rm", "--rootfs", rootfs, "true"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(runDirs(`${xdg}/nook`), [], "the next run removed the stale directory");
  } finally {
    Deno.removeSync(xdg, { recursive: true });
  }
});
