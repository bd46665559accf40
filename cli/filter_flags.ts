/**
 * `--filter KEY=VALUE` texts, as `ps`, `images` and the other listings take
 * them: parsed once into values by key, with the key checked.
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";

/**
 * Groups `--filter` texts by key (docker's rule, applied by the caller: values
 * of one key are alternatives, all keys must hold).
 *
 * @param filters The `KEY=VALUE` texts.
 * @param keys The keys this listing filters on.
 * @param checkValue Called for each filter; returns why its value is wrong, or
 *   null when it is right.
 * @returns The values of each key given, in order.
 * @throws {UsageError} On a text that is not `KEY=VALUE`, an unknown key (named
 *   with the keys there are), or a value `checkValue` refuses.
 *
 * @example
 * ```ts
 * const byKey = parseFilters(["status=exited", "status=created"], ["status", "name"]);
 * console.assert(byKey.get("status")?.length === 2);
 * ```
 */
export function parseFilters(
  filters: readonly string[],
  keys: readonly string[],
  checkValue: (key: string, value: string) => string | null = () => null,
): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    const at = f.indexOf("=");
    if (at < 1) throw new UsageError(`Invalid --filter '${f}': use KEY=VALUE`);
    const key = f.slice(0, at);
    if (!keys.includes(key)) {
      throw new UsageError(
        `Invalid --filter '${f}': no filter '${key}' (nook filters on ${keys.join(", ")})`,
      );
    }
    const value = f.slice(at + 1);
    const wrong = checkValue(key, value);
    if (wrong !== null) throw new UsageError(`Invalid --filter '${f}': ${wrong}`);
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  return byKey;
}
