/**
 * The Sessions view's query classes for the scale suite (area C): `searchSessions` with every filter, over
 * inputs drawn from the generated data (scale-data.ts: clients in rotation, addresses 10.a.b.c by session
 * number, six devices, 35 % remember-me, 15 % revoked, activity skewed to the last days). Each class runs the
 * same number of varied inputs; a class whose inputs are pages further on carries the cursors of real pages.
 */
import type { AdminMethod } from '../../src/shared/admin-api';
import type { SearchSessionsInput } from '../../src/shared/session-search';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface SessionQueryClass {
  name: string;
  method: AdminMethod;
  inputs: SearchSessionsInput[];
}

interface Facts {
  now: number;
  clients: string[];
  sessions: number;
  users: Array<{ id: string }>;
}

const DEVICE_WORDS = ['firefox', 'iPhone', 'okhttp', 'Pixel 8', 'windows', 'macintosh', "ana's", 'safari'];
const STATUSES = ['active', 'expired', 'revoked', 'cant_refresh'] as const;

/** `n` inputs per class; `random` is the suite's seeded generator. */
export function sessionQueryClasses(facts: Facts, n: number, random: () => number): SessionQueryClass[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const times = (f: (i: number) => SearchSessionsInput) => Array.from({ length: n }, (_, i) => f(i));
  const high = Math.max(1, Math.ceil(facts.sessions / 65_536));
  // Addresses are 10.<s>>16>.<s>>8&255>.<s&255>: one, two and three octets after "10." select about 1/16, 1/4096
  // and a single session of a million.
  const ip = (i: number) => {
    const a = Math.floor(random() * high);
    const b = Math.floor(random() * 256);
    const c = Math.floor(random() * 256);
    return [`10.${a}.`, `10.${a}.${b}.`, `10.${a}.${b}.${c}`][i % 3]!;
  };
  const day = () => facts.now - Math.floor(random() * 60) * DAY;
  return [
    { name: 'all sessions, latest activity first (searchSessions {})', method: 'searchSessions', inputs: times(() => ({ limit: 50 })) },
    { name: 'sessions by client (searchSessions {clientId})', method: 'searchSessions', inputs: times((i) => ({ clientId: pick(facts.clients), ...(i % 2 ? { sort: { by: 'createdAt', dir: 'desc' } } : {}), limit: 50 })) },
    { name: 'sessions by IP prefix (searchSessions {ipPrefix}, 1 to 3 octets)', method: 'searchSessions', inputs: times((i) => ({ ipPrefix: ip(i), limit: 50 })) },
    { name: 'sessions by device or user-agent substring (searchSessions {device})', method: 'searchSessions', inputs: times(() => ({ device: pick(DEVICE_WORDS), limit: 50 })) },
    { name: 'sessions by status (searchSessions {status})', method: 'searchSessions', inputs: times((i) => ({ status: STATUSES[i % STATUSES.length]!, limit: 50 })) },
    {
      name: 'sessions created in a one-day range (searchSessions {createdFrom, createdTo})',
      method: 'searchSessions',
      inputs: times(() => {
        const from = day();
        return { createdFrom: from, createdTo: from + DAY, limit: 50 };
      }),
    },
    {
      name: 'sessions active in a one-hour range (searchSessions {activeFrom, activeTo})',
      method: 'searchSessions',
      inputs: times(() => {
        const from = facts.now - Math.floor(random() * 14 * 24) * HOUR;
        return { activeFrom: from, activeTo: from + HOUR, limit: 50 };
      }),
    },
    { name: 'remember-me sessions of a client (searchSessions {rememberMe, clientId})', method: 'searchSessions', inputs: times((i) => ({ rememberMe: i % 2 === 0, clientId: pick(facts.clients), limit: 50 })) },
    {
      name: 'filters combined (client + status + device, or + IP prefix + remember-me)',
      method: 'searchSessions',
      inputs: times((i) =>
        i % 2
          ? { clientId: pick(facts.clients), status: pick(STATUSES), device: pick(DEVICE_WORDS), limit: 50 }
          : { ipPrefix: `10.${Math.floor(random() * high)}.`, rememberMe: true, status: 'active', limit: 50 },
      ),
    },
    { name: "one user's sessions (searchSessions {userId})", method: 'searchSessions', inputs: times(() => ({ userId: pick(facts.users).id, limit: 50 })) },
  ];
}

/**
 * Follows `nextCursor` from each input's first page to a page further on (1 to `depth` pages), so the timed
 * inputs are the deeper pages an admin reaches by clicking "Next page".
 */
export async function deeperPages(
  call: (method: AdminMethod, input: unknown) => Promise<unknown>,
  inputs: SearchSessionsInput[],
  depth: number,
): Promise<SearchSessionsInput[]> {
  const out: SearchSessionsInput[] = [];
  for (const [i, input] of inputs.entries()) {
    let cursor: string | null | undefined;
    for (let page = 0; page <= i % depth; page += 1) {
      const result = (await call('searchSessions', { ...input, ...(cursor ? { cursor } : {}) })) as { nextCursor: string | null };
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    out.push(cursor ? { ...input, cursor } : input);
  }
  return out;
}
