import { z } from 'zod';
import { DOMAIN_EVENT_TYPES, type LiveEvent } from '../../shared/events';

/** A live event as it arrives over SSE: untrusted until parsed. */
const liveEventSchema = z.object({
  seq: z.number().int().nullable(),
  type: z.enum(DOMAIN_EVENT_TYPES),
  at: z.number(),
  actor: z.string(),
  userId: z.string().nullable(),
  sessionId: z.string().nullable(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

/** Narrows an untrusted value (an IPC payload) to a LiveEvent, or null. */
export function toLiveEvent(value: unknown): LiveEvent | null {
  const parsed = liveEventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function parseOne(text: string): LiveEvent | null {
  try {
    const parsed = liveEventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Parses one SSE `data` payload into LiveEvents: one JSON per message, or (tolerated) one JSON per line. */
export function parseLiveEvents(payload: string): LiveEvent[] {
  const whole = parseOne(payload);
  if (whole !== null) return [whole];
  if (!payload.includes('\n')) return [];
  return payload.split('\n').flatMap((line) => {
    const event = parseOne(line);
    return event === null ? [] : [event];
  });
}
