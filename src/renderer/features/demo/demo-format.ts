import type { DemoDevice } from '../../../shared/demo';

/** "first 401 12 ms after force logout", "waiting for the first 401 after force logout", or null. */
export function propagationText(device: DemoDevice): string | null {
  const p = device.propagation;
  if (!p) return null;
  if (p.ms === null) return `waiting for the first 401 after ${p.action}`;
  return `first 401 ${p.ms < 10 ? p.ms.toFixed(1) : Math.round(p.ms)} ms after ${p.action}`;
}

/** "200", "401", "—" */
export function statusText(device: DemoDevice): string {
  return device.lastStatus === null ? '—' : String(device.lastStatus);
}

export const KIND_LABEL: Record<DemoDevice['kind'], string> = { web: 'web browser', phone: 'phone', desktop: 'desktop app' };
