/**
 * The executor of Go's text/template: walks a parsed tree over data.
 *
 * @module
 */
import type { Command, Node, Operand, Pipeline, Tree } from "./_parse.ts";
import type { TemplateFunc } from "./_funcs.ts";
import { GoNil, goText, goType, isObject, mapEntries, truth } from "./_value.ts";
import { positionOf, TemplateError } from "./template_error.ts";

/** What the executor needs besides the tree. */
export interface ExecSetup {
  /** The template's text (for positions). */
  src: string;
  /** The functions. */
  funcs: Record<string, TemplateFunc>;
  /** Field names whose values are maps. */
  mapFields: ReadonlySet<string>;
  /** Field names whose values are slices (`null`: a nil slice). */
  listFields: ReadonlySet<string>;
}

/** No final value from an earlier command of the pipeline. */
const NONE = Symbol("none");
type Final = unknown | typeof NONE;

class Break {}
class Continue {}

/**
 * Executes a tree over `data`.
 *
 * @param tree The parsed template.
 * @param data What `.` and `$` start as.
 * @param setup The template's text, functions and the names of map and list fields.
 * @returns The output.
 * @throws {TemplateError} When an action fails.
 */
export function execute(tree: Tree, data: unknown, setup: ExecSetup): string {
  return new Executor(tree, setup).run(data);
}

class Executor {
  #tree: Tree;
  #s: ExecSetup;
  #maps = new WeakSet<object>();
  #vars: { name: string; value: unknown }[] = [];
  #out: string[] = [];
  #depth = 0;
  readonly isMap = (v: unknown): boolean =>
    v instanceof Map || (typeof v === "object" && v !== null && this.#maps.has(v));

  constructor(tree: Tree, setup: ExecSetup) {
    this.#tree = tree;
    this.#s = setup;
  }

  run(data: unknown): string {
    this.#vars = [{ name: "$", value: data }];
    this.walk(this.#tree.root, data);
    return this.#out.join("");
  }

  fail(pos: number, at: string, reason: string): never {
    throw new TemplateError(
      this.#s.src,
      positionOf(this.#s.src, pos),
      `executing at <${at}>: ${reason}`,
    );
  }

  walk(nodes: Node[], dot: unknown): void {
    for (const n of nodes) this.node(n, dot);
  }

  node(n: Node, dot: unknown): void {
    switch (n.type) {
      case "text":
        this.#out.push(n.text);
        return;
      case "action": {
        const mark = this.#vars.length;
        const v = this.pipeline(n.pipe, dot);
        // A declaration prints nothing; its variable lives to the end of the enclosing block.
        if (n.pipe.decl.length === 0) {
          this.#out.push(goText(v, this.isMap));
          this.#vars.length = mark;
        }
        return;
      }
      case "if":
      case "with": {
        const mark = this.#vars.length;
        const v = this.pipeline(n.pipe, dot);
        if (truth(v)) this.walk(n.list, n.type === "with" ? v : dot);
        else if (n.else) this.walk(n.else, dot);
        this.#vars.length = mark;
        return;
      }
      case "range":
        this.range(n, dot);
        return;
      case "break":
        throw new Break();
      case "continue":
        throw new Continue();
      case "template": {
        const body = this.#tree.defines.get(n.name);
        if (!body) this.fail(n.pos, `template "${n.name}"`, `no such template "${n.name}"`);
        if (++this.#depth > 100000) {
          this.fail(n.pos, `template "${n.name}"`, "exceeded maximum template depth");
        }
        const v = n.pipe ? this.pipeline(n.pipe, dot) : undefined;
        const saved = this.#vars;
        this.#vars = [{ name: "$", value: v }];
        this.walk(body, v);
        this.#vars = saved;
        this.#depth--;
        return;
      }
    }
  }

  range(n: Extract<Node, { type: "range" }>, dot: unknown): void {
    const mark = this.#vars.length;
    const v = this.pipeline(n.pipe, dot);
    // pipeline() declared the variables: range sets them per element.
    this.#vars.length = mark;
    const items: [unknown, unknown][] = [];
    if (Array.isArray(v)) v.forEach((x, i) => items.push([i, x]));
    else if (v instanceof Map || isObject(v)) items.push(...mapEntries(v));
    else if (typeof v === "number" && Number.isInteger(v)) {
      for (let i = 0; i < v; i++) items.push([i, i]);
    } else if (!(v === undefined || v === null || v instanceof GoNil)) {
      this.fail(n.pos, "range", `range can't iterate over ${goText(v, this.isMap)}`);
    }
    if (items.length === 0) {
      if (n.else) this.walk(n.else, dot);
      return;
    }
    const decl = n.pipe.decl;
    for (const [key, elem] of items) {
      const value = typeof v === "number" ? key : elem;
      if (decl.length === 1) this.setVar(decl[0], value, n.pipe.assign);
      if (decl.length === 2) {
        this.setVar(decl[0], key, n.pipe.assign);
        this.setVar(decl[1], value, n.pipe.assign);
      }
      try {
        this.walk(n.list, value);
      } catch (e) {
        if (e instanceof Break) break;
        if (!(e instanceof Continue)) throw e;
      } finally {
        this.#vars.length = mark + (n.pipe.assign ? 0 : decl.length);
      }
    }
    this.#vars.length = mark;
  }

  setVar(name: string, value: unknown, assign: boolean): void {
    if (assign) {
      for (let i = this.#vars.length - 1; i >= 0; i--) {
        if (this.#vars[i].name === name) {
          this.#vars[i].value = value;
          return;
        }
      }
    }
    this.#vars.push({ name, value });
  }

  pipeline(p: Pipeline, dot: unknown): unknown {
    let final: Final = NONE;
    for (const cmd of p.cmds) final = this.command(cmd, dot, final);
    for (const name of p.decl) this.setVar(name, final, p.assign);
    return final;
  }

  command(cmd: Command, dot: unknown, final: Final): unknown {
    const [first, ...args] = cmd.args;
    switch (first.type) {
      case "field":
        return this.chain(
          dot,
          first.names,
          args,
          final,
          dot,
          first.pos,
          "." + first.names.join("."),
        );
      case "variable": {
        const v = this.variable(first.name, first.pos);
        if (first.names.length === 0) {
          this.noArgs(args, final, first.name, first.pos);
          return v;
        }
        return this.chain(
          v,
          first.names,
          args,
          final,
          dot,
          first.pos,
          first.name + "." + first.names.join("."),
        );
      }
      case "chain": {
        const v = this.arg(first.node, dot);
        return this.chain(
          v,
          first.names,
          args,
          final,
          dot,
          first.pos,
          "(...)." + first.names.join("."),
        );
      }
      case "identifier":
        return this.call(first.name, args, final, dot, first.pos);
      default:
        this.noArgs(args, final, text(first), first.pos);
        return this.arg(first, dot);
    }
  }

  noArgs(args: Operand[], final: Final, what: string, pos: number): void {
    if (args.length > 0 || final !== NONE) {
      this.fail(pos, what, `can't give argument to non-function ${what}`);
    }
  }

  variable(name: string, pos: number): unknown {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      if (this.#vars[i].name === name) return this.#vars[i].value;
    }
    return this.fail(pos, name, `undefined variable: ${name}`);
  }

  /** An operand's value as an argument. */
  arg(a: Operand, dot: unknown): unknown {
    switch (a.type) {
      case "dot":
        return dot;
      case "field":
        return this.chain(dot, a.names, [], NONE, dot, a.pos, "." + a.names.join("."));
      case "variable": {
        const v = this.variable(a.name, a.pos);
        return a.names.length
          ? this.chain(v, a.names, [], NONE, dot, a.pos, a.name + "." + a.names.join("."))
          : v;
      }
      case "chain":
        return this.chain(
          this.arg(a.node, dot),
          a.names,
          [],
          NONE,
          dot,
          a.pos,
          "(...)." + a.names.join("."),
        );
      case "identifier":
        return this.call(a.name, [], NONE, dot, a.pos);
      case "pipe": {
        const mark = this.#vars.length;
        const v = this.pipeline(a.pipe, dot);
        this.#vars.length = mark;
        return v;
      }
      case "string":
      case "number":
      case "bool":
        return a.value;
      case "nil":
        return null;
    }
  }

  /** `receiver.A.B` with `args` (and `final`) for the last one, when it is a method. */
  chain(
    receiver: unknown,
    names: string[],
    args: Operand[],
    final: Final,
    dot: unknown,
    pos: number,
    at: string,
  ): unknown {
    let v = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      v = this.field(v, name, last ? args : [], last ? final : NONE, dot, pos, at);
    });
    return v;
  }

  field(
    receiver: unknown,
    name: string,
    args: Operand[],
    final: Final,
    dot: unknown,
    pos: number,
    at: string,
  ): unknown {
    const hasArgs = args.length > 0 || final !== NONE;
    // A missing value (a map's missing key) stays missing, as with Go's default missingkey.
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(pos, at, `nil pointer evaluating ${name}`);
    if (receiver instanceof GoNil) {
      if (receiver.kind === "map") return undefined;
      this.fail(pos, at, `can't evaluate field ${name} in type []interface {}`);
    }
    if (this.isMap(receiver)) {
      if (hasArgs) this.fail(pos, at, `${name} is not a method but has arguments`);
      const v = receiver instanceof Map
        ? receiver.get(name)
        : (receiver as Record<string, unknown>)[name];
      return Object.hasOwn(receiver, name) || receiver instanceof Map
        ? this.typed(v, name)
        : undefined;
    }
    if (!isObject(receiver)) {
      this.fail(pos, at, `can't evaluate field ${name} in type ${goType(receiver, this.isMap)}`);
    }
    if (!Object.hasOwn(receiver, name)) {
      const fields = Object.keys(receiver);
      this.fail(
        pos,
        at,
        `can't evaluate field ${name} in type struct` +
          (fields.length ? ` (fields: ${fields.join(", ")})` : ""),
      );
    }
    const v = receiver[name];
    if (typeof v === "function") {
      const values = args.map((a) => this.arg(a, dot));
      if (final !== NONE) values.push(final);
      try {
        return this.typed(v.apply(receiver, values), name);
      } catch (e) {
        if (e instanceof TemplateError || !(e instanceof Error)) throw e;
        this.fail(pos, at, `error calling ${name}: ${e.message}`);
      }
    }
    if (hasArgs) this.fail(pos, at, `${name} has arguments but cannot be invoked as function`);
    return this.typed(v, name);
  }

  /** A field's value, with the map and list fields of the setup marked as such. */
  typed(v: unknown, name: string): unknown {
    if (v === null) {
      if (this.#s.mapFields.has(name)) return new GoNil("map");
      if (this.#s.listFields.has(name)) return new GoNil("slice");
      return null;
    }
    if (isObject(v) && this.#s.mapFields.has(name)) this.#maps.add(v);
    return v;
  }

  call(name: string, args: Operand[], final: Final, dot: unknown, pos: number): unknown {
    const f = this.#s.funcs[name];
    const at = name + (args.length ? " " + args.map(text).join(" ") : "");
    if (!f) this.fail(pos, at, `function "${name}" not defined`);
    const count = args.length + (final === NONE ? 0 : 1);
    if (count < f.min || count > f.max) {
      const want = f.min === f.max
        ? `${f.min}`
        : f.max === Infinity
        ? `at least ${f.min}`
        : `${f.min} to ${f.max}`;
      this.fail(pos, at, `wrong number of args for ${name}: want ${want} got ${count}`);
    }
    // and, or: evaluated left to right, stopping at the first that decides.
    if (name === "and" || name === "or") {
      let v: unknown;
      const operands: (() => unknown)[] = args.map((a) => () => this.arg(a, dot));
      if (final !== NONE) operands.push(() => final);
      for (const get of operands) {
        v = get();
        if (truth(v) === (name === "or")) return v;
      }
      return v;
    }
    const values = args.map((a) => this.arg(a, dot));
    if (final !== NONE) values.push(final);
    try {
      return f.fn(values, { isMap: this.isMap });
    } catch (e) {
      if (e instanceof TemplateError || !(e instanceof Error)) throw e;
      return this.fail(pos, at, `error calling ${name}: ${e.message}`);
    }
  }
}

/** An operand as written (for messages). */
function text(a: Operand): string {
  switch (a.type) {
    case "field":
      return "." + a.names.join(".");
    case "dot":
      return ".";
    case "variable":
      return [a.name, ...a.names].join(".");
    case "identifier":
      return a.name;
    case "string":
      return JSON.stringify(a.value);
    case "number":
      return a.text;
    case "bool":
      return String(a.value);
    case "nil":
      return "nil";
    case "pipe":
      return "(...)";
    case "chain":
      return "(...)." + a.names.join(".");
  }
}
