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
