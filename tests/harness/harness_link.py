# A model of a network link for the harness's TCP proxy: a fixed one-way delay, jitter, a
# bandwidth cap per direction and the round trip of a TCP handshake. The kernel here has no
# netem, so every relayed byte goes through a DelayLine instead.
import collections
import random
import socket
import threading
import time

_TICK = 0.1  # how often blocked waits look at the stop/stall flags


class Link:
    """What a relayed connection goes through, each way: `delay` seconds one way, plus a
    random 0..`jitter` seconds per chunk (bytes never overtake earlier bytes of their
    connection), and at most `rate` bytes/s (None: no cap) shared by every connection of one
    proxy in that direction, as on one access link. handshake=True charges a new connection
    the round trip of TCP's handshake (see DelayLine.floor). Link() is a perfect link."""

    def __init__(self, delay=0.0, jitter=0.0, rate=None, handshake=True, seed=None):
        if delay < 0 or jitter < 0 or (rate is not None and rate <= 0):
            raise ValueError('link: delay and jitter must be >= 0 and rate > 0')
        self.delay, self.jitter, self.rate = float(delay), float(jitter), rate
        self.handshake = handshake
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()

    @property
    def shaped(self):
        return self.delay > 0 or self.jitter > 0 or self.rate is not None

    @property
    def rtt(self):
        """The round trip without jitter or queueing: 2 x delay."""
        return 2 * self.delay

    def one_way(self):
        """The delay of one chunk: delay + uniform(0, jitter)."""
        if not self.jitter:
            return self.delay
        with self._rng_lock:
            return self.delay + self._rng.uniform(0, self.jitter)

    def queue_limit(self):
        """Bytes a DelayLine holds before its reader waits (TCP's window, roughly): enough for
        the bytes in flight at full rate, so the cap and not the window bounds the rate."""
        if self.rate is None:
            return 4 << 20
        return int(self.rate * (self.delay + self.jitter) * 2) + (64 << 10)

    def chunk_limit(self):
        """The largest piece read at once: small under a cap, so that the connections sharing
        the bucket take turns in small steps, as packets of several flows do on one link."""
        return 65536 if self.rate is None else 16384

    def __repr__(self):
        rate = 'unlimited' if self.rate is None else '%.0f B/s' % self.rate
        return 'Link(delay=%.0f ms, jitter=%.0f ms, rate=%s)' % (self.delay * 1e3, self.jitter * 1e3, rate)


class TokenBucket:
    """A bandwidth cap: `rate` bytes/s with bursts of up to `burst` bytes. reserve(n) takes n
    bytes' worth of tokens (going into debt if need be: later callers wait longer, in the order
    they asked) and returns the monotonic time when those bytes have passed."""

    def __init__(self, rate, burst=16384):
        self.rate, self.burst = float(rate), float(burst)
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self, n):
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= n
            return now + max(0.0, -self._tokens) / self.rate


class LineBroken(OSError):
    """The far side of a DelayLine failed: the reader feeding it should stop."""


class DelayLine:
    """One direction of one relayed connection. put() queues a chunk to be written to dst at
    its due time (never before an earlier chunk's); close() queues the end of the stream
    (shutdown(SHUT_WR) once everything before it is out). A perfect link (not shaped) writes at
    once from the caller's thread. dst may be attached later: chunks wait for it (the server
    connection of a handshake still under way)."""

    def __init__(self, link, bucket, dst=None, floor=0.0, stalled=None, stopping=None):
        self.link, self.bucket = link, bucket
        self.floor = floor  # nothing is due before this monotonic time
        self._dst = dst
        self._stalled = stalled or threading.Event()
        self._stopping = stopping or (lambda: False)
        self._cond = threading.Condition()
        self._queue = collections.deque()  # (due, bytes or None for the end); protected by _cond
        self._queued = 0                    # bytes in _queue; protected by _cond
        self._last_due = 0.0
        self._broken = False
        self._done = threading.Event()
        self._thread = None
        if link.shaped:
            self._thread = threading.Thread(target=self._send_loop, daemon=True)
            self._thread.start()
        else:
            self._done.set()

    def attach(self, dst):
        with self._cond:
            self._dst = dst
            self._cond.notify_all()

    def put(self, data, extra=0.0):
        """Schedules data (called by the reader of the source socket as soon as it read it),
        `extra` seconds later than the link alone would, and returns the monotonic time it is
        due at dst. Raises LineBroken once writing to dst has failed."""
        if self._thread is None:
            self._dst.sendall(data)
            return time.monotonic()
        with self._cond:
            limit = self.link.queue_limit()
            while self._queued > limit and not self._broken and not self._stopping():
                self._cond.wait(_TICK)
            if self._broken:
                raise LineBroken('relay target failed')
        passed = self.bucket.reserve(len(data)) if self.bucket else time.monotonic()
        with self._cond:
            due = max(passed + self.link.one_way() + extra, self._last_due, self.floor)
            self._last_due = due
            self._queue.append((due, data))
            self._queued += len(data)
            self._cond.notify_all()
        return due

    def close(self):
        """The source reached its end (or failed): dst is shut for writing after the rest."""
        if self._thread is None:
            self._shutdown_dst()
            return
        with self._cond:
            due = max(time.monotonic() + self.link.one_way(), self._last_due, self.floor)
            self._queue.append((due, None))
            self._cond.notify_all()

    def abort(self):
        """Drops what is queued and stops: dst will never come (the connection failed)."""
        with self._cond:
            self._broken = True
            self._queue.clear()
            self._queued = 0
            self._cond.notify_all()
        if self._thread is None:
            self._done.set()

    def wait_done(self, timeout=None):
        return self._done.wait(timeout)

    @property
    def broken(self):
        return self._broken

    def _shutdown_dst(self):
        if self._dst is not None:
            try:
                self._dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _next(self):
        """The next chunk once it is due and dst is attached; None when stopping."""
        with self._cond:
            while True:
                if self._stopping() or self._broken:
                    return None
                if self._queue and self._dst is not None:
                    due = self._queue[0][0]
                    wait = due - time.monotonic()
                    if wait <= 0 and not self._stalled.is_set():
                        item = self._queue.popleft()
                        if item[1] is not None:
                            self._queued -= len(item[1])
                        self._cond.notify_all()
                        return item
                    self._cond.wait(min(max(wait, 0.0005), _TICK) if wait > 0 else _TICK / 2)
                else:
                    self._cond.wait(_TICK)

    def _send_loop(self):
        try:
            while True:
                item = self._next()
                if item is None:
                    break
                if item[1] is None:
                    self._shutdown_dst()
                    break
                self._dst.sendall(item[1])
        except OSError:
            pass
        finally:
            with self._cond:
                self._broken = True
                self._queue.clear()
                self._queued = 0
                self._cond.notify_all()
            self._done.set()
