// The aws-kms key provider (SPEC §7): data keys from KMS GenerateDataKey (AES_256), wrapped
// copies by Encrypt, unwrapping by Decrypt with the stanza's key ARN always named, and moving a
// stanza to another key by ReEncrypt without the data key entering this process. Every call
// carries the envelope's encryption context (SPEC §3).
//
// Key ids (key id, alias/NAME, alias ARN, key ARN) are resolved once per process to the key ARN
// (DescribeKey), so stanzas always hold full ARNs; a stanza's region comes from its ARN, with a
// client for that region (multi-region vaults). The plaintext key the SDK hands back is copied
// into a Buffer the caller owns and the SDK's array is zeroed at once. JS strings cannot be
// zeroed: the base64 text of the HTTP response body is outside our reach.
//
// It does not choose keys, read envelopes or cache data keys; errors are mapped in kms-errors.ts.

import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReEncryptCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { badRequest, CachetError, throwIfAborted } from '../errors.js';
import { newKmsClient, resolveAwsClient, type AwsClientOptions } from './aws-config.js';
import { fromKmsError, type KmsErrorContext } from './kms-errors.js';
import { checkDataKey, DATA_KEY_BYTES, wipe, type CallOptions, type EncryptionContext, type KeyProvider, type Stanza } from './provider.js';

export const AWS_KMS_TYPE = 'aws-kms';

export interface AwsKmsProviderOptions extends AwsClientOptions {
  /** Builds each KMS client; a seam for tests and logging (default `new KMSClient(config)`). */
  readonly createClient?: ((config: KMSClientConfig) => KMSClient) | undefined;
  /**
   * How long (ms) an endpoint that ran out of attempts unreachable is not asked again (default
   * 30000; 0 turns the breaker off). Calls in that time fail at once with `kms-unreachable`.
   */
  readonly unreachableCooldownMs?: number | undefined;
}

const DEFAULT_UNREACHABLE_COOLDOWN_MS = 30_000;

const KEY_ARN_RE = /^arn:(aws[\w-]*):kms:([a-z0-9-]+):(\d{12}):key\/([\w-]+)$/;
const ANY_ARN_RE = /^arn:aws[\w-]*:kms:([a-z0-9-]+):\d{12}:(?:key|alias)\/.+$/;

/** The region named in a KMS key or alias ARN, or undefined for a bare id or alias name. */
export function regionOfArn(id: string): string | undefined {
  return ANY_ARN_RE.exec(id)?.[1];
}

export function isKeyArn(id: string): boolean {
  return KEY_ARN_RE.test(id);
}

// Per process, per (profile, endpoint, region, key id): a key's ARN never changes, and an alias is
// re-pointed rarely enough that a restart picking it up is fine.
const arnCache = new Map<string, string>();

/** Forget resolved key ARNs (tests; after re-pointing an alias). */
export function clearKeyArnCache(): void {
  arnCache.clear();
}

export class AwsKmsProvider implements KeyProvider {
  readonly type = AWS_KMS_TYPE;
  readonly #opts: AwsKmsProviderOptions;
  readonly #clients = new Map<string, Promise<{ client: KMSClient; ctx: KmsErrorContext }>>();
  // The circuit breaker (issue 16 #9): endpoint -> when it was found unreachable. A KMS that
  // accepts connections and never answers costs attempts x request timeout per call; once one
  // call has spent that, the next files fail at once instead of each waiting as long again.
  readonly #down = new Map<string, { at: number; error: CachetError }>();

  constructor(opts: AwsKmsProviderOptions = {}) {
    this.#opts = opts;
  }

  /** The client for `region` (undefined: the options' region), made once. */
  #client(region: string | undefined): Promise<{ client: KMSClient; ctx: KmsErrorContext }> {
    const k = region ?? '';
    let p = this.#clients.get(k);
    if (!p) {
      p = resolveAwsClient(this.#opts, 'KMS', region).then((r) => ({
        client: newKmsClient(r.config, this.#opts, this.#opts.createClient),
        ctx: { profile: r.profile, region: r.region, endpoint: r.endpoint },
      }));
      p.catch(() => this.#clients.delete(k)); // a config error (no region, no profile) is retried next call
      this.#clients.set(k, p);
    }
    return p;
  }

  /**
   * The full key ARN for a key id, alias name, alias ARN or key ARN, checking that the key can
   * wrap data keys (enabled, not pending deletion). Cached per process once it succeeds.
   */
  async resolveKeyArn(keyId: string, opts?: CallOptions): Promise<string> {
    if (!keyId) throw badRequest('bad-key', 'no KMS key id given');
    const { client, ctx } = await this.#client(regionOfArn(keyId));
    const cacheKey = `${ctx.profile ?? ''}|${ctx.endpoint ?? ''}|${ctx.region ?? ''}|${keyId}`;
    const hit = arnCache.get(cacheKey);
    if (hit) return hit;
    const out = await this.#send((abortSignal) => client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }), { ...ctx, keyId, operation: 'DescribeKey' }, opts);
    const m = out.KeyMetadata;
    const arn = m?.Arn;
    if (!arn || !isKeyArn(arn)) throw new CachetError('kms-error', 'KMS DescribeKey returned no key ARN', { ...detailOf(ctx), keyId });
    if (m.KeyState === 'PendingDeletion' || m.KeyState === 'PendingReplicaDeletion') {
      throw new CachetError('kms-key-pending-deletion', `KMS key ${arn} is pending deletion`, { ...detailOf(ctx), keyId: arn });
    }
    if (m.Enabled === false || m.KeyState === 'Disabled') {
      throw new CachetError('kms-key-disabled', `KMS key ${arn} is disabled`, { ...detailOf(ctx), keyId: arn });
    }
    if (m.KeyUsage !== undefined && m.KeyUsage !== 'ENCRYPT_DECRYPT') {
      throw badRequest('key-usage', `KMS key ${arn} is not an encryption key`, { ...detailOf(ctx), keyId: arn });
    }
    arnCache.set(cacheKey, arn);
    return arn;
  }

  async generateDataKey(keyId: string, context: EncryptionContext, opts?: CallOptions): Promise<{ plaintext: Buffer; stanza: Stanza }> {
    const arn = await this.resolveKeyArn(keyId, opts);
    const { client, ctx } = await this.#client(regionOfArn(arn));
    const out = await this.#send(
      (abortSignal) => client.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_256', EncryptionContext: { ...context } }), { abortSignal }),
      { ...ctx, keyId: arn, operation: 'GenerateDataKey' },
      opts,
    );
    const plaintext = takePlaintext(out.Plaintext, { ...detailOf(ctx), keyId: arn });
    try {
      return { plaintext, stanza: this.#stanza(arn, out.CiphertextBlob, ctx) };
    } catch (e) {
      wipe(plaintext);
      throw e;
    }
  }

  async wrapKey(keyId: string, plaintext: Uint8Array, context: EncryptionContext, opts?: CallOptions): Promise<Stanza> {
    checkDataKey(plaintext);
    const arn = await this.resolveKeyArn(keyId, opts);
    const { client, ctx } = await this.#client(regionOfArn(arn));
    // The SDK may keep the request body; it gets a copy that is zeroed once the call settles.
    const copy = Buffer.alloc(plaintext.length);
    copy.set(plaintext);
    try {
      const out = await this.#send(
        (abortSignal) => client.send(new EncryptCommand({ KeyId: arn, Plaintext: copy, EncryptionContext: { ...context } }), { abortSignal }),
        { ...ctx, keyId: arn, operation: 'Encrypt' },
        opts,
      );
      return this.#stanza(arn, out.CiphertextBlob, ctx);
    } finally {
      wipe(copy);
    }
  }

  async unwrapKey(stanza: Stanza, context: EncryptionContext, opts?: CallOptions): Promise<Buffer> {
    const arn = this.#stanzaArn(stanza);
    const { client, ctx } = await this.#client(regionOfArn(arn));
    const out = await this.#send(
      // KeyId always named (SPEC §7): KMS refuses a blob made under any other key.
      (abortSignal) => client.send(new DecryptCommand({ KeyId: arn, CiphertextBlob: stanza.blob, EncryptionContext: { ...context } }), { abortSignal }),
      { ...ctx, keyId: arn, operation: 'Decrypt' },
      opts,
    );
    const key = takePlaintext(out.Plaintext, { ...detailOf(ctx), keyId: arn });
    if (out.KeyId !== undefined && out.KeyId !== arn) {
      wipe(key);
      throw new CachetError('kms-invalid-ciphertext', `KMS decrypted with ${out.KeyId}, not ${arn}`, { ...detailOf(ctx), keyId: arn });
    }
    return key;
  }

  async rewrapKey(stanza: Stanza, context: EncryptionContext, toKeyId: string, opts?: CallOptions): Promise<Stanza> {
    const from = this.#stanzaArn(stanza);
    const to = await this.resolveKeyArn(toKeyId, opts);
    if (regionOfArn(from) !== regionOfArn(to)) {
      // ReEncrypt works within one region; across regions the data key passes through here.
      const key = await this.unwrapKey(stanza, context, opts);
      try {
        return await this.wrapKey(to, key, context, opts);
      } finally {
        wipe(key);
      }
    }
    const { client, ctx } = await this.#client(regionOfArn(to));
    const out = await this.#send(
      (abortSignal) => client.send(new ReEncryptCommand({
        CiphertextBlob: stanza.blob,
        SourceKeyId: from,
        SourceEncryptionContext: { ...context },
        DestinationKeyId: to,
        DestinationEncryptionContext: { ...context },
      }), { abortSignal }),
      { ...ctx, keyId: from, operation: 'ReEncrypt' },
      opts,
    );
    if (out.SourceKeyId !== undefined && out.SourceKeyId !== from) {
      throw new CachetError('kms-invalid-ciphertext', `the wrapped key was made under ${out.SourceKeyId}, not ${from}`, { ...detailOf(ctx), keyId: from });
    }
    return this.#stanza(to, out.CiphertextBlob, ctx);
  }

  /** Close every client's sockets. The provider can still be used: clients are made again. */
  destroy(): void {
    for (const p of this.#clients.values()) p.then((c) => c.client.destroy(), () => {});
    this.#clients.clear();
  }

  #stanzaArn(stanza: Stanza): string {
    if (stanza.type !== AWS_KMS_TYPE) throw badRequest('invalid-argument', `not an ${AWS_KMS_TYPE} stanza: ${stanza.type}`, { type: stanza.type });
    // SPEC §7: key_id is the full key ARN; anything else was not written by Cachet.
    if (!isKeyArn(stanza.keyId)) throw new CachetError('header-corrupt', 'an aws-kms stanza does not name a key ARN', { keyId: stanza.keyId });
    return stanza.keyId;
  }

  #stanza(arn: string, blob: Uint8Array | undefined, ctx: KmsErrorContext): Stanza {
    if (!blob || blob.length === 0 || blob.length > 8192) {
      throw new CachetError('kms-error', 'KMS returned no usable ciphertext blob', { ...detailOf(ctx), keyId: arn }); // SPEC §7 blob_len
    }
    return { type: AWS_KMS_TYPE, keyId: arn, blob: Uint8Array.from(blob) };
  }

  /**
   * Send with cancellation, error mapping and the circuit breaker (#down). The SDK gets the
   * signal; the race makes a cancel take effect even while the SDK sleeps between retries, and a
   * response that lands after the cancel has its plaintext zeroed.
   */
  async #send<O>(call: (abortSignal: AbortSignal | undefined) => Promise<O>, ctx: KmsErrorContext, opts: CallOptions | undefined): Promise<O> {
    const signal = opts?.signal;
    const cooldown = this.#opts.unreachableCooldownMs ?? DEFAULT_UNREACHABLE_COOLDOWN_MS;
    const where = ctx.endpoint ?? ctx.region ?? '';
    const down = this.#down.get(where);
    if (down && cooldown > 0) {
      if (Date.now() - down.at < cooldown) {
        throw new CachetError('kms-unreachable', down.error.message, { ...down.error.detail, keyId: ctx.keyId, operation: ctx.operation, breaker: true }, { cause: down.error });
      }
      this.#down.delete(where);
    }
    try {
      return await this.#sendOnce(call, ctx, signal);
    } catch (e) {
      // Only a call that used every attempt trips it: one that stopped early (the SDK's retry quota
      // ran dry under a burst of faults) says little about the endpoint.
      const attempts = (e instanceof CachetError ? (e.cause as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts : undefined) ?? 0;
      const spentAll = attempts >= (this.#opts.maxAttempts ?? 2);
      if (e instanceof CachetError && e.code === 'kms-unreachable' && cooldown > 0 && spentAll && e.detail.reason !== 'untrusted-certificate') {
        this.#down.set(where, { at: Date.now(), error: e });
      } else if (!(e instanceof CachetError && e.code === 'cancelled')) {
        this.#down.delete(where); // KMS answered (even with a refusal): it is reachable
      }
      throw e;
    }
  }

  async #sendOnce<O>(call: (abortSignal: AbortSignal | undefined) => Promise<O>, ctx: KmsErrorContext, signal: AbortSignal | undefined): Promise<O> {
    try {
      throwIfAborted(signal);
      const sent = call(signal);
      if (!signal) return await sent;
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new CachetError('cancelled', 'cancelled', { operation: ctx.operation }));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      let delivered = false;
      try {
        const out = await Promise.race([sent, aborted]);
        delivered = true;
        return out;
      } finally {
        signal.removeEventListener('abort', onAbort!);
        if (!delivered) sent.then((o) => wipe((o as { Plaintext?: Uint8Array | undefined }).Plaintext), () => {});
      }
    } catch (e) {
      throw fromKmsError(e, ctx);
    }
  }
}

function detailOf(ctx: KmsErrorContext): { profile?: string; region?: string } {
  return { ...(ctx.profile !== undefined ? { profile: ctx.profile } : {}), ...(ctx.region !== undefined ? { region: ctx.region } : {}) };
}

/** Copy the SDK's plaintext into a fresh Buffer (not from the shared pool) and zero the SDK's. */
function takePlaintext(sdk: Uint8Array | undefined, detail: Record<string, string | undefined>): Buffer {
  if (!sdk || sdk.length !== DATA_KEY_BYTES) {
    wipe(sdk);
    throw new CachetError('kms-error', `KMS returned a data key of ${sdk?.length ?? 0} bytes, not ${DATA_KEY_BYTES}`, detail);
  }
  const key = Buffer.alloc(DATA_KEY_BYTES);
  key.set(sdk);
  wipe(sdk);
  return key;
}
