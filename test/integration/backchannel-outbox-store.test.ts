/** The outbox suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import { onEveryStore } from '../helpers/every-store';
import { outboxSuite } from './backchannel-outbox-store.suite';

onEveryStore('warden-outbox-', outboxSuite);
