/**
 * `GET /admin/events` for a console session that manages a remote deployment: the headless console host
 * opens the remote's event stream with the profile's key and relays each event (its `id:` kept) to the
 * browser. The remote is opened first, so an unreachable one answers a coded error (502
 * `deployment_unreachable`) instead of an empty stream. The relay ends when the remote's stream ends, when the
 * caller switches deployment, and when the caller's own console session here ends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DomainEventType } from '../../shared/events';
import type { DeploymentManager } from '../deployments/index';
import type { AdminAuth, AdminPrincipal } from './admin-auth';
import type { ServiceContext } from './context';
import type { SseRegistry, SseStream } from './sse';

/** Local events after which the caller's own session may have ended (as in ./admin-endpoints.ts). */
const ACCESS_ENDING_EVENTS: ReadonlySet<DomainEventType> = new Set<DomainEventType>(['admin.session_ended', 'admin.key_revoked', 'admin.updated', 'admin.password_changed']);

export async function proxyRemoteEvents(
  ctx: ServiceContext,
  auth: AdminAuth,
  sse: SseRegistry,
  deployments: DeploymentManager,
  req: IncomingMessage,
  res: ServerResponse,
  principal: AdminPrincipal,
): Promise<void> {
  // Events may arrive before the local stream is open (they are dropped then: the console refetches on open).
  const relay: { stream?: SseStream; ended: boolean } = { ended: false };
  const unsubscribe = await deployments.subscribe(principal.who, {
    onEvent(event, id) {
      relay.stream?.write(`${id === null ? '' : `id: ${id}\n`}data: ${JSON.stringify(event)}\n\n`);
    },
    onEnd() {
      relay.ended = true;
      relay.stream?.close();
    },
  });
  const open = sse.open(req, res);
  relay.stream = open;
  open.onClose(unsubscribe);
  if (relay.ended) {
    open.close();
    return;
  }
  open.write(': live\n\n');
  const key = deployments.callerKey(principal.who);
  open.onClose(deployments.onSwitch((switched) => switched === key && open.close()));
  // The caller's session here still governs the relay: signing out (or being disabled) ends it.
  let until = principal.session ? Math.min(principal.session.row.idleExpiresAt, principal.session.row.absoluteExpiresAt) : Number.POSITIVE_INFINITY;
  // Listeners stay synchronous: the recheck (it reads the store) settles on its own; a failed one ends the relay.
  const stopLocal = ctx.engine.onEvent((event) => {
    if (!ACCESS_ENDING_EVENTS.has(event.type) && ctx.clock.now() < until) return;
    auth.recheck(req, principal).then((still) => {
      if (!still) open.close();
      else until = still.until;
    }, (error: unknown) => {
      open.close();
      ctx.logFault('GET /admin/events (relay)', error);
    });
  });
  open.onClose(stopLocal);
}
