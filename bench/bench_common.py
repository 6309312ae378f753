# What bench.py and network.py share: the passphrase of generated rooms, percentiles, rooms
# written straight into a server's folder (ftpchat_bench gen), writer files on the server, and
# timing a send until the server has it or a `cat` of a file.
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'harness'))
import chatharness as h  # noqa: E402

PASS = 'bench passphrase'


def pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def writer_files(folder):
    """The writer files of room folder `folder`, or of every room in base folder `folder`
    (beside the header and in period folders: tests/harness/harness_rooms.py)."""
    if os.path.exists(os.path.join(folder, 'header')):
        return h.writer_files(folder)
    return h.writer_files_under(folder)


def writer_file(folder):
    files = writer_files(folder)
    return files[0] if files else None


def gen(tool, server, base, name, messages, writers=1, active=None, old_months=12):
    """A room written straight into the server's folder by ftpchat_bench gen: `active` of the
    writers (default: all) in this month's period folder, the others spread over the
    `old_months` before it. Returns (room folder, bytes written)."""
    folder = os.path.join(server.data_dir, base)
    os.makedirs(folder, exist_ok=True)
    passfile = os.path.join(server.dir, 'bench-pass')
    with open(passfile, 'w') as f:
        f.write(PASS + '\n')
    cmd = [tool, 'gen', folder, name, passfile, str(messages), str(writers)]
    if active is not None:
        cmd += ['60', str(active), str(old_months)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
    return os.path.join(folder, out[0]), int(out[1])


def writer_bytes(folder):
    return sum(os.path.getsize(f) for f in writer_files(folder))


def send_and_wait_on_server(m, room, wfile_dir, text, timeout=10):
    """Writes one line to outbox (open, write, close) and waits until the room's writer files
    on the server grow: returns seconds."""
    before = writer_bytes(wfile_dir)
    t0 = time.monotonic()
    with open(m.outbox(room), 'a') as f:
        f.write(text + '\n')
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if writer_bytes(wfile_dir) > before:
            return time.monotonic() - t0
        time.sleep(0.0005)
    raise h.WaitTimeout('message not on the server after %ss' % timeout)


def cat_seconds(path):
    t0 = time.monotonic()
    subprocess.run(['sh', '-c', 'cat "$1" > /dev/null', 'sh', path], check=True, timeout=600)
    return time.monotonic() - t0
