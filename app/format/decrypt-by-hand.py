#!/usr/bin/env python3
"""Decrypt a Cachet envelope (.env) with nothing but SPEC.md, Python `cryptography` and the AWS CLI.

An independent reader of the format (SPEC §11): it shares no code with Cachet, so the test suite
runs it against Cachet's output to check that the spec says what the code does.

    python3 decrypt-by-hand.py ITEM.env -o OUT                    # aws-kms stanza, via `aws kms decrypt`
    python3 decrypt-by-hand.py ITEM.env --local-master-hex HEX    # local stanza, 32-byte master key in hex

The metadata (path, size, mtime) is printed to stderr as JSON; the plaintext goes to OUT (default
stdout). Exit status 0 on success, 1 on any failure (nothing unverified is ever written).
The AWS CLI takes its profile, credentials and endpoint (AWS_ENDPOINT_URL_KMS) from the environment,
and the region from the key ARN in the stanza.
"""
import argparse, base64, hashlib, hmac, json, os, struct, subprocess, sys, tempfile
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes
from cryptography.exceptions import InvalidTag


class Refuse(Exception):
    """A SPEC 'MUST refuse': the argument is the error code."""


def hkdf(ikm, salt, info):
    return HKDF(hashes.SHA256(), 32, salt, info.encode()).derive(ikm)


class Reader:
    """Bounded reads from the file: never more than a field's SPEC bound."""

    def __init__(self, f):
        self.f, self.raw = f, bytearray()

    def take(self, n):
        b = self.f.read(n)
        if len(b) != n:
            raise Refuse('header-corrupt')            # SPEC §4 reader step 2: file ends inside the header
        self.raw += b
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack('>H', self.take(2))[0]

    def u32(self):
        return struct.unpack('>I', self.take(4))[0]


def read_header(f):
    r = Reader(f)
    magic = f.read(6)
    if magic != b'CACHET':                             # SPEC §4 step 1
        raise Refuse('not-envelope')
    r.raw += magic
    version = r.u8()
    if version != 1:
        raise Refuse('unsupported-version')
    chunk_log2 = r.u8()
    if not 10 <= chunk_log2 <= 22:
        raise Refuse('header-corrupt')
    salt = r.take(32)
    ctx_start = len(r.raw)
    n = r.u8()                                         # SPEC §3
    if n > 16:
        raise Refuse('header-corrupt')
    ctx, prev = {}, None
    for _ in range(n):
        parts = []
        for _ in range(2):
            ln = r.u8()
            if ln < 1:
                raise Refuse('header-corrupt')
            b = r.take(ln)
            if any(c < 0x21 or c > 0x7e for c in b):
                raise Refuse('header-corrupt')
            parts.append(b)
        if prev is not None and prev >= parts[0]:      # sorted by key bytes, unique
            raise Refuse('header-corrupt')
        prev = parts[0]
        ctx[parts[0].decode('ascii')] = parts[1].decode('ascii')
    ctx_bytes = bytes(r.raw[ctx_start:])
    commitment = r.take(32)
    meta_len = r.u32()
    if not 28 <= meta_len <= 65536:                    # checked before reading it
        raise Refuse('header-corrupt')
    meta = r.take(meta_len)
    authenticated = bytes(r.raw)
    mac = r.take(32)
    ns = r.u8()
    if not 1 <= ns <= 16:
        raise Refuse('header-corrupt')
    stanzas = []
    for _ in range(ns):                                # SPEC §7
        tl = r.u8()
        if not 1 <= tl <= 32:
            raise Refuse('header-corrupt')
        t = r.take(tl).decode('utf-8')
        kl = r.u16()
        if not 1 <= kl <= 2048:
            raise Refuse('header-corrupt')
        kid = r.take(kl).decode('utf-8')
        bl = r.u16()
        if not 1 <= bl <= 8192:
            raise Refuse('header-corrupt')
        stanzas.append((t, kid, r.take(bl)))
    return dict(chunk_log2=chunk_log2, salt=salt, ctx=ctx, ctx_bytes=ctx_bytes, commitment=commitment,
                meta=meta, authenticated=authenticated, mac=mac, stanzas=stanzas, length=len(r.raw))


def unwrap_local(h, master):
    key_id = 'local:' + hkdf(master, b'', 'cachet/v1/local-key-id')[:16].hex()   # SPEC §7
    for t, kid, blob in h['stanzas']:
        if t == 'local' and kid == key_id:
            aad = b'cachet/v1/local-wrap' + kid.encode() + h['ctx_bytes']
            try:
                return AESGCM(master).decrypt(blob[:12], blob[12:], aad)
            except InvalidTag:
                raise Refuse('wrong-key')
    raise Refuse('local-key-missing')


def unwrap_kms(h):
    for t, kid, blob in h['stanzas']:
        if t != 'aws-kms':
            continue
        with tempfile.NamedTemporaryFile(suffix='.blob') as tmp:
            tmp.write(blob)
            tmp.flush()
            region = kid.split(':')[3] if kid.startswith('arn:') else None   # the key's own region
            out = subprocess.run(['aws', 'kms', 'decrypt', '--key-id', kid] + (['--region', region] if region else []) + [
                                  '--ciphertext-blob', 'fileb://' + tmp.name,
                                  '--encryption-context', json.dumps(h['ctx']),
                                  '--query', 'Plaintext', '--output', 'text'],
                                 capture_output=True, text=True)
        if out.returncode == 0:
            return base64.b64decode(out.stdout.strip())
        sys.stderr.write(out.stderr)
    raise Refuse('wrong-key')


def decrypt(path, master, out):
    with open(path, 'rb') as f:
        h = read_header(f)
        dk = unwrap_local(h, master) if master is not None else unwrap_kms(h)
        k = lambda info: hkdf(dk, h['salt'], info)                              # SPEC §2
        if not hmac.compare_digest(k('cachet/v1/commitment'), h['commitment']):  # SPEC §4 step 3
            raise Refuse('wrong-key')
        if not hmac.compare_digest(hmac.new(k('cachet/v1/header'), h['authenticated'], hashlib.sha256).digest(), h['mac']):
            raise Refuse('header-corrupt')
        try:                                                                     # SPEC §5
            meta = json.loads(AESGCM(k('cachet/v1/metadata')).decrypt(h['meta'][:12], h['meta'][12:], b'cachet/v1/meta'))
        except InvalidTag:
            raise Refuse('header-corrupt')
        sys.stderr.write(json.dumps(meta, ensure_ascii=False) + '\n')
        S = 1 << h['chunk_log2']
        gcm, i, total = AESGCM(k('cachet/v1/content')), 0, 0                     # SPEC §6
        block = f.read(S + 16)
        while True:
            ahead = f.read(1) if len(block) == S + 16 else b''                  # read one byte ahead
            last = ahead == b''
            if len(block) < 16:
                raise Refuse('truncated')
            nonce = i.to_bytes(11, 'big') + bytes([last])
            try:
                chunk = gcm.decrypt(nonce, block, b'')
            except InvalidTag:
                raise Refuse('tampered')    # the TS reader also tells truncated/trailing-data/reordered apart
            out.write(chunk)                # only after its tag verified
            total += len(chunk)
            i += 1
            if last:
                break
            block = ahead + f.read(S + 15)
        if meta.get('size') is not None and meta['size'] != total:
            raise Refuse('truncated')
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('file')
    ap.add_argument('-o', '--output', help='plaintext output file (default: stdout)')
    ap.add_argument('--local-master-hex', help='open the local stanza with this 32-byte master key (hex)')
    a = ap.parse_args()
    master = bytes.fromhex(a.local_master_hex) if a.local_master_hex else None
    if master is not None and len(master) != 32:
        ap.error('the local master key is 32 bytes')
    tmp = a.output + '.partial' if a.output else None
    try:
        with (open(tmp, 'wb') if tmp else os.fdopen(sys.stdout.fileno(), 'wb', closefd=False)) as out:
            decrypt(a.file, master, out)
        if tmp:
            os.replace(tmp, a.output)  # the output appears only once the last chunk verified
    except Refuse as e:
        if tmp and os.path.exists(tmp):
            os.remove(tmp)
        sys.stderr.write(f'refused: {e.args[0]}\n')
        sys.exit(1)


if __name__ == '__main__':
    main()
