/** Durations typed in the unit an admin thinks in ("7 days", not "604800 s"). Pure functions. */

export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export const UNIT_SECONDS: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 };
const SINGULAR: Record<DurationUnit, string> = { seconds: 'second', minutes: 'minute', hours: 'hour', days: 'day' };

/** The largest unit that expresses `seconds` as a whole number: 604800 → days, 900 → minutes, 5 → seconds. */
export function bestUnit(seconds: number): DurationUnit {
  for (const unit of [...DURATION_UNITS].reverse()) {
    if (seconds > 0 && seconds % UNIT_SECONDS[unit] === 0) return unit;
  }
  return 'seconds';
}

/** `seconds` as an amount of `unit`, for the input ("1.5" hours for 5400 s). */
export function amountIn(seconds: number, unit: DurationUnit): string {
  const amount = seconds / UNIT_SECONDS[unit];
  return Number.isInteger(amount) ? String(amount) : String(Math.round(amount * 1000) / 1000);
}

/** What the admin typed, in whole seconds; a plain message when it is not a number. */
export function toSeconds(amount: string, unit: DurationUnit): { ok: true; seconds: number } | { ok: false; message: string } {
  const text = amount.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return { ok: false, message: `Enter a number of ${unit}, like 15 or 1.5.` };
  const seconds = Math.round(Number(text) * UNIT_SECONDS[unit]);
  return { ok: true, seconds };
}

/** "1 second", "5 minutes", "12 hours", "3650 days", "1 hour 30 minutes". */
export function describeSecondsInWords(seconds: number): string {
  const unit = bestUnit(seconds);
  const amount = seconds / UNIT_SECONDS[unit];
  if (unit === 'seconds' && seconds >= 60) {
    // Not a whole number of minutes: the two largest units.
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    return `${plural(minutes, 'minutes')} ${plural(rest, 'seconds')}`;
  }
  if (unit === 'minutes' && seconds >= 3_600) {
    return `${plural(Math.floor(seconds / 3_600), 'hours')} ${plural((seconds % 3_600) / 60, 'minutes')}`;
  }
  return plural(amount, unit);
}

function plural(amount: number, unit: DurationUnit): string {
  return `${amount} ${amount === 1 ? SINGULAR[unit] : unit}`;
}
