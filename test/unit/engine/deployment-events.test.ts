/**
 * DeploymentEvents (src/main/engine/deployment-events.ts) against a scripted shared store: what another
 * instance wrote is read back from the audit log on 'audit' and on 'resync' (a lost signal connection), each
 * entry once, this instance's own entries never twice, and the revocation listeners hear every signal. On a
 * store that is not shared, the listeners hear exactly this instance's publications.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/shared/dto';
import type { LiveEvent } from '../../../src/shared/events';
import { DeploymentEvents } from '../../../src/main/engine/deployment-events';
import type { ChangeTopic, Store } from '../../../src/main/store/store';

const entry = (seq: number, type = 'user.created'): AuditEntry => ({
  seq, at: 1000 + seq, type, actor: 'admin', userId: null, sessionId: null, reason: null, data: { seq }, prevHash: `h${seq - 1}`, hash: `h${seq}`,
});
const live = (seq: number | null, type = 'user.created'): LiveEvent =>
  ({ type, at: 1000, actor: 'admin', userId: null, sessionId: null, reason: null, data: {}, seq }) as LiveEvent;

/** A shared store whose audit log is `log`, whose signals the test sends with `signal`, and whose reads it can await. */
function scriptedStore(shared: boolean) {
  const log: AuditEntry[] = [];
  let listener: ((topic: ChangeTopic | 'resync') => void) | undefined;
  const reads: Array<() => void> = [];
  const store = {
    changes: { shared, announce: async () => {}, subscribe: (l: typeof listener) => ((listener = l), () => (listener = undefined)) },
    auditTail: {
      lockedHead: async () => undefined,
      after: async (afterSeq: number, limit: number) => {
        const rows = log.filter((e) => e.seq > afterSeq).slice(0, limit);
        queueMicrotask(() => reads.splice(0).forEach((done) => done()));
        return rows;
      },
    },
  } as unknown as Store;
  return {
    store,
    log,
    signal: (topic: ChangeTopic | 'resync') => listener?.(topic),
    subscribed: () => listener !== undefined,
    /** Resolves after the next tail read has been handled. */
    nextRead: () => new Promise<void>((resolve) => reads.push(() => setImmediate(resolve))),
  };
}

describe('deployment events', () => {
  it("delivers another instance's audit entries on 'audit', each once, skipping this instance's own", async () => {
    const s = scriptedStore(true);
    const events = new DeploymentEvents(s.store, (error) => { throw error; }, 2);
    const heard: Array<number | null> = [];
    events.onEvent((event) => heard.push(event.seq));
    // Entries 1–2 predate the engine's open: never delivered. 3 is another instance's, 4 this one's.
    s.log.push(entry(1), entry(2), entry(3), entry(4));
    events.published([live(4), live(null, 'session.refreshed')], false);
    expect(heard).toEqual([4, null]);
    let read = s.nextRead();
    s.signal('audit');
    await read;
    expect(heard).toEqual([4, null, 3]);
    // Signals again (folded or repeated): nothing twice.
    read = s.nextRead();
    s.signal('audit');
    await read;
    expect(heard).toEqual([4, null, 3]);
    events.close();
    expect(s.subscribed()).toBe(false);
  });

  it("reads what was missed while the signal connection was away on 'resync', and wakes the revocation listeners", async () => {
    const s = scriptedStore(true);
    const events = new DeploymentEvents(s.store, (error) => { throw error; }, 0);
    const heard: number[] = [];
    let wakes = 0;
    events.onEvent((event) => heard.push(event.seq!));
    events.onRevocationsChanged(() => (wakes += 1));
    s.log.push(entry(1), entry(2), entry(3));
    const read = s.nextRead();
    s.signal('resync');
    await read;
    expect(heard).toEqual([1, 2, 3]);
    expect(wakes).toBe(1);
    s.signal('revocations');
    events.published([], true);
    expect(wakes).toBe(3);
  });

  it('does not hand a later listener an own event published while nobody listened', async () => {
    const s = scriptedStore(true);
    const events = new DeploymentEvents(s.store, (error) => { throw error; }, 0);
    s.log.push(entry(1));
    events.published([live(1)], false);
    const heard: number[] = [];
    events.onEvent((event) => heard.push(event.seq!));
    s.log.push(entry(2));
    const read = s.nextRead();
    s.signal('audit');
    await read;
    expect(heard).toEqual([2]);
  });

  it('on a store that is not shared: exactly the local publications, no subscription, no reads', () => {
    const s = scriptedStore(false);
    const events = new DeploymentEvents(s.store, (error) => { throw error; }, 0);
    expect(s.subscribed()).toBe(false);
    const heard: Array<number | null> = [];
    let wakes = 0;
    events.onEvent((event) => heard.push(event.seq));
    events.onRevocationsChanged(() => (wakes += 1));
    events.published([live(1), live(null)], true);
    expect(heard).toEqual([1, null]);
    expect(wakes).toBe(1);
  });
});
