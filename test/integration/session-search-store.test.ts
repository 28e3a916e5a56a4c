/** The session-search store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { sessionSearchStoreSuite } from './session-search-store.suite';

onEveryStore('warden-session-search-', sessionSearchStoreSuite);
