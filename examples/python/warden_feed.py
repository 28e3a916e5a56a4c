"""Token Warden's revocation feed for a Python resource server (docs/feed-recipe.md says why each step is there).

FeedConsumer keeps one GET /events stream open in a thread, resumes with Last-Event-ID after any break,
verifies every SET against the JWKS before applying it, applies it to a RevocationState and acknowledges it.
`healthy()` is True from the end of a replay (`: ready`) for as long as bytes keep arriving within `max_silence_s`
of each other, as in the Node kit: a break is tolerated for that long while the consumer reconnects.
"""
import base64
import logging
import random
import threading
import time
import urllib.parse

import jwt
import requests

from warden_keys import ALGORITHMS, canonical_jws
from warden_state import now_ms

CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked'
# Feed format 1.1: an announcement (no SSE id) of the instant a signing key stops verifying.
KEY_RETIRING = 'key-retiring'
KEY_RETIRING_EVENT = 'urn:token-warden:secevent:key-retiring'
FEED_VERSION_HEADER = 'Token-Warden-Feed-Version'
SUPPORTED_FEED_MAJOR = 1
MAX_LINE = 1024 * 1024
MAX_PENDING_ACKS = 1000
log = logging.getLogger('warden.feed')


def basic_authorization(client_id, secret):
    # RFC 6749 §2.3.1: form-urlencode both parts before base64.
    pair = f"{urllib.parse.quote_plus(client_id, safe='')}:{urllib.parse.quote_plus(secret, safe='')}"
    return 'Basic ' + base64.b64encode(pair.encode('utf-8')).decode('ascii')


class FeedError(Exception):
    """The stream sent something that cannot be applied: drop the connection and resume from the last good id."""


def feed_version_problem(version):
    """Why this code cannot read feed format `version` (MAJOR.MINOR), or None. No version at all means 1.0."""
    major, dot, minor = str(version).partition('.')
    if not (dot and major.isdigit() and minor.isdigit() and len(major) <= 4 and len(minor) <= 4):
        return f'{version!r} is not a MAJOR.MINOR feed format version'
    if int(major) != SUPPORTED_FEED_MAJOR:
        return f'the service writes feed format {version}; this code reads format {SUPPORTED_FEED_MAJOR}.x only'
    return None


def sse_lines(chunks):
    """Lines of an event stream (CRLF, LF or CR), from raw byte chunks; a lone trailing CR waits for more."""
    buffer = b''
    for chunk in chunks:
        yield None  # bytes arrived: the stream is alive, whatever they are
        buffer += chunk
        if len(buffer) > MAX_LINE:
            raise FeedError('the event stream sent an oversized line')
        while True:
            cr, lf = buffer.find(b'\r'), buffer.find(b'\n')
            ends = [i for i in (cr, lf) if i != -1]
            if not ends:
                break
            end = min(ends)
            if buffer[end:end + 1] == b'\r' and end == len(buffer) - 1:
                break
            width = 2 if buffer[end:end + 2] == b'\r\n' else 1
            line, buffer = buffer[:end], buffer[end + width:]
            yield line.decode('utf-8')


class Acker(threading.Thread):
    """Batches receipts (feed id, when applied) into POST /events/ack; a failed batch goes again later."""

    def __init__(self, endpoint, authorization, stop):
        super().__init__(daemon=True, name='warden-acks')
        self.endpoint, self.authorization, self.stop = endpoint, authorization, stop
        self.pending = []
        self.wake = threading.Condition()

    def add(self, event_id, applied_at):
        with self.wake:
            self.pending.append((event_id, applied_at))
            del self.pending[:-MAX_PENDING_ACKS]
            self.wake.notify()

    def run(self):
        while not self.stop.is_set():
            with self.wake:
                self.wake.wait_for(lambda: self.pending or self.stop.is_set(), timeout=1.0)
                batch, self.pending = self.pending, []
            if not batch:
                continue
            try:
                response = requests.post(self.endpoint, timeout=5, headers={'authorization': self.authorization},
                                         json={'ids': [i for i, _ in batch], 'appliedAt': [a for _, a in batch]})
                if 400 <= response.status_code < 500:
                    log.warning('acknowledgements refused (%s): dropped', response.status_code)
                elif response.status_code >= 500:
                    raise requests.HTTPError(f'acknowledgements failed ({response.status_code})')
            except requests.RequestException as error:
                log.warning('%s; retrying', error)
                with self.wake:
                    self.pending[:0] = batch
                    del self.pending[:-MAX_PENDING_ACKS]
                self.stop.wait(1.0)


class FeedConsumer(threading.Thread):
    """The subscription: connect, replay, stay live; reconnect with backoff after any break."""

    def __init__(self, metadata, client_id, secret, keys, state, max_silence_s=15.0):
        super().__init__(daemon=True, name='warden-feed')
        self.issuer = metadata['issuer']
        self.endpoint = metadata['revocation_feed_endpoint']
        self.client_id, self.keys, self.state, self.max_silence_s = client_id, keys, state, max_silence_s
        self.authorization = basic_authorization(client_id, secret)
        self.stop_event = threading.Event()
        self.acker = Acker(metadata['revocation_feed_ack_endpoint'], self.authorization, self.stop_event)
        self.last_event_id = 0
        self.synced = False
        self.fresh_until = float('-inf')
        self.ready = threading.Event()

    def healthy(self):
        """True while the local state is vouched for: a replay completed, and bytes since, within the bound."""
        return time.monotonic() <= self.fresh_until

    def stop(self):
        self.stop_event.set()

    def run(self):
        self.acker.start()
        failures = 0
        while not self.stop_event.is_set():
            retry_after = 0
            try:
                retry_after = self.connect()
            except Exception as error:  # noqa: BLE001 - whatever went wrong, the thread must live and reconnect
                log.warning('feed: %s', error)
            # Backoff grows only while connections fail before completing a replay.
            failures = 0 if self.synced else failures + 1
            self.synced = False
            backoff = min(5.0, 0.1 * 2 ** min(failures, 16))
            self.stop_event.wait(max(retry_after, backoff * (0.5 + random.random() / 2)))

    def connect(self):
        """One connection until it breaks; returns the Retry-After of a refusal (seconds), else 0."""
        headers = {'authorization': self.authorization, 'accept': 'text/event-stream',
                   'last-event-id': str(self.last_event_id)}
        # The read timeout is the silence bound: a stream that sends nothing, not even heartbeats, is dead.
        with requests.get(self.endpoint, headers=headers, stream=True, timeout=(5, self.max_silence_s)) as response:
            if response.status_code in (429, 503):
                return int(response.headers.get('retry-after', '10'))
            if response.status_code != 200:
                raise FeedError(f'the feed answered {response.status_code}')
            # A stream of a major this code does not know is not read at all: the state goes stale and the
            # API fails closed, rather than guess what the events mean.
            problem = feed_version_problem(response.headers.get(FEED_VERSION_HEADER, '1.0'))
            if problem:
                raise FeedError(problem)
            self.read(sse_lines(response.iter_content(chunk_size=None)))
        return 0

    def read(self, lines):
        event_id, event, data = None, '', []
        for line in lines:
            if self.stop_event.is_set():
                return
            if line is None:
                # Bytes before `ready` (a replay in progress) vouch for nothing yet.
                if self.synced:
                    self.fresh_until = time.monotonic() + self.max_silence_s
            elif line == '':
                if data:
                    self.handle(event_id, event or 'message', '\n'.join(data))
                event_id, event, data = None, '', []
            elif line.startswith(':'):
                comment = line[1:].lstrip()
                if comment == 'ready' or comment.startswith('ready '):
                    self.synced = True
                    self.fresh_until = time.monotonic() + self.max_silence_s
                    self.ready.set()
            else:
                field, _, value = line.partition(':')
                value = value[1:] if value.startswith(' ') else value
                if field == 'data':
                    data.append(value)
                elif field == 'event':
                    event = value
                elif field == 'id' and '\0' not in value:
                    event_id = value

    def handle(self, raw_id, event, data):
        if event == KEY_RETIRING:
            self.apply_retiring(data)
            return
        if event != 'revocation':
            return  # a later minor may add event names; what this code does not know it may ignore
        if raw_id is None or not raw_id.isdigit() or int(raw_id) <= 0:
            raise FeedError('a feed event has no valid id')
        event_id = int(raw_id)
        if event_id <= self.last_event_id:
            return  # a replay overlapping what was applied already
        subject = self.verify_set(event_id, data)
        if subject is None:
            log.warning('feed event %s: event type not understood, skipped', event_id)
        elif self.state.apply(subject):
            if subject['kind'] == 'key':
                self.keys.revoke(subject['id'])
            self.acker.add(event_id, now_ms())
        else:
            log.warning('feed event %s: subject kind %r not understood, skipped', event_id, subject.get('kind'))
        self.last_event_id = event_id

    def verified_claims(self, what, token):
        """The claims of a SET for this client after its form, header, signature, iss and aud checks."""
        if not canonical_jws(token):
            raise FeedError(f'{what} is not a compact JWS')
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise FeedError(f'{what}: {error}') from error
        alg, kid = header.get('alg'), header.get('kid')
        if str(header.get('typ', '')).lower() != 'secevent+jwt' or alg not in ALGORITHMS or not kid or 'crit' in header:
            raise FeedError(f'{what} is not a security event token')
        key, reason = self.keys.get(kid)
        if key is None or key.alg != alg:
            raise FeedError(f'{what}: key {kid}: {reason or "another algorithm"}')
        try:
            claims = jwt.decode(token, key.key, algorithms=[alg], audience=self.client_id, issuer=self.issuer,
                                options={'require': ['iss', 'aud', 'iat', 'jti']})
        except jwt.InvalidTokenError as error:
            raise FeedError(f'{what}: {error}') from error
        if not isinstance(claims.get('events'), dict):
            raise FeedError(f'{what} has no events')
        return claims

    def verify_set(self, event_id, token):
        """The event's subject after every check; None for an event type this code does not know."""
        what = f'feed event {event_id}'
        claims = self.verified_claims(what, token)
        if claims['jti'] != str(event_id):
            raise FeedError(f'{what} does not match its id')
        revoked = claims['events'].get(CAEP_SESSION_REVOKED)
        if revoked is None:
            return None
        subject = revoked.get('subject') if isinstance(revoked, dict) else None
        if not isinstance(subject, dict) or subject.get('format') != 'opaque' or not isinstance(subject.get('id'), str):
            raise FeedError(f'{what} has no subject')
        return subject

    def apply_retiring(self, token):
        """Feed 1.1: refuse a key's tokens from its retirement instant, as the service does, not a JWKS fetch later."""
        claims = self.verified_claims('a key-retiring announcement', token)
        event = claims['events'].get(KEY_RETIRING_EVENT)
        subject = event.get('subject') if isinstance(event, dict) else None
        retires_at = event.get('retires_at') if isinstance(event, dict) else None
        if not isinstance(subject, dict) or subject.get('kind') != 'key' or not isinstance(subject.get('id'), str) \
                or not isinstance(retires_at, (int, float)) or claims['jti'] != f"{KEY_RETIRING}:{subject['id']}:{retires_at}":
            raise FeedError('a key-retiring announcement is malformed')
        self.state.retire(subject['id'], retires_at)
