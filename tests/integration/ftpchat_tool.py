# Running the real `ftpchat` command in integration tests: the binary next to ftpchatfs (or
# FTPCHAT_BIN), with a ClientDir's environment and a passfile.
import os
import subprocess

import chatharness as h


def ftpchat_binary():
    explicit = os.environ.get('FTPCHAT_BIN')
    if explicit:
        return explicit
    return os.path.join(os.path.dirname(h.ftpchatfs_binary()), 'ftpchat')


class FtpchatUser:
    """One user of the ftpchat command: own state folder, passfile and nick."""

    def __init__(self, nick, passphrase, client=None):
        self.nick = nick
        self.client = client or h.ClientDir()
        self.passfile = os.path.join(self.client.root, 'passphrase')
        with open(self.passfile, 'w') as f:
            f.write(passphrase + '\n')
        os.chmod(self.passfile, 0o600)

    def env(self):
        env = {k: v for k, v in os.environ.items() if k != 'FTPCHAT_PASSPHRASE'}
        env.update(self.client.env())
        return env

    def args(self, sub, *rest):
        return [ftpchat_binary(), sub, '--passfile', self.passfile, '--nick', self.nick] + list(rest)

    def run(self, sub, *rest, input=None, check=True, timeout=60):
        proc = subprocess.run(self.args(sub, *rest), input=input, capture_output=True, text=True,
                              env=self.env(), timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError('ftpchat %s failed (%d): %s' % (sub, proc.returncode, proc.stderr))
        return proc

    def popen(self, sub, *rest, **kw):
        return subprocess.Popen(self.args(sub, *rest), env=self.env(), text=True, **kw)
