import type { z } from 'zod';

/**
 * Readable configuration problems from zod issues. A union (a target rule is a built-in name or an
 * object) fails as one `invalid_union` carrying every branch's issues; the user needs the branch
 * their value was meant for: the one that got past the value's type, else all branches' reasons.
 */

/** One problem: where (a JSON path) and why. */
export interface ConfigIssue {
  path: PropertyKey[];
  message: string;
}

const atRoot = (issues: readonly z.core.$ZodIssue[]): boolean => issues.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
const bare = (message: string): string => message.replace(/^Invalid (input|option): /, '');

/** Flattens zod issues, descending into the union branch the value was meant for. */
export function configIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      out.push({ path, message: issue.message });
      continue;
    }
    const meant = issue.errors.filter((branch) => !atRoot(branch));
    if (meant.length === 1) out.push(...configIssues(meant[0] ?? [], path));
    else out.push({ path, message: unionMessage(issue.errors) });
  }
  return out;
}

/** "expected a or b, received c" (or "missing: expected a or b") from the branches' root issues. */
function unionMessage(branches: readonly (readonly z.core.$ZodIssue[])[]): string {
  let received: string | undefined;
  const expected = branches.flatMap((b) =>
    b.map((i) => {
      const text = bare(i.message);
      const m = /^(.*?), received (.*)$/.exec(text);
      if (m) received = m[2];
      return (m ? (m[1] as string) : text).replace(/^expected /, '');
    }),
  );
  const alternatives = `expected ${expected.join(' or ')}`;
  return received === undefined ? alternatives : received === 'undefined' ? `missing: ${alternatives}` : `${alternatives}, received ${received}`;
}

/** `targets[0].glob` for `['targets', 0, 'glob']`. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
