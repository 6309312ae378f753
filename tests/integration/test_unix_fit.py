# ftpchatfs among Unix tools: ROOM/log.jsonl read by a JSON parser while it grows, and mounts
# through mount(8) the way fstab does them (ftpchatfs#URL with type fuse, and type
# fuse.ftpchatfs via mount.fuse3, with the options mount passes such as rw, dev, suid).
import errno
import json
import os
import shutil
import subprocess
import time
import unittest

import chatharness as h

PASS = 'correct horse battery staple'


class UnixFit(h.ServerTestCase):
    def setUp(self):
        self.base = self.server.url('chat-%s/' % self._testMethodName)

    def mount(self, nick):
        return self.start_mount(self.base, nick, PASS, options=['poll=200'])

    def test_log_jsonl_is_valid_json_and_grows_live(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'plain "quoted" \\ back')
        with open(a.outbox('r'), 'wb') as f:
            f.write(b'bytes \xff\xfe and \x1b[31m escape\n')
        b = self.mount('bob')
        self.assertIn('log.jsonl', os.listdir(b.path('r')))
        self.assertEqual(os.stat(b.path('r', 'log.jsonl')).st_mode & 0o777, 0o400)
        with open(b.path('r', 'log.jsonl'), 'rb') as f:
            first = f.read()
            records = [json.loads(l) for l in first.decode('utf-8').splitlines()]
            self.assertEqual([r['text'] for r in records],
                             ['plain "quoted" \\ back', 'bytes \ufffd\ufffd and \x1b[31m escape'])
            self.assertEqual({r['from'] for r in records}, {'alice'})
            for r in records:
                self.assertEqual(sorted(r), ['from', 'id', 'text', 'time'])
                self.assertRegex(r['time'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
            self.assertNotIn(b'\x1b', first)  # escaped, so the file is safe to cat
            # The open handle sees growth, as tail -f would.
            h.append_line(a.outbox('r'), 'later')
            h.wait_for(lambda: os.fstat(f.fileno()).st_size > len(first), 10)
            more = f.read().decode('utf-8').splitlines()
            self.assertEqual([json.loads(l)['text'] for l in more], ['later'])
        # Same messages, same order as log.
        log = h.read_text(b.log('r')).splitlines()
        jsonl = [json.loads(l) for l in h.read_text(b.path('r', 'log.jsonl')).splitlines()]
        self.assertEqual(len(log), len(jsonl))
        self.assertTrue(all('<%s>' % j['from'] in l for l, j in zip(log, jsonl)))

    def test_editors_save_into_outbox(self):
        a = self.mount('alice')
        os.mkdir(a.path('r'))
        outbox = a.outbox('r')
        # ed: "w" truncates the (always empty) outbox and writes the buffer.
        subprocess.run(['ed', '-s', outbox], input='a\nfrom ed\nsecond ed line\n.\nw\nq\n',
                       text=True, check=True, timeout=20, capture_output=True)
        # vim with its defaults (swap file, writebackup), run as ex in batch mode.
        subprocess.run(['vim', '-es', '-u', 'DEFAULTS', '-i', 'NONE', '-c',
                        'call setline(1, ["from vim", "", "vim after a blank line"])', '-c', 'wq',
                        outbox], check=True, timeout=20, capture_output=True)
        # nano in a terminal (tmux): type two lines, ^O Enter to write, ^X to leave.
        session = 'ftpchat-nano-%d' % os.getpid()
        subprocess.run(['tmux', 'new-session', '-d', '-s', session, '-x', '80', '-y', '24',
                        'nano ' + outbox], check=True, timeout=10)
        self.addCleanup(lambda: subprocess.run(['tmux', 'kill-session', '-t', session],
                                                    capture_output=True))
        h.wait_for(lambda: 'GNU nano' in subprocess.run(
            ['tmux', 'capture-pane', '-p', '-t', session], capture_output=True,
            text=True).stdout, 10)
        subprocess.run(['tmux', 'send-keys', '-t', session, 'from nano', 'Enter', 'nano two'],
                       check=True)
        subprocess.run(['tmux', 'send-keys', '-t', session, 'C-o'], check=True)
        h.wait_for(lambda: 'File Name to Write' in subprocess.run(
            ['tmux', 'capture-pane', '-p', '-t', session], capture_output=True,
            text=True).stdout, 10)
        subprocess.run(['tmux', 'send-keys', '-t', session, 'Enter'], check=True)
        h.wait_for(lambda: 'Wrote 2 lines' in subprocess.run(
            ['tmux', 'capture-pane', '-p', '-t', session], capture_output=True,
            text=True).stdout, 10)
        subprocess.run(['tmux', 'send-keys', '-t', session, 'C-x'], check=True)
        want = ['<alice> from ed', '<alice> second ed line', '<alice> from vim',
                '<alice> vim after a blank line', '<alice> from nano', '<alice> nano two']
        h.wait_for(lambda: [l.split(' ', 2)[2] for l in h.read_text(a.log('r')).splitlines()]
                   == want, 10, message='editor lines in %s' % a.log('r'))

    def test_man_pages_render_without_warnings(self):
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
        built = os.path.join(os.path.dirname(os.path.abspath(h.ftpchatfs_binary())), 'man')
        pages = [os.path.join(built, 'ftpchatfs.1'), os.path.join(built, 'ftpchat.1'),
                 os.path.join(built, 'ftpchat-format.5')]
        for page in pages:
            self.assertTrue(os.path.exists(page), page)
            proc = subprocess.run(['man', '--warnings', '-l', page], capture_output=True,
                                  text=True, timeout=30, env=dict(os.environ, MANWIDTH='80'))
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stderr, '', page)
            self.assertIn('NAME', proc.stdout)
        # ftpchatfs(1) is generated from --help: every option and mount option is in it, and
        # the prose sections from man/ftpchatfs.h2m are there too.
        fs_text = subprocess.run(['man', '-l', pages[0]], capture_output=True, text=True,
                                 env=dict(os.environ, MANWIDTH='200')).stdout
        fs_help = subprocess.run([h.ftpchatfs_binary(), '--help'], capture_output=True,
                                 text=True).stdout
        mount_opts = fs_help.split('Mount options', 1)[1].split('Examples:')[0].splitlines()[1:]
        names = [line.split()[0] for line in mount_opts if line.startswith('  ') and
                 not line.strip().startswith('(')]
        self.assertIn('accept_new_hostkey', names)
        for name in names + [w for w in fs_help.split() if w.startswith('--')]:
            self.assertIn(name.split(',')[-1], fs_text, 'ftpchatfs(1) lacks %s' % name)
        for section in ('EXIT STATUS', 'FILES IN THE MOUNT', 'ROOM/status', 'SEE ALSO'):
            self.assertIn(section, fs_text)
        # ftpchat(1) is generated from --help: every option of every command is in it.
        text = subprocess.run(['man', '-l', pages[1]], capture_output=True, text=True,
                              env=dict(os.environ, MANWIDTH='200')).stdout
        binary = os.path.join(os.path.dirname(os.path.abspath(h.ftpchatfs_binary())), 'ftpchat')
        for sub in ('init', 'send', 'read', 'verify', 'chat', 'id show', 'id certify', 'id check'):
            helptext = subprocess.run([binary] + sub.split() + ['--help'], capture_output=True,
                                      text=True).stdout
            for opt in [w for w in helptext.split() if w.startswith('--')]:
                self.assertIn(opt.split(':')[0], text, 'ftpchat %s %s' % (sub, opt))

    def _mount_via_mount8(self, argv, mnt, passfile):
        env = dict(os.environ, **h.ClientDir().env())
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.addCleanup(lambda: subprocess.run(['umount', mnt], capture_output=True))
        h.wait_for(lambda: h.is_mounted(mnt), 10)
        return proc

    def _passfile(self, scratch):
        path = os.path.join(scratch, 'pass')
        with open(path, 'w') as f:
            f.write(PASS + '\n')
        os.chmod(path, 0o600)
        return path

    def test_fstab_style_mounts_through_mount_fuse3(self):
        a = self.mount('alice')
        os.mkdir(a.path('general'))
        h.append_line(a.outbox('general'), 'before fstab')
        scratch = h.make_scratch('fstab')
        passfile = self._passfile(scratch)
        binary = os.path.abspath(h.ftpchatfs_binary())
        # 1. The old fstab form: "ftpchatfs#URL /mnt fuse opts" with the program's path.
        mnt1 = os.path.join(scratch, 'm1')
        os.mkdir(mnt1)
        self._mount_via_mount8(['mount', '-t', 'fuse', '%s#%s' % (binary, self.base), mnt1, '-o',
                                'rw,nodev,nosuid,noatime,passfile=%s,nick=carol,poll=200'
                                % passfile], mnt1, passfile)
        self.assertIn('<alice> before fstab', h.read_text(os.path.join(mnt1, 'general', 'log')))
        # 2. Type fuse.ftpchatfs: mount.fuse3 runs "ftpchatfs" from mount's own PATH
        # (/usr/local/sbin:/usr/local/bin:/usr/sbin:...), where cmake --install puts it.
        link = '/usr/local/bin/ftpchatfs'
        if os.path.lexists(link) and not os.path.islink(link):
            self.skipTest('%s is an installed binary; not replacing it' % link)
        previous = os.readlink(link) if os.path.islink(link) else None
        tmp = link + '.test-%d' % os.getpid()
        os.symlink(binary, tmp)
        os.replace(tmp, link)

        def restore():
            if previous is None:
                os.unlink(link)
            else:
                os.symlink(previous, tmp)
                os.replace(tmp, link)
        self.addCleanup(restore)
        mnt2 = os.path.join(scratch, 'm2')
        os.mkdir(mnt2)
        self._mount_via_mount8(['mount', '-t', 'fuse.ftpchatfs', self.base, mnt2, '-o',
                                'rw,dev,suid,exec,async,passfile=%s,nick=dave,poll=200'
                                % passfile], mnt2, passfile)
        h.append_line(os.path.join(mnt2, 'general', 'outbox'), 'from fstab')
        h.wait_for(lambda: '<dave> from fstab' in h.read_text(a.log('general')), 10)
        with open('/proc/mounts') as f:
            fstype = [l.split()[2] for l in f if l.split()[1] == mnt2]
        self.assertEqual(fstype, ['fuse.ftpchatfs'])

    def test_sync_read_sees_the_server_at_once(self):
        # The poller is effectively off on b: only sync_read can bring a's message in.
        a = h.Mount(self.base, 'alice', PASS, options=['sync_send'])
        self.addCleanup(a.close)
        a.start()
        os.mkdir(a.path('r'))
        h.append_line(a.outbox('r'), 'before')
        b = h.Mount(self.base, 'bob', PASS, options=['sync_read', 'poll=3600000'])
        self.addCleanup(b.close)
        b.start()
        with open(b.log('r'), 'rb') as log:
            self.assertIn(b'<alice> before', log.read())
            for i in range(3):
                h.append_line(a.outbox('r'), 'now %d' % i)  # sync_send: on the server on close
                started = time.monotonic()
                self.assertIn(b'<alice> now %d' % i, log.read())  # at the end: asks the server
                self.assertLess(time.monotonic() - started, 2)
            self.assertEqual(log.read(), b'')
        self.assertIn('<alice> now 2', subprocess.run(['cat', b.log('r')], capture_output=True,
                                                      text=True, timeout=10).stdout)

    def test_scratch_files_stay_in_memory(self):
        a = self.mount('alice')
        b = self.mount('bob')
        os.mkdir(a.path('r'))
        room = a.path('r')
        # vim with its swap file, writebackup and backupcopy=no (renames outbox to a backup,
        # writes a new outbox, deletes the backup), then with backupcopy=yes (copies).
        for copy in ('no', 'yes'):
            subprocess.run(['vim', '-es', '-u', 'NONE', '-N', '-i', 'NONE', '-c',
                            'set swapfile directory=. backupdir=. backupskip= writebackup backupcopy='
                            + copy,
                            '-c', 'call setline(1, ["vim %s one", "", "vim %s two"])' % (copy, copy),
                            '-c', 'wq', a.outbox('r')], check=True, timeout=20, capture_output=True,
                           cwd=room)
        want = ['<alice> vim no one', '<alice> vim no two', '<alice> vim yes one',
                '<alice> vim yes two']
        h.wait_for(lambda: [l.split(' ', 2)[2] for l in h.read_text(b.log('r')).splitlines()]
                   == want, 10, message='vim lines on the second mount')
        self.assertEqual(sorted(os.listdir(room)), ['log', 'log.jsonl', 'outbox', 'status'])
        # By hand: a swap file is a file like any other, listed, private to this mount.
        swp = os.path.join(room, '.outbox.swp')
        with open(swp, 'w+b') as f:
            f.write(b'x' * 5000 + b'tail')
            f.seek(5000)
            self.assertEqual(f.read(), b'tail')
            f.truncate(10)
        os.chmod(swp, 0o640)
        os.utime(swp, (1000000000, 1000000000))
        st = os.stat(swp)
        self.assertEqual((st.st_size, st.st_mode & 0o777, st.st_mtime), (10, 0o640, 1000000000))
        self.assertIn('.outbox.swp', os.listdir(room))
        self.assertNotIn('.outbox.swp', os.listdir(b.path('r')))
        # A rename onto outbox sends the non-empty lines; the scratch file is gone.
        with open(os.path.join(room, '.outbox.save'), 'w') as f:
            f.write('saved one\n\nsaved two')
        os.rename(os.path.join(room, '.outbox.save'), a.outbox('r'))
        self.assertNotIn('.outbox.save', os.listdir(room))
        h.wait_for(lambda: h.read_text(b.log('r')).count('<alice> saved') == 2, 10)
        # The room's own files cannot be made, removed or replaced.
        with self.assertRaises(FileExistsError):
            os.open(a.log('r'), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        with self.assertRaises(PermissionError):
            os.open(os.path.join(room, 'status'), os.O_CREAT | os.O_WRONLY)
        with self.assertRaises(PermissionError):
            os.unlink(a.outbox('r'))
        with self.assertRaises(PermissionError):
            os.rename(swp, a.log('r'))
        with self.assertRaises(PermissionError):
            os.rename(room, a.path('renamed'))
        # The mount's scratch space is bounded (16 MiB).
        big = os.path.join(room, 'big~')
        with self.assertRaises(OSError) as err:
            with open(big, 'wb') as f:
                for _ in range(17):
                    f.write(b'z' * (1 << 20))
        self.assertEqual(err.exception.errno, errno.ENOSPC)
        os.unlink(big)
        os.unlink(swp)
        self.assertEqual(sorted(os.listdir(room)), ['log', 'log.jsonl', 'outbox', 'status'])
        # Nothing but the header and writer files ever reached the server: the room folder
        # holds the header and period folders, and every file is one of those.
        base = os.path.join(self.server.data_dir, 'chat-' + self._testMethodName)
        [room_dir] = h.room_dirs(base)
        self.assertEqual(os.listdir(base), [os.path.basename(room_dir)])
        self.assertEqual(sorted(os.listdir(room_dir)),
                         sorted(['header'] + h.period_folders(room_dir)))
        files = {os.path.relpath(os.path.join(r, f), room_dir)
                 for r, _dirs, names in os.walk(room_dir) for f in names}
        writers = {os.path.relpath(f, room_dir) for f in h.writer_files(room_dir)}
        self.assertTrue(writers)
        self.assertEqual(files, {'header'} | writers)


if __name__ == '__main__':
    unittest.main()
