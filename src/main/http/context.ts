/** What every endpoint module receives: the engine and the service's shared parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../engine/clock';
import type { TokenEngine } from '../engine/types';
import type { AddressThrottle } from './address-throttle';

export interface ServiceContext {
  readonly engine: TokenEngine;
  readonly clock: Clock;
  /** Failed password attempts per source address. */
  readonly throttle: AddressThrottle;
  /** Logs an internal fault (a 500); `where` names the endpoint. Never called for bad input. */
  readonly logFault: (where: string, fault: unknown) => void;
}

export type Endpoint = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
