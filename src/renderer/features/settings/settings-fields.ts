/**
 * How each Settings field is edited: label, unit and help. Validation comes from the shared settings schema,
 * so the form and the engine agree on limits.
 */
import { sessionLimitPolicySchema, settingsSchema, signingAlgSchema, type Settings } from '../../../shared/dto';
import { describeSeconds } from '../../lib/time';
import { ALG_LABELS } from '../keys/key-states';

export type SettingKey = keyof Settings;

export interface FieldSpec {
  key: SettingKey;
  label: string;
  /** `flag`: a yes/no choice, shown as a select of `true` / `false` with `optionLabels`. */
  kind: 'seconds' | 'count' | 'text' | 'select' | 'flag';
  unit?: string;
  help: string;
  options?: readonly string[];
  optionLabels?: Readonly<Record<string, string>>;
}

const FLAG = { options: ['true', 'false'], optionLabels: { true: 'On', false: 'Off' } } as const;

export interface FieldGroup {
  title: string;
  fields: FieldSpec[];
}

export const FIELD_GROUPS: FieldGroup[] = [
  {
    title: 'Token and session lifetimes',
    fields: [
      { key: 'accessTokenTtlSeconds', label: 'Access token lifetime', kind: 'seconds', unit: 's', help: 'Worst case for resource servers that ignore the revocation feed.' },
      { key: 'idleSeconds', label: 'Session idle timeout', kind: 'seconds', unit: 's', help: 'A session ends after this long without a refresh.' },
      { key: 'absoluteSeconds', label: 'Session absolute lifetime', kind: 'seconds', unit: 's', help: 'A session ends this long after sign-in, refreshed or not.' },
    ],
  },
  {
    title: 'Remember me',
    fields: [
      { key: 'rememberMeIdleSeconds', label: 'Remember-me idle timeout', kind: 'seconds', unit: 's', help: 'Idle timeout when the user ticked “remember me”.' },
      { key: 'rememberMeAbsoluteSeconds', label: 'Remember-me absolute lifetime', kind: 'seconds', unit: 's', help: 'Absolute lifetime when the user ticked “remember me”.' },
    ],
  },
  {
    title: 'Session limit',
    fields: [
      { key: 'sessionLimit', label: 'Sessions per user', kind: 'count', unit: 'sessions', help: '0 means no limit.' },
      { key: 'sessionLimitPolicy', label: 'When the limit is reached', kind: 'select', options: sessionLimitPolicySchema.options, help: 'revoke_oldest signs out the oldest device; reject refuses the new sign-in.' },
    ],
  },
  {
    title: 'Refresh reuse and clocks',
    fields: [
      { key: 'reuseGraceSeconds', label: 'Reuse grace window', kind: 'count', unit: 's', help: '0 turns it off. Inside the window a repeated refresh (two tabs, a lost response) is a race, not theft.' },
      { key: 'clockSkewSeconds', label: 'Clock skew tolerance', kind: 'count', unit: 's', help: 'Leeway for exp/nbf checks.' },
    ],
  },
  {
    title: 'Audit trail',
    fields: [
      {
        key: 'auditRefreshes',
        label: 'Audit every routine refresh',
        kind: 'flag',
        ...FLAG,
        help: 'Security events are always audited. Off: each rotation is kept in its session’s refresh chain (time, address, user agent). On: also a hash-chained audit entry, about a third fewer refreshes per second.',
      },
    ],
  },
  {
    title: 'Sign-in protection',
    fields: [
      { key: 'maxFailedLogins', label: 'Failed logins before lockout', kind: 'count', unit: 'attempts', help: 'Per user.' },
      { key: 'loginLockSeconds', label: 'Lockout duration', kind: 'seconds', unit: 's', help: 'How long sign-in is refused after too many failures.' },
    ],
  },
  {
    title: 'Tokens',
    fields: [
      { key: 'audience', label: 'Audience (aud)', kind: 'text', help: 'Resource servers check this value.' },
      {
        key: 'signingAlg',
        label: 'Access-token signing algorithm',
        kind: 'select',
        options: signingAlgSchema.options,
        optionLabels: ALG_LABELS,
        help: 'Access tokens and feed events switch to it at once. Gap-free if its keys are already published (they sign ID tokens); otherwise new keys sign at once, which verifiers with a cached JWKS have not fetched yet (Keys shows which algorithms have keys).',
      },
    ],
  },
];

/** Turns a field's text into the value the schema expects, or an error message. */
export function parseField(spec: FieldSpec, text: string): { ok: true; value: Settings[SettingKey] } | { ok: false; message: string } {
  let candidate: unknown = text;
  if (spec.kind === 'seconds' || spec.kind === 'count') {
    if (!/^\d+$/.test(text.trim())) return { ok: false, message: 'Enter a whole number.' };
    candidate = Number(text.trim());
  }
  if (spec.kind === 'flag') {
    if (text !== 'true' && text !== 'false') return { ok: false, message: 'Choose on or off.' };
    candidate = text === 'true';
  }
  const parsed = settingsSchema.shape[spec.key].safeParse(candidate);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Invalid value.' };
  return { ok: true, value: parsed.data };
}

/** "= 15m" next to a number of seconds. */
export function humanHint(spec: FieldSpec, text: string): string | null {
  if (spec.kind !== 'seconds' && !(spec.kind === 'count' && spec.unit === 's')) return null;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? `= ${describeSeconds(n)}` : null;
}
