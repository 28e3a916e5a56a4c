/** The outbox suite against SQLite in a real file and in ':memory:'. */
import { onEverySqliteStore } from '../helpers/sqlite-harness';
import { outboxSuite } from './backchannel-outbox-store.suite';

onEverySqliteStore('warden-outbox-', outboxSuite);
