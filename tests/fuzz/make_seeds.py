#!/usr/bin/python3
"""Seed corpora for the fuzz targets, made from the known-answer vectors (tests/data/kat_v1.txt).

    /usr/bin/python3 tests/fuzz/make_seeds.py OUTDIR   ->  OUTDIR/header/*, OUTDIR/record/*

header: the KAT header, and cut or edited copies of it. record: writer-file bytes built from
the KAT records of writer A (framed as the writer appends them, torn, replayed, mixed with
garbage and with writer B's records) and the decrypted record plaintexts (record_fuzz seals
its input as a plaintext too). Needs Debian's python3-nacl for the plaintexts.
"""
import os
import sys

import nacl.bindings as sodium

# zstd -19 --no-check of 'hello hello hello hello hello hello hello' (41 bytes).
ZSTD_HELLO = bytes.fromhex('28b52ffd00686500003068656c6c6f200100429622')
KAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'kat_v1.txt')


def load(path):
    fields, header, records = {}, b'', []
    with open(path, encoding='ascii') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            key, _, value = line.partition(' ')
            if key == 'header_line':
                header += value.encode() + b'\n'
            elif key.startswith('record_'):
                if key == 'record_writer_hex':
                    records.append({})
                records[-1][key] = value
            else:
                fields[key] = value
    return fields, header, records


def b64decode(text):
    import base64
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def main(out):
    fields, header, records = load(KAT)
    writer_a = records[0]['record_writer_hex']
    own = [r['record_line'].encode() for r in records if r['record_writer_hex'] == writer_a]
    other = [r['record_line'].encode() for r in records if r['record_writer_hex'] != writer_a]

    headers = {
        'kat': header,
        'truncated': header[:len(header) // 2],
        'no-check': header[:header.rindex(b'check ')],
        'crlf': header.replace(b'\n', b'\r\n'),
        'trailing': header + b'\n',
        'other-suite': header.replace(b'xchacha20poly1305', b'mono24'),
    }
    frame = lambda lines: b'\n' + b'\n'.join(lines) + b'\n'
    writer_files = {
        'one': frame(own[:1]),
        'two': frame(own),
        'torn': b'\n' + own[0][:40] + frame(own[1:]),
        'replayed': frame(own + own[:1]),
        'gap': frame(own[1:]),
        'other-writer': frame(other + own),
        'garbage': frame([b'not base64 at all', own[0], b'\x00\xff', own[1]]),
        'no-final-newline': frame(own)[:-1],
        'empty-lines': b'\n\n\n' + b'\n\n'.join(own) + b'\n\n',
    }
    key = bytes.fromhex(fields['subkey_records_hex'])
    room_id = bytes.fromhex(fields['room_id_hex'])
    for i, r in enumerate(records):
        binary = b64decode(r['record_line'])
        ad = b'ftpchatfs v1 record' + bytes([1]) + room_id + bytes.fromhex(r['record_writer_hex'])
        plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(binary[25:], ad, binary[1:25], key)
        writer_files['plaintext-%d' % i] = plain
        if i == 0:  # the same record with a zstd body (flags bit 0): the decompression path
            writer_files['plaintext-zstd'] = b'\x01' + plain[1:34] + plain[34:34 + plain[33]] + ZSTD_HELLO

    for kind, seeds in (('header', headers), ('record', writer_files)):
        folder = os.path.join(out, kind)
        os.makedirs(folder, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(folder, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: make_seeds.py OUTDIR')
    main(sys.argv[1])
