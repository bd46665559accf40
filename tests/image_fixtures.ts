/**
 * Test images with what issue 3 needs to see: several layers with a deleted
 * file, a replaced directory and an opaque directory, a file owned by uid
 * 1000, a file with a capability xattr, an entrypoint/cmd/env/workdir/user
 * config; and malicious layers. Layers are tars written by Python's tarfile,
 * assembled by umoci and pushed by skopeo: nook made none of it.
 *
 * @module
 */
import { repoRoot } from "./helpers.ts";
import { runTool } from "./registry_helpers.ts";

/** Options of {@linkcode pushLayeredImage}. */
export interface LayeredImageOptions {
  /** Layer tars of tests/fixtures/image_layers.py, bottom first (default: base, change). */
  layers?: string[];
  /** `umoci config` flags, e.g. ["--config.workingdir", "/data"]. */
  config?: string[];
  /** The directory the evil-symlink layer points at. */
  canary?: string;
}

/**
 * Builds an image from hand-made layers and pushes it to `host`.
 *
 * @param host The registry (`127.0.0.1:PORT`, plain HTTP).
 * @param reference `repo:tag` on it.
 * @param options Layers and config.
 * @returns The full reference.
 *
 * @example
 * ```ts ignore
 * const ref = await pushLayeredImage(registry.host, "test/layered:1");
 * ```
 */
export async function pushLayeredImage(
  host: string,
  reference: string,
  options: LayeredImageOptions = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-layers-" });
  try {
    await runTool("python3", [
      `${repoRoot()}/tests/fixtures/image_layers.py`,
      `${dir}/layers`,
      options.canary ?? "/tmp",
    ]);
    const image = `${dir}/oci:img`;
    await runTool("umoci", ["init", "--layout", `${dir}/oci`]);
    await runTool("umoci", ["new", "--image", image]);
    for (const layer of options.layers ?? ["base", "change"]) {
      await runTool("umoci", ["raw", "add-layer", "--image", image, `${dir}/layers/${layer}.tar`]);
    }
    if (options.config?.length) {
      await runTool("umoci", ["config", "--image", image, ...options.config]);
    }
    await runTool("skopeo", [
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      `oci:${image}`,
      `docker://${host}/${reference}`,
    ]);
    return `${host}/${reference}`;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
