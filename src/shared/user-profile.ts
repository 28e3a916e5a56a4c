/**
 * The rules for a user's profile fields and the user-management inputs (area D), shared by the admin contract
 * and the console's forms so that both say the same thing. Bounds keep one user row small (a few kilobytes).
 */
import { z } from 'zod';

export const MAX_DISPLAY_NAME = 200;
export const MAX_EMAIL = 254;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_NAME = 64;
export const MAX_ATTRIBUTE_VALUE = 500;
/** The longest search text: longer than any username, display name or email it could be a substring of. */
export const MAX_USER_SEARCH = 254;

/** Null clears the field; text is trimmed and may not be empty. */
export const displayNameSchema = z.string().trim().min(1, 'Enter a name, or clear the field.').max(MAX_DISPLAY_NAME).nullable();
/** Null clears the field. Checked for shape only: nothing is sent to it. */
export const emailSchema = z.email('Enter an email address such as ana@example.com.').max(MAX_EMAIL).nullable();
export const attributeNameSchema = z
  .string()
  .min(1)
  .max(MAX_ATTRIBUTE_NAME)
  .regex(/^[A-Za-z0-9._:-]+$/, 'Names use letters, digits and . _ : - only.');
/** The whole set: it replaces the user's attributes (send `{}` to clear them). */
export const attributesSchema = z
  .record(attributeNameSchema, z.string().max(MAX_ATTRIBUTE_VALUE))
  .refine((value) => Object.keys(value).length <= MAX_ATTRIBUTES, `At most ${MAX_ATTRIBUTES} attributes.`);
