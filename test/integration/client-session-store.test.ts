/** The client-session and token-reach store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { clientSessionStoreSuite } from './client-session-store.suite';

onEveryStore('warden-client-sessions-', clientSessionStoreSuite);
