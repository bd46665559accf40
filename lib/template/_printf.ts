/**
 * Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %q %t %x %X %o
 * %b %c %e %f %g %%`, with flags `-+# 0`, width and precision.
 *
 * @module
 */
import { goExponent, goJson, GoNil, goNumber, goText, goType, type IsMap } from "./_value.ts";

/**
 * Formats as Go's `fmt.Sprintf` does, with Go's `%!d(string=x)` for a wrong
 * verb, `%!d(MISSING)` for a missing operand and `%!(EXTRA ...)` for more.
 *
 * @param format The format.
 * @param args The operands.
 * @param isMap Tells maps from structs.
 * @returns The text.
 */
export function goSprintf(format: string, args: unknown[], isMap: IsMap): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== "%") {
      out += c;
      i++;
      continue;
    }
    const m = /^%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?(.?)/su.exec(format.slice(i));
    if (!m) break;
    i += m[0].length;
    const flags = m[1];
    let width: number | undefined;
    let prec: number | undefined;
    if (m[2] === "*") width = Number(args[argi++]);
    else if (m[2] !== undefined) width = Number(m[2]);
    if (m[3] === "*") prec = Number(args[argi++]);
    else if (m[3] !== undefined) prec = m[3] === "" ? 0 : Number(m[3]);
    const verb = m[4];
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (verb === "") {
      out += "%!(NOVERB)";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argi++];
    const text = formatOne(verb, arg, flags, prec, isMap);
    out += pad(text, width, flags, verb, arg);
  }
  if (argi < args.length) {
    out += "%!(EXTRA " +
      args.slice(argi).map((a) => `${goType(a, isMap)}=${goText(a, isMap, false)}`).join(", ") +
      ")";
  }
  return out;
}

function pad(
  text: string,
  width: number | undefined,
  flags: string,
  verb: string,
  arg: unknown,
): string {
  const len = [...text].length;
  if (width === undefined || len >= width) return text;
  if (flags.includes("-")) return text + " ".repeat(width - len);
  if (flags.includes("0") && typeof arg === "number" && "dfeEgGxXob".includes(verb)) {
    const sign = /^[+-]/.test(text) ? text[0] : "";
    return sign + "0".repeat(width - len) + text.slice(sign.length);
  }
  return " ".repeat(width - len) + text;
}

function bad(verb: string, arg: unknown, isMap: IsMap): string {
  return `%!${verb}(${goType(arg, isMap)}=${goText(arg, isMap, false)})`;
}

function sign(n: number, text: string, flags: string): string {
  if (n >= 0 && !Object.is(n, -0)) {
    if (flags.includes("+")) return "+" + text;
    if (flags.includes(" ")) return " " + text;
  }
  return text;
}

function formatOne(
  verb: string,
  arg: unknown,
  flags: string,
  prec: number | undefined,
  isMap: IsMap,
): string {
  // Slices format element by element, as Go does for every verb but %s of []byte.
  if (Array.isArray(arg) && verb !== "v") {
    return `[${arg.map((x) => formatOne(verb, x, flags, prec, isMap)).join(" ")}]`;
  }
  switch (verb) {
    case "v":
      if (flags.includes("#")) return goJson(arg);
      if (
        flags.includes("+") && typeof arg === "object" && arg !== null && !Array.isArray(arg) &&
        !(arg instanceof GoNil) && !isMap(arg)
      ) {
        return `{${
          Object.entries(arg as Record<string, unknown>).map(([k, x]) =>
            `${k}:${goText(x, isMap, false)}`
          )
            .join(" ")
        }}`;
      }
      if (typeof arg === "number") return sign(arg, goNumber(arg), flags);
      return goText(arg, isMap, false);
    case "s":
      if (
        typeof arg === "number" || typeof arg === "boolean" || arg === null || arg === undefined
      ) {
        return bad(verb, arg, isMap);
      }
      return prec === undefined
        ? goText(arg, isMap, false)
        : [...goText(arg, isMap, false)].slice(0, prec).join("");
    case "q":
      if (typeof arg === "string") {
        return flags.includes("#") && !arg.includes("`") ? "`" + arg + "`" : goQuote(arg);
      }
      if (typeof arg === "number" && Number.isInteger(arg)) {
        return "'" + goQuote(String.fromCodePoint(arg)).slice(1, -1) + "'";
      }
      return bad(verb, arg, isMap);
    case "t":
      return typeof arg === "boolean" ? String(arg) : bad(verb, arg, isMap);
    case "d":
    case "b":
    case "o":
    case "O":
    case "c":
    case "U":
      if (typeof arg !== "number" || !Number.isInteger(arg)) return bad(verb, arg, isMap);
      if (verb === "c") return String.fromCodePoint(arg);
      if (verb === "U") return "U+" + arg.toString(16).toUpperCase().padStart(4, "0");
      {
        const base = verb === "d" ? 10 : verb === "b" ? 2 : 8;
        let digits = Math.abs(arg).toString(base);
        if (prec !== undefined) digits = digits.padStart(prec, "0");
        if (verb === "O" || (verb === "o" && flags.includes("#"))) {
          digits = (verb === "O" ? "0o" : "0") + digits;
        }
        return sign(arg, (arg < 0 ? "-" : "") + digits, flags);
      }
    case "x":
    case "X": {
      let text: string;
      if (typeof arg === "string") {
        text = [...new TextEncoder().encode(arg)].map((b) => b.toString(16).padStart(2, "0")).join(
          "",
        );
      } else if (typeof arg === "number" && Number.isInteger(arg)) {
        text = Math.abs(arg).toString(16);
        if (prec !== undefined) text = text.padStart(prec, "0");
        if (flags.includes("#")) text = "0x" + text;
        text = sign(arg, (arg < 0 ? "-" : "") + text, flags);
      } else return bad(verb, arg, isMap);
      return verb === "X" ? text.toUpperCase().replace("0X", "0X") : text;
    }
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G": {
      if (typeof arg !== "number") return bad(verb, arg, isMap);
      let text: string;
      if (verb === "e" || verb === "E") text = goExponent(arg.toExponential(prec ?? 6));
      else if (verb === "f" || verb === "F") text = arg.toFixed(prec ?? 6);
      else text = prec === undefined ? goNumber(arg) : goExponentish(arg, prec);
      text = sign(arg, text, flags);
      return verb === "E" || verb === "G" ? text.toUpperCase() : text;
    }
    default:
      return `%!${verb}(${goType(arg, isMap)}=${goText(arg, isMap, false)})`;
  }
}

/** `%.Ng`: N significant digits, exponent when it is below -4 or at least N. */
function goExponentish(n: number, prec: number): string {
  const p = prec === 0 ? 1 : prec;
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(Number(n.toPrecision(p)))));
  if (exp < -4 || exp >= p) return goExponent(Number(n.toExponential(p - 1)).toExponential());
  return String(Number(n.toPrecision(p)));
}

/**
 * A string as Go's `strconv.Quote` writes it.
 *
 * @param s The string.
 * @returns It in double quotes, with Go's escapes.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}
