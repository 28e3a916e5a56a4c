/** The admin store suite against SQLite in a real file and in ':memory:'. */
import { onEverySqliteStore } from '../helpers/sqlite-harness';
import { adminStoreSuite } from './admin-store.suite';

onEverySqliteStore('warden-admins-', adminStoreSuite);
