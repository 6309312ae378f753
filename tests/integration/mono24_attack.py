# A ciphertext-only attack on mono24 rooms, as anyone who can read the server would run it:
# no passphrase, only the writer files and docs/FORMAT.md. The 24 layers compose to one byte
# substitution, so byte frequencies plus bigram hill-climbing read English text.
import base64
import math
import os
import random

REFERENCE = ['/usr/share/common-licenses/GPL-3']  # English text from base-files


def substituted_bodies(writer_file_bytes):
    """S(nick || body) of each record line, with the writer's common prefix S(nick) removed."""
    out = []
    for line in writer_file_bytes.split(b'\n'):
        if not line:
            continue
        raw = base64.urlsafe_b64decode(line + b'=' * (-len(line) % 4))
        sealed = raw[1 + 24:-16]          # version, nonce ... check
        out.append(sealed[34:])           # flags seq stamp id nick_len, then nick || body
    if len(out) > 1:
        prefix = os.path.commonprefix(out)
        out = [b[len(prefix):] for b in out]
    return out


def _ngrams(seq, n):
    counts = {}
    for i in range(len(seq) - n + 1):
        k = tuple(seq[i:i + n])
        counts[k] = counts.get(k, 0) + 1
    return counts


def _model(text, n):
    counts = _ngrams(list(text), n)
    return {k: math.log(v / len(text)) for k, v in counts.items()}, math.log(0.01 / len(text))


def _score(grams, key, model, floor):
    return sum(c * model.get(tuple(key[x] for x in k), floor) for k, c in grams.items())


def _anneal(grams, key, pool, model, floor, rng, steps=30000, t0=30.0, t1=0.2):
    """Simulated annealing over swaps of two symbols' guesses (escapes the local optima that
    plain hill-climbing gets stuck in); returns the best key seen and its score."""
    score = _score(grams, key, model, floor)
    best, best_key = score, dict(key)
    for step in range(steps):
        t = t0 * (t1 / t0) ** (step / steps)
        a, b = rng.choice(pool), rng.choice(pool)
        if a == b:
            continue
        key[a], key[b] = key[b], key[a]
        s = _score(grams, key, model, floor)
        if s >= score or rng.random() < math.exp((s - score) / t):
            score = s
            if s > best:
                best, best_key = s, dict(key)
        else:
            key[a], key[b] = key[b], key[a]
    return best, best_key


def solve(bodies, restarts=5):
    """Returns {cipher byte: guessed plaintext byte} from ciphertext only."""
    reference = b''
    for path in REFERENCE:
        with open(path, 'rb') as f:
            reference += f.read() + b' '
    reference = b' '.join(reference.split())  # one space between words, as in chat
    models = [_model(reference, 2)]
    freq_ref = sorted(set(reference), key=lambda b: -reference.count(bytes([b])))
    cipher = b''.join(bodies)
    symbols = sorted(set(cipher), key=lambda b: -cipher.count(bytes([b])))
    # Start from the frequency ranking; plaintext bytes unused by the start are in the pool
    # too (as symbols of their own), so swaps can bring them in.
    pool = symbols + [-2 - i for i in range(max(0, min(len(freq_ref), 60) - len(symbols)))]
    start = {c: freq_ref[i] if i < len(freq_ref) else 0 for i, c in enumerate(pool)}
    start[-1] = ord(' ')  # message boundaries score like a space between words
    seq = [c for b in bodies for c in list(b) + [-1]]
    grams = [_ngrams(seq, 2)]
    best_key, best = None, None
    for seed in range(restarts):
        score, key = _anneal(grams[0], dict(start), pool, *models[0], random.Random(seed))
        if best is None or score > best:
            best_key, best = key, score
    return best_key


def decrypt(bodies, key):
    return [bytes(key.get(c, ord('?')) for c in b) for b in bodies]
