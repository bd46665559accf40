import type { Host } from "./host.ts";

/** One reason user namespaces cannot be made, with its fix. */
export interface UsernsProblem {
  /** One sentence, capitalised, no trailing period. */
  sentence: string;
  /** Shell command that fixes it. */
  fix: string;
}

/** Other namespaces nook creates beside the user namespace, by sysctl suffix. */
const NAMESPACE_LIMITS: [string, string][] = [
  ["mnt", "Mount"],
  ["pid", "PID"],
  ["uts", "UTS"],
  ["ipc", "IPC"],
  ["net", "Network"],
];

const PERSIST = "(persist it in /etc/sysctl.d/)";

async function sysctl(host: Host, name: string): Promise<number | null> {
  const text = await host.readTextFile(`/proc/sys/${name.replaceAll(".", "/")}`);
  if (text === null) return null;
  const value = Number(text.trim());
  return Number.isInteger(value) ? value : null;
}

/** Every sysctl that keeps this user from making the namespaces nook needs. */
export async function usernsProblems(host: Host): Promise<UsernsProblem[]> {
  const problems: UsernsProblem[] = [];
  // Each user.max_*_namespaces is a per-user count; 0 disables the kind.
  if (await sysctl(host, "user.max_user_namespaces") === 0) {
    problems.push({
      sentence: "User namespaces are disabled: user.max_user_namespaces is 0",
      fix: `sudo sysctl -w user.max_user_namespaces=15000 ${PERSIST}`,
    });
  }
  // The next two do not apply to a process with CAP_SYS_ADMIN (root).
  const unprivileged = host.uid() !== 0;
  if (unprivileged && await sysctl(host, "kernel.unprivileged_userns_clone") === 0) {
    problems.push({
      sentence: "Unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0",
      fix: `sudo sysctl -w kernel.unprivileged_userns_clone=1 ${PERSIST}`,
    });
  }
  if (unprivileged && await sysctl(host, "kernel.apparmor_restrict_unprivileged_userns") === 1) {
    problems.push({
      sentence: "AppArmor restricts unprivileged user namespaces: " +
        "kernel.apparmor_restrict_unprivileged_userns is 1",
      fix: `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 ${PERSIST}, ` +
        "or give the deno binary an AppArmor profile with 'userns,' in /etc/apparmor.d/",
    });
  }
  for (const [kind, title] of NAMESPACE_LIMITS) {
    const name = `user.max_${kind}_namespaces`;
    if (await sysctl(host, name) === 0) {
      problems.push({
        sentence: `${title} namespaces are disabled: ${name} is 0`,
        fix: `sudo sysctl -w ${name}=15000 ${PERSIST}`,
      });
    }
  }
  return problems;
}
