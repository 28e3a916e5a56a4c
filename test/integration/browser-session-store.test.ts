/** The browser-session store suite against SQLite in a real file and in ':memory:'. */
import { onEverySqliteStore } from '../helpers/sqlite-harness';
import { browserSessionStoreSuite } from './browser-session-store.suite';

onEverySqliteStore('warden-browser-sessions-', browserSessionStoreSuite);
