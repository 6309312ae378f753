# The integration-test harness in one import: real servers on 127.0.0.1 (FTP, SFTP, WebDAV; and
# Syncthing instances sharing folders), a fault-injecting TCP proxy that also models slow links,
# real ftpchatfs mounts, shell-level helpers, and where a room's files are on a server.
# Run by /usr/bin/python3 (Debian's pyftpdlib); ctest sets PYTHONPATH to this folder and
# FTPCHATFS_BIN to the built binary.
from harness_disk import SmallDisk
from harness_base import (HarnessError, ScratchDir, WaitTimeout, free_port, free_port_range,
                          make_scratch, port_accepts, wait_for)
from harness_dav import DAV_SERVER_CLASSES, ApacheDavServer, DavServerBase, LighttpdDavServer
from harness_ftp import (FtpServerBase, ProftpdServer, PureFtpdServer, PyFtpdServer, VsftpdServer,
                         ensure_system_user)
from harness_mount import (ClientDir, Mount, MountResult, cleanup_stale_mounts, ftpchatfs_binary,
                           is_mounted, run_ftpchatfs)
from harness_link import Link
from harness_proxy import TcpProxy
from harness_traffic import Event, TrafficLog
from harness_rooms import (current_period, find_writer_file, period_before, period_folders,
                           room_dirs, writer_file_of, writer_files, writer_files_under, writer_id)
from harness_server import ServerBase, make_self_signed_cert, servers_root
from harness_sshd import SshdServer
from harness_syncthing import FolderSettings, SyncthingCluster
from harness_testcase import ServerTestCase
from harness_tools import Steps, TailFollower, append_line, read_status, read_text

FTP_SERVER_CLASSES = (PyFtpdServer, VsftpdServer, PureFtpdServer, ProftpdServer)

__all__ = [
    'HarnessError', 'WaitTimeout', 'ScratchDir', 'make_scratch', 'free_port', 'free_port_range',
    'port_accepts', 'wait_for', 'ServerBase', 'FtpServerBase', 'PyFtpdServer', 'VsftpdServer',
    'PureFtpdServer', 'ProftpdServer', 'SshdServer', 'FTP_SERVER_CLASSES', 'ensure_system_user',
    'make_self_signed_cert', 'servers_root', 'TcpProxy', 'Link', 'TrafficLog', 'Event', 'ClientDir',
    'Mount', 'MountResult',
    'cleanup_stale_mounts', 'ftpchatfs_binary', 'is_mounted', 'run_ftpchatfs', 'TailFollower',
    'Steps', 'append_line', 'read_status', 'read_text', 'ServerTestCase', 'current_period', 'period_before',
    'period_folders', 'room_dirs', 'writer_files', 'writer_files_under', 'writer_id',
    'writer_file_of', 'find_writer_file', 'SmallDisk', 'FolderSettings', 'SyncthingCluster',
    'DavServerBase', 'ApacheDavServer', 'LighttpdDavServer', 'DAV_SERVER_CLASSES',
]
