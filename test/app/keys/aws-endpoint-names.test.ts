// The endpoint an error names is the one the request went to (issue 12): with a profile's
// use_fips_endpoint or use_dualstack_endpoint (or AWS_USE_FIPS_ENDPOINT) the SDK calls
// kms-fips.<region>.amazonaws.com or kms.<region>.api.aws, and "cannot reach KMS at ..." must say
// so, not the plain regional name. No request leaves the machine: HTTPS_PROXY points at a closed
// loopback port, so every call fails to connect (and the proxy path is the one the app uses).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { createKmsClient, resetAwsCredentialCache, whoAmI } from '../../../app/keys/aws-config.js';
import { fromKmsError } from '../../../app/keys/kms-errors.js';
import { isCachetError } from '../../../app/errors.js';
import { withEnv } from '../../helpers/aws-env.js';
import { freePort } from '../../helpers/moto.js';

let tmp: string;
let closedPort: number;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cachet-endpoints-'));
  closedPort = await freePort(); // nothing listens there: the proxy refuses at once
});
after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

let n = 0;
async function env(profileLines: string, extra: Record<string, string> = {}): Promise<Record<string, string | undefined>> {
  const cfg = join(tmp, `config-${++n}`);
  await writeFile(cfg, `[profile p]\nregion = eu-west-1\nmax_attempts = 1\n${profileLines}`);
  await writeFile(join(tmp, `credentials-${n}`), '[p]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n');
  return {
    AWS_CONFIG_FILE: cfg, AWS_SHARED_CREDENTIALS_FILE: join(tmp, `credentials-${n}`), HOME: tmp,
    HTTPS_PROXY: `http://127.0.0.1:${closedPort}`, HTTP_PROXY: undefined, NO_PROXY: undefined, https_proxy: undefined, no_proxy: undefined,
    AWS_PROFILE: undefined, AWS_DEFAULT_PROFILE: undefined, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined,
    AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_KMS: undefined, AWS_ENDPOINT_URL_STS: undefined,
    AWS_USE_FIPS_ENDPOINT: undefined, AWS_USE_DUALSTACK_ENDPOINT: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined,
    ...extra,
  };
}

async function kmsEndpointNamed(e: Record<string, string | undefined>): Promise<string> {
  return withEnv(e, async () => {
    resetAwsCredentialCache();
    const { client, ctx } = await createKmsClient({ profile: 'p' });
    try {
      await client.send(new ListKeysCommand({}));
      assert.fail('the call cannot succeed through a closed proxy');
    } catch (err) {
      const c = fromKmsError(err, ctx);
      assert.ok(isCachetError(c, 'kms-unreachable'), `unreachable, got ${c.code}: ${c.message}`);
      assert.match(c.message, new RegExp(`at ${String(c.detail.endpoint).replace(/[.]/g, '\\.')}`));
      return String(c.detail.endpoint);
    } finally {
      client.destroy();
    }
  });
}

test('KMS errors name the endpoint called: regional, FIPS, dual-stack, both, and FIPS from the environment', async () => {
  assert.equal(await kmsEndpointNamed(await env('')), 'https://kms.eu-west-1.amazonaws.com');
  assert.equal(await kmsEndpointNamed(await env('use_fips_endpoint = true\n')), 'https://kms-fips.eu-west-1.amazonaws.com');
  assert.equal(await kmsEndpointNamed(await env('use_dualstack_endpoint = true\n')), 'https://kms.eu-west-1.api.aws');
  assert.equal(await kmsEndpointNamed(await env('use_fips_endpoint = true\nuse_dualstack_endpoint = true\n')), 'https://kms-fips.eu-west-1.api.aws');
  assert.equal(await kmsEndpointNamed(await env('', { AWS_USE_FIPS_ENDPOINT: 'true' })), 'https://kms-fips.eu-west-1.amazonaws.com');
});

test('the STS identity check names its FIPS endpoint too', async () => {
  const e = await env('use_fips_endpoint = true\n');
  await withEnv(e, async () => {
    resetAwsCredentialCache();
    await assert.rejects(whoAmI({ profile: 'p' }), (err: unknown) => {
      assert.ok(isCachetError(err, 'kms-unreachable'), String(err));
      assert.equal(err.detail.endpoint, 'https://sts-fips.eu-west-1.amazonaws.com');
      assert.equal(err.detail.service, 'STS');
      return true;
    });
  });
});
