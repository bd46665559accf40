/**
 * `rename`: a new unique name, under the records lock.
 *
 * @module
 */
import { containerEvent } from "./container_event.ts";
import { UsageError } from "../errors/mod.ts";
import { checkContainerName } from "./container_name.ts";
import {
  type ContainerRecord,
  listRecords,
  readRecord,
  withRecordsLock,
  writeRecord,
} from "../records/container_record.ts";
import { NoSuchContainerError } from "./find_container.ts";

/**
 * Renames a container.
 *
 * @param record The container.
 * @param name The new name.
 * @throws {UsageError} When the name is invalid or taken.
 *
 * @example
 * ```ts ignore
 * await renameContainer(record, "web2");
 * ```
 */
export async function renameContainer(record: ContainerRecord, name: string): Promise<void> {
  const wanted = checkContainerName(name);
  await withRecordsLock(() => {
    const holder = listRecords().find((r) => r.name === wanted);
    if (holder && holder.id !== record.id) {
      throw new UsageError(
        `The container name '${wanted}' is already in use by container ${
          holder.id.slice(0, 12)
        }: ` +
          "remove or rename that container, or choose another name",
      );
    }
    const now = readRecord(record.id);
    if (!now) throw new NoSuchContainerError(record.name);
    writeRecord({ ...now, name: wanted });
    return now;
  }).then((now) => containerEvent({ ...now, name: wanted }, "rename", { oldName: now.name }));
}
