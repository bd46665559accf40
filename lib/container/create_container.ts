/**
 * `create`: build the container's config (every option checked), resolve the
 * image (pulling it per the pull policy) and apply its defaults, give the container a unique id and name, and write its
 * record. Nothing runs yet; `start` (see launch_container.ts) makes the rootfs
 * and starts it.
 *
 * @module
 */
import { containerEvent } from "./container_event.ts";
import { buildContainerConfig } from "../config/build_config.ts";
import type { ContainerConfig } from "../config/container_config.ts";
import type { ContainerOptions } from "../config/container_options.ts";
import { UsageError } from "../errors/mod.ts";
import type { ImageRecord } from "../store/mod.ts";
import { storeLayout } from "../store/mod.ts";
import { newId } from "../runtime/run_container.ts";
import { sys } from "../sys/mod.ts";
import { findNetwork } from "../network/network_record.ts";
import { checkContainerName, generateName } from "./container_name.ts";
import {
  containerDir,
  type ContainerRecord,
  listRecords,
  withRecordsLock,
  writeRecord,
} from "../records/container_record.ts";

async function resolveImage(options: ContainerOptions): Promise<ImageRecord> {
  const { findImage } = await import("../image/mod.ts");
  const layout = storeLayout();
  const name = options.image!;
  const policy = options.pull ?? "missing";
  if (!["missing", "always", "never", "newer"].includes(policy)) {
    throw new UsageError(`Invalid --pull '${policy}': use missing, always, never or newer`);
  }
  const found = policy === "always" ? null : findImage(layout, name);
  if (found && policy !== "newer") return found;
  if (policy === "never") {
    throw new UsageError(
      `Image '${name}' is not in the store and --pull=never was given; pull it first`,
    );
  }
  const { pullImage } = await import("../image/pull_image.ts");
  try {
    // A pull of an image the store has fetches only what changed (a new digest).
    return await pullImage(name, {
      platform: options.platform,
      registry: options.registry,
      onProgress: options.onPullProgress,
      onWarning: options.onWarning,
    });
  } catch (err) {
    // --pull=newer (podman's): the registry cannot say whether there is a newer one; use ours.
    if (!found) throw err;
    const warn = options.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
    warn(
      `--pull=newer: cannot check '${name}' in its registry (${(err as Error).message}); ` +
        "using the image in the store",
    );
    return found;
  }
}

/** `--replace`: removes the container that has the name, if there is one. */
async function replaceNamed(name: string | undefined): Promise<void> {
  if (name === undefined) {
    throw new UsageError("Cannot use --replace without --name: name the container to replace");
  }
  const holder = listRecords().find((r) => r.name === name);
  if (!holder) return;
  const { removeContainer } = await import("./remove_container.ts");
  await removeContainer(holder.id, { force: true });
}

/** `--cidfile`: the id in the file, created now (refused when another create made it meanwhile). */
function writeCidFile(path: string, id: string): void {
  try {
    sys.writeFile(path, id, { mode: 0o644, createNew: true });
  } catch (err) {
    throw new UsageError(`Cannot write --cidfile '${path}': ${(err as Error).message}`);
  }
}

/**
 * Creates a container: its record and directory, nothing running.
 *
 * @param options The image (or rootfs), command, flags, name.
 * @param built Its config, when the caller built it already from these options.
 * @returns The new record.
 * @throws {UsageError} On bad options, a name in use, a missing image (with pull "never").
 *
 * @example
 * ```ts ignore
 * const r = await createContainer({ image: "busybox", command: ["sleep", "60"], name: "nap" });
 * ```
 */
export async function createContainer(
  options: ContainerOptions,
  built?: ContainerConfig,
): Promise<ContainerRecord> {
  const stored = built ?? buildContainerConfig(options, {
    onWarning: options.onWarning,
    findNetwork, // "No such network" now, not at the first start
  });
  const wanted = options.name === undefined ? undefined : checkContainerName(options.name);
  if (options.replace) await replaceNamed(wanted);
  let image = "", imageName = options.rootfs ?? "", command: string[] = [], storageDriver = "";
  let stopSignal = stored.stopSignal;
  let process: ContainerRecord["process"] = {
    env: [],
    user: stored.user,
    workdir: stored.workdir,
  };
  if (options.image !== undefined) {
    const { applyImageConfig, readImageConfig } = await import("../image/mod.ts");
    const { chooseStorageDriver, requestedStorageDriver } = await import("../storage/mod.ts");
    requestedStorageDriver(options.storageDriver); // a bad name fails before any pull
    const found = await resolveImage(options);
    const config = readImageConfig(storeLayout(), found).config ?? {};
    const plan = applyImageConfig(config, {
      command: stored.command,
      entrypoint: stored.entrypoint,
      workdir: stored.workdir,
      user: stored.user,
    });
    if (plan.argv.length === 0) {
      throw new UsageError(
        `Image '${options.image}' has no command: give one after the image name`,
      );
    }
    const storage = await chooseStorageDriver({
      requested: options.storageDriver,
      onWarning: options.onWarning,
    });
    image = found.id;
    imageName = options.image;
    command = plan.argv;
    storageDriver = storage.driver;
    if (options.stopSignal === undefined && config.StopSignal) stopSignal = config.StopSignal;
    process = { env: plan.env, user: plan.user, workdir: plan.workdir };
  } else {
    if (!options.rootfs!.startsWith("/")) {
      throw new UsageError(`Rootfs '${options.rootfs}' must be an absolute path`);
    }
    command = [...(stored.entrypoint ?? []), ...(stored.command ?? [])];
    if (command.length === 0) {
      throw new UsageError(
        "No command given: say what to run, e.g. 'nook run --rootfs DIR /bin/sh'",
      );
    }
  }
  const created = await withRecordsLock(() => {
    const all = listRecords();
    const names = new Set(all.map((r) => r.name));
    if (wanted !== undefined && names.has(wanted)) {
      const holder = all.find((r) => r.name === wanted)!;
      throw new UsageError(
        `The container name '${wanted}' is already in use by container ${
          holder.id.slice(0, 12)
        }: ` +
          "remove or rename that container, or choose another name",
      );
    }
    const prefixes = new Set(all.map((r) => r.id.slice(0, 12)));
    let id = newId();
    while (prefixes.has(id.slice(0, 12))) id = newId();
    const record: ContainerRecord = {
      id,
      name: wanted ?? generateName(names),
      image,
      imageName,
      rootfs: options.rootfs,
      command,
      created: new Date().toISOString(),
      storageDriver,
      config: { ...stored, stopSignal },
      process,
    };
    if (stored.cidFile !== undefined) writeCidFile(stored.cidFile, id);
    sys.mkdirp(containerDir(id), 0o700);
    writeRecord(record);
    return record;
  });
  await containerEvent(created, "create");
  return created;
}
