# Eight mounts of one room send 250 messages each, all at the same time, as fast as a shell
# loop of `echo >> outbox` goes; afterwards every client's log holds all 2,000 exactly once,
# each sender's in send order. Run on vsftpd, pure-ftpd and proftpd (the last two overwrite
# concurrent appends to one file, which one file per writer must make harmless). test_s3.py
# and test_dav.py run the same on their servers.
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_concurrency
# FTPCHAT_CONCURRENCY_MOUNTS / _MESSAGES scale it (defaults 8 and 250).
import os
import time
import unittest

import chatharness as h
import delivery as d

MOUNTS = int(os.environ.get('FTPCHAT_CONCURRENCY_MOUNTS', '8'))
MESSAGES = int(os.environ.get('FTPCHAT_CONCURRENCY_MESSAGES', '250'))
SEND_TIMEOUT = 240      # seconds for every sender loop to finish
DELIVERY_TIMEOUT = 60   # seconds after the last send for every log to catch up


class ConcurrentSenders:
    """Mixed into one TestCase per server kind; make_server() returns a started server."""

    def make_server(self):
        raise NotImplementedError

    def mount_options(self, server):
        """Each mount's -o options (a server with a certificate of its own adds cacert)."""
        return ['poll=200']

    def test_every_message_exactly_once_in_send_order(self):
        server = self.make_server()
        self.addCleanup(server.close)
        nicks = ['n%d' % i for i in range(MOUNTS)]
        began = time.monotonic()
        mounts = d.mount_clients(server.url('chat/'), nicks, options=self.mount_options(server))
        for m in mounts:
            self.addCleanup(m.close)
        mounted = time.monotonic()
        total = MOUNTS * MESSAGES
        expected = {n: [d.body(n, i) for i in range(1, MESSAGES + 1)] for n in nicks}

        senders = [d.start_sender(m, n, 1, MESSAGES) for m, n in zip(mounts, nicks)]
        results = d.wait_senders(senders, SEND_TIMEOUT)
        sent = time.monotonic()
        for nick, (status, err, acked) in zip(nicks, results):
            self.assertEqual(status, 0, '%s: sender loop failed: %s' % (nick, err))
            self.assertEqual(len(acked), MESSAGES, nick)

        for m in mounts:
            d.wait_delivered(m, total, DELIVERY_TIMEOUT)
        caught_up = time.monotonic()
        time.sleep(0.6)  # a few more polls: a late duplicate would show up now
        delivered = []
        for m, nick in zip(mounts, nicks):
            messages = d.log_messages(m)
            problems = d.delivery_problems(messages, expected)
            self.assertEqual(problems, [], 'log of %s' % nick)
            delivered.append(len([n for n, _ in messages if n is not None]))
            self.assertEqual(delivered[-1], total, 'log of %s' % nick)

        statuses = [d.read_status(m) for m in mounts]
        figures = {key: [d.status_number(s, key) for s in statuses]
                   for key in ('messages pending', 'duplicates dropped', 'records rejected',
                               'messages missing')}
        for key in ('messages pending', 'records rejected', 'messages missing'):
            for nick, value in zip(nicks, figures[key]):
                if value is not None:
                    self.assertEqual(value, 0, '%s: %s' % (nick, key))
        cpu = sum(d.cpu_seconds(m.pid) for m in mounts)
        server_cpu = d.cpu_seconds(server.proc.pid)
        print('\n[concurrency %s] %d mounts x %d messages: sent %d in %.1fs (%.0f msg/s), every log'
              ' complete %.1fs later; delivered per client %s; duplicates dropped %s; records'
              ' rejected %s; mount %.1fs; daemons CPU %.1fs, server CPU %.1fs'
              % (server.kind, MOUNTS, MESSAGES, total, sent - mounted, total / (sent - mounted),
                 caught_up - sent, delivered, figures['duplicates dropped'], figures['records rejected'],
                 mounted - began, cpu, server_cpu), flush=True)
        # One writer per mount (a file per period it wrote in), each holding only its own records.
        room_dirs = h.room_dirs(server.local_path('chat'))
        self.assertEqual(len(room_dirs), 1)
        writers = h.writer_files(room_dirs[0])
        self.assertEqual(len({h.writer_id(f) for f in writers}), MOUNTS, writers)


class OnVsftpd(ConcurrentSenders, unittest.TestCase):
    def make_server(self):
        return h.VsftpdServer().start()


class OnPureFtpd(ConcurrentSenders, unittest.TestCase):
    def make_server(self):
        # pure-ftpd serves at most half as many clients as it has passive ports: room for every
        # mount's connection plus the harness's own.
        return h.PureFtpdServer(max_clients=4 * MOUNTS).start()


class OnProftpd(ConcurrentSenders, unittest.TestCase):
    def make_server(self):
        return h.ProftpdServer().start()


if __name__ == '__main__':
    unittest.main()
