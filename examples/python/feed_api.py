#!/usr/bin/python3
"""A small Python API protected by Token Warden: local JWT verification (PyJWT) kept honest by the revocation feed.

Only Debian's packages: python3-jwt (PyJWT 2.6, with python3-cryptography) and python3-requests.

    WARDEN_CLIENT_SECRET=… /usr/bin/python3 examples/python/feed_api.py \\
        --issuer http://127.0.0.1:43117 --audience token-warden-api --client-id orders-api --port 8081

GET /hello with `Authorization: Bearer <access token>` answers 200 {"sub", "jti"} or 401 with an RFC 6750
challenge whose error_description is the reason (the kit's reason names). GET /health answers the feed state.
A token is accepted only while the feed is live (replayed, and not silent past --max-silence): otherwise the
API fails closed (`feed_unavailable`). The recipe, step by step: docs/feed-recipe.md.
"""
import argparse
import json
import logging
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import requests

from warden_feed import FeedConsumer, feed_version_problem
from warden_keys import ALGORITHMS, KeySet, canonical_jws
from warden_state import RevocationState

ACCESS_TOKEN_TYPES = ('at+jwt', 'application/at+jwt')
REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'sid']


class Guard:
    """verify(token) -> (claims, None) or (None, reason)."""

    def __init__(self, issuer, audience, keys, state, feed, skew_s=5):
        self.issuer, self.audience, self.keys, self.state, self.feed, self.skew_s = issuer, audience, keys, state, feed, skew_s

    def verify(self, token):
        if not canonical_jws(token):
            return None, 'malformed'
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            return None, 'malformed'
        alg, kid = header.get('alg'), header.get('kid')
        if 'crit' in header:  # no JWS extension is implemented, so none may be critical (RFC 7515 §4.1.11)
            return None, 'malformed'
        if alg not in ALGORITHMS:
            return None, 'unsupported_alg'
        if not isinstance(kid, str):
            return None, 'unknown_kid'
        key, reason = self.keys.get(kid)
        if key is None:
            return None, reason
        if key.alg != alg:
            return None, 'unsupported_alg'
        try:
            claims = jwt.decode(token, key.key, algorithms=[alg], audience=self.audience, issuer=self.issuer,
                                leeway=self.skew_s, options={'require': REQUIRED_CLAIMS})
        except jwt.ExpiredSignatureError:
            return None, 'expired'
        except jwt.ImmatureSignatureError:
            return None, 'not_yet_valid'
        except jwt.InvalidAudienceError:
            return None, 'wrong_audience'
        except jwt.InvalidIssuerError:
            return None, 'wrong_issuer'
        except jwt.InvalidSignatureError:
            return None, 'bad_signature'
        except jwt.InvalidTokenError:
            return None, 'malformed'
        if str(header.get('typ', '')).lower() not in ACCESS_TOKEN_TYPES:
            return None, 'wrong_typ'
        # PyJWT checks that these exist, not their types; the revocation state looks them up as strings.
        if not all(isinstance(claims[name], str) and claims[name] for name in ('sub', 'jti', 'sid', 'client_id')):
            return None, 'malformed'
        if not isinstance(claims['iat'], (int, float)) or isinstance(claims['iat'], bool):
            return None, 'malformed'
        if claims['iat'] > time.time() + max(self.skew_s, 1):
            return None, 'not_yet_valid'
        revoked = self.state.check(claims, kid)
        if revoked:
            return None, revoked
        # Fail closed: an unheard revocation must not let a token through (the kit would introspect here).
        if not self.feed.healthy():
            return None, 'feed_unavailable'
        return claims, None


def make_handler(guard, feed):
    class Handler(BaseHTTPRequestHandler):
        def send(self, status, body, headers=None):
            data = json.dumps(body).encode('utf-8')
            self.send_response(status)
            self.send_header('content-type', 'application/json')
            self.send_header('cache-control', 'no-store')
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header('content-length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == '/health':
                self.send(200, {'feed': 'live' if feed.healthy() else 'down', 'last_event_id': feed.last_event_id})
                return
            if self.path != '/hello':
                self.send(404, {'error': 'not_found'})
                return
            scheme, _, token = (self.headers.get('authorization') or '').partition(' ')
            if scheme.lower() != 'bearer' or not token.strip():
                self.send(401, {'error': 'invalid_request'}, {'www-authenticate': 'Bearer realm="api"'})
                return
            claims, reason = guard.verify(token.strip())
            if claims is None:
                challenge = f'Bearer realm="api", error="invalid_token", error_description="{reason}"'
                self.send(401, {'error': 'invalid_token', 'reason': reason}, {'www-authenticate': challenge})
                return
            self.send(200, {'sub': claims['sub'], 'jti': claims['jti']})

        def log_message(self, *args):
            pass  # one line per request would drown the feed's own log

    return Handler


def discover(issuer):
    response = requests.get(issuer + '/.well-known/oauth-authorization-server', timeout=5)
    response.raise_for_status()
    metadata = response.json()
    if metadata.get('issuer') != issuer:
        raise SystemExit(f'the metadata names issuer {metadata.get("issuer")!r}, not {issuer!r}')
    problem = feed_version_problem(metadata.get('revocation_feed_version', '1.0'))
    if problem:
        raise SystemExit(problem)
    return metadata


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--issuer', required=True)
    parser.add_argument('--audience', default='token-warden-api')
    parser.add_argument('--client-id', required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port (printed)')
    parser.add_argument('--max-silence', type=float, default=15.0, help='seconds of feed silence before failing closed')
    args = parser.parse_args(argv)
    secret = os.environ.get('WARDEN_CLIENT_SECRET')
    if not secret:
        raise SystemExit('set WARDEN_CLIENT_SECRET (not on the command line, where other users can read it)')
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format='%(name)s: %(message)s')

    metadata = discover(args.issuer)
    keys = KeySet(metadata['jwks_uri'])
    keys.refresh()
    state = RevocationState()
    feed = FeedConsumer(metadata, args.client_id, secret, keys, state, max_silence_s=args.max_silence)
    feed.start()

    def upkeep():
        # JWKS age (its max-age, 60 s) and the end of remembered revocations, once a second.
        while not feed.stop_event.wait(1.0):
            try:
                if keys.refresh_due():
                    keys.refresh()
                state.purge()
            except (requests.RequestException, ValueError) as error:
                logging.getLogger('warden.keys').warning('JWKS: %s', error)

    threading.Thread(target=upkeep, daemon=True, name='warden-upkeep').start()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(Guard(args.issuer, args.audience, keys, state, feed), feed))
    print(f'listening http://{args.host}:{server.server_address[1]}', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        feed.stop()
        server.server_close()


if __name__ == '__main__':
    main()
