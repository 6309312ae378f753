# Faults while messages are sent over WebDAV, through real mounts (test_faults.FaultChecks,
# as for FTP and S3): the server killed and restarted mid-send, and replies lost after a
# change landed (harness_http_proxy.HttpReplyCutter resets the connection instead of passing
# on a 201/204 reply, so a PUT or MOVE is on the server without the client hearing so), in
# each append mode: ranged PUT (Apache) and rewrite (lighttpd refusing Content-Range). Each
# ends with every message in a second mount's log exactly once, in send order, and no
# temporary or probe file left on the server.
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_dav_faults
import unittest

import chatharness as h
import delivery as d
from harness_http_proxy import HttpReplyCutter
from test_faults import DELIVERY_TIMEOUT, PAUSE, FaultChecks

RANGED = 'append (ranged PUT, size-checked)'


def landed(chunk):
    """A reply saying that a change landed: 201 Created or 204 No Content (PUT, ranged PUT,
    MOVE, MKCOL, DELETE)."""
    return chunk.startswith(b'HTTP/1.1 201 ') or chunk.startswith(b'HTTP/1.1 204 ')


class DavFaults(FaultChecks, unittest.TestCase):
    server = None  # the test's server: its certificate is trusted by every mount

    def mount(self, url, nick, client_dir=None, create_room=False, options=()):
        if self.server is not None and self.server.tls:
            options = list(options) + ['cacert=%s' % self.server.cert_path]
        return super().mount(url, nick, client_dir=client_dir, create_room=create_room,
                             options=options)

    def start_dav(self, server):
        self.server = server.start()
        self.addCleanup(server.close)
        return server

    def assert_mode_and_no_leftovers(self, mount, mode):
        self.assertEqual(d.read_status(mount)['transport mode'], mode)
        self.assertEqual(self.server.stray_files(), [])

    def test_apache_killed_while_sending_then_restarted(self):
        server = self.start_dav(h.ApacheDavServer(tls=True))
        self.check_server_killed_while_sending(server, server.url('chat/'), 'dav server killed')
        self.assertEqual(server.stray_files(), [])

    def reply_lost(self, server, label, mode):
        self.start_dav(server)
        proxy = HttpReplyCutter(server.port, landed, every=2, status_line_every_other=True)
        self.addCleanup(proxy.stop)
        a = self.mount(server.url('chat/', port=proxy.port), 'alice', create_room=True)
        b = self.mount(server.url('chat/'), 'bob')
        # The first send learns the append mode (its probe is not what is tested here).
        self.finish_sender(d.start_sender(a, 'alice', 1, 1), 1)
        h.wait_for(lambda: self.pending(a) == 0, 10, message='the first message sent')
        proxy.cutting = True
        count = 100
        self.finish_sender(d.start_sender(a, 'alice', 2, count, pause=PAUSE), count, first=2)
        h.wait_for(lambda: self.pending(a) == 0, DELIVERY_TIMEOUT,
                   message='spool drained through the proxy')
        proxy.cutting = False
        self.assertGreaterEqual(proxy.cut_replies, 4, 'too few replies were cut to test anything')
        self.assertIn('cannot send queued messages', a.log_text())  # sends were among them
        status = self.assert_exactly_once(b, 'alice', count, label)
        self.assert_exactly_once(a, 'alice', count, label + ' (sender)')
        self.assert_mode_and_no_leftovers(a, mode)
        self.report(label, count, count, status,
                    '; %d of %d 201/204 replies cut' % (proxy.cut_replies, proxy.seen))

    def test_reply_lost_after_a_ranged_put_landed(self):
        self.reply_lost(h.ApacheDavServer(), 'ranged PUT reply lost', RANGED)

    def test_reply_lost_after_a_put_or_move_landed_in_rewrite_mode(self):
        self.reply_lost(h.LighttpdDavServer(partial_put=False), 'PUT/MOVE reply lost',
                        'rewrite (server refuses Content-Range PUT, HTTP 400)')


if __name__ == '__main__':
    unittest.main()
