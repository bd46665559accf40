/**
 * The lexer of Go's text/template: text, `{{`/`}}` with the `{{- -}}` trim
 * markers, comments, and the tokens inside actions.
 *
 * @module
 */
import { positionOf, TemplateError } from "./template_error.ts";

/** The kinds of tokens. */
export type TokenKind =
  | "text"
  | "left" // {{
  | "right" // }}
  | "space"
  | "field" // .Name
  | "dot" // .
  | "variable" // $ or $name
  | "identifier"
  | "keyword"
  | "string"
  | "raw" // `raw`
  | "char" // 'c'
  | "number"
  | "bool"
  | "nil"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare" // :=
  | "assign" // =
  | "comma"
  | "eof";

/** One token. */
export interface Token {
  /** Its kind. */
  kind: TokenKind;
  /** Its text (for text tokens: after trimming). */
  value: string;
  /** Its index in the template. */
  pos: number;
}

const KEYWORDS = new Set([
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
]); // deno-fmt-ignore

const SPACE = /[ \t\r\n]/;

/**
 * Splits a template into tokens.
 *
 * @param src The template.
 * @returns Its tokens, ending with an `eof` token.
 * @throws {TemplateError} On an unclosed action, comment, string or paren.
 */
export function lex(src: string): Token[] {
  const out: Token[] = [];
  const fail = (pos: number, reason: string): never => {
    throw new TemplateError(src, positionOf(src, pos), reason);
  };
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    trimNext = false;
    if (open < 0) {
      if (text) out.push({ kind: "text", value: text, pos: i });
      break;
    }
    // "{{- " trims the text before; "{{-3}}" is the number -3.
    const trimLeft = src[open + 2] === "-" && SPACE.test(src[open + 3] ?? "");
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, "");
    if (text) out.push({ kind: "text", value: text, pos: i });
    let j = open + 2 + (trimLeft ? 2 : 0);
    // A comment: {{/* ... */}}, alone in its action.
    let k = j;
    while (SPACE.test(src[k] ?? "") && trimLeft) k++;
    if (src.startsWith("/*", k)) {
      const end = src.indexOf("*/", k + 2);
      if (end < 0) fail(open, "unclosed comment");
      let after = end + 2;
      let trimRight = false;
      if (src.startsWith(" -}}", after) || /^[ \t\r\n]-\}\}/.test(src.slice(after, after + 4))) {
        trimRight = true;
        after += 4;
      } else if (src.startsWith("}}", after)) after += 2;
      else fail(end, "comment ends before closing delimiter");
      trimNext = trimRight;
      i = after;
      continue;
    }
    out.push({ kind: "left", value: "{{", pos: open });
    // Inside the action.
    for (;;) {
      if (j >= src.length) fail(open, "unclosed action");
      const c = src[j];
      // " -}}" closes and trims what follows.
      if (SPACE.test(c)) {
        let k = j;
        while (k < src.length && SPACE.test(src[k])) k++;
        if (src.startsWith("-}}", k)) {
          out.push({ kind: "right", value: "}}", pos: k });
          trimNext = true;
          j = k + 3;
          break;
        }
        out.push({ kind: "space", value: " ", pos: j });
        j = k;
        continue;
      }
      if (src.startsWith("}}", j)) {
        out.push({ kind: "right", value: "}}", pos: j });
        j += 2;
        break;
      }
      const start = j;
      if (c === "|") out.push({ kind: "pipe", value: c, pos: j++ });
      else if (c === "(") out.push({ kind: "lparen", value: c, pos: j++ });
      else if (c === ")") out.push({ kind: "rparen", value: c, pos: j++ });
      else if (c === ",") out.push({ kind: "comma", value: c, pos: j++ });
      else if (c === "=") out.push({ kind: "assign", value: c, pos: j++ });
      else if (c === ":") {
        if (src[j + 1] !== "=") fail(j, "expected :=");
        out.push({ kind: "declare", value: ":=", pos: j });
        j += 2;
      } else if (c === '"') {
        j++;
        while (j < src.length && src[j] !== '"') {
          if (src[j] === "\\") j++;
          if (src[j] === "\n") fail(start, "unterminated quoted string");
          j++;
        }
        if (j >= src.length) fail(start, "unterminated quoted string");
        out.push({ kind: "string", value: src.slice(start, ++j), pos: start });
      } else if (c === "`") {
        const end = src.indexOf("`", j + 1);
        if (end < 0) fail(start, "unterminated raw quoted string");
        out.push({ kind: "raw", value: src.slice(j + 1, end), pos: start });
        j = end + 1;
      } else if (c === "'") {
        j++;
        while (j < src.length && src[j] !== "'") {
          if (src[j] === "\\") j++;
          j++;
        }
        if (j >= src.length) fail(start, "unterminated character constant");
        out.push({ kind: "char", value: src.slice(start, ++j), pos: start });
      } else if (c === "$") {
        j++;
        while (j < src.length && /[\p{L}\p{N}_]/u.test(src[j])) j++;
        out.push({ kind: "variable", value: src.slice(start, j), pos: start });
      } else if (c === ".") {
        if (/[\p{L}_]/u.test(src[j + 1] ?? "")) {
          j++;
          while (j < src.length && /[\p{L}\p{N}_]/u.test(src[j])) j++;
          out.push({ kind: "field", value: src.slice(start + 1, j), pos: start });
        } else if (/[0-9]/.test(src[j + 1] ?? "")) {
          j = number(src, j);
          out.push({ kind: "number", value: src.slice(start, j), pos: start });
        } else {
          out.push({ kind: "dot", value: ".", pos: j++ });
        }
      } else if (/[0-9+-]/.test(c)) {
        j = number(src, j);
        if (j === start) fail(start, `bad character ${JSON.stringify(c)}`);
        out.push({ kind: "number", value: src.slice(start, j), pos: start });
      } else if (/[\p{L}_]/u.test(c)) {
        while (j < src.length && /[\p{L}\p{N}_]/u.test(src[j])) j++;
        const word = src.slice(start, j);
        const kind: TokenKind = KEYWORDS.has(word)
          ? "keyword"
          : word === "true" || word === "false"
          ? "bool"
          : word === "nil"
          ? "nil"
          : "identifier";
        out.push({ kind, value: word, pos: start });
      } else {
        fail(j, `unexpected ${JSON.stringify(c)} in command`);
      }
    }
    i = j;
  }
  out.push({ kind: "eof", value: "", pos: src.length });
  return out;
}

/** The end of the number starting at `i` (`i` itself when none is there). */
function number(src: string, i: number): number {
  const m =
    /^[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9]+)?|0[bB][01_]+|0[oO][0-7_]+|([0-9][0-9_]*)?\.?[0-9_]*([eE][+-]?[0-9]+)?)/
      .exec(src.slice(i));
  const text = m ? m[0] : "";
  return /[0-9]/.test(text) ? i + text.length : i;
}
