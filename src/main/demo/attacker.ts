/**
 * The scripted attacker: copies a device's current refresh token, waits until the device has rotated it
 * (the device is nudged to rotate at once so the demo takes seconds, not a token lifetime), then replays the
 * stolen token at the token endpoint from its own machine. Rotation with reuse detection must refuse the
 * replay and revoke the whole session: the device's next API call gets a 401.
 */
import type { DemoAttacker } from '../../shared/demo';
import { WardenError } from '../../shared/errors';
import type { SimulatedDevice } from './device';
import { GrantRefused, type TokenClient } from './token-client';

/** The attacker's own tool, as the reuse event records it. */
const ATTACKER_USER_AGENT = 'curl/8.5.0';

export class Attacker {
  private state: DemoAttacker = { state: 'idle', deviceId: null, stolenAt: null, replayedAt: null, outcome: null };

  constructor(
    private readonly tokens: TokenClient,
    private readonly now: () => number,
  ) {}

  snapshot(): DemoAttacker {
    return { ...this.state };
  }

  /** Steals from `device`, waits for its rotation and replays; resolves with the outcome. */
  async steal(device: SimulatedDevice): Promise<DemoAttacker> {
    if (this.state.state === 'waiting') throw new WardenError('conflict', 'The attacker is already waiting to replay a stolen token.');
    const stolen = device.currentRefreshToken;
    if (!stolen) throw new WardenError('conflict', `${device.cast.deviceName} is not signed in; there is no refresh token to steal.`);
    this.state = { state: 'waiting', deviceId: device.id, stolenAt: this.now(), replayedAt: null, outcome: null };
    const rotated = await device.rotateNow();
    if (!rotated) {
      this.state = { ...this.state, state: 'failed', outcome: 'The device did not rotate its token (paused or logged out); nothing was replayed.' };
      return this.snapshot();
    }
    try {
      await this.tokens.refresh({ refreshToken: stolen, clientId: device.cast.clientId, userAgent: ATTACKER_USER_AGENT });
      this.state = { ...this.state, state: 'replayed', replayedAt: this.now(), outcome: 'The replay was accepted (is a reuse grace window configured?).' };
    } catch (error) {
      const outcome =
        error instanceof GrantRefused ? `Refused: ${error.status} ${error.error}${error.description ? ` (${error.description})` : ''}` : 'The replay could not reach the token endpoint.';
      this.state = { ...this.state, state: error instanceof GrantRefused ? 'replayed' : 'failed', replayedAt: this.now(), outcome };
    }
    return this.snapshot();
  }
}
