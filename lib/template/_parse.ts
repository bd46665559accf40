/**
 * The parser of Go's text/template: tokens to a tree of nodes.
 *
 * @module
 */
import { lex, type Token } from "./_lex.ts";
import { positionOf, TemplateError } from "./template_error.ts";

/** An argument or a command's first word. */
export type Operand =
  | { type: "field"; pos: number; names: string[] } // .A.B
  | { type: "dot"; pos: number }
  | { type: "variable"; pos: number; name: string; names: string[] } // $x.A
  | { type: "identifier"; pos: number; name: string }
  | { type: "string"; pos: number; value: string }
  | { type: "number"; pos: number; value: number; text: string }
  | { type: "bool"; pos: number; value: boolean }
  | { type: "nil"; pos: number }
  | { type: "pipe"; pos: number; pipe: Pipeline }
  | { type: "chain"; pos: number; node: Operand; names: string[] }; // (x).A

/** A command: words separated by spaces. */
export interface Command {
  /** Where it starts. */
  pos: number;
  /** The words. */
  args: Operand[];
}

/** `$x := cmd | cmd`. */
export interface Pipeline {
  /** Where it starts. */
  pos: number;
  /** Declared or assigned variables. */
  decl: string[];
  /** True for `=`, false for `:=`. */
  assign: boolean;
  /** The commands. */
  cmds: Command[];
}

/** A node of the tree. */
export type Node =
  | { type: "text"; pos: number; text: string }
  | { type: "action"; pos: number; pipe: Pipeline }
  | { type: "if" | "with"; pos: number; pipe: Pipeline; list: Node[]; else: Node[] | null }
  | { type: "range"; pos: number; pipe: Pipeline; list: Node[]; else: Node[] | null }
  | { type: "break" | "continue"; pos: number }
  | { type: "template"; pos: number; name: string; pipe: Pipeline | null };

/** A parsed template: the main tree and the `define`d ones. */
export interface Tree {
  /** The main tree. */
  root: Node[];
  /** The named trees. */
  defines: Map<string, Node[]>;
}

/**
 * Parses a template.
 *
 * @param src The template.
 * @param funcs The names of the functions it may call.
 * @returns The tree.
 * @throws {TemplateError} On a syntax error or an undefined function or variable.
 */
export function parse(src: string, funcs: Set<string>): Tree {
  return new Parser(src, lex(src), funcs).parseTree();
}

class Parser {
  #src: string;
  #toks: Token[];
  #i = 0;
  #funcs: Set<string>;
  #vars: string[][] = [["$"]];
  #rangeDepth = 0;
  #defines = new Map<string, Node[]>();

  constructor(src: string, toks: Token[], funcs: Set<string>) {
    this.#src = src;
    this.#toks = toks;
    this.#funcs = funcs;
  }

  fail(pos: number, reason: string): never {
    throw new TemplateError(this.#src, positionOf(this.#src, pos), reason);
  }

  peek(): Token {
    return this.#toks[this.#i];
  }

  next(): Token {
    return this.#toks[this.#i++];
  }

  /** The next token that is not a space. */
  nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === "space") t = this.next();
    return t;
  }

  peekNonSpace(): Token {
    const save = this.#i;
    const t = this.nextNonSpace();
    this.#i = save;
    return t;
  }

  expect(kind: Token["kind"], context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.fail(t.pos, `unexpected ${describe(t)} in ${context}`);
    return t;
  }

  parseTree(): Tree {
    const [root, end] = this.list();
    if (end) this.fail(end.pos, `unexpected {{${end.word}}}`);
    return { root, defines: this.#defines };
  }

  /**
   * Nodes up to {{end}} or {{else}} (returned as `end`), or to the end of
   * the template (end null).
   */
  list(): [Node[], { word: "end" | "else"; pos: number } | null] {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === "eof") return [nodes, null];
      if (t.kind === "text") {
        nodes.push({ type: "text", pos: t.pos, text: t.value });
        continue;
      }
      // t is "left".
      const word = this.peekNonSpace();
      if (word.kind === "keyword") {
        this.nextNonSpace();
        switch (word.value) {
          case "end":
            this.expect("right", "end");
            return [nodes, { word: "end", pos: word.pos }];
          case "else":
            return [nodes, { word: "else", pos: word.pos }];
          case "if":
          case "with":
          case "range":
            nodes.push(this.control(word.value, t.pos));
            continue;
          case "break":
          case "continue":
            if (this.#rangeDepth === 0) this.fail(word.pos, `{{${word.value}}} outside {{range}}`);
            this.expect("right", word.value);
            nodes.push({ type: word.value, pos: word.pos });
            continue;
          case "template":
            nodes.push(this.templateCall(word.pos));
            continue;
          case "define":
          case "block": {
            const name = this.expect("string", word.value);
            const text = unquote(name.value, () => this.fail(name.pos, "bad string"));
            let pipe: Pipeline | null = null;
            if (word.value === "block") pipe = this.pipeline("block", false);
            else this.expect("right", "define");
            const saved = this.#vars;
            this.#vars = [["$"]];
            const [body, end] = this.list();
            this.#vars = saved;
            if (end?.word !== "end") this.fail(word.pos, `missing {{end}} for {{${word.value}}}`);
            this.#defines.set(text, body);
            if (word.value === "block") {
              nodes.push({ type: "template", pos: word.pos, name: text, pipe });
            }
            continue;
          }
        }
      }
      const pipe = this.pipeline("command", true);
      nodes.push({ type: "action", pos: t.pos, pipe });
    }
  }

  templateCall(pos: number): Node {
    const name = this.expect("string", "template");
    const text = unquote(name.value, () => this.fail(name.pos, "bad string"));
    if (this.peekNonSpace().kind === "right") {
      this.nextNonSpace();
      return { type: "template", pos, name: text, pipe: null };
    }
    return { type: "template", pos, name: text, pipe: this.pipeline("template", false) };
  }

  control(kind: "if" | "with" | "range", pos: number): Node {
    this.#vars.push([]);
    const pipe = this.pipeline(kind, kind === "range" ? "range" : true);
    if (kind === "range") this.#rangeDepth++;
    let [list, end] = this.list();
    if (kind === "range") this.#rangeDepth--;
    let elseList: Node[] | null = null;
    if (end?.word === "else") {
      const after = this.peekNonSpace();
      // {{else if ...}} / {{else with ...}}: a nested control that shares our {{end}}.
      if (after.kind === "keyword" && (after.value === "if" || after.value === "with")) {
        if (kind === "range" || after.value !== kind) {
          this.fail(after.pos, `unexpected {{else ${after.value}}} in {{${kind}}}`);
        }
        this.nextNonSpace();
        this.#vars.pop();
        elseList = [this.control(after.value as "if" | "with", after.pos)];
        return { type: kind, pos, pipe, list, else: elseList };
      }
      this.expect("right", "else");
      [elseList, end] = this.list();
    }
    if (end?.word !== "end") {
      this.fail(
        end ? end.pos : pos,
        end ? `unexpected {{else}}` : `unexpected EOF: missing {{end}} for {{${kind}}}`,
      );
    }
    this.#vars.pop();
    return { type: kind, pos, pipe, list, else: elseList };
  }

  /** A pipeline up to }} (or `)` when `inParens`); `decls`: whether $x := may start it. */
  pipeline(context: string, decls: boolean | "range", inParens = false): Pipeline {
    const start = this.peekNonSpace();
    const pipe: Pipeline = { pos: start.pos, decl: [], assign: false, cmds: [] };
    if (decls && start.kind === "variable") {
      const save = this.#i;
      const v = this.nextNonSpace();
      const after = this.peekNonSpace();
      if (after.kind === "declare" || after.kind === "assign") {
        this.nextNonSpace();
        pipe.decl.push(v.value);
        pipe.assign = after.kind === "assign";
      } else if (after.kind === "comma" && decls === "range") {
        this.nextNonSpace();
        const second = this.expect("variable", "range");
        const op = this.nextNonSpace();
        if (op.kind !== "declare" && op.kind !== "assign") {
          this.fail(op.pos, "expected := in range");
        }
        pipe.decl.push(v.value, second.value);
        pipe.assign = op.kind === "assign";
      } else {
        this.#i = save;
      }
      for (const name of pipe.decl) {
        if (pipe.assign) this.lookupVar(name, v.pos);
        else this.#vars[this.#vars.length - 1].push(name);
      }
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === (inParens ? "rparen" : "right")) {
        this.nextNonSpace();
        if (pipe.cmds.length === 0) this.fail(t.pos, `missing value for ${context}`);
        return pipe;
      }
      if (t.kind === "eof" || t.kind === (inParens ? "right" : "rparen")) {
        this.fail(
          t.pos,
          `unexpected ${describe(t)} in ${inParens ? "parenthesized pipeline" : context}`,
        );
      }
      pipe.cmds.push(this.command(inParens));
    }
  }

  command(inParens: boolean): Command {
    const cmd: Command = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === "pipe") {
        this.nextNonSpace();
        if (cmd.args.length === 0) this.fail(t.pos, "missing command before |");
        const after = this.peekNonSpace();
        if (after.kind === "right" || after.kind === "rparen") {
          this.fail(after.pos, "missing command after |");
        }
        return cmd;
      }
      if (t.kind === "right" || t.kind === "rparen") {
        if (cmd.args.length === 0) this.fail(t.pos, `missing command`);
        return cmd;
      }
      cmd.args.push(this.operand());
      // Words are separated by spaces.
      const after = this.peek();
      if (
        after.kind !== "space" && after.kind !== "right" && after.kind !== "pipe" &&
        !(inParens && after.kind === "rparen") && after.kind !== "rparen"
      ) {
        this.fail(after.pos, `unexpected ${describe(after)} in operand`);
      }
    }
  }

  operand(): Operand {
    const t = this.nextNonSpace();
    let node: Operand;
    switch (t.kind) {
      case "field": {
        const names = [t.value];
        while (this.peek().kind === "field") names.push(this.next().value);
        return { type: "field", pos: t.pos, names };
      }
      case "dot":
        node = { type: "dot", pos: t.pos };
        break;
      case "variable": {
        this.lookupVar(t.value, t.pos);
        const names: string[] = [];
        while (this.peek().kind === "field") names.push(this.next().value);
        return { type: "variable", pos: t.pos, name: t.value, names };
      }
      case "identifier":
        if (!this.#funcs.has(t.value)) this.fail(t.pos, `function "${t.value}" not defined`);
        node = { type: "identifier", pos: t.pos, name: t.value };
        break;
      case "string":
        node = {
          type: "string",
          pos: t.pos,
          value: unquote(t.value, () => this.fail(t.pos, `bad string ${t.value}`)),
        };
        break;
      case "raw":
        node = { type: "string", pos: t.pos, value: t.value };
        break;
      case "char": {
        const s = unquote(
          '"' + t.value.slice(1, -1).replaceAll('"', '\\"') + '"',
          () => this.fail(t.pos, `bad character constant ${t.value}`),
        );
        const cp = s.codePointAt(0);
        if (cp === undefined || [...s].length !== 1) {
          this.fail(t.pos, `bad character constant ${t.value}`);
        }
        node = { type: "number", pos: t.pos, value: cp, text: t.value };
        break;
      }
      case "number": {
        const value = parseNumber(t.value);
        if (value === null) this.fail(t.pos, `bad number syntax: ${JSON.stringify(t.value)}`);
        node = { type: "number", pos: t.pos, value, text: t.value };
        break;
      }
      case "bool":
        node = { type: "bool", pos: t.pos, value: t.value === "true" };
        break;
      case "nil":
        node = { type: "nil", pos: t.pos };
        break;
      case "lparen":
        node = {
          type: "pipe",
          pos: t.pos,
          pipe: this.pipeline("parenthesized pipeline", false, true),
        };
        break;
      default:
        this.fail(t.pos, `unexpected ${describe(t)} in operand`);
    }
    if (this.peek().kind === "field") {
      const names: string[] = [];
      while (this.peek().kind === "field") names.push(this.next().value);
      if (node.type !== "pipe" && node.type !== "dot") {
        this.fail(t.pos, `unexpected . after term ${JSON.stringify(t.value)}`);
      }
      return node.type === "dot"
        ? { type: "field", pos: t.pos, names }
        : { type: "chain", pos: t.pos, node, names };
    }
    return node;
  }

  lookupVar(name: string, pos: number): void {
    if (!this.#vars.some((scope) => scope.includes(name))) {
      this.fail(pos, `undefined variable "${name}"`);
    }
  }
}

function describe(t: Token): string {
  if (t.kind === "eof") return "EOF";
  if (t.kind === "right") return '"}}"';
  if (t.kind === "space") return "space";
  return `<${t.value}>`;
}

/** A Go string literal's value. */
function unquote(lit: string, fail: () => never): string {
  let out = "";
  for (let i = 1; i < lit.length - 1; i++) {
    const c = lit[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = lit[++i];
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
      "\\": "\\",
      '"': '"',
      "'": "'",
    }; // deno-fmt-ignore
    if (e in simple) out += simple[e];
    else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = lit.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail();
      out += String.fromCodePoint(parseInt(hex, 16));
      i += n;
    } else if (/[0-7]/.test(e)) {
      const oct = lit.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) fail();
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else fail();
  }
  return out;
}

/** A Go number literal's value, or null. */
function parseNumber(text: string): number | null {
  const t = text.replaceAll("_", "");
  const sign = t.startsWith("-") ? -1 : 1;
  const body = t.replace(/^[+-]/, "");
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO][0-7]+$/.test(body)) v = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body.slice(1), 8);
  else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) v = Number(body);
  else return null;
  return sign * v;
}
