"""Token Warden's signing keys for a Python resource server: the JWKS, fetched with requests and parsed by PyJWT.

Why not jwt.PyJWKClient: in PyJWT 2.6 (Debian bookworm) it fetches with urllib and no timeout (a stalled service
would hang the request thread), and it refetches the JWKS for every unknown kid, so forged kids would cost one
JWKS request each. This class keeps the same idea (the JWKS at jwks_uri, PyJWK per key) with a timeout, one
refetch per `min_refetch_s` at most, the JWKS's max-age as its lifetime, and two memories PyJWKClient lacks:
a key the JWKS stops listing is refused at once (retired), and a key the feed revoked is never re-admitted.
"""
import base64
import collections
import re
import threading
import time

import jwt
import requests

# The algorithms Token Warden signs with, and the only key type and curve each may use.
ALGORITHMS = {'EdDSA': ('OKP', 'Ed25519'), 'ES256': ('EC', 'P-256'), 'RS256': ('RSA', None)}
_SEGMENT = re.compile(r'^[A-Za-z0-9_-]*$')
_MAX_AGE = re.compile(r'max-age=(\d+)')
# A verification key and the one algorithm it may verify (PyJWT 2.6's PyJWK does not say which).
VerifyKey = collections.namedtuple('VerifyKey', 'alg key')


def canonical_jws(token):
    """True when `token` is three base64url segments, each the one encoding of its bytes.

    Python's decoder (like Node's) ignores stray characters, padding and the unused low bits of the last
    character, so without this a signature has many spellings that all verify. Token Warden refuses them.
    """
    parts = token.split('.')
    if len(parts) != 3:
        return False
    for part in parts:
        if not _SEGMENT.match(part) or len(part) % 4 == 1:
            return False
        raw = base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))
        if base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii') != part:
            return False
    return True


def usable_jwk(jwk):
    """A VerifyKey for a JWK whose alg, kty and crv agree, meant for signatures, public only; else None."""
    if not isinstance(jwk, dict) or not isinstance(jwk.get('kid'), str) or jwk.get('alg') not in ALGORITHMS:
        return None
    kty, crv = ALGORITHMS[jwk['alg']]
    if jwk.get('kty') != kty or (crv is not None and jwk.get('crv') != crv):
        return None
    if jwk.get('use', 'sig') != 'sig' or 'd' in jwk or 'p' in jwk:
        return None
    try:
        key = jwt.PyJWK(jwk, jwk['alg'])
    except (jwt.exceptions.PyJWKError, ValueError, TypeError):
        return None
    if kty == 'RSA' and key.key.key_size < 2048:
        return None
    return VerifyKey(jwk['alg'], key.key)


class KeySet:
    def __init__(self, jwks_uri, refresh_s=60.0, min_refetch_s=1.0, timeout_s=5.0):
        self.jwks_uri = jwks_uri
        self.refresh_s = refresh_s
        self.min_refetch_s = min_refetch_s
        self.timeout_s = timeout_s
        self._keys = {}
        self._dropped = set()
        self._revoked = set()
        self._fresh_until = float('-inf')
        self._last_attempt = float('-inf')
        self._lock = threading.Lock()
        self._fetch_lock = threading.Lock()

    def get(self, kid):
        """(VerifyKey, None) or (None, reason); one rate-limited JWKS refetch for a kid it does not know."""
        with self._lock:
            if kid in self._revoked:
                return None, 'revoked_kid'
            if kid in self._dropped:
                return None, 'retired_kid'
            key = self._keys.get(kid)
        if key is not None:
            return key, None
        try:
            self.refresh()
        except (requests.RequestException, ValueError):
            return None, 'unknown_kid'
        with self._lock:
            if kid in self._revoked:
                return None, 'revoked_kid'
            key = self._keys.get(kid)
        return (key, None) if key is not None else (None, 'unknown_kid')

    def revoke(self, kid):
        """The feed said this key is revoked: refuse it from now on, whatever a JWKS says later."""
        with self._lock:
            self._revoked.add(kid)
            self._keys.pop(kid, None)

    def refresh_due(self):
        return time.monotonic() >= self._fresh_until

    def refresh(self):
        """Fetches the JWKS, at most once per min_refetch_s however many callers ask; errors propagate."""
        with self._fetch_lock:
            now = time.monotonic()
            if now - self._last_attempt < self.min_refetch_s:
                return
            self._last_attempt = now
            response = requests.get(self.jwks_uri, timeout=self.timeout_s, headers={'accept': 'application/json'})
            response.raise_for_status()
            body = response.json()
            if not isinstance(body, dict) or not isinstance(body.get('keys'), list):
                raise ValueError('the JWKS is not a JWK set')
            fresh = {}
            for jwk in body['keys']:
                key = usable_jwk(jwk)
                if key is not None:
                    fresh[jwk['kid']] = key
            match = _MAX_AGE.search(response.headers.get('cache-control', ''))
            lifetime = min(self.refresh_s, int(match.group(1))) if match else self.refresh_s
            with self._lock:
                # A kid that was listed and no longer is has retired: its tokens stop verifying now.
                self._dropped |= set(self._keys) - set(fresh)
                self._dropped -= set(fresh)
                self._keys = {kid: key for kid, key in fresh.items() if kid not in self._revoked}
                self._fresh_until = now + max(lifetime, self.min_refetch_s)
