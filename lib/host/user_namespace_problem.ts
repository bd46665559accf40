/**
 * Why user namespaces cannot be made, for the message of a failed clone.
 *
 * @module
 */
import type { Host } from "./host.ts";
import { usernsProblems } from "./_userns_problems.ts";

/**
 * Explains why this user cannot make user namespaces, from the sysctls that
 * disable them. `nook run` calls it when clone fails with EPERM, ENOSPC or
 * EINVAL and puts the sentence in a `HostError`.
 *
 * @param host The host to read.
 * @returns One sentence (capitalised, no trailing period), or `null` when no
 * sysctl explains it.
 *
 * @example
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import { userNamespaceProblem } from "./user_namespace_problem.ts";
 * const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0" } });
 * console.assert(
 *   await userNamespaceProblem(host) ===
 *     "User namespaces are disabled: user.max_user_namespaces is 0",
 * );
 * console.assert(await userNamespaceProblem(fakeHost()) === null);
 * ```
 */
export async function userNamespaceProblem(host: Host): Promise<string | null> {
  const [first] = await usernsProblems(host);
  return first?.sentence ?? null;
}
