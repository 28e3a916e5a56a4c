/**
 * What the feed has revoked, in memory, answered with a few Map lookups per request. Bounded: a revoked jti
 * is kept until its token's exp (+ skew); a revoked session until no token it issued can still be alive
 * (`retainMs` after the revocation); a user's not-before and revoked kids are one entry each.
 */
import type { AccessTokenClaims } from './verdict-reasons.js';
import type { KitReason, RevokedSubject } from './types.js';

export class RevocationState {
  private readonly jtis = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly notBefore = new Map<string, number>();
  private readonly kids = new Set<string>();

  constructor(
    /** How long a session revocation is remembered: at least the longest access-token lifetime. */
    private readonly retainMs: number,
    private readonly skewMs: number,
  ) {}

  apply(subject: RevokedSubject, now: number): void {
    switch (subject.kind) {
      case 'jti':
        this.jtis.set(subject.id, subject.exp);
        break;
      case 'session':
        this.sessions.set(subject.id, now);
        break;
      case 'user':
        // Not-before only moves forward; an older event replayed late cannot loosen it.
        if ((this.notBefore.get(subject.id) ?? Number.NEGATIVE_INFINITY) < subject.notBefore) this.notBefore.set(subject.id, subject.notBefore);
        break;
      case 'key':
        this.kids.add(subject.id);
        break;
    }
  }

  /** Why the token is revoked, or undefined. `iat` is seconds, not-before ms (feed-format.ts). */
  check(claims: AccessTokenClaims, kid: string): KitReason | undefined {
    if (this.kids.size !== 0 && this.kids.has(kid)) return 'revoked_kid';
    if (this.jtis.size !== 0 && this.jtis.has(claims.jti)) return 'jti_revoked';
    if (this.sessions.size !== 0 && this.sessions.has(claims.sid)) return 'session_revoked';
    if (this.notBefore.size === 0) return undefined; // no force logout yet: skip hashing a fresh `sub` string
    const notBefore = this.notBefore.get(claims.sub);
    if (notBefore !== undefined && claims.iat * 1000 < notBefore) return 'issued_before_not_before';
    return undefined;
  }

  /** Drops entries that can no longer matter at `now`. */
  purge(now: number): void {
    for (const [jti, exp] of this.jtis) if (exp + this.skewMs < now) this.jtis.delete(jti);
    for (const [sid, at] of this.sessions) if (at + this.retainMs < now) this.sessions.delete(sid);
  }

  get size(): { jtis: number; sessions: number; users: number; kids: number } {
    return { jtis: this.jtis.size, sessions: this.sessions.size, users: this.notBefore.size, kids: this.kids.size };
  }
}
