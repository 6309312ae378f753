# Where a room's files are on the server (docs/FORMAT.md, "Layout on the server", "Periods"),
# for tests that read or damage them in a server's data folder: a room folder holds `header`,
# period folders "YYYY-MM" (UTC month) of writer files, and, in first-edition rooms, writer
# files beside the header.
import os
import re
import time

WRITER_SUFFIX = '.w'
_PERIOD = re.compile(r'^\d{4}-(0[1-9]|1[0-2])$')
_ROOM = re.compile(r'^[0-9a-f]{32}$')


def current_period(now=None):
    """The period folder name for a moment (default: now): its UTC year and month, '2026-11'."""
    return time.strftime('%Y-%m', time.gmtime(time.time() if now is None else now))


def period_before(period, months=1):
    """The period `months` before `period`: period_before('2026-01') == '2025-12'."""
    year, month = (int(x) for x in period.split('-'))
    index = year * 12 + month - 1 - months
    return '%04d-%02d' % (index // 12, index % 12 + 1)


def is_period_folder(name):
    return bool(_PERIOD.match(name))


def room_dirs(base_dir):
    """Every room folder (32 lowercase hex characters) in a base folder, sorted paths."""
    return sorted(os.path.join(base_dir, n) for n in os.listdir(base_dir)
                  if _ROOM.match(n) and os.path.isdir(os.path.join(base_dir, n)))


def period_folders(room_dir):
    """The names of a room's period folders, oldest first."""
    return sorted(n for n in os.listdir(room_dir)
                  if is_period_folder(n) and os.path.isdir(os.path.join(room_dir, n)))


def writer_files(room_dir):
    """Every writer file a reader reads in a room folder: the first-edition ones beside the
    header, then each period's, oldest period first (paths, sorted within a folder)."""
    out = []
    for folder in [room_dir] + [os.path.join(room_dir, p) for p in period_folders(room_dir)]:
        out += sorted(os.path.join(folder, n) for n in os.listdir(folder)
                      if n.endswith(WRITER_SUFFIX) and os.path.isfile(os.path.join(folder, n)))
    return out


def writer_files_under(base_dir):
    """writer_files() of every room folder in a base folder."""
    return [f for room in room_dirs(base_dir) for f in writer_files(room)]


def writer_id(path):
    """The writer id (hex) a writer file belongs to, whichever folder it is in."""
    return os.path.basename(path)[:-len(WRITER_SUFFIX)]


def writer_file_of(room_dir, writer, period=None):
    """Where `writer` (hex id) writes: its file in `period` (default: the current month).
    The file need not exist yet."""
    return os.path.join(room_dir, period or current_period(), writer + WRITER_SUFFIX)


def find_writer_file(room_dir, writer):
    """The newest existing file of `writer` in a room (period files after first-edition ones);
    None if it has none."""
    mine = [f for f in writer_files(room_dir) if writer_id(f) == writer]
    return mine[-1] if mine else None
