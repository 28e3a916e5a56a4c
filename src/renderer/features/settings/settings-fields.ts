/**
 * How each Settings field is edited: label, unit and help. Limits come from the shared settings schema, so
 * the form and the engine agree on them; the messages are ours, in plain words (never the validator's text
 * or a field's internal name). Durations are typed in the unit the admin picks (seconds to days).
 */
import { sessionLimitPolicySchema, settingsSchema, signingAlgSchema, type Settings } from '../../../shared/dto';
import { describeSeconds } from '../../lib/time';
import { describeSecondsInWords } from './duration-units';
import { ALG_LABELS } from '../keys/key-states';

export type SettingKey = keyof Settings;

export interface FieldSpec {
  key: SettingKey;
  label: string;
  /**
   * `seconds`: a duration, typed in a chosen unit (duration-units.ts). `flag`: a yes/no choice, shown as a
   * select of `true` / `false` with `optionLabels`.
   */
  kind: 'seconds' | 'count' | 'text' | 'select' | 'flag';
  /** The unit shown after a count ("attempts", "s"). */
  unit?: string;
  /** The singular and plural words for a count's limits in messages ("attempt", "attempts"). */
  noun?: readonly [string, string];
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
      { key: 'accessTokenTtlSeconds', label: 'Access token lifetime', kind: 'seconds', help: 'Worst case for resource servers that ignore the revocation feed.' },
      { key: 'idleSeconds', label: 'Session idle timeout', kind: 'seconds', help: 'A session ends after this long without a refresh.' },
      { key: 'absoluteSeconds', label: 'Session absolute lifetime', kind: 'seconds', help: 'A session ends this long after sign-in, refreshed or not.' },
    ],
  },
  {
    title: 'Remember me',
    fields: [
      { key: 'rememberMeIdleSeconds', label: 'Remember-me idle timeout', kind: 'seconds', help: 'Idle timeout when the user ticked “remember me”.' },
      { key: 'rememberMeAbsoluteSeconds', label: 'Remember-me absolute lifetime', kind: 'seconds', help: 'Absolute lifetime when the user ticked “remember me”.' },
    ],
  },
  {
    title: 'Session limit',
    fields: [
      { key: 'sessionLimit', label: 'Sessions per user', kind: 'count', unit: 'sessions', noun: ['session', 'sessions'], help: '0 means no limit.' },
      {
        key: 'sessionLimitPolicy',
        label: 'When the limit is reached',
        kind: 'select',
        options: sessionLimitPolicySchema.options,
        optionLabels: { revoke_oldest: 'Sign out the oldest device', reject: 'Refuse the new sign-in' },
        help: 'What a sign-in beyond the limit does.',
      },
    ],
  },
  {
    title: 'Refresh reuse and clocks',
    fields: [
      { key: 'reuseGraceSeconds', label: 'Reuse grace window', kind: 'count', unit: 's', noun: ['second', 'seconds'], help: '0 turns it off. Inside the window a repeated refresh (two tabs, a lost response) is a race, not theft.' },
      { key: 'clockSkewSeconds', label: 'Clock skew tolerance', kind: 'count', unit: 's', noun: ['second', 'seconds'], help: 'Leeway when checking when a token expires or becomes valid.' },
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
      { key: 'maxFailedLogins', label: 'Failed logins before lockout', kind: 'count', unit: 'attempts', noun: ['attempt', 'attempts'], help: 'Per user.' },
      { key: 'loginLockSeconds', label: 'Lockout duration', kind: 'seconds', help: 'How long sign-in is refused after too many failures.' },
    ],
  },
  {
    title: 'Tokens',
    fields: [
      { key: 'audience', label: 'Audience (aud)', kind: 'text', noun: ['character', 'characters'], help: 'Resource servers check this value.' },
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
  {
    title: 'Console sign-in (named admins)',
    fields: [
      { key: 'adminIdleSeconds', label: 'Admin session idle timeout', kind: 'seconds', help: 'A console session ends after this long without a request.' },
      { key: 'adminAbsoluteSeconds', label: 'Admin session absolute lifetime', kind: 'seconds', help: 'A console session ends this long after sign-in.' },
      {
        key: 'adminTotpRequired',
        label: 'Require a second factor (TOTP) for admins',
        kind: 'flag',
        ...FLAG,
        help: 'On: an admin without an authenticator app is asked to enroll one at the next sign-in.',
      },
    ],
  },
];

/** Turns a field's text (a duration's in seconds) into the value the schema expects, or a plain message. */
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
  if (!parsed.success) return { ok: false, message: limitMessage(spec, parsed.error.issues[0]) };
  return { ok: true, value: parsed.data };
}

interface Issue {
  code: string;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: boolean;
}

/** "At least 1 second.", "At most 5 minutes.", "Enter the audience." — never the validator's own text. */
function limitMessage(spec: FieldSpec, issue: Issue | undefined): string {
  const amount = (n: number) => {
    if (spec.kind === 'seconds') return describeSecondsInWords(n);
    const [one, many] = spec.noun ?? ['', ''];
    return `${n}${one ? ` ${n === 1 ? one : many}` : ''}`;
  };
  if (issue?.code === 'too_small' && typeof issue.minimum === 'number') {
    if (spec.kind === 'text' && issue.minimum <= 1) return 'This cannot be empty.';
    return `At least ${amount(issue.inclusive === false ? issue.minimum + 1 : issue.minimum)}.`;
  }
  if (issue?.code === 'too_big' && typeof issue.maximum === 'number') {
    return `At most ${amount(issue.inclusive === false ? issue.maximum - 1 : issue.maximum)}.`;
  }
  return spec.options ? 'Choose one of the options.' : 'This value is not allowed.';
}

/** "= 15m" next to a number of seconds. */
export function humanHint(spec: FieldSpec, text: string): string | null {
  if (spec.kind !== 'seconds' && !(spec.kind === 'count' && spec.unit === 's')) return null;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? `= ${describeSeconds(n)}` : null;
}
