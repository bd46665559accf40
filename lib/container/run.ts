/**
 * The library's front door: run a container from an image or a rootfs
 * directory and collect what it printed.
 *
 * @module
 */
import { type RunResult, waitForOutput } from "../runtime/run_container.ts";
import { type ContainerOptions, startContainer } from "./start_container.ts";

/**
 * Runs a container to completion.
 *
 * @param options The image (or rootfs), command and flags; `stdout: "pipe"` captures output.
 * @returns Its exit code and captured output.
 * @throws {NookError} Subclasses for bad options, a failed pull or a failed setup step.
 *
 * @example Run a command in an image
 * ```ts ignore
 * import { run } from "./run.ts";
 * const r = await run({ image: "busybox", command: ["echo", "hi"], rm: true, stdout: "pipe" });
 * console.log(r.exitCode, new TextDecoder().decode(r.stdout));
 * ```
 */
export async function run(options: ContainerOptions): Promise<RunResult> {
  return await waitForOutput(await startContainer(options));
}
