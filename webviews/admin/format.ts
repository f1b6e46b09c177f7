/**
 * Text the admin view shows for times and expiries. Pure (the clock is a parameter), so the wording
 * is unit-tested: a grant or invitation that has expired must never read as active.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `2026-12-03 16:35` in UTC: an audit log is compared across time zones, so it states its zone. */
export function utcStamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `in 3 days`, `in 5 hours`, `2 days ago`, `just now`: the distance from `now` in its largest unit. */
export function relative(iso: string, now: number): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const delta = t - now;
  const abs = Math.abs(delta);
  if (abs < MINUTE) return 'just now';
  const [n, unit] = abs >= DAY ? [Math.round(abs / DAY), 'day'] : abs >= HOUR ? [Math.round(abs / HOUR), 'hour'] : [Math.round(abs / MINUTE), 'minute'];
  const amount = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return delta > 0 ? `in ${amount}` : `${amount} ago`;
}

/** How an expiry reads: none, still running, or over. */
export interface ExpiryText {
  text: string;
  expired: boolean;
}

/** `no expiry`, `expires in 3 days`, `expired 2 hours ago`. */
export function expiryText(expiresAt: string | null | undefined, now: number): ExpiryText {
  if (expiresAt === null || expiresAt === undefined) return { text: 'no expiry', expired: false };
  const t = new Date(expiresAt).getTime();
  if (Number.isNaN(t)) return { text: `expires ${expiresAt}`, expired: false };
  return t <= now ? { text: `expired ${relative(expiresAt, now)}`, expired: true } : { text: `expires ${relative(expiresAt, now)}`, expired: false };
}

/**
 * The ISO instant of a `datetime-local` value (`2026-12-10T09:00`, local time), or undefined when
 * the text is not a valid date or is not in the future (a grant that has already ended is refused
 * before it is sent).
 */
export function futureInstant(local: string, now: number): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(local.trim())) return undefined;
  const d = new Date(local.trim().includes('T') ? local.trim() : `${local.trim()}T00:00`);
  if (Number.isNaN(d.getTime()) || d.getTime() <= now) return undefined;
  return d.toISOString();
}

/** The start of a UTC day for a `YYYY-MM-DD` filter bound, or undefined when it is not a date. */
export function dayStart(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day.trim())) return undefined;
  const d = new Date(`${day.trim()}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The end of a UTC day (the next day's start, exclusive) for a `YYYY-MM-DD` filter bound. */
export function dayEnd(day: string): string | undefined {
  const start = dayStart(day);
  return start === undefined ? undefined : new Date(new Date(start).getTime() + DAY).toISOString();
}
