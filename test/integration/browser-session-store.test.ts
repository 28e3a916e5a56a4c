/** The browser-session store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { browserSessionStoreSuite } from './browser-session-store.suite';

onEveryStore('warden-browser-sessions-', browserSessionStoreSuite);
