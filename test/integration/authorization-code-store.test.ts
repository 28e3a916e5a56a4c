/** The authorization-code store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { codeStoreSuite } from './authorization-code-store.suite';

onEveryStore('warden-codes-', codeStoreSuite);
