/**
 * The parts of an OCI image config that nook uses, and docker's rules for
 * turning it plus the user's flags into what runs.
 *
 * @module
 */

/** `config` of an OCI/Docker image config. */
export interface ContainerConfig {
  /** Entrypoint. */
  Entrypoint?: string[] | null;
  /** Default arguments. */
  Cmd?: string[] | null;
  /** NAME=VALUE entries. */
  Env?: string[] | null;
  /** Working directory. */
  WorkingDir?: string;
  /** User to run as. */
  User?: string;
  /** Anonymous volumes. */
  Volumes?: Record<string, unknown> | null;
  /** Labels. */
  Labels?: Record<string, string> | null;
  /** Ports the image exposes. */
  ExposedPorts?: Record<string, unknown> | null;
  /** Signal that stops the container. */
  StopSignal?: string;
}

/** An OCI/Docker image config. */
export interface ImageConfig {
  /** CPU architecture. */
  architecture: string;
  /** Operating system. */
  os: string;
  /** Variant (v7, v8). */
  variant?: string;
  /** When it was built. */
  created?: string;
  /** The container defaults. */
  config?: ContainerConfig;
  /** Layer diff ids, bottom first. */
  rootfs: { type: string; diff_ids: string[] };
  /** Build history. */
  history?: unknown[];
}

/** The user's overrides of the image's defaults. */
export interface ImageRunOverrides {
  /** Arguments after the image name. */
  command?: readonly string[];
  /**
   * `--entrypoint`: a program, or the argv of a JSON array (an empty string, or a list of
   * one, clears the image's).
   */
  entrypoint?: string | readonly string[];
  /** `-w`. */
  workdir?: string;
  /** `-u`. */
  user?: string;
}

/** What runs, after docker's rules. */
export interface ImageRunPlan {
  /** argv. */
  argv: string[];
  /** The image's environment (the user's -e comes on top). */
  env: string[];
  /** Working directory, or undefined for "/". */
  workdir?: string;
  /** User, or undefined for root. */
  user?: string;
}

/**
 * Applies docker's rules: `--entrypoint` replaces the image's Entrypoint and
 * drops its Cmd; arguments replace Cmd; `-w`/`-u` replace WorkingDir/User.
 *
 * @param config The image's config.
 * @param overrides The user's flags.
 * @returns argv, env, workdir and user.
 *
 * @example
 * ```ts
 * import { applyImageConfig } from "./image_config.ts";
 * const plan = applyImageConfig({ Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo hi"] }, { command: ["date"] });
 * console.assert(plan.argv.join(" ") === "/bin/sh -c date");
 * const json = applyImageConfig({ Cmd: ["sh"] }, { entrypoint: ["/bin/echo", "hi"] });
 * console.assert(json.argv.join(" ") === "/bin/echo hi");
 * ```
 */
export function applyImageConfig(
  config: ContainerConfig,
  overrides: ImageRunOverrides,
): ImageRunPlan {
  const given = typeof overrides.entrypoint === "string"
    ? [overrides.entrypoint]
    : overrides.entrypoint;
  const entrypoint = given !== undefined
    ? (given.length === 1 && given[0] === "" ? [] : [...given])
    : config.Entrypoint ?? [];
  const cmd = overrides.command && overrides.command.length > 0
    ? [...overrides.command]
    : overrides.entrypoint !== undefined
    ? []
    : config.Cmd ?? [];
  return {
    argv: [...entrypoint, ...cmd],
    env: config.Env ?? [],
    workdir: overrides.workdir ?? (config.WorkingDir || undefined),
    user: overrides.user ?? (config.User || undefined),
  };
}

/**
 * Chain ids of a layer stack: the first is its diff id, each next one is
 * `sha256(previous + " " + diff id)` (as docker and containers/storage compute).
 *
 * @param diffIds Diff ids, bottom first.
 * @returns Chain ids, bottom first.
 *
 * @example
 * ```ts
 * import { chainIds } from "./image_config.ts";
 * const d = "sha256:" + "a".repeat(64);
 * console.assert((await chainIds([d]))[0] === d);
 * ```
 */
export async function chainIds(diffIds: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const diff of diffIds) {
    if (out.length === 0) {
      out.push(diff);
      continue;
    }
    const bytes = new TextEncoder().encode(`${out[out.length - 1]} ${diff}`);
    const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    out.push("sha256:" + Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join(""));
  }
  return out;
}
