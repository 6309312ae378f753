#!/usr/bin/python3
"""Seed corpora for the fuzz targets, made from the known-answer vectors (tests/data/kat_v1.txt
and kat_v2.txt).

    /usr/bin/python3 tests/fuzz/make_seeds.py OUTDIR
        ->  OUTDIR/header/*, OUTDIR/record/*, OUTDIR/identity/*, OUTDIR/record_v2/*

header: the KAT header, and cut or edited copies of it. record: writer-file bytes built from
the KAT records of writer A (framed as the writer appends them, torn, replayed, mixed with
garbage and with writer B's records) and the decrypted record plaintexts (record_fuzz seals
its input as a plaintext too). identity: the v2 identity files, public ids, grants (binary and
as files) and the genesis plaintext. record_v2: alice's v2 writer file framed, torn and
replayed, bob's, each record's plaintext and the membership payloads. Needs Debian's
python3-nacl for the v1 plaintexts.
"""
import os
import sys

import nacl.bindings as sodium

# zstd -19 --no-check of 'hello hello hello hello hello hello hello' (41 bytes).
ZSTD_HELLO = bytes.fromhex('28b52ffd00686500003068656c6c6f200100429622')
KAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'kat_v1.txt')
KAT_V2 = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'kat_v2.txt')


def load_v2(path):
    """[(section name, [(key, value)])] of kat_v2.txt."""
    sections = []
    for key, value in entries(path):
        if key == 'section':
            sections.append((value, []))
        else:
            sections[-1][1].append((key, value))
    return sections


def v2_seeds():
    sections = load_v2(KAT_V2)
    get = lambda entries, key: [v for k, v in entries if k == key]
    identity, record = {}, {}
    for i, (name, entries) in enumerate(sections):
        if name == 'identity':
            who = get(entries, 'name')[0]
            identity['public-id-' + who] = get(entries, 'public_id')[0].encode()
            if get(entries, 'file_line'):
                identity['file-' + who] = ''.join(l + '\n' for l in get(entries, 'file_line')).encode()
        if name == 'epoch':
            grant = bytes.fromhex(get(entries, 'grant_hex')[0])
            identity['grant-%d' % i] = grant
            for line in get(entries, 'grant_file_line'):
                identity['grant-file-%d' % i] = (line + '\n').encode()
        if name == 'header':
            identity['genesis-plaintext'] = bytes.fromhex(get(entries, 'genesis_hex')[0])
    header = ''.join(v + '\n' for name, entries in sections if name == 'header'
                     for k, v in entries if k == 'header_line').encode()
    files = {}
    for name, entries in sections:
        if name != 'record':
            continue
        writer = get(entries, 'writer_hex')[0]
        files.setdefault(writer, []).append(get(entries, 'line')[0].encode())
        record['plaintext-%d' % len(record)] = bytes.fromhex(get(entries, 'plaintext_hex')[0])
        if get(entries, 'kind')[0] == '3':
            record['membership-%d' % len(record)] = bytes.fromhex(get(entries, 'payload_hex')[0])
    frame = lambda lines: b'\n' + b'\n'.join(lines) + b'\n'
    (alice, own), (bob, other) = list(files.items())[0], list(files.items())[1]
    record.update({
        'alice': frame(own),
        'alice-torn': b'\n' + own[0][:50] + frame(own),
        'alice-replayed': frame(own + own[:3]),
        'alice-missing': frame(own[:1] + own[2:]),
        'bob-in-alice': frame(other + own),
    })
    return header, identity, record


def entries(path):
    """The (key, value) lines of a known-answer file, comments and blank lines left out."""
    with open(path, encoding='ascii') as f:
        for line in f:
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                key, _, value = line.partition(' ')
                yield key, value


def load(path):
    fields, header, records = {}, b'', []
    for key, value in entries(path):
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

    header_v2, identity, record_v2 = v2_seeds()
    headers['kat-v2'] = header_v2
    headers['v2-truncated'] = header_v2[:len(header_v2) // 2]
    for kind, seeds in (('header', headers), ('record', writer_files), ('identity', identity),
                        ('record_v2', record_v2)):
        folder = os.path.join(out, kind)
        os.makedirs(folder, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(folder, name), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: make_seeds.py OUTDIR')
    main(sys.argv[1])
