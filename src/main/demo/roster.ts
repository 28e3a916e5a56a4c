/**
 * The demo's cast: users with realistic names and their devices (web browser, phone, desktop app), with
 * real-looking device names and user agents. Deterministic, so every demo looks the same for a given size.
 */
import type { DemoDeviceKind } from '../../shared/demo';

const FIRST = ['Ana', 'Ben', 'Chloe', 'Diego', 'Emma', 'Farah', 'Gus', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Marco', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tariq', 'Uma', 'Victor', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Silva', 'Okafor', 'Martin', 'Ramos', 'Schulz', 'Haddad', 'Novak', 'Tanaka', 'Petrov', 'Costa', 'Mensah', 'Berg', 'Rossi', 'Karim', 'Farouk', 'Sharma', 'Walsh', 'Lopez', 'Kim', 'Aziz', 'Nair', 'Dubois', 'Li', 'Moreau', 'Evans'];

/** Everyone in the demo signs in with this password (shown in the panel: it is a demo). */
export const DEMO_PASSWORD = 'demo-password-123';

/** The public first-party clients the devices sign in through, and the demo API's confidential client. */
export const DEMO_CLIENTS = {
  web: { clientId: 'demo-web', name: 'Demo web app' },
  phone: { clientId: 'demo-mobile', name: 'Demo mobile app' },
  desktop: { clientId: 'demo-desktop', name: 'Demo desktop app' },
  api: { clientId: 'demo-api', name: 'Demo API (resource server)' },
} as const;

interface DeviceModel {
  kind: DemoDeviceKind;
  label: (first: string) => string;
  userAgent: string;
}

const MODELS: DeviceModel[] = [
  { kind: 'phone', label: (f) => `${f}'s iPhone`, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 DemoMobile/3.2' },
  { kind: 'web', label: (f) => `${f}'s Firefox on Linux`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
  { kind: 'desktop', label: (f) => `${f}'s MacBook app`, userAgent: 'DemoDesktop/2.4.1 (Macintosh; Intel Mac OS X 14_5) Electron/31.0.0' },
  { kind: 'phone', label: (f) => `${f}'s Pixel 8`, userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 DemoMobile/3.2' },
  { kind: 'web', label: (f) => `${f}'s Chrome on Windows`, userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' },
  { kind: 'desktop', label: (f) => `${f}'s Windows app`, userAgent: 'DemoDesktop/2.4.1 (Windows NT 10.0; Win64; x64) Electron/31.0.0' },
  { kind: 'web', label: (f) => `${f}'s Safari on macOS`, userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' },
];

/** One to three devices per user, in this repeating pattern (3, 2, 1, 2, …). */
const DEVICES_PER_USER = [3, 2, 1, 2, 3, 1];

export interface CastUser {
  username: string;
  displayName: string;
  first: string;
}

export interface CastDevice {
  /** Stable and URL-safe: `d1`, `d2`, … */
  id: string;
  user: CastUser;
  kind: DemoDeviceKind;
  deviceName: string;
  userAgent: string;
  clientId: string;
  rememberMe: boolean;
}

/** Users and devices for `deviceCount` simulated devices. */
export function buildCast(deviceCount: number): { users: CastUser[]; devices: CastDevice[] } {
  const users: CastUser[] = [];
  const devices: CastDevice[] = [];
  let model = 0;
  for (let u = 0; devices.length < deviceCount; u += 1) {
    const first = FIRST[u % FIRST.length]!;
    const last = LAST[(u + Math.floor(u / FIRST.length)) % LAST.length]!;
    const round = Math.floor(u / FIRST.length);
    const username = `${first}.${last}`.toLowerCase() + (round > 0 ? String(round + 1) : '');
    const user: CastUser = { username, displayName: `${first} ${last}`, first };
    users.push(user);
    const count = Math.min(DEVICES_PER_USER[u % DEVICES_PER_USER.length]!, deviceCount - devices.length);
    for (let d = 0; d < count; d += 1) {
      const m = MODELS[model % MODELS.length]!;
      model += 1;
      devices.push({
        id: `d${devices.length + 1}`,
        user,
        kind: m.kind,
        deviceName: m.label(first),
        userAgent: m.userAgent,
        clientId: DEMO_CLIENTS[m.kind].clientId,
        // Phones and desktop apps keep people signed in; browsers mostly don't.
        rememberMe: m.kind !== 'web' || devices.length % 3 === 0,
      });
    }
  }
  return { users, devices };
}
