"""What the revocation feed revoked, in memory, for a Python resource server (docs/feed-recipe.md, section 5)."""
import threading
import time


def now_ms():
    return int(time.time() * 1000)


class RevocationState:
    """What the feed revoked. Times are the service's wall clock in ms, compared with this host's."""

    def __init__(self, skew_ms=5000, session_retain_ms=24 * 3600 * 1000):
        self.skew_ms = skew_ms
        self.session_retain_ms = session_retain_ms
        self.jtis = {}        # jti -> the token's exp (ms): forgotten once the token has expired anyway
        self.sessions = {}    # sid -> when applied (ms): kept longer than any access token lives
        self.not_before = {}  # user id -> not-before (ms): tokens issued before it are dead
        self.kids = set()     # revoked signing keys
        self.retires_at = {}  # kid -> when it stops verifying (ms), from key-retiring announcements (feed 1.1)
        self.lock = threading.Lock()

    def apply(self, subject):
        """Applies one subject; False for a kind this code does not know (it is skipped, not applied)."""
        kind, sid = subject.get('kind'), subject.get('id')
        with self.lock:
            if kind == 'jti' and isinstance(subject.get('exp'), (int, float)):
                self.jtis[sid] = subject['exp']
            elif kind == 'session':
                self.sessions[sid] = now_ms()
            elif kind == 'user' and isinstance(subject.get('not_before'), (int, float)):
                # Only forward: an older event replayed late cannot loosen a newer not-before.
                self.not_before[sid] = max(self.not_before.get(sid, float('-inf')), subject['not_before'])
            elif kind == 'key':
                self.kids.add(sid)
            else:
                return False
        return True

    def retire(self, kid, retires_at):
        """A key stops verifying at `retires_at` (ms): the instant the service refuses it too."""
        with self.lock:
            self.retires_at[kid] = retires_at

    def check(self, claims, kid):
        """The reason this verified token is revoked, or None."""
        with self.lock:
            if kid in self.kids:
                return 'revoked_kid'
            retires_at = self.retires_at.get(kid)
            if retires_at is not None and now_ms() >= retires_at:
                return 'retired_kid'
            if claims.get('jti') in self.jtis:
                return 'jti_revoked'
            if claims.get('sid') in self.sessions:
                return 'session_revoked'
            not_before = self.not_before.get(claims.get('sub'))
            if not_before is not None and claims['iat'] * 1000 < not_before:
                return 'issued_before_not_before'
        return None

    def purge(self):
        now = now_ms()
        with self.lock:
            self.jtis = {jti: exp for jti, exp in self.jtis.items() if exp + self.skew_ms >= now}
            self.sessions = {sid: at for sid, at in self.sessions.items() if at + self.session_retain_ms >= now}
