# pyftpdlib's epoll loop with one fix, for the harness's FTP server (pyftpd_server.py).
#
# pyftpdlib 1.5.7 dispatches one epoll batch event by event and looks each descriptor up at
# dispatch time. When handling an earlier event of the batch closes a connection (ABOR, a
# control connection's EOF) and a later one accepts a new connection, the kernel hands the
# new socket the lowest free descriptor, often the one just closed; the closed connection's
# own event, still further down the batch, is then given to the new connection. A fresh
# passive data connection treats any read event as "peer gone" and closes itself, and the
# client that opened it waits for a transfer that never starts. This loop delivers an event
# only to the object that owned the descriptor when the batch was collected.
import errno
import select

from pyftpdlib.ioloop import Epoll, _read, _write


class BatchSafeEpoll(Epoll):
    def poll(self, timeout):
        try:
            events = self._poller.poll(timeout or -1)  # -1 waits indefinitely
        except (IOError, select.error) as err:
            if err.errno == errno.EINTR:
                return
            raise
        owners = [self.socket_map.get(fd) for fd, _ in events]
        for (fd, event), owner in zip(events, owners):
            inst = self.socket_map.get(fd)
            if inst is None or inst is not owner:
                continue  # closed earlier in this batch; the descriptor may be someone else's now
            if event & self._ERROR and not event & self.READ:
                inst.handle_close()
            else:
                if event & self.READ and inst.readable():
                    _read(inst)
                if event & self.WRITE and inst.writable():
                    _write(inst)
