/**
 * A stand-in for the engine as the Electron shell sees it: every admin handler is a `vi.fn()`, and live events
 * are emitted by hand.
 */
import { vi } from 'vitest';
import { ADMIN_METHODS } from '../../../src/shared/admin-api';
import type { BridgeInfo } from '../../../src/shared/bridge';
import type { LiveEvent } from '../../../src/shared/events';
import type { AdminHandlers } from '../../../src/main/engine/dispatch';
import type { TokenEngine } from '../../../src/main/engine/types';

export interface FakeEngine extends Pick<TokenEngine, 'admin' | 'onEvent'> {
  emit(event: LiveEvent): void;
  readonly listenerCount: number;
}

export function createFakeEngine(): FakeEngine {
  const listeners = new Set<(event: LiveEvent) => void>();
  const admin = Object.fromEntries(ADMIN_METHODS.map((method) => [method, vi.fn(async () => ({ handled: method }))])) as unknown as AdminHandlers;
  return {
    admin,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    get listenerCount() {
      return listeners.size;
    },
  };
}

export function sampleEvent(seq = 1): LiveEvent {
  return { seq, type: 'session.revoked', at: 1_700_000_000_000, actor: 'admin:desktop', userId: 'u1', sessionId: 's1', reason: 'test', data: {} };
}

export const SAMPLE_INFO: BridgeInfo = {
  mode: 'electron',
  issuer: 'http://127.0.0.1:7420',
  keyStore: 'memory',
  demo: false,
  dataDir: '/tmp/warden-test',
};

/** The handlers of every admin method that were called, by name. */
export function calledHandlers(engine: Pick<TokenEngine, 'admin'>): string[] {
  return Object.entries(engine.admin)
    .filter(([, handler]) => vi.mocked(handler).mock.calls.length > 0)
    .map(([name]) => name);
}
