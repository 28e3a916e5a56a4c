/**
 * The one structured logger (pino): JSON lines, one object per event, on stdout by default (where container
 * runtimes and journald collect them). Everything logged passes through ./redact first — fields by name,
 * strings by shape — so no token, secret, password, Authorization/Cookie header, authorization code or
 * refresh token can reach the output, whoever calls it with whatever.
 *
 * The human lines of `npm run serve` (`Token Warden listening on …`) are not log events and are written by
 * headless.ts as before; they never start with `{`, so a reader tells the two apart by the first character.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config';
import { bufferedDestination } from './log-destination';
import { redactValue, scrubText, serializeError } from './redact';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where the lines go (default stdout, buffered per event-loop turn: ./log-destination); tests pass a stream that collects them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: 'token-warden', pid: process.pid },
      timestamp: isoTime,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        // Every object logged, at any depth (pino calls this before its serializers).
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      // formatters.log has already made errors plain, scrubbed objects (./redact); this covers a direct use.
      serializers: { err: (error: unknown) => (error instanceof Error ? redactValue(serializeError(error)) : error) },
      hooks: {
        // The message text (and any printf arguments) is scrubbed too.
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>;
          return method.apply(this, scrubbed);
        },
      },
    },
    options.destination ?? bufferedDestination(1),
  );
  // A child's bindings are serialised once, outside formatters.log: they are redacted on the way in. Children
  // inherit this `child` (pino makes them with Object.create), so grandchildren are covered too.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactValue(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
  return logger;
}

let lastMs = Number.NaN;
let lastTime = '';
/**
 * pino's isoTime (`,"time":"<ISO 8601>"`), formatted once per millisecond: under load many lines share one,
 * and formatting a date took a quarter of a request line's cost.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** A logFault for the token service and the engine's onError: one `error` event per fault, with its place. */
export function faultLogger(logger: Logger): (where: string, fault: unknown) => void {
  return (where, fault) => logger.error({ where, err: fault instanceof Error ? fault : new Error(String(fault)) }, `internal error in ${where}`);
}
