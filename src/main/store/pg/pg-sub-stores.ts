/**
 * PgStore's sub-stores (B2's ./pg-*-store.ts, D's key secrets), built on the store's query layer. A sub-store
 * that has not landed yet is a stand-in whose every method rejects with a clear "not yet" error, so the core can
 * be used and tested meanwhile; each line below becomes `new PgXStore(db)` as its file lands.
 */
import type { Store } from '../store';
import type { Async, SubStoreKey } from './async-contract';
import type { Db } from './db';
import { PgAdminStore } from './pg-admin-store';
import { PgAuditSearchStore } from './pg-audit-search-store';
import { PgAuthorizationCodeStore } from './pg-authorization-code-store';
import { PgBackchannelOutboxStore } from './pg-backchannel-outbox-store';
import { PgBrowserSessionStore } from './pg-browser-session-store';
import { PgClientSessionStore } from './pg-client-session-store';
import { PgSessionSearchStore } from './pg-session-search-store';
import { PgTokenReachStore } from './pg-token-reach-store';
import { PgUserDirectoryStore } from './pg-user-directory-store';

export type PgSubStores = { readonly [K in SubStoreKey]: Async<Store[K]> };

/** A stand-in for a sub-store not written yet: any method call rejects, naming it. */
function notYet<K extends SubStoreKey>(name: K): Async<Store[K]> {
  return new Proxy({}, {
    get(_target, property) {
      if (typeof property !== 'string' || property === 'then') return undefined;
      return () => Promise.reject(new Error(`PgStore.${name}.${property}: the PostgreSQL ${name} store is not yet implemented`));
    },
  }) as Async<Store[K]>;
}

export function subStoresOf(db: Db): PgSubStores {
  return {
    backchannelOutbox: new PgBackchannelOutboxStore(db),
    browserSessions: new PgBrowserSessionStore(db),
    auditSearch: new PgAuditSearchStore(db),
    authorizationCodes: new PgAuthorizationCodeStore(db),
    admins: new PgAdminStore(db),
    clientSessions: new PgClientSessionStore(db),
    tokenReach: new PgTokenReachStore(db),
    sessionSearch: new PgSessionSearchStore(db),
    userDirectory: new PgUserDirectoryStore(db),
    keySecrets: notYet('keySecrets'),
  };
}
