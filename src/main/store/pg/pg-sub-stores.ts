/**
 * PgStore's sub-stores (B2's ./pg-*-store.ts, D's key secrets), built on the store's query layer.
 */
import type { Store } from '../store';
import type { Db } from './db';
import { PgAdminStore } from './pg-admin-store';
import { PgAuditSearchStore } from './pg-audit-search-store';
import { PgAuditTailStore } from './pg-audit-tail-store';
import { PgAuthorizationCodeStore } from './pg-authorization-code-store';
import { PgBackchannelOutboxStore } from './pg-backchannel-outbox-store';
import { PgBrowserSessionStore } from './pg-browser-session-store';
import { PgClientSessionStore } from './pg-client-session-store';
import { PgCoordinationStore } from './pg-coordination-store';
import { PgKeySecretStore } from './pg-key-secret-store';
import { PgSessionSearchStore } from './pg-session-search-store';
import { PgTokenReachStore } from './pg-token-reach-store';
import { PgUserDirectoryStore } from './pg-user-directory-store';

/**
 * The names of Store's sub-store properties (`admins`, `browserSessions`, …): the members that are not methods
 * (`changes` aside: the deployment signals are PgStore's own, ./pg-changes.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SubStoreKey = Exclude<{ [K in keyof Store]-?: Store[K] extends ((...args: any[]) => any) | undefined ? never : K }[keyof Store], 'changes'>;

export type PgSubStores = { readonly [K in SubStoreKey]: Store[K] };

export function subStoresOf(db: Db): PgSubStores {
  return {
    backchannelOutbox: new PgBackchannelOutboxStore(db),
    browserSessions: new PgBrowserSessionStore(db),
    auditSearch: new PgAuditSearchStore(db),
    auditTail: new PgAuditTailStore(db),
    authorizationCodes: new PgAuthorizationCodeStore(db),
    admins: new PgAdminStore(db),
    clientSessions: new PgClientSessionStore(db),
    tokenReach: new PgTokenReachStore(db),
    sessionSearch: new PgSessionSearchStore(db),
    userDirectory: new PgUserDirectoryStore(db),
    keySecrets: new PgKeySecretStore(db),
    coordination: new PgCoordinationStore(db),
  };
}
