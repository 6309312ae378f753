# Ceph's RADOS Gateway (S3) on 127.0.0.1 for tests: a one-node cluster (a monitor and one OSD
# on a memstore, no cephx, no manager) and radosgw in front of it, from Debian's packages
# (radosgw ceph-mon ceph-osd ceph-common), all in one scratch folder on free ports. Ready in
# about 5 s, ~150 MB; share one per test class. stop() ends everything (the data lived in
# memory); kill(), stop_gateway() and restart_gateway() touch only radosgw, keeping the data.
import os
import secrets
import shutil
import time
import uuid

from harness_base import (file_tail, free_port, free_port_range, HarnessError, kill_process,
                          make_scratch, port_accepts, register, RegisteredServer, run, spawn,
                          stop_process)
from harness_s3 import S3Client

RGW_POOLS = ('.rgw.root', 'default.rgw.control', 'default.rgw.meta', 'default.rgw.log',
             'default.rgw.buckets.index', 'default.rgw.buckets.data', 'default.rgw.buckets.non-ec')

_CONF = """[global]
fsid = {fsid}
mon host = [v2:127.0.0.1:{mon2},v1:127.0.0.1:{mon1}]
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms bind port min = {low}
ms bind port max = {high}
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
paxos propose interval = 0.05
paxos min wait = 0.01
run dir = {dir}/run
admin socket = {dir}/run/$name.asok
log file = {dir}/log/$name.log
mon data = {dir}/mon/$cluster-$id
osd data = {dir}/osd/$cluster-$id
keyring = {dir}/keyring
[client]
# radosgw's default ("secure") needs cephx: without it the gateway never answers.
ms mon client mode = crc
[client.rgw.a]
# tcp_nodelay: beast writes a reply's header and body apart; with Nagle on, the body waits for
# the client's delayed ACK (40 ms) on every kept-alive connection.
rgw frontends = beast endpoint=127.0.0.1:{port} tcp_nodelay={nodelay}
rgw data = {dir}/rgw
"""


class RgwServer(RegisteredServer):
    """s3://BUCKET/ on http://127.0.0.1:`.port`; keys in .access_key/.secret_key (hand them
    to clients through the environment or ~/.aws/credentials, never on a command line)."""

    kind = 'rgw'
    scheme = 's3'
    bucket = 'chat'
    start_timeout = 60.0

    def __init__(self, tcp_nodelay=True):
        self.tcp_nodelay = tcp_nodelay
        self.dir = make_scratch('rgw')
        # Daemons bind messenger ports in ms_ports; the gateway's and the monitor's stay
        # outside it, so no daemon can take the gateway's port while it restarts.
        self.ms_ports = free_port_range(40)
        self.port, mon2, mon1 = self._ports_outside(self.ms_ports, 3)
        self.mon_ports = (mon2, mon1)
        self.access_key = 'FTPCHAT' + secrets.token_hex(6).upper()
        self.secret_key = secrets.token_urlsafe(30)
        self.conf = os.path.join(self.dir, 'ceph.conf')
        self.log_path = os.path.join(self.dir, 'daemons.log')
        self.proc = None  # radosgw
        self.cluster = []  # ceph-mon, ceph-osd
        self.starts = 0
        self._snapshots = 0
        self.client = S3Client(self.port, self.access_key, self.secret_key)
        register('servers', self)

    @staticmethod
    def _ports_outside(band, n):
        ports = []
        while len(ports) < n:
            p = free_port()
            if not band[0] <= p <= band[1] and p not in ports:
                ports.append(p)
        return ports

    # -- life cycle -------------------------------------------------------------------------
    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        """Starts the cluster (first time) and the gateway; returns once S3 answers."""
        if not self.cluster:
            self._start_cluster()
        if self.running:
            return self
        self.proc = spawn(['radosgw', '-c', self.conf, '-n', 'client.rgw.a', '-f'], self.log_path,
                          cwd=self.dir)
        self.starts += 1
        deadline = time.monotonic() + self.start_timeout
        while not port_accepts(self.port):
            if self.proc.poll() is not None:
                raise HarnessError('radosgw exited with %s; log tail:\n%s'
                                   % (self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise HarnessError('radosgw did not listen on %d within %.0fs; log tail:\n%s'
                                   % (self.port, self.start_timeout, self.log_tail()))
            time.sleep(0.05)
        if self.starts == 1:
            self._first_start()
        return self

    def _start_cluster(self):
        d = self.dir
        for sub in ('run', 'log', 'mon/ceph-a', 'osd/ceph-0', 'rgw'):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        fsid = str(uuid.uuid4())
        with open(self.conf, 'w') as f:
            f.write(_CONF.format(fsid=fsid, mon2=self.mon_ports[0], mon1=self.mon_ports[1],
                                 low=self.ms_ports[0], high=self.ms_ports[1], dir=d, port=self.port,
                                 nodelay=int(self.tcp_nodelay)))
        c = ['-c', self.conf]
        monmap = os.path.join(d, 'monmap')
        run(['monmaptool', '--create', '--addv', 'a', '[v2:127.0.0.1:%d,v1:127.0.0.1:%d]'
             % self.mon_ports, '--fsid', fsid, monmap] + c)
        run(['ceph-authtool', '--create-keyring', os.path.join(d, 'keyring'), '--gen-key',
             '-n', 'mon.', '--cap', 'mon', 'allow *'])
        run(['ceph-mon'] + c + ['--mkfs', '-i', 'a', '--monmap', monmap])
        self.cluster.append(spawn(['ceph-mon'] + c + ['-i', 'a', '-f'], self.log_path, cwd=d))
        # The gateway's pools up front, in one ceph process (each pool is a paxos round).
        commands = ''.join('osd pool create %s 8 8\nosd pool application enable %s rgw\n' % (p, p)
                           for p in RGW_POOLS)
        run(['ceph'] + c + ['--connect-timeout', '20'], input=commands, timeout=60)
        osd_uuid = str(uuid.uuid4())
        run(['ceph'] + c + ['osd', 'new', osd_uuid])
        run(['ceph-osd'] + c + ['-i', '0', '--mkfs', '--osd-uuid', osd_uuid])
        self.cluster.append(spawn(['ceph-osd'] + c + ['-i', '0', '-f'], self.log_path, cwd=d))

    def _first_start(self):
        run(['radosgw-admin', '-c', self.conf, '-n', 'client.admin', 'user', 'create',
             '--uid=chat', '--display-name=chat', '--access-key=' + self.access_key,
             '--secret-key=' + self.secret_key], timeout=60)
        deadline = time.monotonic() + self.start_timeout
        while True:  # the gateway may answer 5xx while its pools become active
            try:
                status, _, _ = self.client.request('PUT', self.bucket)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise HarnessError('radosgw did not create bucket %s; log tail:\n%s'
                                   % (self.bucket, self.log_tail()))
            time.sleep(0.1)
        # The first object write is slow (placement groups peer); pay for it here.
        self.client.put(self.bucket, '.warm-up', b'x')
        self.client.check('DELETE', self.bucket, '.warm-up', expect=(204,))

    def stop_gateway(self):
        proc, self.proc = self.proc, None
        stop_process(proc)
        self._wait_port_closed()

    def kill(self):
        """SIGKILL to radosgw (a crash of the server clients talk to); the cluster and its
        data stay, start() brings the gateway back."""
        proc, self.proc = self.proc, None
        kill_process(proc)
        self._wait_port_closed()

    def restart_gateway(self):
        self.stop_gateway()
        return self.start()

    def stop(self):
        """Ends the gateway and the cluster (their data with them)."""
        self.client.close()
        for proc in [self.proc] + list(reversed(self.cluster)):
            kill_process(proc)
        self.proc, self.cluster = None, []

    def _wait_port_closed(self):
        deadline = time.monotonic() + 5
        while port_accepts(self.port, timeout=0.2) and time.monotonic() < deadline:
            time.sleep(0.02)

    # -- what clients need ------------------------------------------------------------------
    @property
    def endpoint(self):
        return 'http://127.0.0.1:%d' % self.port

    def url(self, path='chat/', create=True, port=None):
        """s3://BUCKET/path. Folders are implicit: `create` has nothing to do. `port` (a
        proxy's) goes into endpoint_option(), not the URL."""
        return 's3://%s/%s' % (self.bucket, path.lstrip('/'))

    def endpoint_option(self, port=None):
        return 'endpoint=http://127.0.0.1:%d' % (port or self.port)

    def credentials_env(self):
        return {'AWS_ACCESS_KEY_ID': self.access_key, 'AWS_SECRET_ACCESS_KEY': self.secret_key}

    def write_credentials(self, home, profile='default'):
        """~/.aws/credentials (0600) in `home` with this gateway's keys."""
        folder = os.path.join(home, '.aws')
        os.makedirs(folder, mode=0o700, exist_ok=True)
        path = os.path.join(folder, 'credentials')
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as f:
            f.write('[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n'
                    % (profile, self.access_key, self.secret_key))
        return path

    @property
    def data_dir(self):
        """A fresh snapshot of the whole bucket as a folder (see S3Client.snapshot), so tests
        written against an FTP server's data folder read an S3 bucket the same way."""
        self._snapshots += 1
        old = os.path.join(self.dir, 'snapshot-%d' % (self._snapshots - 2))
        shutil.rmtree(old, ignore_errors=True)  # the one before stays valid for a caller
        return self.client.snapshot(self.bucket, os.path.join(self.dir, 'snapshot-%d' % self._snapshots))

    def local_path(self, path=''):
        return os.path.join(self.data_dir, path.lstrip('/'))

    def log_tail(self, lines=40):
        return file_tail(self.log_path, lines)

    def __repr__(self):
        return '<RgwServer port=%d running=%s>' % (self.port, self.running)
