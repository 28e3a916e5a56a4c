/** The user-directory store suite against SQLite in a real file and in ':memory:'. */
import { onEverySqliteStore } from '../helpers/sqlite-harness';
import { userDirectoryStoreSuite } from './user-directory-store.suite';

onEverySqliteStore('warden-user-directory-', userDirectoryStoreSuite);
