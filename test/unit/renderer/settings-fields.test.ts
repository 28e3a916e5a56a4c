import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../../src/shared/dto';
import { loadRenderer } from './load-renderer';

interface FieldSpec {
  key: string;
  kind: string;
}
interface SettingsFieldsModule {
  FIELD_GROUPS: { title: string; fields: FieldSpec[] }[];
  parseField(spec: FieldSpec, text: string): { ok: true; value: unknown } | { ok: false; message: string };
}
const { FIELD_GROUPS, parseField } = await loadRenderer<SettingsFieldsModule>('features/settings/settings-fields.ts');
const spec = (key: string) => FIELD_GROUPS.flatMap((group) => group.fields).find((field) => field.key === key)!;

describe('settings fields', () => {
  it('offers every setting of the schema exactly once', () => {
    const keys = FIELD_GROUPS.flatMap((group) => group.fields.map((field) => field.key));
    expect([...keys].sort()).toEqual(Object.keys(settingsSchema.shape).sort());
  });

  it('reads a flag as a boolean and refuses anything but true or false', () => {
    const flag = spec('auditRefreshes');
    expect(flag.kind).toBe('flag');
    expect(parseField(flag, 'true')).toEqual({ ok: true, value: true });
    expect(parseField(flag, 'false')).toEqual({ ok: true, value: false });
    expect(parseField(flag, 'yes')).toEqual({ ok: false, message: 'Choose on or off.' });
  });

  it('checks numbers against the shared schema', () => {
    expect(parseField(spec('reuseGraceSeconds'), '30')).toEqual({ ok: true, value: 30 });
    expect(parseField(spec('reuseGraceSeconds'), '1.5')).toEqual({ ok: false, message: 'Enter a whole number.' });
    expect(parseField(spec('reuseGraceSeconds'), '301').ok).toBe(false);
  });
});

describe('settings messages are plain words', () => {
  it('states a limit in the field’s own unit, never the validator’s text', () => {
    expect(parseField(spec('accessTokenTtlSeconds'), '0')).toEqual({ ok: false, message: 'At least 1 second.' });
    expect(parseField(spec('reuseGraceSeconds'), '301')).toEqual({ ok: false, message: 'At most 300 seconds.' });
    expect(parseField(spec('maxFailedLogins'), '0')).toEqual({ ok: false, message: 'At least 1 attempt.' });
    expect(parseField(spec('audience'), '')).toEqual({ ok: false, message: 'This cannot be empty.' });
    expect(parseField(spec('loginLockSeconds'), String(24 * 3600 + 1))).toEqual({ ok: false, message: 'At most 1 day.' });
  });
});

interface DurationModule {
  bestUnit(seconds: number): string;
  amountIn(seconds: number, unit: string): string;
  toSeconds(amount: string, unit: string): { ok: true; seconds: number } | { ok: false; message: string };
  describeSecondsInWords(seconds: number): string;
}
const durations = await loadRenderer<DurationModule>('features/settings/duration-units.ts');

describe('durations in units', () => {
  it('shows a value in the largest whole unit', () => {
    expect(durations.bestUnit(7 * 86_400)).toBe('days');
    expect(durations.bestUnit(900)).toBe('minutes');
    expect(durations.bestUnit(5)).toBe('seconds');
    expect(durations.amountIn(5_400, 'hours')).toBe('1.5');
  });

  it('reads what was typed in the chosen unit', () => {
    expect(durations.toSeconds('3', 'hours')).toEqual({ ok: true, seconds: 10_800 });
    expect(durations.toSeconds('1.5', 'minutes')).toEqual({ ok: true, seconds: 90 });
    expect(durations.toSeconds('abc', 'days')).toEqual({ ok: false, message: 'Enter a number of days, like 15 or 1.5.' });
  });

  it('describes seconds in words', () => {
    expect(durations.describeSecondsInWords(1)).toBe('1 second');
    expect(durations.describeSecondsInWords(2 * 3600)).toBe('2 hours');
    expect(durations.describeSecondsInWords(5_400)).toBe('1 hour 30 minutes');
    expect(durations.describeSecondsInWords(90)).toBe('1 minute 30 seconds');
  });
});

interface RulesModule {
  checkRules(values: Record<string, unknown>): { key: string; severity: string; message: string }[];
}
const { checkRules } = await loadRenderer<RulesModule>('features/settings/settings-rules.ts');
const defaults = { accessTokenTtlSeconds: 600, idleSeconds: 7_200, absoluteSeconds: 43_200, rememberMeIdleSeconds: 604_800, rememberMeAbsoluteSeconds: 2_592_000, adminIdleSeconds: 1_800, adminAbsoluteSeconds: 43_200 };

describe('cross-field rules, live', () => {
  it('finds nothing in the defaults', () => {
    expect(checkRules(defaults)).toEqual([]);
  });

  it('warns beside the field when remember-me idle is shorter than the normal idle timeout', () => {
    expect(checkRules({ ...defaults, rememberMeIdleSeconds: 3_600 })).toEqual([
      { key: 'rememberMeIdleSeconds', severity: 'warning', message: 'Shorter than the normal idle timeout (2 hours): ticking “remember me” would sign users out sooner.' },
    ]);
  });

  it('refuses an idle timeout longer than the absolute lifetime, in words and not field names', () => {
    const [finding] = checkRules({ ...defaults, idleSeconds: 86_400 });
    expect(finding).toEqual({ key: 'idleSeconds', severity: 'error', message: "Can't be longer than the session absolute lifetime (12 hours)." });
    expect(finding!.message).not.toMatch(/Seconds/);
  });

  it('leaves out a rule whose fields do not parse', () => {
    expect(checkRules({ ...defaults, idleSeconds: undefined, absoluteSeconds: 1 })).toEqual([
      { key: 'accessTokenTtlSeconds', severity: 'error', message: "Can't be longer than the session absolute lifetime (1 second)." },
    ]);
  });
});
