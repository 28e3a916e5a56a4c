/** Engine settings: defaults, and loading/saving them through the store. */
import { settingsSchema, type Settings, type SigningAlg } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { Store } from '../store/store';

/**
 * The algorithm of a new install's keys when `--signing-alg` does not choose one. A new install records it in
 * its settings at first start (an existing one got the old default recorded by migration 4), so changing this
 * constant only affects installs created afterwards. Measurements behind the choice: docs/keys.md.
 */
export const DEFAULT_SIGNING_ALG: SigningAlg = 'ES256';

export const DEFAULT_SETTINGS: Settings = {
  accessTokenTtlSeconds: 10 * 60,
  idleSeconds: 2 * 3600,
  absoluteSeconds: 12 * 3600,
  rememberMeIdleSeconds: 7 * 24 * 3600,
  rememberMeAbsoluteSeconds: 30 * 24 * 3600,
  sessionLimit: 0,
  sessionLimitPolicy: 'revoke_oldest',
  reuseGraceSeconds: 0,
  clockSkewSeconds: 5,
  maxFailedLogins: 5,
  loginLockSeconds: 15 * 60,
  audience: 'token-warden-api',
  signingAlg: DEFAULT_SIGNING_ALG,
  auditRefreshes: false,
  adminTotpRequired: false,
  adminIdleSeconds: 30 * 60,
  adminAbsoluteSeconds: 12 * 3600,
};

const SETTINGS_KEY = 'engine_settings';

/** Reads saved settings over the defaults; a damaged row falls back to the defaults rather than failing. */
export async function loadSettings(store: Store): Promise<Settings> {
  const raw = await store.getSetting(SETTINGS_KEY);
  if (!raw) return { ...DEFAULT_SETTINGS };
  try {
    const parsed = settingsSchema.partial().safeParse(JSON.parse(raw));
    if (parsed.success) return checkConsistency({ ...DEFAULT_SETTINGS, ...parsed.data });
  } catch {
    // fall through to defaults
  }
  return { ...DEFAULT_SETTINGS };
}

/**
 * Saves the whole set. Inside a transaction, other instances hear 'settings' once it commits (and re-read);
 * a set computed from memory may overwrite a change another instance committed meanwhile: compute it from
 * `lockSettings` in the same transaction.
 */
export async function saveSettings(store: Store, settings: Settings): Promise<void> {
  await store.putSetting(SETTINGS_KEY, JSON.stringify(settings));
  await store.changes.announce('settings');
}

/**
 * Inside a transaction: the saved settings, read under the deployment-wide settings lock (held until the
 * transaction ends; SQLite has one writer and needs none), so a change computed from them and saved in the same
 * transaction cannot undo one that another instance committed meanwhile.
 */
export async function lockSettings(store: Store): Promise<Settings> {
  await store.coordination.lock('settings');
  return loadSettings(store);
}

/**
 * Records some fields over what is saved, leaving the rest to follow the defaults (saveSettings writes them
 * all). A saved row that does not parse is replaced: loadSettings would ignore it anyway.
 */
export async function pinSettings(store: Store, patch: Partial<Settings>): Promise<void> {
  await store.coordination.lock('settings');
  let saved: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await store.getSetting(SETTINGS_KEY) ?? '{}');
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) saved = parsed as Record<string, unknown>;
  } catch {
    // replaced below
  }
  await store.putSetting(SETTINGS_KEY, JSON.stringify({ ...saved, ...patch }));
  await store.changes.announce('settings');
}

/** Rules that span fields: an idle lifetime longer than the absolute one would be meaningless. */
export function checkConsistency(settings: Settings): Settings {
  if (settings.idleSeconds > settings.absoluteSeconds) {
    throw new WardenError('invalid_input', 'idleSeconds must not exceed absoluteSeconds.');
  }
  if (settings.rememberMeIdleSeconds > settings.rememberMeAbsoluteSeconds) {
    throw new WardenError('invalid_input', 'rememberMeIdleSeconds must not exceed rememberMeAbsoluteSeconds.');
  }
  if (settings.adminIdleSeconds > settings.adminAbsoluteSeconds) {
    throw new WardenError('invalid_input', 'adminIdleSeconds must not exceed adminAbsoluteSeconds.');
  }
  if (settings.accessTokenTtlSeconds > settings.absoluteSeconds) {
    throw new WardenError('invalid_input', 'accessTokenTtlSeconds must not exceed absoluteSeconds.');
  }
  return settings;
}
