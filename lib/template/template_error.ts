/**
 * The error of a template that does not parse or does not execute.
 *
 * @module
 */
import { NookError } from "../errors/nook_error.ts";

/** Where in a template something went wrong (line from 1, column as Go counts it: bytes from 0). */
export interface TemplatePosition {
  /** The line, from 1. */
  line: number;
  /** The byte offset in the line, from 0, as Go's text/template reports it. */
  column: number;
}

/**
 * A template that does not parse (`function "foo" not defined`) or fails
 * while it runs (`cannot evaluate field Nope`). The message is worded as Go's
 * text/template words it, with the position: `template: 1:12: ...`. The CLI
 * exits 125 with it, as for every {@linkcode NookError}.
 *
 * @example
 * ```ts
 * import { TemplateError } from "./template_error.ts";
 * const err = new TemplateError("{{foo}}", { line: 1, column: 2 }, 'function "foo" not defined');
 * console.assert(err.message === 'template: 1:2: function "foo" not defined');
 * console.assert(err.exitCode === 125);
 * ```
 */
export class TemplateError extends NookError {
  /** The template's text. */
  readonly template: string;
  /** Where it failed. */
  readonly position: TemplatePosition;
  /** What failed, without the position. */
  readonly reason: string;

  /**
   * Makes a template error.
   *
   * @param template The template's text.
   * @param position Where it failed.
   * @param reason What failed.
   */
  constructor(template: string, position: TemplatePosition, reason: string) {
    super(`template: ${position.line}:${position.column}: ${reason}`);
    this.name = "TemplateError";
    this.template = template;
    this.position = position;
    this.reason = reason;
  }
}

/**
 * The position of byte-ish offset `offset` in `text` (JavaScript string index).
 *
 * @param text The template.
 * @param offset An index into it.
 * @returns Its line and column.
 */
export function positionOf(text: string, offset: number): TemplatePosition {
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf("\n");
  const line = before.split("\n").length;
  return { line, column: new TextEncoder().encode(before.slice(nl + 1)).length };
}
