/** The admin store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { adminStoreSuite } from './admin-store.suite';

onEveryStore('warden-admins-', adminStoreSuite);
