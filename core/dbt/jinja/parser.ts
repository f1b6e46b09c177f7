import type { Expr, Node, Param } from './ast';
import { JinjaError, lex, type Segment, type Tok } from './lexer';
import { ExprParser } from './exprParser';

/**
 * Parses a template into nodes. Throws `JinjaError` (with the offset of the offending tag) on
 * unbalanced or unknown tags; callers turn it into a diagnostic.
 */
export function parseTemplate(text: string): Node[] {
  const leads = new Map<number, number>();
  const segments = applyWhitespaceControl(lex(text), leads);
  const parser = new TemplateParser(segments, text, leads);
  return parser.parseBody([]).nodes;
}

/** `{%-`/`-%}` strip whitespace around tags, as Jinja does. */
function applyWhitespaceControl(segs: Segment[], leads: Map<number, number>): Segment[] {
  const out = segs.map((s) => ({ ...s }));
  for (let i = 0; i < out.length; i++) {
    const s = out[i];
    if (s === undefined || s.type === 'text') continue;
    const prev = out[i - 1];
    const next = out[i + 1];
    if (s.lstrip && prev?.type === 'text') prev.value = prev.value.replace(/\s+$/, '');
    if (s.rstrip && next?.type === 'text') {
      const stripped = /^\s+/.exec(next.value)?.[0] ?? '';
      next.value = next.value.slice(stripped.length);
      leads.set(next.start, (stripped.match(/\n/g) ?? []).length);
    }
  }
  return out;
}

type TagSeg = Extract<Segment, { tokens: Tok[] }>;

const END_TAGS: Record<string, string> = {
  if: 'endif', for: 'endfor', macro: 'endmacro', call: 'endcall', filter: 'endfilter', set: 'endset',
  docs: 'enddocs', snapshot: 'endsnapshot', test: 'endtest', materialization: 'endmaterialization', raw: 'endraw',
};

class TemplateParser {
  private i = 0;

  private readonly length: number;

  constructor(
    private readonly segs: Segment[],
    private readonly src: string,
    /** Text segment start → line breaks stripped from its start by `-%}`. */
    private readonly leads: Map<number, number>,
  ) {
    this.length = src.length;
  }

  /** Parses nodes until one of `stops` (a block tag name) and returns which stop ended the body. */
  parseBody(stops: string[], opener?: TagSeg): { nodes: Node[]; stop?: string; stopTokens?: Tok[]; stopSeg?: Segment } {
    const nodes: Node[] = [];
    while (this.i < this.segs.length) {
      const seg = this.segs[this.i++] as Segment;
      if (seg.type === 'comment') {
        // Comments render as nothing but keep their line breaks so later lines stay in place.
        const breaks = countBreaks(this.src, seg.start, seg.end);
        if (breaks > 0) nodes.push({ t: 'text', pos: seg.start, end: seg.end, value: '\n'.repeat(breaks) });
        continue;
      }
      if (seg.type === 'text') {
        const lead = this.leads.get(seg.start);
        nodes.push({ t: 'text', pos: seg.start, end: seg.end, value: seg.value, ...(lead ? { lead } : {}) });
        continue;
      }
      if (seg.type === 'var') {
        const p = new ExprParser(seg.tokens, seg.start);
        const expr = p.parseExpression();
        p.expectEnd();
        nodes.push({ t: 'output', pos: seg.start, end: seg.end, expr });
        continue;
      }
      const head = seg.tokens[0];
      if (head === undefined) throw new JinjaError('empty block tag', seg.start);
      if (stops.includes(head.value)) return { nodes, stop: head.value, stopTokens: seg.tokens, stopSeg: seg };
      nodes.push(this.parseBlock(seg, head));
    }
    if (stops.length > 0) {
      const head = opener?.tokens[0]?.value;
      const what = head ? `{% ${head} %} is never closed` : 'unexpected end of template';
      throw new JinjaError(`${what}: expected {% ${stops[stops.length - 1]} %} before the end of the template`, opener?.start ?? this.length);
    }
    return { nodes };
  }

  private parseBlock(seg: TagSeg, head: Tok): Node {
    const p = new ExprParser(seg.tokens.slice(1), seg.start);
    const base = { pos: seg.start };
    switch (head.value) {
      case 'if':
        return this.parseIf(seg, p);
      case 'for': {
        const targets = p.parseTargets();
        p.expectName('in');
        const iter = p.parseExpression(true, false);
        let cond: Expr | undefined;
        if (p.acceptName('if')) cond = p.parseExpression();
        p.acceptName('recursive');
        p.expectEnd();
        const body = this.parseBody(['else', 'endfor'], seg);
        const elseBody = body.stop === 'else' ? this.parseBody(['endfor'], seg).nodes : undefined;
        return { ...base, t: 'for', end: this.endOfLast(), targets, iter, ...(cond ? { cond } : {}), body: body.nodes, ...(elseBody ? { elseBody } : {}) };
      }
      case 'set': {
        const targets = p.parseTargets(true);
        if (p.atEnd()) {
          const body = this.parseBody(['endset'], seg);
          return { ...base, t: 'setBlock', end: this.endOfLast(), name: targets[0] ?? '', body: body.nodes };
        }
        if (p.acceptOp('|')) {
          p.skipRest();
          const body = this.parseBody(['endset'], seg);
          return { ...base, t: 'setBlock', end: this.endOfLast(), name: targets[0] ?? '', body: body.nodes };
        }
        p.expectOp('=');
        const expr = p.parseExpression(true);
        p.expectEnd();
        const dotted = targets.length === 1 && targets[0]?.includes('.');
        if (dotted) {
          const [obj = '', attr = ''] = (targets[0] ?? '').split('.');
          return { ...base, t: 'set', end: seg.end, targets: [obj], attr, expr };
        }
        return { ...base, t: 'set', end: seg.end, targets, expr };
      }
      case 'macro': {
        const name = p.expectNameToken();
        const params = p.parseParams();
        p.expectEnd();
        const body = this.parseBody(['endmacro'], seg);
        return { ...base, t: 'macro', end: this.endOfLast(), name, params, body: body.nodes };
      }
      case 'call': {
        const params = p.peekOp('(') ? p.parseParams() : [];
        const call = p.parseExpression();
        p.expectEnd();
        const body = this.parseBody(['endcall'], seg);
        return { ...base, t: 'callBlock', end: this.endOfLast(), call, params, body: body.nodes };
      }
      case 'filter': {
        const filter = p.parseExpression();
        const body = this.parseBody(['endfilter'], seg);
        return { ...base, t: 'filterBlock', end: this.endOfLast(), filter, body: body.nodes };
      }
      case 'do': {
        const expr = p.parseExpression(true);
        p.expectEnd();
        return { ...base, t: 'do', end: seg.end, expr };
      }
      case 'break':
      case 'continue':
        return { ...base, t: 'loopCtl', end: seg.end, kind: head.value };
      case 'raw': {
        const body = this.parseBody(['endraw'], seg);
        const text = body.nodes.map((n) => (n.t === 'text' ? n.value : '')).join('');
        return { ...base, t: 'text', end: this.endOfLast(), value: text };
      }
      case 'docs':
      case 'snapshot':
      case 'test':
      case 'materialization':
      case 'data_test': {
        const name = p.expectNameToken();
        const params = p.peekOp('(') ? p.parseParams() : [];
        p.skipRest();
        const stop = head.value === 'data_test' ? 'enddata_test' : (END_TAGS[head.value] ?? '');
        const body = this.parseBody([stop], seg);
        return { ...base, t: 'resource', end: this.endOfLast(), kind: head.value, name, params, body: body.nodes };
      }
      case 'include':
      case 'import':
      case 'from':
      case 'extends':
      case 'block':
      case 'endblock':
        return { ...base, t: 'noop', end: seg.end };
      default:
        throw new JinjaError(`unknown or unexpected tag '${head.value}'`, head.pos);
    }
  }

  private parseIf(seg: TagSeg, p: ExprParser): Node {
    const branches: { test: Expr; body: Node[]; bodyPos: number }[] = [];
    let test = p.parseExpression();
    p.expectEnd();
    let bodyPos = seg.end;
    let elseBody: Node[] | undefined;
    let elsePos: number | undefined;
    for (;;) {
      const body = this.parseBody(['elif', 'else', 'endif'], seg);
      branches.push({ test, body: body.nodes, bodyPos });
      const stopSeg = body.stopSeg;
      if (body.stop === 'elif' && stopSeg) {
        const q = new ExprParser((body.stopTokens ?? []).slice(1), stopSeg.start);
        test = q.parseExpression();
        q.expectEnd();
        bodyPos = stopSeg.end;
        continue;
      }
      if (body.stop === 'else' && stopSeg) {
        elsePos = stopSeg.end;
        elseBody = this.parseBody(['endif'], seg).nodes;
      }
      break;
    }
    return { t: 'if', pos: seg.start, end: this.endOfLast(), branches, ...(elseBody ? { elseBody, elsePos } : {}) };
  }

  private endOfLast(): number {
    return this.segs[this.i - 1]?.end ?? this.length;
  }
}

export type { Param };

function countBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
