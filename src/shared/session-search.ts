/**
 * The Sessions view's contract (area C, docs/sessions.md): `searchSessions` filters and its page, shared by the
 * admin method and the console (which keeps the same filters in its URL).
 */
import { z } from 'zod';
import { sessionSchema, sessionStatusSchema } from './dto';

const millis = z.number().int().nonnegative();

export const SESSION_SORT_FIELDS = ['lastActivityAt', 'createdAt'] as const;
export const sessionSortSchema = z
  .object({ by: z.enum(SESSION_SORT_FIELDS), dir: z.enum(['asc', 'desc']) })
  .strict();
export type SessionSort = z.infer<typeof sessionSortSchema>;

/** The most sessions one revokeSessions call takes (the grid's selection). */
export const MAX_SESSION_SELECTION = 500;

/** What selects sessions; every field optional, they combine with AND. Ranges: `from` inclusive, `to` exclusive. */
export const sessionFilterFields = {
  userId: z.string().min(1).max(200).optional(),
  clientId: z.string().min(1).max(64).optional(),
  /** The start of an IPv4 or IPv6 address as recorded: `10.2.`, `2001:db8:`. */
  ipPrefix: z
    .string()
    .trim()
    .min(1)
    .max(45)
    .regex(/^[0-9A-Fa-f.:]+$/, 'an address prefix: digits, a-f, dots and colons only')
    .optional(),
  /** A case-insensitive substring of the device name or of the user agent. */
  device: z.string().trim().min(1).max(200).optional(),
  status: sessionStatusSchema.optional(),
  createdFrom: millis.optional(),
  createdTo: millis.optional(),
  activeFrom: millis.optional(),
  activeTo: millis.optional(),
  rememberMe: z.boolean().optional(),
};

const orderedRange = (input: Record<string, unknown>, ctx: z.RefinementCtx) => {
  for (const name of ['created', 'active'] as const) {
    const from = input[`${name}From`];
    const to = input[`${name}To`];
    if (typeof from === 'number' && typeof to === 'number' && to < from) {
      ctx.addIssue({ code: 'custom', path: [`${name}To`], message: `"to" is before "from"` });
    }
  }
};

export const searchSessionsInputSchema = z
  .object({
    ...sessionFilterFields,
    sort: sessionSortSchema.optional(),
    /** A previous page's `nextCursor`, with the same sort. */
    cursor: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(500).optional(),
  })
  .strict()
  .superRefine(orderedRange);
export type SearchSessionsInput = z.input<typeof searchSessionsInputSchema>;

export const searchSessionsOutputSchema = z.object({
  items: z.array(sessionSchema),
  /** Where the next page starts; null at the end. */
  nextCursor: z.string().nullable(),
  /**
   * The page is short although the end was not reached: one page examines a bounded number of sessions, and
   * the filters matched few of them. Ask for the next page to keep searching.
   */
  partial: z.boolean(),
});
export type SearchSessionsOutput = z.infer<typeof searchSessionsOutputSchema>;
