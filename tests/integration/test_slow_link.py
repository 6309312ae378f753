# Slow and lossy links (issue 14), through real mounts: both mounts behind the harness proxy at
# 300 ms round trip with connections cut mid-transfer, and a server that allows fewer sessions
# than the mount's connection pool wants. Every message still arrives once, in send order.
# Nothing here is timed (the figures printed are for the reader).
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_slow_link
import os
import threading
import time
import unittest

import chatharness as h
import delivery as d
from harness_link import Link
from harness_proxy import _abort
from harness_traffic import TrafficLog

ROOMS = (d.ROOM, 'second')
SEND_TIMEOUT = 90
DELIVERY_TIMEOUT = 60


class CuttingLog(TrafficLog):
    """The proxy's traffic log, which also cuts every `every`-th connection (control or data)
    once `after` bytes have passed on it either way: mid-transfer, both sides at once with a
    reset, as a broken link ends a connection (neither side sees a clean end of the data)."""

    def __init__(self, proxy, every, after):
        super().__init__()
        self.proxy, self.every, self.after = proxy, every, after
        self.victims = {}  # conn -> [client socket, bytes seen]
        self.cuts = 0
        self.opened = 0

    def new_connection(self, t, kind):
        conn = super().new_connection(t, kind)
        with self._lock:
            self.opened += 1
            if self.opened % self.every == 0:
                self.victims[conn] = [self.proxy.serving.client, 0]
        return conn

    def add(self, t, conn, kind, value):
        super().add(t, conn, kind, value)
        if kind not in ('up', 'down'):
            return
        with self._lock:
            victim = self.victims.get(conn)
            if victim is None:
                return
            victim[1] += value
            if victim[1] < self.after:
                return
            del self.victims[conn]
            self.cuts += 1
        if not self.proxy.cut(conn, abort=True):  # not relaying yet: the client's side alone
            _abort(victim[0])


class LossyProxy(h.TcpProxy):
    """A TcpProxy over `link` that cuts every `every`-th connection mid-transfer."""

    def __init__(self, target_port, link, every, after=40):
        self.serving = threading.local()  # the client socket of the connection being opened
        super().__init__(target_port, link=link)
        self.traffic = CuttingLog(self, every, after)

    def _serve(self, client, target, ftp, kind='control'):
        self.serving.client = client
        super()._serve(client, target, ftp, kind)


class SlowLink(unittest.TestCase):

    def mount(self, url, nick, options=()):
        m = h.Mount(url, nick, d.PASS, options=list(options))
        self.addCleanup(m.close)
        m.start()
        return m

    def check_rooms(self, mount, count, label):
        for room in ROOMS:
            d.wait_delivered(mount, count, DELIVERY_TIMEOUT, room=room)
        time.sleep(1.0)  # more polls: a late duplicate would show up now
        for room in ROOMS:
            expected = {'alice': [d.body('alice', i) for i in range(1, count + 1)]}
            self.assertEqual(d.delivery_problems(d.log_messages(mount, room), expected), [],
                             '%s: room %s' % (label, room))

    def test_every_message_once_in_order_at_300ms_with_connections_cut(self):
        """vsftpd, alice and bob each behind their own proxy: 150 ms each way, every 4th
        connection cut after
        its first 40 bytes. Alice sends to two rooms at once over her connection pool."""
        server = h.VsftpdServer().start()
        self.addCleanup(server.close)
        proxies = [LossyProxy(server.port, Link(delay=0.150), every=4) for _ in range(2)]
        for p in proxies:
            self.addCleanup(p.stop)
        setup = self.mount(server.url('chat/'), 'carol')  # makes the rooms, off the slow link
        for room in ROOMS:
            os.mkdir(setup.path(room))
        setup.close()
        started = time.monotonic()
        a = self.mount(server.url('chat/', port=proxies[0].port), 'alice')
        b = self.mount(server.url('chat/', port=proxies[1].port), 'bob')
        mounted = time.monotonic() - started
        count = 20
        senders = [d.start_sender(a, 'alice', 1, count, room=room, pause=0.15) for room in ROOMS]
        for status, err, acked in d.wait_senders(senders, SEND_TIMEOUT):
            self.assertEqual(status, 0, 'sender loop failed: %s' % err)
            self.assertEqual(acked, list(range(1, count + 1)))
        self.check_rooms(b, count, 'bob')
        self.check_rooms(a, count, 'alice')
        for room in ROOMS:
            h.wait_for(lambda: d.read_status(a, room)['messages pending'] == '0', DELIVERY_TIMEOUT,
                       message='nothing pending in %s' % room)
        cuts = sum(p.traffic.cuts for p in proxies)
        opened = sum(p.traffic.opened for p in proxies)
        self.assertGreaterEqual(cuts, 3, 'the proxies cut too few connections to test anything: %d of %d' % (cuts, opened))
        status = d.read_status(b)
        print('\n[slow link] 300 ms RTT: %d messages in each of %d rooms arrived once, in order; '
              '%d of %d connections cut mid-transfer; mounts %.1fs, all in %.1fs; bob: '
              'duplicates dropped %s, records rejected %s'
              % (count, len(ROOMS), cuts, opened, mounted, time.monotonic() - started,
                 status.get('duplicates dropped'), status.get('records rejected')), flush=True)

    def test_a_server_with_fewer_sessions_than_the_pool_wants(self):
        """pure-ftpd serving at most 2 sessions from this address: alice's mount asks for 4
        connections (reads of three rooms at once, and sends), is refused, goes on with what it
        has and says so in its log; bob reads the server's folder directly (file://)."""
        server = h.PureFtpdServer(max_clients=2).start()
        self.addCleanup(server.close)
        rooms = ('one', 'two', 'three')
        a = self.mount(server.url('chat/'), 'alice', options=['poll=100', 'connections=4'])
        for room in rooms:
            os.mkdir(a.path(room))
        b = self.mount('file://' + server.local_path('chat') + '/', 'bob', options=['poll=100'])
        h.wait_for(lambda: all(os.path.exists(b.log(r)) for r in rooms), 20, message='rooms on bob')
        count = 20
        senders = [d.start_sender(a, 'alice', 1, count, room=room, pause=0.02) for room in rooms]
        for status, err, acked in d.wait_senders(senders, SEND_TIMEOUT):
            self.assertEqual(status, 0, 'sender loop failed: %s' % err)
        for room in rooms:
            d.wait_delivered(b, count, DELIVERY_TIMEOUT, room=room)
            expected = {'alice': [d.body('alice', i) for i in range(1, count + 1)]}
            self.assertEqual(d.delivery_problems(d.log_messages(b, room), expected), [], room)
            h.wait_for(lambda: d.read_status(a, room)['messages pending'] == '0', DELIVERY_TIMEOUT,
                       message='nothing pending in %s' % room)
        self.assertIn('the server refused another connection', a.log_text())


if __name__ == '__main__':
    unittest.main()
