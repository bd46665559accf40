/**
 * The controllers a cgroup file lists (cgroup.controllers, cgroup.subtree_control,
 * or what nook wrote into the latter: "+cpu +memory"), or none for a missing file.
 *
 * @param text The file's text, or null.
 * @returns The controller names.
 */
export function controllerList(text: string | null): string[] {
  return (text ?? "").split(/\s+/).filter((w) => w !== "").map((w) => w.replace(/^\+/, ""));
}
