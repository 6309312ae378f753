#!/usr/bin/python3
"""Known-answer vectors for ftpchatfs room format v2, member rooms (docs/FORMAT.md, "Version 2").

Computes every value from the spec with PyNaCl and hashlib, independently of the C++ code, and
writes tests/data/kat_v2.txt, which the C++ unit tests (identity, public id, identity file,
grant, seal, record and header tests) must reproduce byte for byte. Run with Debian's
interpreter (python3-nacl):
    /usr/bin/python3 tests/data/make_kat_v2.py

The file is a list of sections. 'section NAME' starts one; then 'key value' lines (the value is
the rest of the line; a key alone has an empty value; keys may repeat, e.g. header_line).
"""

import base64
import hashlib
import os
import struct

import nacl.bindings as sodium

ROOM_ID = bytes(range(0xC0, 0xD0))
ROOM_NAME = "Members only ✓".encode()
STAMP = 1764600000000 << 16  # 2025-12-01 14:40:00 UTC, logical counter 0

SEEDS = {
    "alice": bytes(range(0x01, 0x21)),
    "bob": bytes([0x42] * 32),
    "carol": bytes(range(0x80, 0xA0)),
}
BOB_PASSPHRASE = "bob's identity passphrase".encode()
BOB_SALT = bytes(range(0x10, 0x20))
BOB_BOX_NONCE = bytes(range(0x60, 0x78))
ID_OPS, ID_MEM = 2, 8192 * 1024

WRITER_A = bytes(range(0xE0, 0xF0))  # alice's device
WRITER_B = bytes(range(0xF0, 0x100))  # bob's device

EPOCHS = [  # key, ephemeral X25519 secret, links nonce
    (bytes(range(0x30, 0x50)), bytes([0x55] * 32), bytes([0x66] * 24)),
    (bytes(range(0x50, 0x70)), bytes([0x57] * 32), bytes([0x67] * 24)),
    (bytes(range(0x70, 0x90)), bytes([0x59] * 32), bytes([0x68] * 24)),
]
GENESIS_NONCE = bytes(range(0x90, 0xA8))

ROLE = {"member": 1, "admin": 2, "owner": 3}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def blake2b(data, size=32, key=b""):
    return hashlib.blake2b(data, digest_size=size, key=key).digest()


def kdf(key, n, context=b"ftpchate"):
    # crypto_kdf_derive_from_key in libsodium 1.0.18 (as make_kat.py explains).
    return hashlib.blake2b(b"", digest_size=32, key=key, salt=struct.pack("<Q", n) + bytes(8),
                           person=context + bytes(8)).digest()


def aead(key, nonce, plain, ad):
    return sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, nonce, key)


def u64(n):
    return struct.pack(">Q", n)


def u16(n):
    return struct.pack(">H", n)


class Identity:
    def __init__(self, name, seed):
        self.name, self.seed = name, seed
        self.pk, self.sk = sodium.crypto_sign_seed_keypair(seed)
        self.x_pk = sodium.crypto_sign_ed25519_pk_to_curve25519(self.pk)
        self.x_sk = sodium.crypto_sign_ed25519_sk_to_curve25519(self.sk)
        assert sodium.crypto_scalarmult_base(self.x_sk) == self.x_pk
        check = blake2b(b"ftpchatfs public id" + self.pk)[:4]
        self.public_id = "ftpchat1" + b64(self.pk + check)
        assert len(self.public_id) == 56
        self.fingerprint = self.public_id[8:16]

    def sign(self, message):
        return sodium.crypto_sign(message, self.sk)[:64]


def epoch_id(key):
    return blake2b(b"ftpchatfs v2 epoch id", 16, key)


def make_grant(key, eph_sk, links_nonce, recipients, parents):
    """recipients: identities in slot order; parents: [(id, key)]. Returns (grant, slot info)."""
    eid = epoch_id(key)
    eph_pk = sodium.crypto_scalarmult_base(eph_sk)
    slots, info = b"", []
    for r in recipients:
        shared = sodium.crypto_scalarmult(eph_sk, r.x_pk)
        wrap = blake2b(b"ftpchatfs v2 wrap" + shared + eph_pk + r.x_pk + ROOM_ID + eid)
        slots += aead(wrap, bytes(24), key, b"")
        info.append((r, shared, wrap))
    links = bytes([len(parents)]) + b"".join(pid + pkey for pid, pkey in parents)
    sealed_links = aead(kdf(key, 2), links_nonce,
                        links, b"ftpchatfs v2 links" + ROOM_ID + eid)
    grant = (bytes([2]) + eid + eph_pk + u16(len(recipients)) + slots + links_nonce +
             sealed_links)
    return grant, info, links


def record(writer, epoch_key, kind, seq, stamp, payload, nonce, seal=b""):
    """Returns (content, plaintext, line); with a seal the record carries it (line byte 0x03)."""
    eid = epoch_id(epoch_key)
    content = bytes([kind]) + u64(seq) + u64(stamp) + payload
    plain = content + seal
    line_byte = 3 if seal else 2  # a record that carries a seal says so in clear
    ad = b"ftpchatfs v2 record" + bytes([line_byte]) + ROOM_ID + writer + eid
    binary = bytes([line_byte]) + eid + nonce + aead(kdf(epoch_key, 1), nonce, plain, ad)
    return content, plain, b64(binary)


def seal_bytes(anchor, signer_pk, signature):
    """The seal trailer: names the signer (form 0x01) or not (0x00)."""
    if signer_pk is None:
        return u64(anchor) + signature + b"\x00"
    return u64(anchor) + signer_pk + signature + b"\x01"


def record_section(writer, key, kind, seq, stamp, payload, nonce, content, chain, seal, sig, plain,
                   line):
    """The known-answer lines of one record (kat_v2.txt and kat_receipts.txt alike)."""
    out = [
        "section record",
        f"writer_hex {writer.hex()}",
        f"epoch_hex {epoch_id(key).hex()}",
        f"kind {kind}",
        f"seq {seq}",
        f"stamp {stamp}",
        f"payload_hex {payload.hex()}",
        f"nonce_hex {nonce.hex()}",
        f"content_hex {content.hex()}",
        f"chain_hex {chain.hex()}",
    ]
    if seal:
        out += [f"seal_hex {seal.hex()}", f"signature_hex {sig.hex()}"]
    return out + [f"plaintext_hex {plain.hex()}", f"line {line}"]


def main():
    ids = {name: Identity(name, seed) for name, seed in SEEDS.items()}
    alice, bob, carol = ids["alice"], ids["bob"], ids["carol"]
    out = [
        "# ftpchatfs room format v2 (member rooms) known-answer vectors (docs/FORMAT.md).",
        "# Generated by tests/data/make_kat_v2.py; do not edit by hand.",
        "# 'section NAME' starts a section; then 'key value' lines (a key alone: empty value);",
        "# keys may repeat (header_line, file_line, slot_*). *_hex values are lowercase hex.",
        "section room",
        f"room_id_hex {ROOM_ID.hex()}",
        f"room_name_hex {ROOM_NAME.hex()}",
    ]

    for ident in ids.values():
        out += [
            "section identity",
            f"name {ident.name}",
            f"seed_hex {ident.seed.hex()}",
            f"pk_hex {ident.pk.hex()}",
            f"sk_hex {ident.sk.hex()}",
            f"x25519_pk_hex {ident.x_pk.hex()}",
            f"x25519_sk_hex {ident.x_sk.hex()}",
            f"public_id {ident.public_id}",
            f"fingerprint {ident.fingerprint}",
        ]
        if ident is alice:
            out += [f"file_line {line}" for line in (
                "ftpchatfs-identity v1", f"public {ident.public_id}",
                f"secret plain {b64(ident.seed)}")]
        if ident is bob:
            box_key = sodium.crypto_pwhash_alg(32, BOB_PASSPHRASE, BOB_SALT, ID_OPS, ID_MEM,
                                               sodium.crypto_pwhash_ALG_ARGON2ID13)
            box = aead(box_key, BOB_BOX_NONCE, ident.seed,
                       b"ftpchatfs-identity v1" + ident.pk)
            out += [
                f"passphrase_hex {BOB_PASSPHRASE.hex()}",
                f"box_key_hex {box_key.hex()}",
                f"file_line ftpchatfs-identity v1",
                f"file_line public {ident.public_id}",
                f"file_line secret argon2id13 ops={ID_OPS} mem={ID_MEM} salt={b64(BOB_SALT)} "
                f"box={b64(BOB_BOX_NONCE + box)}",
            ]

    def epoch_section(index, grant, info, links):
        key, eph_sk, links_nonce = EPOCHS[index]
        lines = [
            "section epoch",
            f"index {index}",
            f"key_hex {key.hex()}",
            f"id_hex {epoch_id(key).hex()}",
            f"records_key_hex {kdf(key, 1).hex()}",
            f"links_key_hex {kdf(key, 2).hex()}",
            f"genesis_key_hex {kdf(key, 3).hex()}",
            f"ephemeral_sk_hex {eph_sk.hex()}",
            f"ephemeral_pk_hex {sodium.crypto_scalarmult_base(eph_sk).hex()}",
            f"links_nonce_hex {links_nonce.hex()}",
            f"links_hex {links.hex()}",
        ]
        for r, shared, wrap in info:
            lines += [f"slot_recipient {r.name}", f"slot_shared_hex {shared.hex()}",
                      f"slot_wrap_key_hex {wrap.hex()}"]
        lines.append(f"grant_hex {grant.hex()}")
        return lines

    # Epoch 0: the genesis (alice owner, bob member), in the header.
    k0 = EPOCHS[0][0]
    e0 = epoch_id(k0)
    grant0, info0, links0 = make_grant(k0, EPOCHS[0][1], EPOCHS[0][2], [bob, alice], [])
    members = sorted([(alice, "owner"), (bob, "member")], key=lambda m: m[0].pk)
    genesis = u64(STAMP) + bytes([len(ROOM_NAME)]) + ROOM_NAME + u16(len(members))
    for ident, role in members:
        genesis += ident.pk + bytes([ROLE[role]]) + bytes([len(ident.name)]) + ident.name.encode()
    genesis += alice.pk
    signature = alice.sign(b"ftpchatfs v2 genesis" + ROOM_ID + e0 + genesis)
    genesis += signature
    sealed_genesis = GENESIS_NONCE + aead(kdf(k0, 3), GENESIS_NONCE, genesis,
                                          b"ftpchatfs v2 genesis" + ROOM_ID + e0)
    header = (
        "ftpchatfs-room v2\n"
        "suite xchacha20poly1305\n"
        f"room {ROOM_ID.hex()}\n"
        f"grant {b64(grant0)}\n"
        f"genesis {b64(sealed_genesis)}\n"
    )
    out += epoch_section(0, grant0, info0, links0)
    out += [
        "section header",
        f"genesis_stamp {STAMP}",
        f"genesis_nonce_hex {GENESIS_NONCE.hex()}",
        f"genesis_hex {genesis.hex()}",
        f"genesis_signature_hex {signature.hex()}",
    ]
    out += [f"header_line {line}" for line in header.splitlines()]

    # Epoch 1: alice invites carol. Epoch 2: alice removes bob (cut: bob's writer at seq 1).
    k1, k2 = EPOCHS[1][0], EPOCHS[2][0]
    e1, e2 = epoch_id(k1), epoch_id(k2)
    r1 = sorted([alice, bob, carol], key=lambda i: i.pk)
    grant1, info1, links1 = make_grant(k1, EPOCHS[1][1], EPOCHS[1][2], r1, [(e0, k0)])
    out += epoch_section(1, grant1, info1, links1)
    out.append(f"grant_file_line {b64(grant1)}")
    r2 = sorted([alice, carol], key=lambda i: i.pk)
    grant2, info2, links2 = make_grant(k2, EPOCHS[2][1], EPOCHS[2][2], r2, [(e1, k1)])
    out += epoch_section(2, grant2, info2, links2)
    out.append(f"grant_file_line {b64(grant2)}")

    def membership(action, target, role, name, parents, recipients, cut):
        return (bytes([action]) + target + bytes([role]) + bytes([len(name)]) + name +
                bytes([len(parents)]) + b"".join(parents) +
                u16(len(recipients)) + b"".join(r.pk for r in recipients) +
                u16(len(cut)) + b"".join(w + u64(s) for w, s in cut))

    def message(flags, msg_id, body):
        return bytes([flags]) + msg_id + body.encode()

    # Uploads: (writer, signer, continue the file's chain?, records); the last record of each
    # carries the seal. Alice's second upload continues her chain (anchor 1: its seal does not
    # name her); her third starts a new one (its seal names her, as every chain's first does).
    runs = [
        (WRITER_A, alice, True, [
            (k0, 1, 1, STAMP + 1, message(0, bytes(range(0x10, 0x20)), "hello bob")),
            (k0, 1, 2, STAMP + 2, message(0, bytes(range(0x20, 0x30)), "tabs\tand ✓ unicode")),
        ]),
        (WRITER_B, bob, True, [
            (k0, 1, 1, STAMP + (1000 << 16), message(0, bytes([0xAB] * 16), "")),
        ]),
        (WRITER_A, alice, True, [
            (k1, 3, 3, STAMP + (2000 << 16),
             membership(1, carol.pk, 1, b"carol", [e0], r1, [])),
            (k1, 1, 4, STAMP + (2000 << 16) + 1, message(0, bytes([0xCD] * 16), "welcome carol")),
        ]),
        (WRITER_A, alice, False, [
            (k2, 3, 5, STAMP + (3000 << 16),
             membership(2, bob.pk, 0, b"", [e1], r2, [(WRITER_B, 1)])),
        ]),
    ]
    nonce_byte = 0x01
    chains = {}  # writer -> (anchor, chain value of its last sealed record)
    for writer, signer, keep_chain, records in runs:
        first = records[0][2]
        runs_on = keep_chain and writer in chains
        if runs_on:
            anchor, chain = chains[writer]
        else:
            anchor = first
            chain = blake2b(b"ftpchatfs v2 chain" + ROOM_ID + writer + u64(anchor))
        out += ["section run", f"writer_hex {writer.hex()}", f"signer {signer.name}",
                f"anchor {anchor}", f"chain_before_hex {chain.hex()}"]
        for i, (key, kind, seq, stamp, payload) in enumerate(records):
            nonce = bytes([nonce_byte] * 24)
            nonce_byte += 1
            content = bytes([kind]) + u64(seq) + u64(stamp) + payload
            chain = blake2b(epoch_id(key) + content, 32, chain)
            seal, sig = b"", b""
            if i + 1 == len(records):  # the upload's last record: it carries the seal
                sig = signer.sign(b"ftpchatfs v2 seal" + ROOM_ID + writer + u64(anchor) +
                                  u64(seq) + chain)
                seal = seal_bytes(anchor, None if runs_on else signer.pk, sig)
            content, plain, line = record(writer, key, kind, seq, stamp, payload, nonce, seal)
            out += record_section(writer, key, kind, seq, stamp, payload, nonce, content, chain,
                                  seal, sig, plain, line)
        chains[writer] = (anchor, chain)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kat_v2.txt")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("".join(line.rstrip(" ") + "\n" for line in out))


if __name__ == "__main__":
    main()
