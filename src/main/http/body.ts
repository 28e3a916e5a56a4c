/**
 * Request bodies: read with a hard size cap, then parsed as an OAuth form (RFC 6749 §3.2, form-urlencoded,
 * no duplicate parameters) or as JSON (admin API). Failures are WardenErrors (`payload_too_large`,
 * `invalid_input`), which each transport maps to its own error shape.
 */
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../../shared/errors';

/** Bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the whole body, refusing more than `limit` bytes (by Content-Length up front, or while streaming). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    // Stop reading: the connection is closed after the 413 instead of draining an unbounded upload.
    req.pause();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = () => finish(new WardenError('invalid_input', 'The request body could not be read.'));
    const onAborted = () => finish(new WardenError('invalid_input', 'The request was aborted.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limit: number): WardenError {
  return new WardenError('payload_too_large', `The request body exceeds ${limit} bytes.`);
}

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(req: IncomingMessage): string {
  const header = req.headers['content-type'] ?? '';
  return header.split(';', 1)[0]!.trim().toLowerCase();
}

/** A parsed OAuth form: each parameter at most once; parameters without a value count as omitted. */
export type FormParams = ReadonlyMap<string, string>;

/**
 * Parses an `application/x-www-form-urlencoded` body strictly. URLSearchParams would silently keep the last
 * duplicate and pass malformed percent-escapes through; RFC 6749 §3.2 says a parameter MUST NOT be included
 * more than once, so duplicates are an error here.
 */
export function parseForm(body: Buffer): FormParams {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  const text = body.toString('utf8');
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    if (name === '') throw new WardenError('invalid_input', 'The form body has a parameter without a name.');
    if (seen.has(name)) throw new WardenError('invalid_input', `The parameter "${printable(name)}" is repeated.`);
    seen.add(name);
    // RFC 6749 §3.1: a parameter sent without a value is treated as omitted (but still counts as sent above).
    if (value !== '') params.set(name, value);
  }
  return params;
}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new WardenError('invalid_input', 'The form body is not valid form-urlencoded UTF-8.');
  }
}

/** A parameter name made safe to echo in an error message. */
function printable(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

/** Reads and parses an OAuth form body; the media type must be form-urlencoded. */
export async function readForm(req: IncomingMessage): Promise<FormParams> {
  const body = await readBody(req);
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    throw new WardenError('invalid_input', 'The request body must be application/x-www-form-urlencoded.');
  }
  return parseForm(body);
}

/** Reads a JSON body (admin API). An empty body is `{}`; anything else must be application/json. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  if (mediaType(req) !== 'application/json') {
    throw new WardenError('invalid_input', 'The request body must be application/json.');
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new WardenError('invalid_input', 'The request body is not valid JSON.');
  }
}
