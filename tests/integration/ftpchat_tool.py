# Running the real `ftpchat` command in integration tests: the binary next to ftpchatfs (or
# FTPCHAT_BIN), with a ClientDir's environment and a passfile (passphrase rooms) or an
# identity file (member rooms).
import os
import subprocess

import chatharness as h


def ftpchat_binary():
    explicit = os.environ.get('FTPCHAT_BIN')
    if explicit:
        return explicit
    return os.path.join(os.path.dirname(h.ftpchatfs_binary()), 'ftpchat')


class FtpchatUser:
    """One user of the ftpchat command: own state folder, passfile and nick. passphrase=None
    gives no passfile; make_identity() gives the user an identity file (--chatid) for member
    rooms."""

    def __init__(self, nick, passphrase=None, client=None):
        self.nick = nick
        self.client = client or h.ClientDir()
        self.passfile = None
        self.chatid = None
        if passphrase is not None:
            self.passfile = os.path.join(self.client.root, 'passphrase')
            with open(self.passfile, 'w') as f:
                f.write(passphrase + '\n')
            os.chmod(self.passfile, 0o600)

    def make_identity(self, path=None):
        """Creates the user's identity with `ftpchat id new`; returns the public id."""
        self.chatid = path or os.path.join(self.client.root, 'identity')
        proc = self.run('id', 'new')
        return proc.stdout.strip()

    def use_identity_of(self, other):
        """The same identity file as `other` (a second device of one person)."""
        self.chatid = os.path.join(self.client.root, 'identity')
        with open(other.chatid) as src, open(self.chatid, 'w') as dst:
            dst.write(src.read())
        os.chmod(self.chatid, 0o600)

    def env(self):
        env = {k: v for k, v in os.environ.items() if k != 'FTPCHAT_PASSPHRASE'}
        env.update(self.client.env())
        return env

    def args(self, sub, *rest):
        out = [ftpchat_binary(), sub]
        if sub == 'id':  # id new|show take the identity options only
            return out + list(rest[:1]) + (['--chatid', self.chatid] if self.chatid else []) + list(rest[1:])
        if self.passfile:
            out += ['--passfile', self.passfile]
        if self.chatid:
            out += ['--chatid', self.chatid]
        return out + ['--nick', self.nick] + list(rest)

    def run(self, sub, *rest, input=None, check=True, timeout=60):
        proc = subprocess.run(self.args(sub, *rest), input=input, capture_output=True, text=True,
                              env=self.env(), timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError('ftpchat %s failed (%d): %s' % (sub, proc.returncode, proc.stderr))
        return proc

    def popen(self, sub, *rest, **kw):
        return subprocess.Popen(self.args(sub, *rest), env=self.env(), text=True, **kw)
