# Rooms in a folder that Syncthing shares between machines, through file:// as it is: three
# Syncthing instances on 127.0.0.1 are three machines, each with a mount (its own client state)
# on its own copy of the folder. Also shows why the layout is one file per writer: two devices
# appending to ONE shared file through Syncthing lose one side's lines, one file each does not.
#   cd tests/integration && FTPCHATFS_BIN=../../build/ftpchatfs PYTHONPATH=../harness \
#     /usr/bin/python3 -m unittest -v test_syncthing
import os
import threading
import time
import unittest

import chatharness as h
import delivery as d
from harness_syncthing import MANUAL, RECOMMENDED, SyncthingCluster

MACHINES = 3
MESSAGES = 100
SEND_TIMEOUT = 60       # seconds for every sender loop to finish
DELIVERY_TIMEOUT = 30   # seconds after the last send for every log to catch up
CHAT, PLAIN = 'chat', 'plain'  # Syncthing folder ids: the recommended settings, manual scans
TEMP_PREFIXES = ('.syncthing.', '~syncthing~')  # Syncthing's temporary files (Unix, Windows)


def syncthing_entries(folder):
    """Names of Syncthing's temporary files anywhere under folder."""
    return [n for _top, _dirs, files in os.walk(folder) for n in files if n.startswith(TEMP_PREFIXES)]


class TempFileWatcher:
    """Samples each machine's copy of the chat folder every 20 ms while a test runs: evidence
    that Syncthing's temporary files really sit in room and period folders while mounts read."""

    def __init__(self, folders):
        self.folders = folders
        self.seen = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.02):
            for folder in self.folders:
                for top, _dirs, files in os.walk(folder):
                    self.seen.update(os.path.relpath(os.path.join(top, n), folder)
                                     for n in files if n.startswith(TEMP_PREFIXES))

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        return sorted(self.seen)


class SyncthingFolders(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sync = SyncthingCluster(MACHINES, {CHAT: RECOMMENDED, PLAIN: MANUAL}).start()

    @classmethod
    def tearDownClass(cls):
        cls.sync.close()

    def setUp(self):
        self.steps = h.Steps(self._testMethodName)

    def step(self, name, fn, *args):
        """fn(*args) as a named, timed step; a failure adds the Syncthing logs."""
        with self.steps(name, on_failure=lambda: 'Syncthing logs:\n' + self.sync.log_tails()):
            return fn(*args)

    def base(self, machine, sub):
        """Where a test's rooms live on a machine: `sub` in its copy of the chat folder."""
        return os.path.join(self.sync.folder_path(machine, CHAT), sub)

    def mount_machines(self, sub=''):
        """One mount per machine on base(machine, sub), each with its own client state (a
        different user on a different machine); the first creates the room, and the others
        see it once Syncthing brought its header."""
        mounts = []
        for i in range(MACHINES):
            os.makedirs(self.base(i, sub), exist_ok=True)
            m = h.Mount('file://' + self.base(i, sub), 'm%d' % i, d.PASS, options=['poll=200'])
            self.addCleanup(m.close)
            m.start()
            mounts.append(m)
        os.mkdir(mounts[0].path(d.ROOM))
        for m in mounts[1:]:
            h.wait_for(lambda: os.path.exists(m.log(d.ROOM)), 15,
                       message='room %s on %s' % (d.ROOM, m.mountpoint))
        return mounts

    def test_three_machines_every_message_once_in_send_order_no_conflict_copies(self):
        began = time.monotonic()
        sub = 'three-machines'
        mounts = self.step('mount one client per machine', self.mount_machines, sub)
        mounted = time.monotonic()
        nicks = ['m%d' % i for i in range(MACHINES)]
        expected = {n: [d.body(n, i) for i in range(1, MESSAGES + 1)] for n in nicks}
        total = MACHINES * MESSAGES
        watcher = TempFileWatcher([self.base(i, sub) for i in range(MACHINES)])
        try:
            senders = [d.start_sender(m, n, 1, MESSAGES) for m, n in zip(mounts, nicks)]
            results = self.step('send %d messages from each machine' % MESSAGES,
                                d.wait_senders, senders, SEND_TIMEOUT)
            sent = time.monotonic()
            for nick, (status, err, acked) in zip(nicks, results):
                self.assertEqual(status, 0, '%s: sender loop failed after %.1fs: %s'
                                 % (nick, sent - mounted, err))
                self.assertEqual(len(acked), MESSAGES, nick)
            for m in mounts:
                self.step('all %d messages in the log of %s' % (total, m.nick),
                          d.wait_delivered, m, total, DELIVERY_TIMEOUT)
            caught_up = time.monotonic()
            time.sleep(1.5)  # another Syncthing scan and a few polls: a late duplicate shows now
        finally:
            temp_files = watcher.stop()
        for m in mounts:
            self.assertEqual(d.delivery_problems(d.log_messages(m), expected), [], 'log of %s' % m.nick)
            self.assertEqual(d.count_messages(m), total, 'log of %s' % m.nick)
            status = d.read_status(m)
            for key in ('messages pending', 'records rejected', 'messages missing'):
                self.assertEqual(d.status_number(status, key), 0, '%s: %s in %r' % (m.nick, key, status))
        self.assertEqual(self.sync.conflict_copies(CHAT), [])
        # Each machine's copy holds the same three writer files, one per mount.
        rooms = [h.room_dirs(self.base(i, sub)) for i in range(MACHINES)]
        self.assertEqual([len(r) for r in rooms], [1] * MACHINES)
        writers = [sorted(os.path.relpath(f, r[0]) for f in h.writer_files(r[0])) for r in rooms]
        self.assertEqual(len(writers[0]), MACHINES, writers[0])
        self.assertEqual(writers[1:], [writers[0]] * (MACHINES - 1))
        print('\n[syncthing] %d machines x %d messages (%s): Syncthing up in %.1fs, mounted in %.1fs,'
              ' sent in %.1fs, every log complete %.1fs later; Syncthing temporary files seen beside'
              ' the mounts: %d (e.g. %s)'
              % (MACHINES, MESSAGES, RECOMMENDED.describe(), self.sync.started_in, mounted - began,
                 sent - mounted, caught_up - sent, len(temp_files), temp_files[:2]), flush=True)

    def test_syncthing_temporary_files_are_ignored_by_readers(self):
        # A pull in progress leaves .syncthing.NAME.tmp beside the file it will replace (and
        # ~syncthing~NAME.tmp on Windows). Syncthing never syncs them, so they are put here on
        # one machine only, with contents that would be rejected or shown if read. Their names
        # are of files nobody pulls: a pull of NAME reuses and renames .syncthing.NAME.tmp. The
        # mounts are on the folder's root, beside Syncthing's folder marker .stfolder.
        mounts = self.step('mount one client per machine', self.mount_machines)
        h.append_line(mounts[1].outbox(d.ROOM), 'before')
        self.step('first message everywhere', d.wait_delivered, mounts[0], 1, DELIVERY_TIMEOUT)
        room = h.room_dirs(self.base(0, ''))[0]
        writer = h.writer_files(room)[0]
        period = os.path.dirname(writer)
        with open(writer, 'rb') as f:
            writer_bytes = f.read()
        fakes = {
            os.path.join(room, '.syncthing.header.tmp'): b'not a header\n',
            os.path.join(period, '.syncthing.%s.w.tmp' % ('f' * 32)): writer_bytes,  # a copy
            os.path.join(period, '~syncthing~%s.w.tmp' % ('e' * 32)): b'\nAAAA\n',
        }
        for path, data in fakes.items():
            with open(path, 'wb') as f:
                f.write(data)
        before = d.log_messages(mounts[0])
        h.append_line(mounts[1].outbox(d.ROOM), 'after')
        self.step('second message with temporary files beside it', d.wait_delivered, mounts[0], 2,
                  DELIVERY_TIMEOUT)
        time.sleep(1.0)  # more polls over the temporary files
        self.assertEqual(d.log_messages(mounts[0]), before + [('m1', 'after')])
        status = d.read_status(mounts[0])
        for key in ('records rejected', 'duplicates dropped', 'messages missing'):
            self.assertEqual(d.status_number(status, key), 0, '%s in %r' % (key, status))
        self.assertEqual(status.get('last error'), 'none', status)
        self.assertEqual(os.listdir(mounts[0].path()), [d.ROOM])  # not .stfolder
        self.assertEqual(sorted(syncthing_entries(room)),
                         sorted(os.path.basename(p) for p in fakes))  # still there: really read past

    def test_one_shared_file_loses_lines_one_file_per_writer_does_not(self):
        # Two devices append 10 lines each between two Syncthing scans (scans on demand, so the
        # outcome does not depend on timing): to ONE shared file, and to a file each.
        a, b = (self.sync.folder_path(i, PLAIN) for i in (0, 1))
        for name in ('shared.txt', 'a.txt', 'b.txt'):
            with open(os.path.join(a, name), 'w') as f:
                f.write('start\n')
        self.sync.scan(PLAIN, [0])
        self.step('start files everywhere', self.sync.wait_same_files, PLAIN,
                  ['shared.txt', 'a.txt', 'b.txt'])
        lines = {'a': ['a %d' % i for i in range(10)], 'b': ['b %d' % i for i in range(10)]}
        for i in range(10):
            h.append_line(os.path.join(a, 'shared.txt'), lines['a'][i])
            h.append_line(os.path.join(b, 'shared.txt'), lines['b'][i])
            h.append_line(os.path.join(a, 'a.txt'), lines['a'][i])
            h.append_line(os.path.join(b, 'b.txt'), lines['b'][i])
        began = time.monotonic()
        self.sync.scan(PLAIN, [0, 1])
        files = self.step('both devices\' changes everywhere', self.sync.wait_same_files, PLAIN,
                          ['shared.txt', 'a.txt', 'b.txt'])
        settled = time.monotonic() - began
        got = {name: data.decode().splitlines() for name, data in files.items()}
        # One file per writer: every line, in order, on every machine.
        self.assertEqual(got['a.txt'], ['start'] + lines['a'])
        self.assertEqual(got['b.txt'], ['start'] + lines['b'])
        # One shared file: Syncthing keeps one device's version; the other's lines are gone from
        # it on every machine (left in a conflict copy that no reader of shared.txt sees).
        lost = {who: [l for l in want if l not in got['shared.txt']] for who, want in lines.items()}
        self.assertIn(got['shared.txt'], (['start'] + lines['a'], ['start'] + lines['b']),
                      'shared.txt holds neither device\'s version alone: %r' % got['shared.txt'])
        self.assertEqual(sorted(len(v) for v in lost.values()), [0, 10], lost)
        conflicts = self.sync.conflict_copies(PLAIN)
        self.assertTrue(any('shared.sync-conflict-' in c for c in conflicts), conflicts)
        print('\n[syncthing] 2 devices x 10 lines between scans: one shared file kept %d of 20 lines'
              ' (conflict copies: %d); one file per writer kept 20 of 20; settled %.1fs after the scans'
              % (len(got['shared.txt']) - 1, len(conflicts), settled), flush=True)


if __name__ == '__main__':
    unittest.main()
