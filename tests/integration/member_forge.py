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

    def forge(self, body, claim_signer, period):
        """Appends a run (one message and its seal) in a new writer file, sealed as if by
        `claim_signer` (a public key) but signed with this member's key. Returns the path."""
        epoch = self.latest_epoch()
        key = self.keys[epoch]
        writer = os.urandom(16)
        stamp = int(time.time() * 1000) << 16
        plain = bytes([1]) + struct.pack('>QQ', 1, stamp) + bytes([0]) + os.urandom(16) + body.encode()
        chain = blake2b(b'ftpchatfs v2 chain' + self.room_id + writer + struct.pack('>Q', 1))
        chain = blake2b(epoch + plain, 32, chain)
        sig = sodium.crypto_sign(b'ftpchatfs v2 seal' + self.room_id + writer + struct.pack('>QQ', 1, 1) + chain,
                                 self.sk)[:64]
        seal = bytes([2]) + struct.pack('>QQ', 1, stamp) + struct.pack('>Q', 1) + claim_signer + sig

        def line(p):
            kind = 3 if p[0] == 2 else 2  # a seal's line byte
            ad = b'ftpchatfs v2 record' + bytes([kind]) + self.room_id + writer + epoch
            nonce = os.urandom(24)
            return b64(bytes([kind]) + epoch + nonce +
                       sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(p, ad, nonce, kdf(key, 1)))
        folder = os.path.join(self.room_dir, period)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, writer.hex() + '.w')
        with open(path, 'a') as f:
            f.write('\n' + line(plain) + '\n' + line(seal) + '\n')
        return path


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


def _write_run(member, writer, epoch, key, plain, seq, period):
    chain = blake2b(b'ftpchatfs v2 chain' + member.room_id + writer + struct.pack('>Q', seq))
    chain = blake2b(epoch + plain, 32, chain)
    sig = sodium.crypto_sign(b'ftpchatfs v2 seal' + member.room_id + writer +
                             struct.pack('>QQ', seq, seq) + chain, member.sk)[:64]
    seal = bytes([2]) + struct.pack('>QQ', seq, 0) + struct.pack('>Q', seq) + member.pk + sig

    def line(p):
        kind = 3 if p[0] == 2 else 2  # a seal's line byte
        ad = b'ftpchatfs v2 record' + bytes([kind]) + member.room_id + writer + epoch
        nonce = os.urandom(24)
        return b64(bytes([kind]) + epoch + nonce +
                   sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(p, ad, nonce, kdf(key, 1)))
    folder = os.path.join(member.room_dir, period)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, writer.hex() + '.w'), 'a') as f:
        f.write('\n' + line(plain) + '\n' + line(seal) + '\n')


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
