/**
 * The functions templates call: Go's built-ins and docker's extras.
 *
 * @module
 */
import { goSprintf } from "./_printf.ts";
import { goJson, GoNil, goText, goType, type IsMap, isObject, truth } from "./_value.ts";

/** What a function gets besides its arguments. */
export interface FuncContext {
  /** Tells maps from structs. */
  isMap: IsMap;
}

/** A function templates may call. */
export interface TemplateFunc {
  /** Fewest arguments. */
  min: number;
  /** Most arguments (Infinity: any number). */
  max: number;
  /** The function; a thrown `Error` becomes Go's `error calling NAME: ...`. */
  fn: (args: unknown[], ctx: FuncContext) => unknown;
}

const str = (v: unknown, ctx: FuncContext): string => {
  if (typeof v === "string") return v;
  throw new Error(`wrong type for value; expected string; got ${goType(v, ctx.isMap)}`);
};

const int = (v: unknown, ctx: FuncContext): number => {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new Error(`wrong type for value; expected int; got ${goType(v, ctx.isMap)}`);
};

/** Go's `fmt.Sprint`: a space between operands when neither is a string. */
function sprint(args: unknown[], isMap: IsMap): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += goText(a, isMap, false);
  });
  return out;
}

function compareBasic(a: unknown, b: unknown, ctx: FuncContext): number {
  const kind = (
    v: unknown,
  ) => (typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? typeof v : null);
  const ka = kind(a);
  const kb = kind(b);
  if (ka === null || kb === null || ka === "boolean") {
    throw new Error(
      `invalid type for comparison: ${goType(ka === null || ka === "boolean" ? a : b, ctx.isMap)}`,
    );
  }
  if (ka !== kb) throw new Error("incompatible types for comparison");
  return (a as number | string) < (b as number | string) ? -1 : a === b ? 0 : 1;
}

function equal(a: unknown, b: unknown, ctx: FuncContext): boolean {
  const nil = (v: unknown) => v === null || v === undefined || v instanceof GoNil;
  if (nil(a) || nil(b)) return nil(a) && nil(b);
  const basic = (v: unknown) =>
    typeof v === "number" || typeof v === "string" || typeof v === "boolean";
  if (!basic(a) || !basic(b)) {
    throw new Error(`non-comparable type ${goType(basic(a) ? b : a, ctx.isMap)}`);
  }
  if (typeof a !== typeof b) throw new Error("incompatible types for comparison");
  return a === b;
}

function indexOne(item: unknown, key: unknown, ctx: FuncContext): unknown {
  if (item === undefined || item === null) throw new Error("index of untyped nil");
  if (
    Array.isArray(item) || typeof item === "string" ||
    (item instanceof GoNil && item.kind === "slice")
  ) {
    const i = int(key, ctx);
    const length = typeof item === "string"
      ? new TextEncoder().encode(item).length
      : item instanceof GoNil
      ? 0
      : item.length;
    if (i < 0 || i >= length) throw new Error(`index out of range: ${i}`);
    return typeof item === "string" ? new TextEncoder().encode(item)[i] : (item as unknown[])[i];
  }
  if (item instanceof GoNil) return "";
  if (item instanceof Map) return item.has(key) ? item.get(key) : zeroOf([...item.values()]);
  if (isObject(item)) {
    const k = typeof key === "number" ? String(key) : str(key, ctx);
    return Object.hasOwn(item, k) ? item[k] : zeroOf(Object.values(item));
  }
  throw new Error(`can't index item of type ${goType(item, ctx.isMap)}`);
}

/** The zero value of a map's element type, guessed from its values (docker's labels: ""). */
function zeroOf(values: unknown[]): unknown {
  if (values.every((v) => typeof v === "string")) return "";
  if (values.every((v) => typeof v === "number")) return 0;
  if (values.every((v) => typeof v === "boolean")) return false;
  return null;
}

function length(v: unknown, ctx: FuncContext): number {
  if (typeof v === "string") return new TextEncoder().encode(v).length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof GoNil) return 0;
  if (v instanceof Map) return v.size;
  if (isObject(v)) return Object.keys(v).length;
  if (v === undefined || v === null) throw new Error("len of nil pointer");
  throw new Error(`len of type ${goType(v, ctx.isMap)}`);
}

function sliceOf(args: unknown[], ctx: FuncContext): unknown {
  const [item, ...idx] = args;
  const ints = idx.map((i) => int(i, ctx));
  if (typeof item === "string") {
    if (ints.length > 2) throw new Error("cannot 3-index slice a string");
    const bytes = new TextEncoder().encode(item);
    const [i = 0, j = bytes.length] = ints;
    if (i < 0 || j < i || j > bytes.length) {
      throw new Error(`index out of range: ${j > bytes.length ? j : i}`);
    }
    return new TextDecoder().decode(bytes.slice(i, j));
  }
  if (Array.isArray(item) || item instanceof GoNil) {
    const list = Array.isArray(item) ? item : [];
    const [i = 0, j = list.length, k] = ints;
    const cap = k ?? list.length;
    if (i < 0 || j < i || j > cap || cap > list.length) throw new Error(`index out of range: ${j}`);
    return list.slice(i, j);
  }
  throw new Error(`can't slice item of type ${goType(item, ctx.isMap)}`);
}

const HTML: Record<string, string> = {
  "<": "&lt;",
  ">": "&gt;",
  "&": "&amp;",
  "'": "&#39;",
  '"': "&#34;",
  "\0": "\uFFFD",
}; // deno-fmt-ignore

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += "\\\"";
    else if (ch === "<") out += "\\u003C";
    else if (ch === ">") out += "\\u003E";
    else if (ch === "&") out += "\\u0026";
    else if (ch === "=") out += "\\u003D";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20) out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out;
}

/** docker's `title`: the first letter of each word in upper case, the rest left as is. */
function title(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_, before: string, c: string) => before + c.toUpperCase(),
  );
}

/**
 * Go's built-in template functions (`and` and `or` are evaluated lazily by
 * the executor; these entries give their arity) and docker's extras.
 */
export const BUILTINS: Record<string, TemplateFunc> = {
  and: { min: 1, max: Infinity, fn: (a) => a.find((x) => !truth(x)) ?? a[a.length - 1] },
  or: { min: 1, max: Infinity, fn: (a) => a.find((x) => truth(x)) ?? a[a.length - 1] },
  not: { min: 1, max: 1, fn: ([x]) => !truth(x) },
  len: { min: 1, max: 1, fn: ([x], ctx) => length(x, ctx) },
  index: {
    min: 1,
    max: Infinity,
    fn: ([item, ...keys], ctx) => keys.reduce((v, k) => indexOne(v, k, ctx), item),
  },
  slice: { min: 1, max: 4, fn: (a, ctx) => sliceOf(a, ctx) },
  print: { min: 0, max: Infinity, fn: (a, ctx) => sprint(a, ctx.isMap) },
  println: {
    min: 0,
    max: Infinity,
    fn: (a, ctx) => a.map((x) => goText(x, ctx.isMap, false)).join(" ") + "\n",
  },
  printf: { min: 1, max: Infinity, fn: ([f, ...a], ctx) => goSprintf(str(f, ctx), a, ctx.isMap) },
  eq: { min: 2, max: Infinity, fn: ([a, ...bs], ctx) => bs.some((b) => equal(a, b, ctx)) },
  ne: { min: 2, max: 2, fn: ([a, b], ctx) => !equal(a, b, ctx) },
  lt: { min: 2, max: 2, fn: ([a, b], ctx) => compareBasic(a, b, ctx) < 0 },
  le: { min: 2, max: 2, fn: ([a, b], ctx) => compareBasic(a, b, ctx) <= 0 },
  gt: { min: 2, max: 2, fn: ([a, b], ctx) => compareBasic(a, b, ctx) > 0 },
  ge: { min: 2, max: 2, fn: ([a, b], ctx) => compareBasic(a, b, ctx) >= 0 },
  html: {
    min: 0,
    max: Infinity,
    fn: (a, ctx) => sprint(a, ctx.isMap).replace(/[<>&'"\0]/g, (c) => HTML[c]),
  },
  js: { min: 0, max: Infinity, fn: (a, ctx) => jsEscape(sprint(a, ctx.isMap)) },
  urlquery: {
    min: 0,
    max: Infinity,
    fn: (a, ctx) =>
      encodeURIComponent(sprint(a, ctx.isMap)).replace(
        /[!'()*]/g,
        (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
      ).replaceAll("%20", "+"),
  },
  call: {
    min: 1,
    max: Infinity,
    fn: ([f, ...a], ctx) => {
      if (typeof f !== "function") throw new Error(`non-function of type ${goType(f, ctx.isMap)}`);
      return f(...a);
    },
  },
  // docker's extras (docker/cli templates.basicFunctions).
  json: { min: 1, max: 1, fn: ([v]) => goJson(v) },
  join: {
    min: 2,
    max: 2,
    fn: ([list, sep], ctx) => {
      // A string is joined as a list of one (docker's `.Names` of `ps` is one string).
      if (typeof list === "string") return list;
      if (list instanceof GoNil) return "";
      if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
        throw new Error(`wrong type for value; expected []string; got ${goType(list, ctx.isMap)}`);
      }
      return list.join(str(sep, ctx));
    },
  },
  split: {
    min: 2,
    max: 2,
    fn: (
      [s, sep],
      ctx,
    ) => (str(sep, ctx) === "" ? [...str(s, ctx)] : str(s, ctx).split(str(sep, ctx))),
  },
  lower: { min: 1, max: 1, fn: ([s], ctx) => str(s, ctx).toLowerCase() },
  upper: { min: 1, max: 1, fn: ([s], ctx) => str(s, ctx).toUpperCase() },
  title: { min: 1, max: 1, fn: ([s], ctx) => title(str(s, ctx)) },
  truncate: {
    min: 2,
    max: 2,
    fn: ([s, n], ctx) => [...str(s, ctx)].slice(0, Math.max(0, int(n, ctx))).join(""),
  },
  pad: {
    min: 3,
    max: 3,
    fn: ([s, before, after], ctx) =>
      str(s, ctx) === ""
        ? ""
        : " ".repeat(Math.max(0, int(before, ctx))) + s + " ".repeat(Math.max(0, int(after, ctx))),
  },
};
