/**
 * Signing JWS outside the event loop. A signature is the largest fixed cost of a refresh that is not
 * storage (about a fifth of it, measured with `npm run bench -- token` and `--cpu-prof`), and it needs no
 * engine state: the claims are decided, and the rotation committed, before anything is signed. So batches
 * of coalesced refreshes hand their signing inputs to one worker thread and the event loop goes on with
 * HTTP and the next transaction. Small batches (a quiet service) are signed inline: the hop would only add
 * latency where no throughput is needed.
 *
 * The private KeyObjects cross to the worker by postMessage (same process, never serialised to bytes).
 * If the worker fails, signing falls back to inline for good — a signature is deterministic work, so a
 * caller never sees the difference except in speed.
 */
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { SigningAlg } from '../../shared/dto';
import { signJwsInput } from './jwt';

/** A token whose claims are final, waiting only for its signature. */
export interface PendingJws {
  signingInput: string;
  alg: SigningAlg;
  key: KeyObject;
}

/** Batches smaller than this are signed inline. */
export const OFFLOAD_MIN_BATCH = 4;

export function signNow(pending: PendingJws): string {
  return `${pending.signingInput}.${signJwsInput(pending.signingInput, pending.alg, pending.key)}`;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
parentPort.on('message', ({ id, keys, items }) => {
  try {
    const signatures = items.map(([input, keyIndex]) => {
      const { key, alg } = keys[keyIndex];
      const options = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : { key };
      return sign(alg === 'ES256' ? 'sha256' : null, Buffer.from(input), options).toString('base64url');
    });
    parentPort.postMessage({ id, signatures });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Waiting {
  batch: PendingJws[];
  resolve: (tokens: string[]) => void;
  reject: (error: unknown) => void;
}

/** Signs a batch inline into `waiting`'s promise. */
function settleNow(waiting: Waiting): void {
  try {
    waiting.resolve(waiting.batch.map(signNow));
  } catch (error) {
    waiting.reject(error);
  }
}

export class JwsSigner {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /**
   * Signs every pending token; resolves with the compact JWS strings in the same order. A worker failure
   * never rejects (the batch is signed inline instead); only a signature that cannot be made at all does.
   */
  signAll(batch: PendingJws[]): Promise<string[]> {
    if (batch.length < OFFLOAD_MIN_BATCH || this.failed) return Promise.resolve().then(() => batch.map(signNow));
    const worker = this.ensureWorker();
    const keys: { key: KeyObject; alg: SigningAlg }[] = [];
    const items = batch.map((pending) => {
      let index = keys.findIndex((k) => k.key === pending.key);
      if (index < 0) index = keys.push({ key: pending.key, alg: pending.alg }) - 1;
      return [pending.signingInput, index] as const;
    });
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { batch, resolve, reject });
      // While an answer is owed, the thread keeps the process alive (a script awaiting a refresh must not
      // exit half way); idle, it never does.
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ id, keys, items });
    });
  }

  close(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.failed = true;
    this.settleInline();
    if (worker) void worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    worker.on('message', (message: { id: number; signatures?: string[]; error?: string }) => {
      const waiting = this.waiting.get(message.id);
      if (!waiting) return;
      this.waiting.delete(message.id);
      if (this.waiting.size === 0) worker.unref();
      if (message.signatures) {
        waiting.resolve(waiting.batch.map((pending, i) => `${pending.signingInput}.${message.signatures![i]}`));
      } else {
        this.onError(new Error(`JWS signer thread: ${message.error}`));
        settleNow(waiting);
      }
    });
    const giveUp = (error: unknown) => {
      if (this.failed) return;
      this.failed = true;
      this.worker = undefined;
      this.onError(error);
      this.settleInline();
    };
    worker.on('error', giveUp);
    worker.on('exit', (code) => giveUp(new Error(`JWS signer thread exited (${code}); signing inline from now on`)));
    this.worker = worker;
    return worker;
  }

  /** Whatever is still waiting on the worker is signed here instead. */
  private settleInline(): void {
    for (const [id, waiting] of this.waiting) {
      this.waiting.delete(id);
      settleNow(waiting);
    }
  }
}
