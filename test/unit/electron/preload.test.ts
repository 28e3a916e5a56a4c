/**
 * The preload, loaded against the mocked `electron`: what `window.warden` exposes and how it talks to the main
 * process.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL, IPC_EVENT, IPC_INFO, IPC_PREFIX, type WardenBridge } from '../../../src/shared/bridge';
import type { AdminMethod } from '../../../src/shared/admin-api';
import { electronMock, resetElectronMock } from '../../mocks/electron';
import { SAMPLE_INFO, sampleEvent } from './fake-engine';

vi.mock('electron', () => import('../../mocks/electron'));

let exposed: { key: string; api: WardenBridge };

/** Runs the preload afresh (it exposes the bridge on load) and returns what it exposed. */
async function loadPreload(): Promise<void> {
  vi.resetModules();
  resetElectronMock();
  await import('../../../src/preload/index');
  const calls = electronMock.contextBridge.exposeInMainWorld.mock.calls;
  expect(calls).toHaveLength(1);
  const [key, api] = calls[0]!;
  exposed = { key, api: api as WardenBridge };
}

const invoke = () => electronMock.ipcRenderer.invoke;

beforeEach(loadPreload);

describe('what the preload exposes', () => {
  it('exposes exactly {call, onEvent, info, exportAudit} as window.warden, all functions (no raw ipcRenderer)', () => {
    expect(exposed.key).toBe('warden');
    expect(Object.keys(exposed.api).sort()).toEqual(['call', 'exportAudit', 'info', 'onEvent']);
    for (const value of Object.values(exposed.api)) expect(value).toBeTypeOf('function');
  });
});

describe('call', () => {
  it('sends a known method with its input on the call channel and returns the reply', async () => {
    invoke().mockResolvedValueOnce({ ok: true, value: { items: [] } });
    const reply = await exposed.api.call('listUsers', { limit: 10 });
    expect(reply).toEqual({ ok: true, value: { items: [] } });
    expect(invoke()).toHaveBeenCalledWith(IPC_CALL, 'listUsers', { limit: 10 });
  });

  it.each(['dropDatabase', '__proto__', 'constructor', 'hasOwnProperty', ''])('refuses %j without sending anything', async (method) => {
    const reply = await exposed.api.call(method as AdminMethod, {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(invoke()).not.toHaveBeenCalled();
  });

  it('refuses a non-string method name', async () => {
    const reply = await exposed.api.call(42 as unknown as AdminMethod, {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(invoke()).not.toHaveBeenCalled();
  });

  it('passes coded errors from the main process through unchanged', async () => {
    invoke().mockResolvedValueOnce({ ok: false, error: { code: 'forbidden', message: 'no' } });
    expect(await exposed.api.call('getStats', {})).toEqual({ ok: false, error: { code: 'forbidden', message: 'no' } });
  });

  it('never rejects: a broken transport or a malformed reply becomes internal_error', async () => {
    invoke().mockRejectedValueOnce(new Error("No handler registered for 'warden:call'"));
    await expect(exposed.api.call('getStats', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal_error' } });
    invoke().mockResolvedValueOnce('surprise');
    await expect(exposed.api.call('getStats', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal_error' } });
    invoke().mockResolvedValueOnce({ ok: false, error: 'nope' });
    await expect(exposed.api.call('getStats', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal_error' } });
  });

  it('reports input that cannot be cloned as invalid_input', async () => {
    invoke().mockRejectedValueOnce(new Error('An object could not be cloned.'));
    const reply = await exposed.api.call('listUsers', { search: () => 1 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('onEvent', () => {
  it('delivers the event payload (never the Electron event object) to the listener', () => {
    const listener = vi.fn();
    exposed.api.onEvent(listener);
    electronMock.ipcRenderer.emit(IPC_EVENT, { sender: 'ipc-event-object' }, sampleEvent(3));
    expect(listener).toHaveBeenCalledWith(sampleEvent(3));
    expect(listener.mock.calls[0]).toHaveLength(1);
  });

  it('unsubscribe removes exactly that listener, once', () => {
    const first = vi.fn();
    const second = vi.fn();
    const stopFirst = exposed.api.onEvent(first);
    exposed.api.onEvent(second);
    expect(electronMock.ipcRenderer.listenerCount(IPC_EVENT)).toBe(2);

    stopFirst();
    stopFirst();
    expect(electronMock.ipcRenderer.listenerCount(IPC_EVENT)).toBe(1);
    electronMock.ipcRenderer.emit(IPC_EVENT, {}, sampleEvent(4));
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledWith(sampleEvent(4));
  });

  it('subscribing the same function twice gives two independent subscriptions', () => {
    const listener = vi.fn();
    const stopA = exposed.api.onEvent(listener);
    exposed.api.onEvent(listener);
    stopA();
    electronMock.ipcRenderer.emit(IPC_EVENT, {}, sampleEvent(5));
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('info', () => {
  it('returns the facts from the main process', async () => {
    invoke().mockResolvedValueOnce({ ok: true, value: SAMPLE_INFO });
    await expect(exposed.api.info()).resolves.toEqual(SAMPLE_INFO);
    expect(invoke()).toHaveBeenCalledWith(IPC_INFO);
  });

  it('rejects with the main process message when refused', async () => {
    invoke().mockResolvedValueOnce({ ok: false, error: { code: 'forbidden', message: 'IPC is only accepted from the console.' } });
    await expect(exposed.api.info()).rejects.toThrow('IPC is only accepted from the console.');
  });
});

describe('channels', () => {
  it('uses only channels with the warden: prefix', async () => {
    invoke().mockResolvedValue({ ok: true, value: SAMPLE_INFO });
    await exposed.api.call('getStats', {});
    await exposed.api.info();
    exposed.api.onEvent(() => {});
    const invoked = invoke().mock.calls.map(([channel]) => channel);
    const listened = electronMock.ipcRenderer.eventNames().map(String);
    expect([...invoked, ...listened].length).toBeGreaterThan(0);
    for (const channel of [...invoked, ...listened]) expect(channel.startsWith(IPC_PREFIX)).toBe(true);
  });
});
