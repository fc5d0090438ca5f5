#!/usr/bin/env python3
"""Decrypt a Cachet envelope (.env) with nothing but SPEC.md, Python `cryptography` and the AWS CLI.

An independent reader of the format (SPEC §11): it shares no code with Cachet, so the test suite
runs it against Cachet's output to check that the spec says what the code does. It refuses what
Cachet refuses, with the same error code.

    python3 decrypt-by-hand.py ITEM.env -o OUT                    # aws-kms stanza, via `aws kms decrypt`
    python3 decrypt-by-hand.py ITEM.env --local-master-hex HEX    # local stanza, 32-byte master key in hex
    python3 decrypt-by-hand.py ITEM.env --vault-item --expect-context cachet:vault=ID ...

A file at `<vault>/items/<id>.env` beside a `<vault>/vault.json` is read as that vault's item
(SPEC §9: context and path rules), `<vault>/index.env` as its index; `--vault-item` and
`--expect-context` state the same expectations for a file anywhere else. Anything else is a loose
envelope (`cachet decrypt`): any context, and the path is only a name.

The metadata (path, size, mtime) is printed to stderr as JSON (for a vault item, with the path in
its NFC form); the plaintext goes to OUT (default stdout). Exit status 0 on success, 1 on any
failure, with `refused: <code>` on stderr. Nothing unverified is ever written: OUT appears only
once the last chunk verified; stdout gets each chunk after its tag verified (SPEC §6, §11).
The AWS CLI takes its profile, credentials and endpoint (AWS_ENDPOINT_URL_KMS) from the environment,
and the region from the key ARN in the stanza.
"""
import argparse, base64, hashlib, hmac, json, math, os, re, struct, subprocess, sys, tempfile, unicodedata
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hashes
from cryptography.exceptions import InvalidTag


class Refuse(Exception):
    """A SPEC 'MUST refuse': the argument is the error code."""


def hkdf(ikm, salt, info):
    return HKDF(hashes.SHA256(), 32, salt, info.encode()).derive(ikm)


ID_RE = re.compile(r'^[0-9a-f]{32}$')                                    # SPEC §3 ids
KEY_ARN_RE = re.compile(r'^arn:(aws[\w-]*):kms:([a-z0-9-]+):(\d{12}):key/([\w-]+)$', re.ASCII)   # SPEC §7


# ---------------------------------------------------------------------------------------------
# Header (SPEC §3, §4, §7)

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

    def text(self, n):
        try:
            return self.take(n).decode('utf-8')      # SPEC §7: type and key_id are UTF-8
        except UnicodeDecodeError:
            raise Refuse('header-corrupt')


def read_header(f):
    r = Reader(f)
    magic = f.read(6)
    if magic != b'CACHET':                             # SPEC §4 step 1: also a file shorter than 6 bytes
        raise Refuse('not-envelope')
    r.raw += magic
    version, chunk_log2 = r.take(2)                    # both read first: a file of 7 bytes is cut short
    if version != 1:
        raise Refuse('unsupported-version')
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
        t = r.text(tl)
        kl = r.u16()
        if not 1 <= kl <= 2048:
            raise Refuse('header-corrupt')
        kid = r.text(kl)
        bl = r.u16()
        if not 1 <= bl <= 8192:
            raise Refuse('header-corrupt')
        stanzas.append((t, kid, r.take(bl)))
    return dict(chunk_log2=chunk_log2, salt=salt, ctx=ctx, ctx_bytes=ctx_bytes, commitment=commitment,
                meta=meta, authenticated=authenticated, mac=mac, stanzas=stanzas, length=len(r.raw))


def check_context(ctx, expect, ids):
    """SPEC §4 step 3 / §9: the context a caller expects, compared before any unwrap [context-mismatch].
    `ids`: keys that must hold an id (32 lowercase hex digits). Other pairs are allowed."""
    for k, v in expect.items():
        if ctx.get(k) != v:
            raise Refuse('context-mismatch')
    if not all(ID_RE.match(ctx.get(k, '')) for k in ids):
        raise Refuse('context-mismatch')


# ---------------------------------------------------------------------------------------------
# Unwrapping (SPEC §7)

# The most telling failure wins when no stanza opens (a KMS or key error beats "another key").
TELLING = ['wrong-key', 'kms-access-denied', 'sso-expired', 'credentials-expired', 'kms-key-disabled',
           'kms-key-pending-deletion']
KMS_CODES = {
    'AccessDeniedException': 'kms-access-denied', 'DisabledException': 'kms-key-disabled',
    'NotFoundException': 'kms-key-not-found', 'InvalidArnException': 'kms-key-not-found',
    'InvalidCiphertextException': 'kms-invalid-ciphertext', 'IncorrectKeyException': 'kms-invalid-ciphertext',
    'ThrottlingException': 'kms-throttled', 'TooManyRequestsException': 'kms-throttled',
    'ExpiredTokenException': 'credentials-expired', 'RequestExpired': 'credentials-expired',
    'UnrecognizedClientException': 'credentials-missing', 'InvalidSignatureException': 'credentials-missing',
    'IncompleteSignature': 'credentials-missing', 'MissingAuthenticationToken': 'credentials-missing',
}


def kms_code(stderr):
    """The SPEC §7 code for a failed `aws kms decrypt`, from the AWS CLI's message."""
    m = re.search(r'An error occurred \((\w+)\)', stderr)
    if m:
        name = m.group(1)
        if name == 'KMSInvalidStateException':
            return 'kms-key-pending-deletion' if re.search(r'pending ?deletion', stderr, re.I) else 'kms-error'
        return KMS_CODES.get(name, 'kms-error')
    if 'Could not connect to the endpoint URL' in stderr or 'Connect timeout' in stderr:
        return 'kms-unreachable'
    if 'Unable to locate credentials' in stderr:
        return 'credentials-missing'
    if re.search(r'config profile \(.*\) could not be found', stderr):
        return 'profile-not-found'
    if re.search(r'\bSSO\b.*(expired|invalid)|sso login', stderr, re.I):
        return 'sso-expired'
    return 'kms-error'


def unwrap_local(kid, blob, ctx_bytes, master):
    if kid != 'local:' + hkdf(master, b'', 'cachet/v1/local-key-id')[:16].hex():   # SPEC §7
        raise Refuse('local-key-missing')
    if len(blob) != 12 + 32 + 16:                      # nonce || wrapped DK || tag
        raise Refuse('wrong-key')
    try:
        return AESGCM(master).decrypt(blob[:12], blob[12:], b'cachet/v1/local-wrap' + kid.encode() + ctx_bytes)
    except InvalidTag:
        raise Refuse('wrong-key')


def unwrap_kms(kid, blob, ctx):
    if not KEY_ARN_RE.match(kid):                      # SPEC §7: key_id is the full key ARN
        raise Refuse('header-corrupt')
    with tempfile.NamedTemporaryFile(suffix='.blob') as tmp:
        tmp.write(blob)
        tmp.flush()
        out = subprocess.run(['aws', 'kms', 'decrypt', '--key-id', kid, '--region', kid.split(':')[3],
                              '--ciphertext-blob', 'fileb://' + tmp.name,
                              '--encryption-context', json.dumps(ctx), '--output', 'json'],
                             capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise Refuse(kms_code(out.stderr))
    r = json.loads(out.stdout)
    if r.get('KeyId') not in (None, kid):              # KMS names the key it used: it must be this one
        raise Refuse('kms-invalid-ciphertext')
    dk = base64.b64decode(r['Plaintext'])
    if len(dk) != 32:
        raise Refuse('kms-error')
    return dk


def unwrap(h, master):
    """DK from the first stanza this reader serves that opens and passes the commitment (SPEC §4 step 3)."""
    served = 'local' if master is not None else 'aws-kms'
    errors = []
    for t, kid, blob in h['stanzas']:
        if t != served:
            continue                                   # a type this reader does not serve is skipped
        try:
            dk = unwrap_local(kid, blob, h['ctx_bytes'], master) if master is not None else unwrap_kms(kid, blob, h['ctx'])
        except Refuse as e:
            errors.append(e.args[0])
            continue
        if hmac.compare_digest(hkdf(dk, h['salt'], 'cachet/v1/commitment'), h['commitment']):
            return dk
        errors.append('wrong-key')                     # it opened, to another envelope's key
    if not errors:
        raise Refuse('bad-request')                    # no stanza this reader can serve
    raise Refuse(next((c for c in TELLING if c in errors), errors[0]))


# ---------------------------------------------------------------------------------------------
# Metadata (SPEC §5) and vault paths

MAX_SAFE_INTEGER = 2 ** 53 - 1


def number(v):
    """A JSON number as JavaScript reads it (no bools), or None if it is not a finite number."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        f = float(v)
    except OverflowError:                              # an integer literal too big for a double
        return None
    return f if math.isfinite(f) else None


def refuse_constant(name):
    raise ValueError(name)                             # NaN, Infinity: not JSON


def open_metadata(plain):
    corrupt = Refuse('header-corrupt')
    try:
        text = plain.decode('utf-8')                   # strict: any invalid byte refuses
        if text.startswith('\ufeff'):
            text = text[1:]                            # one leading BOM is skipped (as Cachet's decoder does)
        o = json.loads(text, parse_constant=refuse_constant)
    except (UnicodeDecodeError, ValueError):
        raise corrupt
    if not isinstance(o, dict):
        raise corrupt
    path, size, mtime = o.get('path'), o.get('size'), o.get('mtime')
    if not isinstance(path, str) or path == '':
        raise corrupt
    if size is not None:
        s = number(size)
        if s is None or s != int(s) or not 0 <= s <= MAX_SAFE_INTEGER:
            raise corrupt
        size = int(s)
    if mtime is not None and number(mtime) is None:
        raise corrupt
    return dict(o, path=path, size=size, mtime=mtime)


CONTROL_RE = re.compile('[\u0000-\u001f\u007f-\u009f]')


def vault_path(p):
    """The canonical (NFC) form of an item path, or None if it is not a valid vault path (SPEC §5)."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in p):    # a lone surrogate (JSON "\\ud800"): no UTF-8 form
        return None
    p = unicodedata.normalize('NFC', p)
    if len(p.encode('utf-8')) > 4096 or CONTROL_RE.search(p) or '\\' in p or p.startswith('/'):
        return None
    segments = p.split('/')
    if len(segments) > 64:
        return None
    for s in segments:
        if s in ('', '.', '..') or len(s.encode('utf-8')) > 255:
            return None
    return p


# ---------------------------------------------------------------------------------------------
# Payload (SPEC §6)

def diagnose(gcm, i, last, block):
    """Why chunk i failed (SPEC §6): truncated, trailing-data, reordered (within 64), else tampered."""
    def opens(j, final):
        try:
            gcm.decrypt(j.to_bytes(11, 'big') + bytes([final]), block, b'')
            return True
        except InvalidTag:
            return False
    if len(block) < 16:
        return 'truncated'
    if last and opens(i, False):
        return 'truncated'
    if not last and opens(i, True):
        return 'trailing-data'
    for d in range(1, 65):
        for j in (i - d, i + d):
            if 0 <= j < 2 ** 32 and (opens(j, False) or opens(j, True)):
                return 'reordered'
    return 'tampered'


def decrypt(path, master, out, expect, ids, vault_item):
    with open(path, 'rb') as f:
        file_size = os.fstat(f.fileno()).st_size
        h = read_header(f)
        check_context(h['ctx'], expect, ids)
        dk = unwrap(h, master)
        k = lambda info: hkdf(dk, h['salt'], info)                              # SPEC §2
        if not hmac.compare_digest(hmac.new(k('cachet/v1/header'), h['authenticated'], hashlib.sha256).digest(), h['mac']):
            raise Refuse('header-corrupt')
        try:                                                                     # SPEC §5
            plain = AESGCM(k('cachet/v1/metadata')).decrypt(h['meta'][:12], h['meta'][12:], b'cachet/v1/meta')
        except InvalidTag:
            raise Refuse('header-corrupt')
        meta = open_metadata(plain)
        if vault_item:                                                           # SPEC §5, §9
            meta['path'] = vault_path(meta['path'])
            if meta['path'] is None:
                raise Refuse('header-corrupt')
        S = 1 << h['chunk_log2']
        payload = file_size - h['length']
        if meta['size'] is not None:                   # SPEC §6: an authenticated size fixes the length
            want = meta['size'] + 16 * max(1, -(-meta['size'] // S))
            if payload != want:
                raise Refuse('truncated' if payload < want else 'trailing-data')
        if payload == 0:
            raise Refuse('truncated')
        sys.stderr.write(json.dumps({k_: meta[k_] for k_ in ('path', 'size', 'mtime')}, ensure_ascii=False) + '\n')
        gcm, i, total = AESGCM(k('cachet/v1/content')), 0, 0                     # SPEC §6
        block = f.read(S + 16)
        while True:
            ahead = f.read(1) if len(block) == S + 16 else b''                  # read one byte ahead
            last = ahead == b''
            try:
                if len(block) < 16:
                    raise InvalidTag()
                chunk = gcm.decrypt(i.to_bytes(11, 'big') + bytes([last]), block, b'')
            except InvalidTag:
                raise Refuse(diagnose(gcm, i, last, block))
            out.write(chunk)                # only after its tag verified
            total += len(chunk)
            i += 1
            if last:
                break
            block = ahead + f.read(S + 15)
        if os.fstat(f.fileno()).st_size != file_size:
            raise Refuse('changed-while-reading')
    return total


def placement(path):
    """What the file is by where it lies: ('item', vault id, item id), ('index', vault id) or None."""
    folder, name = os.path.split(os.path.abspath(path))
    parent, items = os.path.split(folder)
    m = re.fullmatch(r'([0-9a-f]{32})\.env', name)
    for vault_dir, kind in ((parent, 'item'), (folder, 'index')):
        if (kind == 'item' and (not m or items != 'items')) or (kind == 'index' and name != 'index.env'):
            continue
        try:
            with open(os.path.join(vault_dir, 'vault.json'), 'rb') as v:
                vid = json.loads(v.read(1 << 20)).get('id')
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(vid, str) and ID_RE.match(vid):
            return (kind, vid, m.group(1)) if kind == 'item' else (kind, vid)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('file')
    ap.add_argument('-o', '--output', help='plaintext output file (default: stdout)')
    ap.add_argument('--local-master-hex', help='open the local stanza with this 32-byte master key (hex)')
    ap.add_argument('--vault-item', action='store_true', help='read it as a vault item (SPEC §9: purpose=item, path rules)')
    ap.add_argument('--expect-context', action='append', default=[], metavar='KEY=VALUE',
                    help='refuse [context-mismatch] unless the context holds this pair (repeatable)')
    a = ap.parse_args()
    master = bytes.fromhex(a.local_master_hex) if a.local_master_hex else None
    if master is not None and len(master) != 32:
        ap.error('the local master key is 32 bytes')
    expect = dict(kv.split('=', 1) for kv in a.expect_context)
    vault_item, ids = a.vault_item, []
    where = placement(a.file)
    if where and where[0] == 'item':
        vault_item = True
        expect.update({'cachet:vault': where[1], 'cachet:item': where[2]})
    elif where:
        ids = ['cachet:item']                          # the index's own random id (SPEC §9)
        expect.update({'cachet:vault': where[1], 'cachet:purpose': 'index'})
    if vault_item:
        expect['cachet:purpose'] = 'item'
        ids = ['cachet:item', 'cachet:vault']
    tmp = a.output + '.partial' if a.output else None
    try:
        with (open(tmp, 'wb') if tmp else os.fdopen(sys.stdout.fileno(), 'wb', closefd=False)) as out:
            decrypt(a.file, master, out, expect, ids, vault_item)
        if tmp:
            os.replace(tmp, a.output)  # the output appears only once the last chunk verified
    except Refuse as e:
        if tmp and os.path.exists(tmp):
            os.remove(tmp)
        sys.stderr.write(f'refused: {e.args[0]}\n')
        sys.exit(1)


if __name__ == '__main__':
    main()
