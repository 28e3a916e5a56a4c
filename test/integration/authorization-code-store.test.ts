/** The authorization-code store suite against SQLite in a real file and in ':memory:'. */
import { onEverySqliteStore } from '../helpers/sqlite-harness';
import { codeStoreSuite } from './authorization-code-store.suite';

onEverySqliteStore('warden-codes-', codeStoreSuite);
