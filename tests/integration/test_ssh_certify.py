# An ftpchat public id certified by an SSH key: the real `ftpchat id certify`, `id show --ssh`
# and `id check` with the real ssh-keygen (-Y sign / -Y verify, an allowed_signers file). No
# server and no mount: the certification is checked by people, the room format is unchanged.
import os
import shutil
import subprocess
import tempfile
import unittest

from ftpchat_tool import ftpchat_binary


class SshCertify(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(shutil.which('ssh-keygen'), 'ssh-keygen missing: apt-get install openssh-client')
        self.dir = tempfile.mkdtemp(prefix='ftpchat-t-sshcert-')
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.home = self.path('home')
        os.makedirs(os.path.join(self.home, '.ssh'), mode=0o700)
        # No agent, no display: only what each test gives reaches ssh-keygen.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('SSH_') and k not in ('DISPLAY', 'WAYLAND_DISPLAY')}
        self.env.update(HOME=self.home, XDG_DATA_HOME=self.path('data'), TMPDIR=self.dir)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def ftpchat(self, *args, input=None, env=None, code=0):
        proc = subprocess.run([ftpchat_binary()] + list(args), input=input, capture_output=True,
                              text=True, env=env or self.env, timeout=20,
                              stdin=None if input is not None else subprocess.DEVNULL)
        self.assertEqual(proc.returncode, code, 'ftpchat %s: exit %d, stdout %r, stderr %r'
                         % (' '.join(args), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def ssh_key(self, name, passphrase=''):
        key = self.path(name)
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', key],
                       check=True, timeout=10)
        with open(key + '.pub') as f:
            return key, f.read().strip()

    def allowed_signers(self, *lines):
        path = self.path('allowed_signers')
        with open(path, 'w') as f:
            f.write(''.join(line + '\n' for line in lines))
        return path

    def fingerprint(self, key):
        out = subprocess.run(['ssh-keygen', '-l', '-f', key + '.pub'], capture_output=True,
                             text=True, check=True).stdout
        return out.split()[1]  # "256 SHA256:... comment (ED25519)"

    def new_identity(self, *extra):
        return self.ftpchat('id', 'new', *extra).stdout.strip()

    def test_certify_show_and_check(self):
        key, pub = self.ssh_key('alice_ssh')
        allowed = self.allowed_signers('alice ' + pub)
        public_id = self.new_identity()
        self.assertEqual(self.ftpchat('id', 'show', '--ssh', code=1).stderr.strip(),
                         'ftpchat: not certified yet: run ftpchat id certify')

        done = self.ftpchat('id', 'certify', '--ssh-key', key)
        sig_file = self.path('data', 'ftpchatfs', 'identity.sshsig')
        self.assertIn(sig_file, done.stderr)
        self.assertEqual(os.stat(sig_file).st_mode & 0o777, 0o644)
        with open(sig_file) as f:
            signature = f.read()
        self.assertTrue(signature.startswith('-----BEGIN SSH SIGNATURE-----\n'), signature)
        # The signature is ssh-keygen's own, over exactly "<public id>\n" in namespace ftpchat-id.
        subprocess.run(['ssh-keygen', '-Y', 'verify', '-f', allowed, '-I', 'alice', '-n', 'ftpchat-id',
                        '-s', sig_file], input=public_id + '\n', text=True, check=True,
                       capture_output=True, timeout=10)

        paste = self.ftpchat('id', 'show', '--ssh').stdout
        self.assertEqual(paste, public_id + '\n' + signature)
        ok_line = '%s is certified by alice\'s SSH key (ED25519 key %s)\n' % (public_id, self.fingerprint(key))
        # The one paste on stdin, the id taken from it.
        checked = self.ftpchat('id', 'check', '--signature', '-', '--allowed-signers', allowed,
                               '--principal', 'alice', input=paste)
        self.assertEqual(checked.stdout, ok_line)
        # The id given, the signature from a file.
        checked = self.ftpchat('id', 'check', public_id, '--signature', sig_file,
                               '--allowed-signers', allowed, '--principal', 'alice')
        self.assertEqual(checked.stdout, ok_line)

        other_id = self.new_identity('--chatid', self.path('other-identity'))
        self.assertNotEqual(other_id, public_id)
        bad = self.ftpchat('id', 'check', other_id, '--signature', sig_file, '--allowed-signers', allowed,
                           '--principal', 'alice', code=1)
        self.assertEqual(bad.stdout, '')
        self.assertIn('is not certified by alice: the signature is for another public id', bad.stderr)
        # The paste's own id and another one given: refused before ssh-keygen runs.
        bad = self.ftpchat('id', 'check', other_id, '--signature', '-', '--allowed-signers', allowed,
                           '--principal', 'alice', input=paste, code=1)
        self.assertIn('PUBLIC_ID differs from the id at the top of stdin', bad.stderr)
        # A paste whose id line was edited.
        bad = self.ftpchat('id', 'check', '--signature', '-', '--allowed-signers', allowed,
                           '--principal', 'alice', input=paste.replace(public_id, other_id), code=1)
        self.assertIn('the signature is for another public id', bad.stderr)

    def test_wrong_principal_and_bad_input(self):
        key, pub = self.ssh_key('alice_ssh')
        _, mallory_pub = self.ssh_key('mallory_ssh')
        allowed = self.allowed_signers('alice ' + pub, 'mallory ' + mallory_pub)
        public_id = self.new_identity()
        self.ftpchat('id', 'certify', '--ssh-key', key)
        sig_file = self.path('data', 'ftpchatfs', 'identity.sshsig')
        for principal in ('mallory', 'bob'):
            bad = self.ftpchat('id', 'check', public_id, '--signature', sig_file, '--allowed-signers',
                               allowed, '--principal', principal, code=1)
            self.assertEqual(bad.stderr.strip(),
                             'ftpchat: %s is not certified by %s: %s lists no key of %s that made this '
                             'signature; check --principal and their line in it'
                             % (public_id, principal, allowed, principal))
        # A malformed public id: the id parser's own error, as for invite.
        broken = public_id[:-1] + ('A' if public_id[-1] != 'A' else 'B')
        bad = self.ftpchat('id', 'check', broken, '--signature', sig_file, '--allowed-signers', allowed,
                           '--principal', 'alice', code=2)
        invite = self.ftpchat('invite', 'file:///nonexistent/room', 'x', broken, code=2)
        self.assertEqual(bad.stderr, invite.stderr)
        bad = self.ftpchat('id', 'check', public_id, '--signature', allowed, '--allowed-signers',
                           allowed, '--principal', 'alice', code=2)
        self.assertIn('holds no SSH signature', bad.stderr)
        bad = self.ftpchat('id', 'certify', '--ssh-key', self.path('missing'), code=2)
        self.assertIn('no SSH key at %s' % self.path('missing'), bad.stderr)
        # Without ssh-keygen on PATH.
        env = dict(self.env, PATH=self.path('empty-path'))
        bad = self.ftpchat('id', 'check', public_id, '--signature', sig_file, '--allowed-signers',
                           allowed, '--principal', 'alice', env=env, code=1)
        self.assertEqual(bad.stderr.strip(), 'ftpchat: ssh-keygen not found: apt-get install openssh-client')

    def test_stale_signature_after_a_new_identity(self):
        key, _ = self.ssh_key('alice_ssh')
        self.new_identity()
        self.ftpchat('id', 'certify', '--ssh-key', key)
        os.unlink(self.path('data', 'ftpchatfs', 'identity'))
        self.new_identity()
        bad = self.ftpchat('id', 'show', '--ssh', code=1)
        self.assertIn('(made for an earlier identity?): run ftpchat id certify again', bad.stderr)

    def test_passphrase_protected_key_through_askpass(self):
        # ssh-keygen asks for the passphrase (here through SSH_ASKPASS); ftpchat never sees the
        # key or the passphrase. The wrong passphrase must fail, the right one must sign.
        key, pub = self.ssh_key('alice_ssh', passphrase='s3cret ssh pass')
        allowed = self.allowed_signers('alice ' + pub)
        public_id = self.new_identity()
        askpass = self.path('askpass')
        with open(askpass, 'w') as f:
            f.write('#!/bin/sh\necho "$@" >> "%s"\ncat "%s"\n' % (self.path('asked'), self.path('answer')))
        os.chmod(askpass, 0o700)
        env = dict(self.env, SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE='force', DISPLAY=':0')

        with open(self.path('answer'), 'w') as f:
            f.write('wrong\n')
        bad = self.ftpchat('id', 'certify', '--ssh-key', key, env=env, code=1)
        self.assertIn('ssh-keygen could not sign with %s' % key, bad.stderr)
        self.assertFalse(os.path.exists(self.path('data', 'ftpchatfs', 'identity.sshsig')))

        with open(self.path('answer'), 'w') as f:
            f.write('s3cret ssh pass\n')
        self.ftpchat('id', 'certify', '--ssh-key', key, env=env)
        with open(self.path('asked')) as f:  # ssh-keygen's prompt, once per certify
            self.assertEqual(f.read(), 'Enter passphrase: \n' * 2)
        checked = self.ftpchat('id', 'check', '--signature', '-', '--allowed-signers', allowed,
                               '--principal', 'alice', input=self.ftpchat('id', 'show', '--ssh').stdout)
        self.assertTrue(checked.stdout.startswith(public_id + " is certified by alice's SSH key"))


if __name__ == '__main__':
    unittest.main()
