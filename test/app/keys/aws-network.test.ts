// Corporate networks (issue 12): a loopback TLS endpoint with a private CA in front of moto, and a
// loopback CONNECT proxy. Without the CA the failure says "untrusted certificate"; AWS_CA_BUNDLE and
// a profile's ca_bundle make it work; HTTPS_PROXY sends the calls through the proxy and NO_PROXY
// bypasses it, for the core (listKeys) and for main's AWS backend (main/services/core-adapters.ts).
// Every server is on 127.0.0.1 and stopped in after(); every call has maxAttempts 1 or a timeout.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { listKeys } from '../../../app/keys/aws-config.js';
import { describeError } from '../../../app/cli/messages.js';
import { awsBackend } from '../../../main/services/core-adapters.js';
import { createTestKey, MOTO_REGION, startMoto, type Moto } from '../../helpers/moto.js';
import { rejectsWith, withEnv } from '../../helpers/aws-env.js';

let moto: Moto;
let tmp: string;
let tls: Server;
let proxy: Server;
let tlsEndpoint: string;
let proxyUrl: string;
const connects: string[] = [];
const sockets = new Set<Socket>();

function listen(s: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
  });
}

before(async () => {
  moto = await startMoto();
  await createTestKey(moto, 'alias/net');
  tmp = await mkdtemp(join(tmpdir(), 'cachet-aws-net-'));
  const o = (name: string) => join(tmp, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore', timeout: 20_000 });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', o('ca.key'), '-out', o('ca.pem'), '-days', '2', '-subj', '/CN=Cachet Test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', o('srv.key'), '-out', o('srv.csr'), '-subj', '/CN=127.0.0.1');
  await writeFile(o('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', o('srv.csr'), '-CA', o('ca.pem'), '-CAkey', o('ca.key'), '-CAcreateserial', '-out', o('srv.pem'), '-days', '2', '-extfile', o('ext.cnf'));
  const target = new URL(moto.endpoint);
  // TLS in front of moto (what a VPC endpoint behind TLS inspection looks like to the client).
  tls = createHttpsServer({ key: await readFile(o('srv.key')), cert: await readFile(o('srv.pem')) }, (req, res) => {
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  tlsEndpoint = `https://127.0.0.1:${await listen(tls)}`;
  // A CONNECT proxy that records where it was asked to go.
  proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const up = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    for (const s of [up, client]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { up.destroy(); client.destroy(); });
    }
  });
  proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
});

after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([tls, proxy].filter(Boolean).map((s) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
  await moto?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const base = (extra: Record<string, string | undefined> = {}) => ({
  ...moto.env,
  AWS_ENDPOINT_URL_KMS: tlsEndpoint,
  AWS_CONFIG_FILE: join(tmp, 'config-none'),
  AWS_PROFILE: undefined, AWS_DEFAULT_PROFILE: undefined,
  AWS_CA_BUNDLE: undefined, HTTPS_PROXY: undefined, https_proxy: undefined, HTTP_PROXY: undefined, http_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined,
  ...extra,
});

test('a private CA without a bundle -> kms-unreachable "untrusted certificate", naming the endpoint called', () => withEnv(base(), async () => {
  const err = await rejectsWith(listKeys({ maxAttempts: 1 }), 'kms-unreachable');
  assert.equal(err.detail.reason, 'untrusted-certificate');
  assert.equal(err.detail.endpoint, tlsEndpoint);
  assert.match(describeError(err).title, /untrusted certificate/);
  assert.match(describeError(err).hint, /AWS_CA_BUNDLE/);
}));

test('AWS_CA_BUNDLE and a profile\'s ca_bundle are trusted', async () => {
  await withEnv(base({ AWS_CA_BUNDLE: join(tmp, 'ca.pem') }), async () => {
    assert.ok((await listKeys({ maxAttempts: 1 })).some((k) => k.aliases.includes('alias/net')));
  });
  const config = join(tmp, 'config-ca');
  await writeFile(config, `[profile corp]\nregion = ${MOTO_REGION}\nca_bundle = ${join(tmp, 'ca.pem')}\n`);
  await withEnv(base({ AWS_CONFIG_FILE: config }), async () => {
    assert.ok((await listKeys({ profile: 'corp', credentials: moto.credentials, maxAttempts: 1 })).length > 0);
  });
  await withEnv(base({ AWS_CA_BUNDLE: join(tmp, 'no-such.pem') }), async () => {
    const err = await rejectsWith(listKeys({ maxAttempts: 1 }), 'aws-config-invalid');
    assert.equal(err.detail.reason, 'ca-bundle');
  });
});

test('HTTPS_PROXY carries the calls (core and main\'s AWS backend); NO_PROXY bypasses it', async () => {
  await withEnv(base({ AWS_CA_BUNDLE: join(tmp, 'ca.pem'), HTTPS_PROXY: proxyUrl }), async () => {
    connects.length = 0;
    assert.ok((await listKeys({ maxAttempts: 1 })).length > 0);
    assert.ok(connects.includes(new URL(tlsEndpoint).host), `CONNECT seen: ${connects.join(', ')}`);
    connects.length = 0;
    const keys = await awsBackend({ defaultRegion: MOTO_REGION }).listKeys({ profile: null, region: null });
    assert.ok(keys.some((k) => k.aliases.includes('alias/net')));
    assert.ok(connects.length > 0, 'main\'s backend went through the proxy');
  });
  await withEnv(base({ AWS_CA_BUNDLE: join(tmp, 'ca.pem'), HTTPS_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' }), async () => {
    connects.length = 0;
    assert.ok((await listKeys({ maxAttempts: 1 })).length > 0);
    assert.deepEqual(connects, [], 'NO_PROXY: straight to the endpoint');
  });
});
