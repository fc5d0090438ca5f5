// What a preview takes an item for (app/vault/media-type.ts): by extension, by whole name for
// files that have none, and for a name that says nothing, by its first bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { guessMediaType, isTextMediaType, looksLikeText } from '../../../app/vault/media-type.js';

test('secrets and configuration people keep are text by name', () => {
  for (const p of ['.env', 'prod/.env', '.env.production', 'deploy/app.env', 'certs/server.pem', 'tls.key', 'ssh/id_rsa', 'id_ed25519', '.ssh/known_hosts',
    'aws/credentials', 'aws/config', 'kubeconfig', 'k8s/prod.kubeconfig', 'Dockerfile', 'infra/main.tf', 'prod.tfvars', 'nginx.conf', 'app.cfg', '.npmrc', '.netrc']) {
    const mt = guessMediaType(p);
    assert.ok(mt && isTextMediaType(mt), `${p}: ${mt}`);
  }
  assert.equal(guessMediaType('photo.PNG'), 'image/png');
  assert.equal(guessMediaType('archive.zip'), 'application/zip');
  assert.equal(guessMediaType('notes'), undefined, 'no extension, no known name: the content decides');
  assert.equal(guessMediaType('data.bin'), undefined);
});

test('looksLikeText: UTF-8 prose, code and a cut multi-byte character are text; NUL, noise and Latin-1 are not', () => {
  assert.equal(looksLikeText(Buffer.from('DB_PASSWORD=hunter2\nAPI_KEY="x"\r\n\tindented\f\x1b[0m')), true);
  assert.equal(looksLikeText(Buffer.alloc(0)), true);
  const cut = Buffer.from('prix: 12 €'); // € is 3 bytes
  assert.equal(looksLikeText(cut.subarray(0, cut.length - 1)), true, 'a sample cut inside the last character');
  assert.equal(looksLikeText(Buffer.from('ab\0cd')), false);
  assert.equal(looksLikeText(randomBytes(4096)), false);
  assert.equal(looksLikeText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72])), false, 'Latin-1 é alone is not UTF-8');
  assert.equal(looksLikeText(Buffer.from('a\x01b\x02c\x03d\x04'.repeat(10))), false, 'control characters');
});
