# Syncthing instances on 127.0.0.1 sharing folders, as several machines would: each instance has
# its own home (keys, config, database), its own copy of every shared folder and its own free
# ports; discovery, relays, NAT, usage reporting, crash reports and upgrades are off. The REST
# API (127.0.0.1, fixed API key) says when peers are connected and folders idle.
#   with SyncthingCluster(3, {'chat': RECOMMENDED}) as st:
#       path_on_second = st.folder_path(1, 'chat')
import dataclasses
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape, quoteattr

from harness_base import (file_tail, free_port, HarnessError, make_scratch, port_accepts, register,
                          RegisteredServer, run, spawn, stop_process, wait_for, WaitTimeout)

API_KEY = 'ftpchat-test-api-key'
CONFLICT_MARK = '.sync-conflict-'


@dataclasses.dataclass(frozen=True)
class FolderSettings:
    """The per-folder settings that decide how soon a change travels (Syncthing's names in the
    comments). Syncthing's defaults: watcher on, 10 s delay, full rescan hourly."""
    watcher: bool = True           # fsWatcherEnabled
    watcher_delay_s: int = 10      # fsWatcherDelayS (an integer, at least 1)
    rescan_interval_s: int = 3600  # rescanIntervalS (0: never)

    def describe(self):
        if self.watcher:
            return 'watcher on, fsWatcherDelayS=%d, rescanIntervalS=%d' % (
                self.watcher_delay_s, self.rescan_interval_s)
        return 'watcher off, rescanIntervalS=%d' % self.rescan_interval_s


DEFAULTS = FolderSettings()
# What README recommends for chat: no watcher, a full scan every second (a scan of a room
# folder is a few stat() calls).
RECOMMENDED = FolderSettings(watcher=False, rescan_interval_s=1)
# Nothing moves until scan() is called: for deterministic tests.
MANUAL = FolderSettings(watcher=False, rescan_interval_s=0)


def _config_xml(me, devices, folders, folder_paths):
    """config.xml for instance `me`: every folder shared with every device."""
    device_refs = ''.join('            <device id=%s></device>\n' % quoteattr(d.device_id) for d in devices)
    folder_xml = ''
    for folder_id, s in folders.items():
        folder_xml += (
            '    <folder id=%s label=%s path=%s type="sendreceive" rescanIntervalS="%d"'
            ' fsWatcherEnabled="%s" fsWatcherDelayS="%d" ignorePerms="false" autoNormalize="true">\n'
            '%s'
            '        <minDiskFree unit="%%">0</minDiskFree>\n'
            # Written out: a folder without it gets 0, which disables conflict copies.
            '        <maxConflicts>10</maxConflicts>\n'
            '    </folder>\n'
            % (quoteattr(folder_id), quoteattr(folder_id), quoteattr(folder_paths[folder_id]),
               s.rescan_interval_s, 'true' if s.watcher else 'false', s.watcher_delay_s, device_refs))
    # No peer addresses yet: SyncthingCluster.start() gives them once every instance listens.
    device_xml = ''.join(
        '    <device id=%s name=%s compression="metadata" introducer="false">\n'
        '        <address>dynamic</address>\n'
        '    </device>\n' % (quoteattr(d.device_id), quoteattr(d.name)) for d in devices)
    options = {
        'listenAddress': 'tcp://127.0.0.1:%d' % me.listen_port,
        'globalAnnounceEnabled': 'false', 'localAnnounceEnabled': 'false',
        'relaysEnabled': 'false', 'natEnabled': 'false', 'startBrowser': 'false',
        'urAccepted': '-1', 'urSeen': '3', 'autoUpgradeIntervalH': '0',
        'crashReportingEnabled': 'false', 'reconnectionIntervalS': '5',
        'minHomeDiskFree': '0', 'setLowPriority': 'false',
    }
    options_xml = ''.join('        <%s>%s</%s>\n' % (k, escape(v), k) for k, v in options.items())
    return ('<configuration version="36">\n%s%s'
            '    <gui enabled="true" tls="false" debugging="false">\n'
            '        <address>127.0.0.1:%d</address>\n'
            '        <apikey>%s</apikey>\n'
            '    </gui>\n'
            '    <options>\n%s    </options>\n'
            '</configuration>\n' % (folder_xml, device_xml, me.gui_port, API_KEY, options_xml))


def _untaken_port(taken):
    while True:
        port = free_port()
        if port not in taken:
            taken.add(port)
            return port


class SyncthingInstance:
    """One machine: a Syncthing home and one copy of each shared folder under `root`."""

    def __init__(self, name, root, taken):
        """taken: ports already given to other instances (not bound yet, so free_port() could
        hand them out again); this instance's are added."""
        self.name = name
        self.root = root
        self.home = os.path.join(root, 'home')
        self.log_path = os.path.join(root, 'syncthing.log')
        self.gui_port, self.listen_port = (_untaken_port(taken) for _ in range(2))
        r = run(['syncthing', 'generate', '--home=' + self.home, '--no-default-folder'])
        self.device_id = run(['syncthing', 'serve', '--home=' + self.home, '--device-id']).stdout.strip()
        if not self.device_id:
            raise HarnessError('syncthing generate gave no device id: %s' % r.stdout)
        self.proc = None

    def folder_path(self, folder_id):
        return os.path.join(self.root, folder_id)

    def write_config(self, devices, folders):
        paths = {}
        for folder_id in folders:
            paths[folder_id] = self.folder_path(folder_id)
            # The folder marker: without it Syncthing refuses to sync a folder that exists.
            os.makedirs(os.path.join(paths[folder_id], '.stfolder'), exist_ok=True)
        with open(os.path.join(self.home, 'config.xml'), 'w') as f:
            f.write(_config_xml(self, devices, folders, paths))

    def start(self):
        # STMONITORED: run the real process without Syncthing's restart monitor. The monitor's
        # child outlives a killed monitor, so the harness's death signal would miss it; stop()
        # signals the whole process tree either way.
        env = dict(os.environ, STMONITORED='1', HOME=self.root)
        with open(self.log_path, 'a') as log:
            log.write('--- syncthing %s: gui %d, listen %d\n' % (self.name, self.gui_port, self.listen_port))
        self.proc = spawn(['syncthing', 'serve', '--home=' + self.home, '--no-browser', '--no-restart',
                           '--no-upgrade', '--logflags=6'], self.log_path, env=env, cwd=self.root)

    def wait_listening(self, deadline, timeout):
        """Until both the REST API and the sync protocol's port accept connections."""
        while not (port_accepts(self.gui_port) and port_accepts(self.listen_port)):
            if self.proc.poll() is not None:
                raise HarnessError('syncthing %s exited with status %s at start; log tail:\n%s'
                                   % (self.name, self.proc.returncode, self.log_tail()))
            if time.monotonic() > deadline:
                raise HarnessError('syncthing %s: ports %d (API) and %d not both listening within %.0fs;'
                                   ' log tail:\n%s' % (self.name, self.gui_port, self.listen_port,
                                                       timeout, self.log_tail()))
            time.sleep(0.05)

    def rest(self, path, params=None, method='GET', body=None, timeout=30):
        """A REST API call (body: sent as JSON); the decoded JSON answer (None when empty)."""
        url = 'http://127.0.0.1:%d%s' % (self.gui_port, path)
        if params:
            url += '?' + urllib.parse.urlencode(params)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, method=method, data=data,
                                     headers={'X-API-Key': API_KEY, 'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                body = resp.read()
        except (urllib.error.URLError, OSError) as e:
            raise HarnessError('syncthing %s: %s %s failed: %s' % (self.name, method, path, e))
        return json.loads(body) if body.strip() else None

    def stop(self):
        proc, self.proc = self.proc, None
        stop_process(proc)

    def log_tail(self, lines=30):
        return file_tail(self.log_path, lines)


class SyncthingCluster(RegisteredServer):
    """`count` Syncthing instances that share every folder in `folders` ({id: FolderSettings})."""

    def __init__(self, count, folders):
        self.dir = make_scratch('syncthing')
        self.folders = dict(folders)
        taken = set()
        self.instances = [SyncthingInstance('st%d' % i, os.path.join(self.dir, 'st%d' % i), taken)
                          for i in range(count)]
        register('servers', self)

    # -- life cycle -------------------------------------------------------------------------
    def start(self, timeout=30.0):
        """Starts every instance; returns once all are connected to each other and every
        folder is idle everywhere."""
        began = time.monotonic()
        for inst in self.instances:
            inst.write_config(self.instances, self.folders)
        for inst in self.instances:
            inst.start()
        deadline = began + timeout
        for inst in self.instances:
            inst.wait_listening(deadline, timeout)
        # Each instance learns the addresses of those before it, once all listen (a new address
        # is dialed at once). Syncthing dials from its own listening port, so two instances
        # dialing each other at the same moment make ONE TCP connection (simultaneous open) on
        # which both start TLS as the client: it hangs until the 20 s Hello timeout. A dial to
        # a port not listening yet is retried only 5 s later.
        for i, inst in enumerate(self.instances):
            for peer in self.instances[:i]:
                inst.rest('/rest/config/devices/' + peer.device_id, method='PATCH',
                          body={'addresses': ['tcp://127.0.0.1:%d' % peer.listen_port]})
        try:
            self.wait_connected(max(1.0, deadline - time.monotonic()))
            for folder_id in self.folders:
                self.wait_idle(folder_id, max(1.0, deadline - time.monotonic()))
        except WaitTimeout as e:
            raise WaitTimeout('%s\nSyncthing logs:\n%s' % (e, self.log_tails()))
        self.started_in = time.monotonic() - began
        return self

    def stop(self):
        for inst in self.instances:
            try:
                inst.stop()
            except Exception:  # clean-up goes on with the others
                pass

    # -- state --------------------------------------------------------------------------------
    def folder_path(self, index, folder_id):
        return self.instances[index].folder_path(folder_id)

    def connected_peers(self, inst):
        conns = inst.rest('/rest/system/connections')['connections']
        return {dev for dev, c in conns.items() if c.get('connected')}

    def wait_connected(self, timeout=30.0):
        def all_connected():
            for inst in self.instances:
                want = {o.device_id for o in self.instances if o is not inst}
                if not want <= self.connected_peers(inst):
                    return False
            return True
        self._wait(all_connected, timeout, 'every Syncthing instance connected to the others')

    def folder_status(self, inst, folder_id):
        return inst.rest('/rest/db/status', {'folder': folder_id})

    def wait_idle(self, folder_id, timeout=30.0):
        """Until folder_id is idle on every instance with nothing left to pull."""
        def idle():
            for inst in self.instances:
                s = self.folder_status(inst, folder_id)
                if s.get('state') != 'idle' or s.get('needTotalItems', 0) != 0:
                    return False
            return True
        self._wait(idle, timeout, 'folder %s idle everywhere' % folder_id, folder_id)

    def scan(self, folder_id, indexes=None):
        """Scans folder_id now on the given instances (default: all); returns after each scan."""
        for i in (range(len(self.instances)) if indexes is None else indexes):
            self.instances[i].rest('/rest/db/scan', {'folder': folder_id}, method='POST')

    def wait_same_files(self, folder_id, names, timeout=30.0):
        """Until each name (a path in the folder) has the same bytes on every instance, and the
        folder is idle everywhere; returns {name: bytes}."""
        def read(i, name):
            try:
                with open(os.path.join(self.folder_path(i, folder_id), name), 'rb') as f:
                    return f.read()
            except FileNotFoundError:
                return None

        def same():
            first = {n: read(0, n) for n in names}
            return all(read(i, n) == first[n] for i in range(1, len(self.instances)) for n in names)
        self._wait(same, timeout, '%s identical on every instance' % names, folder_id)
        self.wait_idle(folder_id, timeout)
        return {n: read(0, n) for n in names}

    def conflict_copies(self, folder_id=None):
        """Paths of Syncthing's conflict copies (NAME.sync-conflict-DATE-TIME-DEVICE.EXT) in
        every copy of folder_id (default: all folders)."""
        out = []
        for inst in self.instances:
            for fid in ([folder_id] if folder_id else self.folders):
                for top, _dirs, files in os.walk(inst.folder_path(fid)):
                    out += [os.path.join(top, f) for f in files if CONFLICT_MARK in f]
        return sorted(out)

    def _wait(self, predicate, timeout, what, folder_id=None):
        try:
            return wait_for(predicate, timeout, interval=0.1, message=what)
        except WaitTimeout as e:
            raise WaitTimeout('%s; now: %s' % (e, self._states(folder_id)))

    def _states(self, folder_id=None):
        parts = []
        for inst in self.instances:
            try:
                peers = len(self.connected_peers(inst))
                text = '%s: %d peers' % (inst.name, peers)
                if folder_id:
                    s = self.folder_status(inst, folder_id)
                    text += ', %s, need %s' % (s.get('state'), s.get('needTotalItems'))
            except HarnessError as e:
                text = '%s: %s' % (inst.name, e)
            parts.append(text)
        return '; '.join(parts)

    def log_tails(self, lines=15):
        return '\n'.join('--- %s\n%s' % (i.name, i.log_tail(lines)) for i in self.instances)
