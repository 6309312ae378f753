# Faults while messages are being sent, through real mounts and real servers: the FTP server
# killed and restarted, connections cut mid-transfer by a TCP proxy (and refused for a while),
# the daemon killed with SIGKILL with messages spooled or mid-send and mounted again. Each ends
# with every message in a second mount's log exactly once, in send order.
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_faults
import os
import time
import unittest

import chatharness as h
import delivery as d

PAUSE = 0.01          # seconds between a paced sender's messages: the fault lands mid-stream
SEND_TIMEOUT = 120    # seconds for a sender loop to finish
DELIVERY_TIMEOUT = 60  # seconds for a log to catch up after the fault (backoff is capped at 30)


class ReplyCuttingProxy(h.TcpProxy):
    """A TcpProxy that, instead of passing on every `every`-th reply starting with `reply`
    (vsftpd's end of a file transfer: RETR or APPE, not LIST), cuts every connection: the
    transfer, an append too, has landed on the server but the client never hears so. Hooks the
    harness proxy's per-line rewrite of server replies."""

    def __init__(self, target_port, every=2, reply=b'226 Transfer complete'):
        self.every, self.reply = every, reply
        self.completions, self.cut_replies, self.cutting = 0, 0, False
        super().__init__(target_port, ftp=True)

    def _rewrite(self, line):
        if self.cutting and line.startswith(self.reply):
            self.completions += 1
            if self.completions % self.every == 0:
                self.cut_replies += 1
                self.drop_all()
                return b''
        return super()._rewrite(line)


class FaultChecks:
    """What the fault tests share (mixed into a TestCase; test_s3.py uses it too)."""

    def start_server(self, cls):
        server = cls().start()
        self.addCleanup(server.close)
        return server

    def mount(self, url, nick, client_dir=None, create_room=False, options=()):
        m = h.Mount(url, nick, d.PASS, client_dir=client_dir, options=['poll=200'] + list(options))
        self.addCleanup(m.close)
        m.start()
        if create_room:
            os.mkdir(m.path(d.ROOM))
        h.wait_for(lambda: os.path.exists(m.log(d.ROOM)), 10, message='room on %s' % m.mountpoint)
        return m

    def pending(self, mount):
        return d.status_number(d.read_status(mount), 'messages pending')

    def assert_exactly_once(self, mount, nick, count, label):
        """mount's log ends up holding nick's messages 1..count exactly once, in send order."""
        d.wait_delivered(mount, count, DELIVERY_TIMEOUT)
        time.sleep(0.6)  # a few more polls: a late duplicate would show up now
        messages = d.log_messages(mount)
        expected = {nick: [d.body(nick, i) for i in range(1, count + 1)]}
        self.assertEqual(d.delivery_problems(messages, expected), [], '%s: log of %s' % (label, mount))
        return d.read_status(mount)

    def report(self, label, sent, delivered, status, extra=''):
        print('\n[faults %s] sent %d, delivered %d exactly once; duplicates dropped %s, records'
              ' rejected %s%s' % (label, sent, delivered, status.get('duplicates dropped'),
                                  status.get('records rejected'), extra), flush=True)

    def finish_sender(self, sender, last, first=1):
        [(status, err, acked)] = d.wait_senders([sender], SEND_TIMEOUT)
        self.assertEqual(status, 0, 'sender loop failed: %s' % err)
        self.assertEqual(acked, list(range(first, last + 1)))


    # The scenarios as methods, for other servers' fault classes (test_s3.py).
    def check_server_killed_while_sending(self, server, url, label):
        """The server (its process: server.kill()) dies while `alice` sends 300 messages and
        comes back (server.start()) 1.5 s later; every message arrives once, in order."""
        a = self.mount(url, 'alice', create_room=True)
        b = self.mount(url, 'bob')
        count = 300
        sender = d.start_sender(a, 'alice', 1, count, pause=PAUSE)
        d.wait_delivered(b, 30, 20)
        self.assertIsNone(sender.poll(), 'the sender finished before the server was killed')
        server.kill()
        down = time.monotonic()
        # Writes go on returning while the server is gone: they pile up in the spool.
        h.wait_for(lambda: (self.pending(a) or 0) >= 20, 20, message='messages queued while down')
        time.sleep(max(0.0, 1.5 - (time.monotonic() - down)))
        queued = self.pending(a)
        self.assertIsNone(sender.poll(), 'the sender finished while the server was down')
        server.start()
        down_for = time.monotonic() - down
        self.finish_sender(sender, count)
        status = self.assert_exactly_once(b, 'alice', count, label)
        self.assert_exactly_once(a, 'alice', count, label + ' (sender)')
        h.wait_for(lambda: self.pending(a) == 0, 10, message='nothing pending on the sender')
        self.report(label, count, count, status,
                    '; %d queued while the server was down %.1fs' % (queued, down_for))


class Faults(FaultChecks, unittest.TestCase):

    def test_server_killed_while_sending_then_restarted(self):
        server = self.start_server(h.VsftpdServer)
        self.check_server_killed_while_sending(server, server.url('chat/'), 'server killed')

    def test_connection_cut_mid_transfer_and_refused_for_a_while(self):
        server = self.start_server(h.PureFtpdServer)
        proxy = h.TcpProxy(server.port)
        self.addCleanup(proxy.stop)
        a = self.mount(server.url('chat/', port=proxy.port), 'alice', create_room=True)
        b = self.mount(server.url('chat/'), 'bob')
        count = 300
        sender = d.start_sender(a, 'alice', 1, count, pause=PAUSE)
        cuts, rounds, refused = 0, 0, False
        started = time.monotonic()
        while sender.poll() is None and time.monotonic() - started < SEND_TIMEOUT:
            time.sleep(0.15)
            if rounds % 2:  # hold the bytes in flight, then cut: a transfer dies half-way
                proxy.set_stalled(True)
                time.sleep(0.05)
                cuts += proxy.drop_all()
                proxy.set_stalled(False)
            else:
                cuts += proxy.drop_all()
            rounds += 1
            if rounds == 10:  # new connections refused for 1.5 s, live ones cut
                proxy.set_down(True)
                cuts += proxy.drop_all()
                time.sleep(1.5)
                proxy.set_down(False)
                refused = True
        self.finish_sender(sender, count)
        self.assertTrue(refused, 'the sender finished before the proxy refused connections')
        self.assertGreater(cuts, 5, 'the proxy cut too few live connections to test anything')
        # The faults reached the background sender, not only the poller.
        self.assertIn('cannot send queued messages', a.log_text())
        status = self.assert_exactly_once(b, 'alice', count, 'connection cut')
        self.assert_exactly_once(a, 'alice', count, 'connection cut (sender)')
        h.wait_for(lambda: self.pending(a) == 0, 10, message='nothing pending on the sender')
        self.report('connection cut', count, count, status,
                    '; %d connection(s) cut in %d rounds, %d accepted by the proxy'
                    % (cuts, rounds, proxy.accepted))

    def test_reply_of_a_landed_append_lost(self):
        server = self.start_server(h.VsftpdServer)
        proxy = ReplyCuttingProxy(server.port)
        self.addCleanup(proxy.stop)
        a = self.mount(server.url('chat/', port=proxy.port), 'alice', create_room=True)
        b = self.mount(server.url('chat/'), 'bob')
        proxy.cutting = True
        count = 150
        self.finish_sender(d.start_sender(a, 'alice', 1, count, pause=PAUSE), count)
        h.wait_for(lambda: self.pending(a) == 0, DELIVERY_TIMEOUT, message='spool drained through the proxy')
        proxy.cutting = False
        self.assertGreaterEqual(proxy.cut_replies, 3, 'too few transfer replies were cut to test anything')
        self.assertIn('cannot send queued messages', a.log_text())  # appends were among them
        status = self.assert_exactly_once(b, 'alice', count, 'reply lost')
        self.assert_exactly_once(a, 'alice', count, 'reply lost (sender)')
        self.report('reply lost', count, count, status,
                    '; %d of %d file-transfer replies cut' % (proxy.cut_replies, proxy.completions))

    def test_sigkill_with_messages_spooled_then_remount(self):
        server = self.start_server(h.ProftpdServer)
        url = server.url('chat/')
        a = self.mount(url, 'alice', create_room=True)
        b = self.mount(url, 'bob')
        self.finish_sender(d.start_sender(a, 'alice', 1, 50), 50)
        d.wait_delivered(b, 50, 20)
        server.stop()
        self.finish_sender(d.start_sender(a, 'alice', 51, 150), 150, first=51)
        self.assertEqual(self.pending(a), 100)
        a.kill()
        self.assertFalse(a.running)
        server.start()
        again = self.mount(url, 'alice', client_dir=a.client)
        status = self.assert_exactly_once(b, 'alice', 150, 'SIGKILL with a spool')
        self.assert_exactly_once(again, 'alice', 150, 'SIGKILL with a spool (remounted)')
        h.wait_for(lambda: self.pending(again) == 0, 10, message='nothing pending after the remount')
        self.report('SIGKILL with 100 spooled', 150, 150, status)

    def test_sigkill_while_sending_then_remount(self):
        server = self.start_server(h.VsftpdServer)
        url = server.url('chat/')
        a = self.mount(url, 'alice', create_room=True)
        b = self.mount(url, 'bob')
        sender = d.start_sender(a, 'alice', 1, 1000, pause=PAUSE / 2)
        d.wait_delivered(b, 50, 20)
        a.kill()
        [(status, _err, acked)] = d.wait_senders([sender], SEND_TIMEOUT)
        self.assertNotEqual(status, 0, 'the sender never noticed the daemon was killed')
        self.assertEqual(acked, list(range(1, len(acked) + 1)))
        self.assertGreaterEqual(len(acked), 50)
        again = self.mount(url, 'alice', client_dir=a.client)
        # Every acknowledged message arrives; the one being written at the kill may or may not
        # have reached the spool, so it may arrive too, but only once.
        d.wait_delivered(b, len(acked), DELIVERY_TIMEOUT)
        h.wait_for(lambda: self.pending(again) == 0, DELIVERY_TIMEOUT, message='spool drained after remount')
        time.sleep(0.6)
        got = [body for nick, body in d.log_messages(b) if nick == 'alice']
        count = len(acked) + 1 if d.body('alice', len(acked) + 1) in got else len(acked)
        status = self.assert_exactly_once(b, 'alice', count, 'SIGKILL mid-send')
        self.assert_exactly_once(again, 'alice', count, 'SIGKILL mid-send (remounted)')
        self.report('SIGKILL mid-send', len(acked), count, status,
                    '; %d acknowledged before the kill' % len(acked))


if __name__ == '__main__':
    unittest.main()
