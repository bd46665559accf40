/**
 * Values as the template engine sees them, and Go's printing of them (`%v`).
 *
 * JavaScript data stands for Go's: a plain object is a struct (a missing
 * field is an error, it prints `{a b}`) unless it is a map (a `Map`, or an
 * object reached through a field the caller names as a map, such as
 * `Labels`: a missing key is `<no value>`, it prints `map[k:v]` with sorted
 * keys); `null` read from a field the caller names as a list or a map is a
 * nil slice or map (prints `[]` or `map[]`, `json` gives `null`), and
 * `undefined` is Go's missing value (prints `<no value>`).
 *
 * @module
 */

/** A nil slice or map (`null` in JSON, `[]` or `map[]` when printed). */
export class GoNil {
  /** Which. */
  readonly kind: "slice" | "map";

  /** @param kind Slice or map. */
  constructor(kind: "slice" | "map") {
    this.kind = kind;
  }
}

/** Tells maps from structs. */
export type IsMap = (v: unknown) => boolean;

/** A plain (non-array) object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof GoNil) &&
    !(v instanceof Map);
}

/** A map's entries, sorted by key as Go's fmt prints them. */
export function mapEntries(v: unknown): [string, unknown][] {
  const entries: [string, unknown][] = v instanceof Map
    ? [...v].map(([k, x]) => [String(k), x])
    : Object.entries(v as Record<string, unknown>);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * A number as Go's `%v` prints it: integers as such, other numbers as
 * `strconv.FormatFloat(f, 'g', -1, 64)` (an exponent from 1e6, or below 1e-4).
 *
 * @param n The number.
 * @returns Its text.
 */
export function goNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) return goExponent(n.toExponential());
  return String(n);
}

/** JavaScript's `1.5e-7` as Go's `1.5e-07`. */
export function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/**
 * A value as Go's `fmt.Sprint` prints it (`%v`).
 *
 * @param v The value.
 * @param isMap Tells maps from structs.
 * @param top Whether `undefined` prints `<no value>` (a template's output) or `<nil>` (inside data).
 * @returns Its text.
 */
export function goText(v: unknown, isMap: IsMap, top = true): string {
  if (v === undefined) return top ? "<no value>" : "<nil>";
  if (v === null) return "<nil>";
  if (v instanceof GoNil) return v.kind === "slice" ? "[]" : "map[]";
  if (typeof v === "string") return v;
  if (typeof v === "number") return goNumber(v);
  if (typeof v === "boolean") return String(v);
  if (typeof v === "bigint") return String(v);
  if (typeof v === "function") return "<func>";
  if (Array.isArray(v)) return `[${v.map((x) => goText(x, isMap, false)).join(" ")}]`;
  if (isMap(v)) {
    return `map[${mapEntries(v).map(([k, x]) => `${k}:${goText(x, isMap, false)}`).join(" ")}]`;
  }
  return `{${
    Object.values(v as Record<string, unknown>).filter((x) => typeof x !== "function")
      .map((x) => goText(x, isMap, false)).join(" ")
  }}`;
}

/**
 * Go's truth of a value (`if`, `with`, `and`, `or`, `not`): false, 0, nil,
 * and empty strings, slices and maps are false; structs are true.
 *
 * @param v The value.
 * @returns Its truth.
 */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null || v instanceof GoNil) return false;
  if (typeof v === "string") return v !== "";
  if (typeof v === "number") return v !== 0;
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/** Go's type name of a value, for messages (`string`, `int`, `[]interface {}`, `map`, `struct`). */
export function goType(v: unknown, isMap: IsMap): string {
  if (v === undefined || v === null) return "nil";
  if (v instanceof GoNil) return v.kind === "slice" ? "[]interface {}" : "map[string]interface {}";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "function") return "func";
  if (Array.isArray(v)) return "[]interface {}";
  return isMap(v) ? "map[string]interface {}" : "struct";
}

/**
 * A value as docker's `json` function writes it (Go's encoding/json without
 * HTML escaping, no trailing newline).
 *
 * @param v The value.
 * @returns The JSON text.
 */
export function goJson(v: unknown): string {
  let big = false;
  const text = JSON.stringify(v, (_k, x) => {
    if (typeof x === "bigint") {
      big = true;
      return `\u0000${x}\u0000`; // a string JSON cannot hold otherwise, made a number below
    }
    return x instanceof GoNil ? null : x instanceof Map ? Object.fromEntries(x) : x;
  }) ?? "null";
  // A bigint (an int64 such as an event's timeNano) is written as its exact digits.
  return big ? text.replace(/"\\u0000(-?\d+)\\u0000"/g, "$1") : text;
}
