/**
 * Fields of a `--format` row that `json` leaves out.
 *
 * @module
 */

/**
 * Adds fields that `json` leaves out (podman's aliases, docker's methods
 * such as `Label`) to a row.
 *
 * @param row The row.
 * @param extra The fields, as values or functions (methods: `{{.Label "k"}}`).
 * @returns The row.
 *
 * @example
 * ```ts
 * import { withHidden } from "./hidden_fields.ts";
 * const row = withHidden({ ID: "1" }, { Id: "1" });
 * console.assert(JSON.stringify(row) === '{"ID":"1"}' && (row as { Id?: string }).Id === "1");
 * ```
 */
export function withHidden<T extends object>(row: T, extra: Record<string, unknown>): T {
  for (const [name, value] of Object.entries(extra)) {
    Object.defineProperty(row, name, { value, enumerable: false });
  }
  return row;
}
