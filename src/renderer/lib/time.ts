/** Human time for the console: short relative phrases, absolute times on hover. Pure functions. */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "9m 12s", "2h 5m", "3d 4h", "12s": the two largest units. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(Math.abs(ms) / SECOND));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return seconds > 0 ? `${minutes}m ${seconds}s` : `${minutes}m`;
  return `${seconds}s`;
}

/** Past times coarsely ("3m ago"), future times precisely ("in 9m 12s"). */
export function formatRelative(at: number, now: number): string {
  const delta = at - now;
  if (Math.abs(delta) < SECOND) return 'just now';
  if (delta > 0) return `in ${formatDuration(delta)}`;
  const past = -delta;
  if (past < MINUTE) return `${Math.floor(past / SECOND)}s ago`;
  if (past < HOUR) return `${Math.floor(past / MINUTE)}m ago`;
  if (past < DAY) return `${Math.floor(past / HOUR)}h ago`;
  return `${Math.floor(past / DAY)}d ago`;
}

/** A countdown to `at`: "in 9m 12s", or "expired 3m ago" once it passed. */
export function formatCountdown(at: number, now: number, pastWord = 'expired'): string {
  if (at > now) return `in ${formatDuration(at - now)}`;
  return `${pastWord} ${formatRelative(at, now)}`;
}

/**
 * Local date and time with seconds and the time zone ("12/1/2026, 11:27:27 AM UTC"), plus the ISO form (UTC)
 * for precision: an admin comparing with another team's logs must know which zone a time is in.
 */
export function formatAbsolute(at: number, timeZone?: string): string {
  const date = new Date(at);
  return `${formatLocal(at, timeZone)} (${date.toISOString()})`;
}

/** Local date and time with seconds and the time zone's short name. */
export function formatLocal(at: number, timeZone?: string): string {
  return new Date(at).toLocaleString(undefined, { timeZone, timeZoneName: 'short' });
}

/** A number of seconds as the largest whole units ("900 s = 15m"). */
export function describeSeconds(seconds: number): string {
  return formatDuration(seconds * SECOND);
}

/** `<input type="datetime-local">` value ↔ epoch ms, in local time. */
export function toLocalInput(at: number | undefined): string {
  if (at === undefined) return '';
  const date = new Date(at - new Date(at).getTimezoneOffset() * MINUTE);
  return date.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): number | undefined {
  if (value === '') return undefined;
  const at = new Date(value).getTime();
  return Number.isNaN(at) ? undefined : at;
}
