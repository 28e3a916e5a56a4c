/** The user-directory store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { userDirectoryStoreSuite } from './user-directory-store.suite';

onEveryStore('warden-user-directory-', userDirectoryStoreSuite);
