# A pyftpdlib FTP server for the tests, run in the foreground by chatharness.PyFtpdServer:
#   /usr/bin/python3 pyftpd_server.py --port P --dir D --pasv LO-HI [--disable SIZE,MDTM] [--dos-list]
#     [--stat-status | --stat-empty]
import argparse
import logging
import os
import sys
import time

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

from pyftpd_ioloop import BatchSafeEpoll


class DosListFS(AbstractedFS):
    """LIST in the MS-DOS/IIS style some servers use ("MM-DD-YY  HH:MMAM  <DIR> name"), so the
    client's listing parser is tested against more than the Unix style."""

    def format_list(self, basedir, listing, ignore_err=True):
        for basename in listing:
            path = os.path.join(basedir, basename)
            try:
                st = self.lstat(path)
            except (OSError, FileNotFoundError):
                if ignore_err:
                    continue
                raise
            stamp = time.strftime('%m-%d-%y  %I:%M%p', time.localtime(st.st_mtime))
            if self.isdir(path):
                size = '<DIR>          '
            else:
                size = '%20d' % st.st_size
            yield ('%s %s %s\r\n' % (stamp, size, basename)).encode('utf8', self.cmd_channel.unicode_errors)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--user', default='chat')
    ap.add_argument('--password', default='secret')
    ap.add_argument('--pasv', required=True, help='LO-HI passive port range')
    ap.add_argument('--disable', default='', help='comma-separated commands to remove')
    ap.add_argument('--dos-list', action='store_true')
    ap.add_argument('--stat-status', action='store_true',
                    help='STAT <path> answers the server status, as servers without a STAT listing do')
    ap.add_argument('--stat-empty', action='store_true', help='STAT <path> answers an empty listing')
    ap.add_argument('--log', help='debug log of every command')
    args = ap.parse_args()

    if args.log:
        handler = logging.FileHandler(args.log)
        handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
        logger = logging.getLogger('pyftpdlib')
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)

    authorizer = DummyAuthorizer()
    authorizer.add_user(args.user, args.password, args.dir, perm='elradfmwMT')

    disabled = {c.strip().upper() for c in args.disable.split(',') if c.strip()}
    unknown = disabled - set(FTPHandler.proto_cmds)
    if unknown:
        sys.exit('pyftpd_server: unknown commands to disable: %s' % ', '.join(sorted(unknown)))

    class Handler(FTPHandler):
        def pre_process_command(self, line, cmd, arg):
            # pyftpdlib maps unknown ABOR/STAT/QUIT onto the real commands (for clients that
            # send Telnet IP/Synch before them) and then fails on a disabled one's missing
            # entry, dropping the connection; a server without the command answers 500.
            if cmd not in self.proto_cmds and cmd[-4:] in disabled:
                self.logline('<- %s' % line)
                return self.respond('500 Command "%s" not understood.' % cmd)
            return FTPHandler.pre_process_command(self, line, cmd, arg)

        def ftp_STAT(self, path):
            if args.stat_empty and path:
                return self.respond('213-Status of "%s":\r\n213 End of status.' % self.fs.fs2ftp(path))
            return FTPHandler.ftp_STAT(self, '' if args.stat_status else path)

    Handler.authorizer = authorizer
    Handler.proto_cmds = {k: v for k, v in FTPHandler.proto_cmds.items() if k not in disabled}
    low, high = (int(x) for x in args.pasv.split('-'))
    Handler.passive_ports = range(low, high + 1)
    Handler.masquerade_address = None
    Handler.permit_foreign_addresses = False
    if args.dos_list:
        Handler.abstracted_fs = DosListFS

    server = FTPServer((args.host, args.port), Handler, ioloop=BatchSafeEpoll())
    server.max_cons = 512
    server.max_cons_per_ip = 0
    print('pyftpd_server: listening on %s:%d, disabled: %s' % (args.host, args.port, sorted(disabled) or 'none'),
          flush=True)
    server.serve_forever(handle_exit=True)


if __name__ == '__main__':
    main()
