/**
 * Check the optional helper programs: fuse-overlayfs for storage, slirp4netns
 * and pasta for networking.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { canAccess } from "./_access.ts";

/** The helper programs nook can use. */
export type HelperTool = "fuse-overlayfs" | "slirp4netns" | "pasta";

interface ToolFacts {
  title: string;
  /** Debian package. */
  pkg: string;
  /** The device the helper opens. */
  device: string;
  /** Kernel module that provides the device. */
  module: string;
  /** Another tool that does the same job. */
  alternative?: HelperTool;
  /** What nook does without the tool (or its alternative). */
  without: string;
}

const TOOLS: Record<HelperTool, ToolFacts> = {
  "fuse-overlayfs": {
    title: "fuse-overlayfs storage helper",
    pkg: "fuse-overlayfs",
    device: "/dev/fuse",
    module: "fuse",
    without: "nook needs kernel overlayfs in a user namespace or copies layers (vfs)",
  },
  "slirp4netns": {
    title: "slirp4netns network helper",
    pkg: "slirp4netns",
    device: "/dev/net/tun",
    module: "tun",
    alternative: "pasta",
    without: "containers get no network beyond loopback",
  },
  "pasta": {
    title: "pasta network helper",
    pkg: "passt",
    device: "/dev/net/tun",
    module: "tun",
    alternative: "slirp4netns",
    without: "containers get no network beyond loopback",
  },
};

/**
 * Checks that a helper program is on PATH and that the device it opens
 * (`/dev/fuse`, `/dev/net/tun`) is readable and writable by the user. Every
 * helper is optional, so problems are warnings.
 *
 * @param host The host to read.
 * @param tool The helper; also the check id.
 * @returns The check.
 *
 * @example
 * ```ts
 * import { checkHelperTool } from "./check_helper_tool.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const check = await checkHelperTool(fakeHost(), "pasta");
 * console.assert(check.status === "warn" && check.fix === "sudo apt-get install passt");
 * ```
 */
export async function checkHelperTool(host: Host, tool: HelperTool): Promise<Check> {
  const facts = TOOLS[tool];
  const base = { id: tool, title: facts.title };
  const path = await host.which(tool);
  if (path === null) {
    const other = facts.alternative && await host.which(facts.alternative);
    return {
      ...base,
      status: "warn",
      detail: `not found on PATH: ${other ? `nook uses ${facts.alternative}` : facts.without}`,
      fix: `sudo apt-get install ${facts.pkg}`,
    };
  }
  const device = await host.stat(facts.device);
  if (device === null) {
    return {
      ...base,
      status: "warn",
      detail: `${path}, but ${facts.device} does not exist`,
      fix: `sudo modprobe ${facts.module}`,
    };
  }
  if (!await canAccess(host, facts.device, { read: true, write: true })) {
    return {
      ...base,
      status: "warn",
      detail: `${path}, but ${facts.device} is not readable and writable by you (mode ${
        device.mode.toString(8).padStart(4, "0")
      })`,
      fix: `sudo chmod 0666 ${facts.device}`,
    };
  }
  return { ...base, status: "ok", detail: path };
}
