/**
 * Reads the accept link of an invitation (`vscode://mallard.mallard/invite?org=…&token=…`, or the
 * organization's own accept page with the same parameters): the organization it joins and the
 * one-time token. Pure, so the URI handler, the "Accept Invitation" command and tests share it.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an accept link names. */
export interface InvitationLink {
  orgId: string;
  token: string;
}

/**
 * The organization and token of `text`: a whole link, or just its query (`org=…&token=…`, as a URI
 * handler receives it). A problem says what is missing, never quoting the token.
 */
export function parseInvitationLink(text: string): InvitationLink | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'Paste the link from the invitation e-mail.' };
  const query = trimmed.includes('?') ? trimmed.slice(trimmed.indexOf('?') + 1) : trimmed.includes('=') ? trimmed : '';
  if (query === '') return { problem: 'That is not an invitation link: paste the whole link (it names the organization as well as the token).' };
  const params = queryParams(query.split('#')[0] ?? '');
  const orgId = params.get('org')?.trim() ?? '';
  const token = params.get('token')?.trim() ?? '';
  if (!UUID.test(orgId)) return { problem: 'The link does not name its organization (org=…): paste the whole link from the invitation.' };
  if (token.length < 16 || token.length > 200) return { problem: 'The link has no valid token (token=…): paste the whole link from the invitation.' };
  return { orgId, token };
}

/** `a=1&b=2` as a map (first value of a repeated name wins; `+` is a space, as in a form query). */
function queryParams(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const decode = (text: string): string => {
      try {
        return decodeURIComponent(text.replaceAll('+', ' '));
      } catch {
        return '';
      }
    };
    const name = decode(part.slice(0, eq));
    if (!out.has(name)) out.set(name, decode(part.slice(eq + 1)));
  }
  return out;
}
