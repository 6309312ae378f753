# Small disks for full-disk tests: a tmpfs of a given size mounted (as root) on a scratch
# folder, that a test fills to the last few KiB and frees again.
import errno
import os
import subprocess

from harness_base import HarnessError, make_scratch, register, unregister


class SmallDisk:
    """tmpfs of `size_kib` KiB at self.path (mode 0700, owned by `owner` (uid, gid) if given:
    a server's file owner). fill(leave_kib) takes all but about `leave_kib` KiB with a filler
    file; free() removes it. close() unmounts (lazily)."""

    def __init__(self, size_kib, owner=None):
        self.path = os.path.join(make_scratch('disk'), 'fs')
        os.makedirs(self.path)
        options = 'size=%dk,mode=0700' % size_kib
        if owner is not None:
            options += ',uid=%d,gid=%d' % owner
        r = subprocess.run(['mount', '-t', 'tmpfs', '-o', options, 'tmpfs', self.path],
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            raise HarnessError('mount -t tmpfs on %s failed: %s' % (self.path, r.stderr.strip()))
        self.filler = os.path.join(self.path, 'filler')
        register('disks', self)

    def free_bytes(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def fill(self, leave_kib=0):
        """Writes the filler until the disk is full, then gives back `leave_kib` KiB of it."""
        chunk = b'\0' * 4096
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:
                os.write(fd, chunk)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
        finally:
            os.close(fd)
        if leave_kib:
            size = os.path.getsize(self.filler)
            os.truncate(self.filler, max(0, size - leave_kib * 1024))

    def free(self):
        if os.path.exists(self.filler):
            os.remove(self.filler)

    def close(self):
        if os.path.ismount(self.path):
            subprocess.run(['umount', '-l', self.path], capture_output=True, timeout=10)
        unregister('disks', self)
