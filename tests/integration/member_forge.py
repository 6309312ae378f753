# A hostile member's client, written from docs/FORMAT.md ("Version 2") with PyNaCl alone: it
# reads a member room as its identity can (header grant, keys/ grants) and appends records
# that claim another member's identity, so the tests can check that every reader refuses them.
import base64
import hashlib
import os
import struct
import time

import nacl.bindings as sodium


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def blake2b(data, size=32, key=b''):
    return hashlib.blake2b(data, digest_size=size, key=key).digest()


def kdf(key, n):
    return hashlib.blake2b(b'', digest_size=32, key=key, salt=struct.pack('<Q', n) + bytes(8),
                           person=b'ftpchate' + bytes(8)).digest()


def read(path):
    with open(path) as f:
        return f.read()


def public_key_of(public_id):
    return unb64(public_id[len('ftpchat1'):])[:32]


def chain_start(room_id, writer, anchor):
    return blake2b(b'ftpchatfs v2 chain' + room_id + writer + struct.pack('>Q', anchor))


def seal_of(room_id, writer, anchor, seq, chain, sk, name_signer):
    """The seal a record `seq` carries (FORMAT.md, "Chains and seals"), signed with `sk`;
    naming the signer (its public key, sk's second half) or not."""
    sig = sodium.crypto_sign(b'ftpchatfs v2 seal' + room_id + writer + struct.pack('>QQ', anchor, seq) +
                             chain, sk)[:64]
    if name_signer is None:
        return struct.pack('>Q', anchor) + sig + b'\x00'
    return struct.pack('>Q', anchor) + name_signer + sig + b'\x01'


def record_line(room_id, writer, epoch, key, content, seal=b''):
    """A record line: content, and the seal it carries if any (line byte 0x03)."""
    line_byte = 3 if seal else 2
    ad = b'ftpchatfs v2 record' + bytes([line_byte]) + room_id + writer + epoch
    nonce = os.urandom(24)
    return b64(bytes([line_byte]) + epoch + nonce +
               sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(content + seal, ad, nonce, kdf(key, 1)))


def append_lines(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'a') as f:
        f.write('\n' + ''.join(line + '\n' for line in lines))


class Member:
    """A member of one room: its identity file's seed and the epoch keys it can open."""

    def __init__(self, identity_file, room_dir):
        lines = read(identity_file).splitlines()
        seed = unb64(lines[2].split(' ', 2)[2])  # 'secret plain <b64(seed)>'
        self.pk, self.sk = sodium.crypto_sign_seed_keypair(seed)
        self.x_sk = sodium.crypto_sign_ed25519_sk_to_curve25519(self.sk)
        self.room_dir = room_dir
        header = dict(line.split(' ', 1) for line in read(os.path.join(room_dir, 'header')).splitlines()[1:])
        self.room_id = bytes.fromhex(header['room'])
        grants = [unb64(header['grant'])]
        keys_dir = os.path.join(room_dir, 'keys')
        if os.path.isdir(keys_dir):
            grants += [unb64(read(os.path.join(keys_dir, n)).strip()) for n in sorted(os.listdir(keys_dir))]
        self.keys = {}
        for g in grants:
            key = self._open(g)
            if key:
                self.keys[g[1:17]] = key

    def _open(self, grant):
        epoch, eph = grant[1:17], grant[17:49]
        count = struct.unpack('>H', grant[49:51])[0]
        shared = sodium.crypto_scalarmult(self.x_sk, eph)
        own = sodium.crypto_scalarmult_base(self.x_sk)
        wrap = blake2b(b'ftpchatfs v2 wrap' + shared + eph + own + self.room_id + epoch)
        for i in range(count):
            slot = grant[51 + 48 * i:51 + 48 * (i + 1)]
            try:
                return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(slot, b'', bytes(24), wrap)
            except Exception:
                continue
        return None

    def latest_epoch(self):
        """The epoch of the newest record in the room that this member can open."""
        newest, epoch = -1, None
        for root, _, files in os.walk(self.room_dir):
            for n in files:
                if not n.endswith('.w'):
                    continue
                path = os.path.join(root, n)
                for line in read(path).split('\n'):
                    if line and unb64(line[:24])[1:17] in self.keys and os.path.getmtime(path) >= newest:
                        newest, epoch = os.path.getmtime(path), unb64(line[:24])[1:17]
        return epoch

    def open_line(self, writer, line):
        """(epoch, content, seal) of a record line of writer file `writer`; raises when it
        does not open."""
        raw = unb64(line)
        line_byte, epoch = raw[0], raw[1:17]
        ad = b'ftpchatfs v2 record' + bytes([line_byte]) + self.room_id + writer + epoch
        plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(raw[41:], ad, raw[17:41],
                                                                  kdf(self.keys[epoch], 1))
        if line_byte != 3:
            return epoch, plain, b''
        n = 105 if plain[-1] == 1 else 73
        return epoch, plain[:-n], plain[-n:]

    def forge(self, body, claim_signer, period):
        """Appends one message in a new writer file, its seal naming `claim_signer` (a public
        key) but signed with this member's key. Returns the path."""
        epoch = self.latest_epoch()
        key = self.keys[epoch]
        writer = os.urandom(16)
        stamp = int(time.time() * 1000) << 16
        content = bytes([1]) + struct.pack('>QQ', 1, stamp) + bytes([0]) + os.urandom(16) + body.encode()
        chain = blake2b(epoch + content, 32, chain_start(self.room_id, writer, 1))
        seal = seal_of(self.room_id, writer, 1, 1, chain, self.sk, claim_signer)
        path = os.path.join(self.room_dir, period, writer.hex() + '.w')
        append_lines(path, [record_line(self.room_id, writer, epoch, key, content, seal)])
        return path

    def reseal(self, path, body):
        """Appends to another member's writer file a message of this member's with the next
        seq, carrying a seal in this member's own name over the file's whole chain (from the
        anchor of its first seal): all of it a member who reads the file can compute. Readers
        must keep the file's records its writer's, and refuse the new one."""
        writer = bytes.fromhex(os.path.basename(path)[:-len('.w')])
        records, anchor = {}, None
        for line in read(path).split('\n'):
            try:
                epoch, content, seal = self.open_line(writer, line)
            except Exception:
                continue
            records.setdefault(struct.unpack('>Q', content[1:9])[0], (epoch, content))
            if seal and anchor is None:
                anchor = struct.unpack('>Q', seal[:8])[0]
        seq = max(records) + 1
        epoch = records[seq - 1][0]
        stamp = int(time.time() * 1000) << 16
        content = bytes([1]) + struct.pack('>QQ', seq, stamp) + bytes([0]) + os.urandom(16) + body.encode()
        chain = chain_start(self.room_id, writer, anchor)
        for s in range(anchor, seq):
            chain = blake2b(records[s][0] + records[s][1], 32, chain)
        chain = blake2b(epoch + content, 32, chain)
        seal = seal_of(self.room_id, writer, anchor, seq, chain, self.sk, self.pk)
        append_lines(path, [record_line(self.room_id, writer, epoch, self.keys[epoch], content, seal)])


def _grant(room_id, key, recipients, parents):
    """A key grant (FORMAT.md, "Key grants") for `recipients` (public keys), linking `parents`
    ([(epoch id, key)])."""
    epoch = blake2b(b'ftpchatfs v2 epoch id', 16, key)
    eph_sk = os.urandom(32)
    eph = sodium.crypto_scalarmult_base(eph_sk)
    slots = b''
    for pk in recipients:
        x = sodium.crypto_sign_ed25519_pk_to_curve25519(pk)
        wrap = blake2b(b'ftpchatfs v2 wrap' + sodium.crypto_scalarmult(eph_sk, x) + eph + x + room_id + epoch)
        slots += sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(key, b'', bytes(24), wrap)
    links = bytes([len(parents)]) + b''.join(pid + pkey for pid, pkey in parents)
    nonce = os.urandom(24)
    sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        links, b'ftpchatfs v2 links' + room_id + epoch, nonce, kdf(key, 2))
    return epoch, bytes([2]) + epoch + eph + struct.pack('>H', len(recipients)) + slots + nonce + sealed


def _write_run(member, writer, epoch, key, content, seq, period):
    """One record in a writer file, carrying the seal of a chain that starts with it."""
    chain = blake2b(epoch + content, 32, chain_start(member.room_id, writer, seq))
    seal = seal_of(member.room_id, writer, seq, seq, chain, member.sk, member.pk)
    append_lines(os.path.join(member.room_dir, period, writer.hex() + '.w'),
                 [record_line(member.room_id, writer, epoch, key, content, seal)])


def stale_role_change(member, parent_epoch, target, role, recipients, period, stamp):
    """An honest role change (FORMAT.md, "Membership records") written by `member` from a
    stale view: its only parent is `parent_epoch` (hex), as if made before anything newer
    arrived. role: 1 member, 2 admin, 3 owner. recipients: public keys. Returns the epoch."""
    parent = bytes.fromhex(parent_epoch)
    key = os.urandom(32)
    epoch, grant = _grant(member.room_id, key, recipients, [(parent, member.keys[parent])])
    keys_dir = os.path.join(member.room_dir, 'keys')
    os.makedirs(keys_dir, exist_ok=True)
    with open(os.path.join(keys_dir, epoch.hex() + '.g'), 'w') as f:
        f.write(b64(grant) + '\n')
    payload = (bytes([3]) + target + bytes([role, 0]) + bytes([1]) + parent +
               struct.pack('>H', len(recipients)) + b''.join(sorted(recipients)) + struct.pack('>H', 0))
    plain = bytes([3]) + struct.pack('>QQ', 1, stamp) + payload
    _write_run(member, os.urandom(16), epoch, key, plain, 1, period)
    return epoch.hex()


def honest_record(member, kind, payload, period):
    """A record of `kind` (a kind the reader may not know: a later version's) signed honestly by
    `member`, in a new writer file of its own, in the room's newest epoch it holds."""
    epoch = member.latest_epoch()
    plain = bytes([kind]) + struct.pack('>QQ', 1, int(time.time() * 1000) << 16) + payload
    _write_run(member, os.urandom(16), epoch, member.keys[epoch], plain, 1, period)
