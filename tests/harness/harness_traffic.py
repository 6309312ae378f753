# What the harness's TCP proxy saw, event by event, as the client sees it: when it sent bytes
# (the proxy reads them at once), when bytes reached it (the proxy's delivery time), every FTP
# command and reply on a clear control connection, every new connection. The benches count
# requests, round trips and bytes from it.
import collections
import threading

# kind: 'open' (value: 'control' or 'data'; a control connection may turn out to be SSH),
# 'up' (bytes the client sent), 'down' (bytes delivered to the client), 'cmd' (an FTP command,
# PASS's argument hidden), 'reply' (an FTP reply line delivered to the client), 'close'.
Event = collections.namedtuple('Event', 't conn kind value')


class TrafficLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._events = []   # protected by _lock
        self._next_conn = 0  # protected by _lock

    def new_connection(self, t, kind):
        with self._lock:
            self._next_conn += 1
            conn = self._next_conn
            self._events.append(Event(t, conn, 'open', kind))
        return conn

    def add(self, t, conn, kind, value):
        with self._lock:
            self._events.append(Event(t, conn, kind, value))

    def mark(self):
        """A position to count from: events(since=mark())."""
        with self._lock:
            return len(self._events)

    def events(self, since=0):
        """The events logged after `since`, by time (delivery times may lie ahead of the
        moment they were logged)."""
        with self._lock:
            out = self._events[since:]
        return sorted(out, key=lambda e: e.t)

    def commands(self, since=0):
        """FTP commands the client sent, in order: ['EPSV', 'LIST /x', ...]."""
        return [e.value for e in self.events(since) if e.kind == 'cmd']

    def summary(self, since=0):
        """Counts since a mark: connections (control/data), commands by verb, bytes each way."""
        out = {'connections': 0, 'data_connections': 0, 'commands': 0, 'bytes_up': 0,
               'bytes_down': 0, 'verbs': collections.Counter()}
        for e in self.events(since):
            if e.kind == 'open':
                out['connections'] += 1
                out['data_connections'] += e.value == 'data'
            elif e.kind == 'cmd':
                out['commands'] += 1
                out['verbs'][e.value.split(' ', 1)[0].upper()] += 1
            elif e.kind == 'up':
                out['bytes_up'] += e.value
            elif e.kind == 'down':
                out['bytes_down'] += e.value
        return out


class FtpCommandParser:
    """Splits what a client sends on an FTP control connection into commands for the log,
    until the connection turns to TLS (AUTH): after that the bytes are opaque."""

    def __init__(self):
        self._pending = b''
        self.opaque = False

    def feed(self, data):
        """The complete command lines in data (PASS's argument replaced by ***)."""
        if self.opaque:
            return []
        self._pending += data
        *lines, self._pending = self._pending.split(b'\n')
        out = []
        for raw in lines:
            line = raw.rstrip(b'\r').decode('utf-8', 'replace')
            if line.upper().startswith('PASS'):
                line = 'PASS ***'
            out.append(line)
            if line.upper().startswith('AUTH'):
                self.opaque = True
                self._pending = b''
                break
        return out
