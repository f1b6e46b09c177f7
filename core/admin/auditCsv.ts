import type { AuditEntry } from './responses';

/**
 * The audit log as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a
 * comma, quote or line break, quotes doubled), one header row then one row per entry. JSON images
 * (`before`, `after`) are compact JSON text. A text field that a spreadsheet would run as a formula
 * (starting with =, +, -, @, tab or carriage return) is prefixed with an apostrophe, so opening an
 * export never executes what a member typed into a team or role name.
 */

/** The header row's column names, in order. */
export const AUDIT_CSV_COLUMNS = [
  'id', 'occurred_at', 'actor_id', 'actor_email', 'actor_token_id', 'actor_role', 'action', 'target_table', 'target_id', 'before', 'after',
] as const;

/** One CSV field. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text of `entries` (header included, CRLF after every row). */
export function auditCsv(entries: readonly AuditEntry[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const e of entries) {
    lines.push([
      e.id, e.occurredAt, e.actorId, e.actorEmail, e.actorTokenId, e.actorRole, e.action, e.targetTable, e.targetId,
      e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after),
    ].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
