# One server kind for the network bench (pyftpdlib, vsftpd, OpenSSH's sshd), reached only
# through harness proxies that model the link under test: ftpchatfs mounts, sshfs mounts and
# the raw libcurl baseline (ftpchat_bench) each get a proxy of their own, as each client
# machine has its own access link, so the proxy's log of one client holds that client alone.
import os
import subprocess
import time

from bench_common import PASS, gen, h
from harness_base import spawn, stop_process

SERVER_KINDS = {'pyftpd': h.PyFtpdServer, 'vsftpd': h.VsftpdServer, 'sshd': h.SshdServer}
MOUNT_TIMEOUT = 300


class Target:
    def __init__(self, kind, tool, mount_options=()):
        self.kind, self.tool = kind, tool
        self.mount_options = list(mount_options)  # -o options of every ftpchatfs mount
        self.server = SERVER_KINDS[kind]()
        self.server.start()
        self.link = h.Link()
        self._proxies = []

    def close(self):
        for p in self._proxies:
            p.stop()
        self.server.close()

    # -- content written straight into the server's folder --------------------------------------
    def make_rooms(self, base, count, messages):
        """`count` rooms r00, r01, ... in base folder `base`, `messages` history messages
        each. Returns [(room folder, ciphertext bytes)]."""
        rooms = [gen(self.tool, self.server, base, 'r%02d' % i, messages) for i in range(count)]
        self._give_to_server(os.path.join(self.server.data_dir, base))
        return rooms

    def _give_to_server(self, path):
        """vsftpd writes as its system user: what gen wrote as root must become its own."""
        owner = self.server.file_owner()
        if owner is None:
            return
        self.server.make_dir(os.path.relpath(path, self.server.data_dir) + '/')
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.chown(os.path.join(root, name), *owner)

    # -- clients ------------------------------------------------------------------------------
    def new_proxy(self):
        p = h.TcpProxy(self.server.port, link=self.link, max_lifetime=3600)
        self._proxies.append(p)
        return p

    def drop_proxy(self, proxy):
        proxy.stop()
        if proxy in self._proxies:
            self._proxies.remove(proxy)

    def url(self, path, proxy):
        return self.server.url(path, create=path.endswith('/'), port=proxy.port)

    def mount(self, base, nick, client=None, proxy=None, options=()):
        """A started ftpchatfs mount of base folder `base` through a proxy of its own (or the
        one given: a warm remount needs the same URL, so the same port). Returns the Mount,
        with .proxy and .seconds (from start to mounted: the rooms are opened by then)."""
        proxy = proxy or self.new_proxy()
        client = client or h.ClientDir()
        opts = list(options) + self.mount_options
        if self.kind == 'sshd':
            client.trust_ssh_host(self.server, port=proxy.port)
            opts.append('identity=%s' % self.server.identity)
        m = h.Mount(self.url(base + '/', proxy), nick, PASS, client_dir=client, options=opts)
        t0 = time.monotonic()
        m.start(timeout=MOUNT_TIMEOUT)
        m.seconds = time.monotonic() - t0
        m.proxy = proxy
        return m

    def raw(self, op, path, count, size=None):
        """ftpchat_bench's raw libcurl requests (appe/list/get) through a fresh proxy: seconds
        of the first request (connection and login included) and p50/p99 of the others."""
        proxy = self.new_proxy()
        env = dict(os.environ)
        if self.kind == 'sshd':
            env['FTPCHAT_BENCH_SSH_KEY'] = self.server.identity
            env['FTPCHAT_BENCH_SSH_HOST_SHA256'] = self.server.host_key_sha256
        args = [self.tool, op, self.url(path, proxy)] + ([str(size)] if size else []) + [str(count)]
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
        finally:
            self.drop_proxy(proxy)
        if out.returncode != 0:
            raise h.HarnessError('%s %s failed: %s' % (os.path.basename(self.tool), op, out.stderr.strip()))
        f = out.stdout.split()
        values = dict(zip(f[0::2], f[1::2]))
        return {k.replace('_us', ''): float(v) / (1e6 if k.endswith('_us') else 1) for k, v in values.items()}

    # -- sshfs, the peer to beat (sshd only) ----------------------------------------------------
    def sshfs(self, path):
        """sshfs -o dir_cache=no of data_dir/path through a proxy of its own: (mountpoint,
        stop function)."""
        proxy = self.new_proxy()
        scratch = h.make_scratch('sshfs')
        mnt = os.path.join(scratch, 'mnt')
        os.makedirs(mnt)
        known = os.path.join(scratch, 'known_hosts')
        with open(known, 'w') as f:
            f.write(self.server.known_hosts_line(proxy.port) + '\n')
        cmd = ['sshfs', '-f', '-p', str(proxy.port), '-o', 'dir_cache=no', '-o', 'IdentityFile=%s' % self.server.identity,
               '-o', 'UserKnownHostsFile=%s' % known, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
               'root@127.0.0.1:%s' % self.server.local_path(path), mnt]
        proc = spawn(cmd, os.path.join(scratch, 'sshfs.log'), death_signal='TERM')
        t0 = time.monotonic()
        h.wait_for(lambda: h.is_mounted(mnt) or proc.poll() is not None, 60, message='sshfs mounted')
        seconds = time.monotonic() - t0
        if not h.is_mounted(mnt):
            raise h.HarnessError('sshfs exited %s: %s' % (proc.returncode, open(os.path.join(scratch, 'sshfs.log')).read()))

        def stop():
            subprocess.run(['fusermount3', '-u', mnt], capture_output=True, timeout=30)
            stop_process(proc)
            self.drop_proxy(proxy)
        return mnt, seconds, stop
