// The error mapping table of app/keys/kms-errors.ts, one SDK error per test, built with the SDK's
// own exception classes where it exports them (a constructed error is fine for a unit test of one
// mapping; the errors moto can really produce are tested against moto in aws-kms.test.ts).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DisabledException,
  IncorrectKeyException,
  InvalidArnException,
  InvalidCiphertextException,
  KMSInternalException,
  KMSInvalidStateException,
  KMSServiceException,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { CachetError } from '../../../app/errors.js';
import { fromKmsError, identityFromMessage, type KmsErrorContext } from '../../../app/keys/kms-errors.js';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CTX: KmsErrorContext = { keyId: KEY, profile: 'work', region: 'eu-west-1', endpoint: 'https://kms.eu-west-1.amazonaws.com', operation: 'Decrypt' };
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const meta = (httpStatusCode = 400) => ({ httpStatusCode, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 });

/** The SDK has no class for AccessDeniedException: it throws its base exception under that name. */
function accessDenied(message: string): KMSServiceException {
  return new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', message, $metadata: meta() });
}

/** Asserts the shape every mapped error shares and that nothing secret reached it. */
function mapped(e: unknown, ctx: KmsErrorContext = CTX): CachetError {
  const err = fromKmsError(e, ctx);
  assert.ok(err instanceof CachetError);
  assert.equal(err.cause, e, 'the SDK error is kept as cause');
  const shown = JSON.stringify(err.toJSON());
  assert.ok(!shown.includes(SECRET), `a secret leaked into ${shown}`);
  return err;
}

function providerError(name: 'CredentialsProviderError' | 'TokenProviderError', message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe('KMS service exceptions', () => {
  test('AccessDeniedException -> kms-access-denied with the key and the identity from the message', () => {
    const identity = 'arn:aws:sts::111122223333:assumed-role/Dev/alice';
    const err = mapped(accessDenied(
      `User: ${identity} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
    ));
    assert.equal(err.code, 'kms-access-denied');
    assert.equal(err.detail.keyId, KEY);
    assert.equal(err.detail.identity, identity);
    assert.equal(err.detail.profile, 'work');
    assert.equal(err.detail.region, 'eu-west-1');
    assert.equal(err.detail.requestId, 'req-1');
  });

  test('AccessDeniedException without an identity in the message has no identity detail', () => {
    const err = mapped(accessDenied('UnknownError'));
    assert.equal(err.code, 'kms-access-denied');
    assert.equal(err.detail.identity, undefined);
  });

  test('DisabledException -> kms-key-disabled', () => {
    const err = mapped(new DisabledException({ message: `${KEY} is disabled.`, $metadata: meta() }));
    assert.equal(err.code, 'kms-key-disabled');
    assert.equal(err.detail.keyId, KEY);
  });

  test('KMSInvalidStateException for a key pending deletion -> kms-key-pending-deletion', () => {
    const err = mapped(new KMSInvalidStateException({ message: `${KEY} is pending deletion.`, $metadata: meta() }));
    assert.equal(err.code, 'kms-key-pending-deletion');
  });

  test('KMSInvalidStateException for another state -> kms-error with reason key-state', () => {
    const err = mapped(new KMSInvalidStateException({ message: `${KEY} is pending import.`, $metadata: meta() }));
    assert.equal(err.code, 'kms-error');
    assert.equal(err.detail.reason, 'key-state');
  });

  test('NotFoundException -> kms-key-not-found', () => {
    const err = mapped(new NotFoundException({ message: `Key '${KEY}' does not exist`, $metadata: meta() }));
    assert.equal(err.code, 'kms-key-not-found');
    assert.equal(err.detail.keyId, KEY);
  });

  test('InvalidArnException -> kms-key-not-found', () => {
    assert.equal(mapped(new InvalidArnException({ message: 'bad arn', $metadata: meta() })).code, 'kms-key-not-found');
  });

  test('InvalidCiphertextException -> kms-invalid-ciphertext', () => {
    assert.equal(mapped(new InvalidCiphertextException({ message: '', $metadata: meta() })).code, 'kms-invalid-ciphertext');
  });

  test('IncorrectKeyException -> kms-invalid-ciphertext', () => {
    assert.equal(mapped(new IncorrectKeyException({ message: 'wrong key', $metadata: meta() })).code, 'kms-invalid-ciphertext');
  });

  test('ThrottlingException (after the SDK retried) -> kms-throttled with the attempts', () => {
    const e = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { ...meta(), attempts: 8 } });
    const err = mapped(e);
    assert.equal(err.code, 'kms-throttled');
    assert.equal(err.detail.attempts, 8);
  });

  test('KMSInternalException -> kms-error', () => {
    const err = mapped(new KMSInternalException({ message: 'internal', $metadata: meta(500) }));
    assert.equal(err.code, 'kms-error');
    assert.equal(err.detail.awsCode, 'KMSInternalException');
  });

  test('an unknown client exception -> kms-error naming the AWS code', () => {
    const e = Object.assign(new Error(SECRET), { name: 'SomeNewException', $fault: 'client', $metadata: meta() });
    const err = mapped(e);
    assert.equal(err.code, 'kms-error');
    assert.equal(err.detail.awsCode, 'SomeNewException');
  });
});

describe('credential errors', () => {
  test('ExpiredTokenException -> credentials-expired', () => {
    const err = mapped(new ExpiredTokenException({ message: 'The security token included in the request is expired', $metadata: meta() }));
    assert.equal(err.code, 'credentials-expired');
    assert.equal(err.detail.profile, 'work');
  });

  test('UnrecognizedClientException -> credentials-missing, reason rejected', () => {
    const e = Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException', $fault: 'client', $metadata: meta() });
    const err = mapped(e);
    assert.equal(err.code, 'credentials-missing');
    assert.equal(err.detail.reason, 'rejected');
  });

  test('CredentialsProviderError "Could not load credentials" -> credentials-missing', () => {
    const err = mapped(providerError('CredentialsProviderError', 'Could not load credentials from any providers'));
    assert.equal(err.code, 'credentials-missing');
    assert.equal(err.detail.reason, 'missing');
  });

  test('CredentialsProviderError for an expired SSO session -> sso-expired with the profile', () => {
    const err = mapped(providerError('CredentialsProviderError', 'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.'));
    assert.equal(err.code, 'sso-expired');
    assert.equal(err.detail.profile, 'work');
  });

  test('TokenProviderError for a missing SSO token -> sso-expired', () => {
    const err = mapped(providerError('TokenProviderError', "The SSO session token associated with profile=work was not found or is invalid. To refresh this SSO session run 'aws sso login' with the corresponding profile."));
    assert.equal(err.code, 'sso-expired');
  });

  test('UnauthorizedException from SSO GetRoleCredentials -> sso-expired', () => {
    const e = Object.assign(new Error('Session token not found or invalid'), { name: 'UnauthorizedException', $fault: 'client', $metadata: meta(401) });
    assert.equal(mapped(e, { ...CTX, operation: 'GetRoleCredentials' }).code, 'sso-expired');
  });

  test('CredentialsProviderError for an unknown profile -> profile-not-found', () => {
    const err = mapped(providerError('CredentialsProviderError', 'Could not resolve credentials using profile: [work] in configuration/credentials file(s).'));
    assert.equal(err.code, 'profile-not-found');
    assert.equal(err.detail.profile, 'work');
  });

  test('CredentialsProviderError for expired process credentials -> credentials-expired', () => {
    assert.equal(mapped(providerError('CredentialsProviderError', 'credential_process returned expired credentials.')).code, 'credentials-expired');
  });
});

describe('network, timeouts and cancellation', () => {
  for (const errno of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN']) {
    test(`${errno} -> kms-unreachable with the endpoint`, () => {
      const e = Object.assign(new Error(`connect ${errno} 127.0.0.1:9`), { code: errno, $metadata: { attempts: 3 } });
      const err = mapped(e);
      assert.equal(err.code, 'kms-unreachable');
      assert.equal(err.detail.endpoint, CTX.endpoint);
      assert.equal(err.detail.errno, errno);
    });
  }

  test('an unreachable STS endpoint (whoAmI) is named as STS, not KMS', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const sts = fromKmsError(e, { profile: 'work', region: 'eu-west-1', endpoint: 'https://sts.eu-west-1.amazonaws.com', operation: 'GetCallerIdentity' });
    assert.equal(sts.code, 'kms-unreachable');
    assert.equal(sts.detail.service, 'STS');
    assert.match(sts.message, /^cannot reach STS at https:\/\/sts\./);
    assert.equal(mapped(e).detail.service, 'KMS');
    assert.match(mapped(e).message, /^cannot reach KMS/);
  });

  test('a TimeoutError (socket or connect timeout) -> kms-unreachable', () => {
    const e = Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
    assert.equal(mapped(e).code, 'kms-unreachable');
  });

  test('a network code under `cause` is found', () => {
    const inner = Object.assign(new Error('getaddrinfo ENOTFOUND kms.example'), { code: 'ENOTFOUND' });
    const e = new Error('request failed', { cause: inner });
    assert.equal(mapped(e).code, 'kms-unreachable');
  });

  test('AbortError -> cancelled', () => {
    const e = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    assert.equal(mapped(e).code, 'cancelled');
  });

  test('a response that is not KMS JSON -> kms-error with the status', () => {
    const e = Object.assign(new SyntaxError('Unexpected token <'), { $metadata: meta(500) });
    const err = mapped(e);
    assert.equal(err.code, 'kms-error');
    assert.equal(err.detail.status, 500);
  });

  test('anything else -> internal', () => {
    assert.equal(mapped(new TypeError('x is not a function')).code, 'internal');
    assert.equal(mapped('a string').code, 'internal');
  });

  test('a CachetError passes through unchanged', () => {
    const original = new CachetError('kms-key-disabled', 'disabled', { keyId: KEY });
    assert.equal(fromKmsError(original, CTX), original);
  });
});

describe('secrets never reach the error', () => {
  test('the SDK message is not copied into message or detail', () => {
    const e = Object.assign(new Error(`signature mismatch for secret ${SECRET}`), { name: 'InvalidSignatureException', $fault: 'client', $metadata: meta(403) });
    const err = mapped(e);
    assert.equal(err.code, 'credentials-missing');
    assert.ok(!err.message.includes(SECRET));
  });

  test('identityFromMessage reads only an IAM/STS ARN', () => {
    assert.equal(identityFromMessage('User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Encrypt'), 'arn:aws:iam::111122223333:user/bob');
    assert.equal(identityFromMessage(`User: ${SECRET} is not authorized`), undefined);
    assert.equal(identityFromMessage(undefined), undefined);
  });
});
