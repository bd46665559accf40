/**
 * nook: rootless containers for Deno scripts, without a daemon.
 *
 * Run a command in a container made from an OCI image or a root filesystem
 * directory, as an unprivileged user: a user namespace with your id maps, and
 * mount, PID, UTS, IPC and network namespaces of its own.
 *
 * @example Pull an image and run a command in it
 * ```ts ignore
 * import { pull, run } from "./mod.ts";
 * await pull("127.0.0.1:5000/busybox:latest");
 * const r = await run({ image: "127.0.0.1:5000/busybox", command: ["echo", "hi"], rm: true, stdout: "pipe" });
 * console.log(r.exitCode, new TextDecoder().decode(r.stdout));
 * ```
 *
 * @example A service container: start it, read its log, remove it
 * ```ts ignore
 * import { runDetached } from "./mod.ts";
 * await using web = await runDetached({ image: "busybox", command: ["sh", "-c", "echo ready; sleep 60"] });
 * for await (const e of web.logs({ follow: true })) if (e.text === "ready") break;
 * ```
 *
 * @example Images and networks
 * ```ts ignore
 * import { createNetwork, importImage, listImages, removeNetwork, saveImagesToFile } from "./mod.ts";
 * await importImage("/path/to/rootfs", { reference: "me/rootfs:1", changes: ["CMD sh"] });
 * console.log(listImages().map((i) => i.names));
 * await saveImagesToFile(["me/rootfs:1"], "/tmp/rootfs.tar");
 * await createNetwork("backend");
 * await removeNetwork("backend");
 * ```
 *
 * @example Run a command in a rootfs directory and capture its output
 * ```ts ignore
 * import { run } from "./mod.ts";
 * const result = await run({
 *   rootfs: "/path/to/rootfs",
 *   command: ["sh", "-c", "echo hello from $(hostname)"],
 *   env: { GREETING: "hi" },
 *   volumes: ["/tmp/data:/data:ro"],
 *   stdout: "pipe",
 * });
 * console.log(result.exitCode, new TextDecoder().decode(result.stdout));
 * ```
 *
 * @module
 */
// From a URL (JSR): the shim and the monitor are fetched before any API call needs them.
import "./lib/remote/prepare_shim.ts";

export { type ContainerOptions, run, startContainer } from "./lib/container/mod.ts";
export {
  Container,
  type ContainerLogOptions,
  create,
  getContainer,
  listContainers,
  runDetached,
} from "./lib/container/container_handle.ts";
export type { ContainerStatus } from "./lib/records/container_state.ts";
export type { ContainerStats, WatchStatsOptions } from "./lib/container/container_stats.ts";
export type { LogEntry, LogOptions } from "./lib/container/container_logs.ts";
export type { ContainerInspect } from "./lib/container/inspect_container.ts";
export type { ContainerRecord, RestartPolicy } from "./lib/records/container_record.ts";
export type { ContainerConfig, LogSettings } from "./lib/config/container_config.ts";
export type { HelperNetwork, NetworkConfig } from "./lib/config/network_config.ts";
export type { StoredOptions } from "./lib/config/read_config.ts";
export { NoSuchContainerError } from "./lib/container/find_container.ts";
export type { ExecContainerOptions } from "./lib/container/exec_container.ts";
export type { UpdateOptions } from "./lib/container/update_container.ts";
export type { CommitOptions } from "./lib/container/commit_container.ts";
export type { ContainerChange, ContainerDiffOptions } from "./lib/container/container_diff.ts";
export type { CopyFromOptions } from "./lib/container/copy_from_container.ts";
export type { CopyToOptions } from "./lib/container/copy_to_container.ts";
export type { ExportOptions } from "./lib/container/export_container.ts";
export type { ExecOptions, RunningExec } from "./lib/runtime/exec_process.ts";
export { pull } from "./lib/image/pull.ts";
export type { PullEvent, PullOptions } from "./lib/image/pull_image.ts";
export { push } from "./lib/image/push.ts";
export type { PushEvent, PushOptions, PushResult } from "./lib/image/push_image.ts";
export { login, type LoginOptions, logout, type LogoutOptions } from "./lib/registry/login.ts";
export type { ImageRecord, StoreLayout } from "./lib/store/mod.ts";
export {
  type ImageStoreOptions,
  importImage,
  inspectImage,
  listImages,
  loadImages,
  saveImages,
  type SaveImagesOptions,
  saveImagesToFile,
} from "./lib/image/image_api.ts";
export type { ImageInspect, InspectConfig } from "./lib/image/inspect_image.ts";
export type { ImportOptions } from "./lib/image/import_rootfs.ts";
export type { LoadedImage, LoadOptions } from "./lib/image/load_archive.ts";
export type { ArchiveFormat } from "./lib/image/save_archive.ts";
export {
  removeImage,
  type RemoveImageOptions,
  type RemoveImageResult,
} from "./lib/image/remove_image.ts";
export { tagImage, type TagImageOptions } from "./lib/image/tag_image.ts";
export { untagImage, type UntagImageOptions } from "./lib/image/untag_image.ts";
export {
  pruneImages,
  type PruneImagesOptions,
  type PruneImagesResult,
} from "./lib/image/prune_images.ts";
export { NoSuchImageError } from "./lib/image/no_such_image.ts";
export type { GarbageReport } from "./lib/store/collect_garbage.ts";
export { createNetwork, type CreateNetworkOptions } from "./lib/network/manage_networks.ts";
export {
  inspectNetwork,
  type NetworkInspect,
  pruneNetworks,
  removeNetwork,
} from "./lib/network/network_api.ts";
export { listNetworks, type NetworkRecord } from "./lib/network/network_record.ts";
export { NoSuchNetworkError } from "./lib/network/no_such_network.ts";
export type {
  Credential,
  CredentialLookup,
  FetchFunction,
  RegistryClientOptions,
  RetryOptions,
} from "./lib/registry/mod.ts";
export type { RootfsSetup } from "./lib/runtime/container_spec.ts";
export { Op, type OpCode, type Step } from "./shim/protocol.ts";
export {
  type RunningContainer,
  type RunResult,
  spawnContainer,
  type SpawnInternals,
} from "./lib/runtime/run_container.ts";
export type { OutputMode, RunOptions } from "./lib/runtime/run_options.ts";
export type { BindMount, MountSpec, TmpfsMount } from "./lib/runtime/mount_spec.ts";
export type { NetAddresses, PortMapping, PortProtocol } from "./lib/network/mod.ts";
export type {
  CgroupsMode,
  HostConfigResources,
  ResourceLimits,
  ThrottleDevice,
} from "./lib/cgroups/mod.ts";
export type { NetworkOption } from "./lib/runtime/network_mode.ts";
export type { NetworkMode } from "./lib/runtime/container_spec.ts";
export type { NetworkJoin } from "./lib/runtime/network_join.ts";
export type { InitLayer } from "./lib/runtime/container_spec.ts";
export type { ProcessIdMaps } from "./lib/runtime/container_process.ts";
export type { IdMapping } from "./lib/userns/mod.ts";
export type { ExitStatus } from "./lib/runtime/spawn_process.ts";
export { unshare, type UnshareOptions } from "./lib/runtime/unshare.ts";
export {
  EXIT_CANNOT_EXECUTE,
  EXIT_NOOK,
  EXIT_NOT_FOUND,
  HostError,
  NookError,
  type NookErrorOptions,
  SetupError,
  type SetupErrorOptions,
  UsageError,
} from "./lib/errors/mod.ts";
