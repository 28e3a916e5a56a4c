/**
 * Rules that span two settings, checked as the admin types, beside the field they are about and in plain
 * words. `error`s are the rules the engine refuses too (src/main/engine/settings.ts, checkConsistency): Save
 * stays disabled. `warning`s are allowed but almost certainly a mistake (a remember-me session that ends
 * sooner than a normal one): said once, Save still works.
 */
import type { Settings } from '../../../shared/dto';
import { describeSecondsInWords } from './duration-units';
import type { SettingKey } from './settings-fields';

export interface RuleFinding {
  key: SettingKey;
  severity: 'error' | 'warning';
  message: string;
}

const words = describeSecondsInWords;

/** Every finding for `values` (the draft over the saved settings); fields that do not parse are left out. */
export function checkRules(values: Partial<Settings>): RuleFinding[] {
  const found: RuleFinding[] = [];
  const both = <A extends SettingKey, B extends SettingKey>(a: A, b: B, check: (x: Settings[A], y: Settings[B]) => RuleFinding | null) => {
    const x = values[a];
    const y = values[b];
    if (x === undefined || y === undefined) return;
    const finding = check(x as Settings[A], y as Settings[B]);
    if (finding) found.push(finding);
  };
  both('idleSeconds', 'absoluteSeconds', (idle, absolute) =>
    idle > absolute ? { key: 'idleSeconds', severity: 'error', message: `Can't be longer than the session absolute lifetime (${words(absolute)}).` } : null,
  );
  both('accessTokenTtlSeconds', 'absoluteSeconds', (ttl, absolute) =>
    ttl > absolute ? { key: 'accessTokenTtlSeconds', severity: 'error', message: `Can't be longer than the session absolute lifetime (${words(absolute)}).` } : null,
  );
  both('rememberMeIdleSeconds', 'rememberMeAbsoluteSeconds', (idle, absolute) =>
    idle > absolute ? { key: 'rememberMeIdleSeconds', severity: 'error', message: `Can't be longer than the remember-me absolute lifetime (${words(absolute)}).` } : null,
  );
  both('adminIdleSeconds', 'adminAbsoluteSeconds', (idle, absolute) =>
    idle > absolute ? { key: 'adminIdleSeconds', severity: 'error', message: `Can't be longer than the admin session absolute lifetime (${words(absolute)}).` } : null,
  );
  both('rememberMeIdleSeconds', 'idleSeconds', (rememberMe, normal) =>
    rememberMe < normal
      ? { key: 'rememberMeIdleSeconds', severity: 'warning', message: `Shorter than the normal idle timeout (${words(normal)}): ticking “remember me” would sign users out sooner.` }
      : null,
  );
  both('rememberMeAbsoluteSeconds', 'absoluteSeconds', (rememberMe, normal) =>
    rememberMe < normal
      ? { key: 'rememberMeAbsoluteSeconds', severity: 'warning', message: `Shorter than the normal absolute lifetime (${words(normal)}): ticking “remember me” would end sessions sooner.` }
      : null,
  );
  return found;
}
