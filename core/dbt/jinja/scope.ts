import type { Node } from './ast';
import type { RenderBudget } from './budget';
import type { LineIndex } from './lexer';

/** Interpreter state types shared by the evaluator and its callers. */

/** A parsed template with its file, for positions. */
export interface Template {
  file: string;
  text: string;
  nodes: Node[];
  lines: LineIndex;
}

/** A lexical scope; lookups walk up to the globals. */
export class Scope {
  readonly vars = new Map<string, unknown>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): unknown {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
    return undefined;
  }
}

/** Something the interpreter noticed that is not an error (unknown macro, dynamic Jinja). */
export interface Notice {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

/** Limits that keep bad templates from hanging or overflowing the stack: the budget and macro depth. */
export interface Limits extends RenderBudget {
  maxDepth: number;
}

