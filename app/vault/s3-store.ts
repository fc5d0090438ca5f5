// An S3 bucket (under a prefix) as a vault store (SPEC §9.4). Same names and bytes as a folder
// vault: `vault.json`, `index.env` and `items/<id>.env` are objects `<prefix>/<name>`; no object
// key, metadata or tag holds an item's name. Every write that must not lose another writer's work is
// conditional (If-None-Match: * to create, If-Match on the ETag to replace or delete), and the
// catalog re-reads, merges and retries on [conflict]; the index writer section (where a new item's
// path is claimed) is an `index.lock` object made the same way (exclusive). A version is the ETag.
//
// Bounded memory: writes below PART_SIZE are one PutObject from memory; larger ones stream through
// a multipart upload, PART_SIZE at a time with at most PARTS_IN_FLIGHT parts uploading; a fill that
// fails or is cancelled aborts the upload, so nothing partial is ever visible under the name
// (an upload killed with its process is aborted by the next open's sweep, or by the bucket's
// lifecycle rule for incomplete multipart uploads that README asks for). Reads stream: a reader
// keeps one ranged GetObject open (If-Match on the ETag it opened) and reads on from it, widening
// the range as the reads go on, so a header read costs one small GET and a whole item one GET.
// rewriteHead (rename, move, re-key) uploads the new header with the first PART_MIN bytes of the
// payload and copies the rest server-side (UploadPartCopy), so renaming a large item moves about
// 2 x PART_MIN over the network.
//
// moto 5 (the tests' S3) honours If-None-Match and If-Match on PutObject and DeleteObject and
// If-None-Match on CompleteMultipartUpload, but ignores If-Match on CompleteMultipartUpload and
// x-amz-copy-source-if-match on UploadPartCopy: the multipart replace also checks the ETag with a
// HeadObject just before completing, which narrows (on moto) and backs up (on S3) the condition.

import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectVersionsCommand, ListMultipartUploadsCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand, type CompletedPart, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { badRequest, CachetError, isCachetError, throwIfAborted } from '../errors.js';
import { resolveAwsClient, type AwsClientOptions } from '../keys/aws-config.js';
import type { ByteSink, WriteOptions } from '../stream/stream.js';
import { INDEX_FILE, ITEMS_DIR, VAULT_FILE } from './layout.js';
import { INDEX_LOCK_FILE } from './index-lock.js';
import { tempHost } from '../fs/atomic.js';
import { randomBytes } from 'node:crypto';
import { fromS3Error, s3Code, s3Status } from './s3-errors.js';
import { formatS3Location, parseS3Location, s3Key, type S3Location } from './s3-location.js';
import type { DeletedName, StoreEntry, StoreReader, StoreStat, StoreVersion, StoreWriteOptions, VersionedStore, WriteCondition } from './store.js';
import { recordCalledEndpoint } from '../keys/called-endpoint.js';

/** Bytes per uploaded part; writes smaller than this are one PutObject. */
export const PART_SIZE = 8 * 1024 * 1024;
/** S3's least size of a part other than the last. */
export const PART_MIN = 5 * 1024 * 1024;
/** Parts uploading at once while the fill goes on (memory: (PARTS_IN_FLIGHT + 1) x PART_SIZE). */
const PARTS_IN_FLIGHT = 3;
/** Bytes one UploadPartCopy copies (S3 allows 5 GiB per part, 10,000 parts). */
const COPY_PART = 1024 * 1024 * 1024;
/** A reader's first GET covers at least this, then each next one doubles, up to READ_WINDOW_MAX. */
const READ_WINDOW_MIN = 256 * 1024;
const READ_WINDOW_MAX = 64 * 1024 * 1024;
/** ListObjectsV2 pages one open reads at most (1,000 keys a page): 10 million items. */
const MAX_LIST_PAGES = 10_000;

/** The S3 index lock (exclusive): how long a writer waits for it, and when a lock is a killed holder's. */
const LOCK_WAIT_MS = 5_000;
const LOCK_STALE_MS = 30_000;
const LOCK_GIVE_UP_MS = 40_000;
const LOCK_ATTEMPTS = 2_000;

/** Incomplete multipart uploads older than this are a killed writer's (sweep). */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** Whether an incomplete upload started at `initiated` is a killed writer's (a day old); no date: keep. */
export function isStaleUpload(initiated: Date | undefined, now: number): boolean {
  return initiated !== undefined && initiated.getTime() < now - STALE_UPLOAD_MS;
}

interface Ctx {
  profile?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
}

function etagOf(v: string | undefined): string {
  if (v === undefined || v === '') throw new CachetError('internal', 'S3 gave no ETag');
  return v;
}

const isPrecondition = (e: unknown): boolean => s3Status(e) === 412 || s3Code(e) === 'PreconditionFailed';
/** S3 answers 409 ConditionalRequestConflict when two conditional writes of one key overlap. */
const isWriteConflict = (e: unknown): boolean => s3Status(e) === 409 || s3Code(e) === 'ConditionalRequestConflict';
const isMissing = (e: unknown): boolean => s3Status(e) === 404 && s3Code(e) !== 'NoSuchBucket';

class S3Reader implements StoreReader {
  readonly name: string;
  readonly location: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly version: string;
  readonly #store: S3Store;
  readonly #signal: AbortSignal | undefined;
  /** The open GET: its body, the position it is at, where its range ends, bytes read but not given. */
  #body: { stream: Readable; iter: AsyncIterator<Buffer>; pos: number; end: number; left: Buffer | undefined } | undefined;
  #window = READ_WINDOW_MIN;
  #closed = false;

  readonly #versionId: string | undefined;

  constructor(store: S3Store, name: string, stat: StoreStat, signal: AbortSignal | undefined, versionId?: string) {
    this.#store = store;
    this.#versionId = versionId;
    this.name = name;
    this.location = store.locationOf(name);
    this.size = stat.size;
    this.mtimeMs = stat.mtimeMs;
    this.version = stat.version;
    this.#signal = signal;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    if (this.#closed) throw new CachetError('internal', 'read of a closed S3 reader');
    const want = Math.max(0, Math.min(length, this.size - position));
    let got = 0;
    while (got < want) {
      throwIfAborted(this.#signal);
      const at = position + got;
      if (!this.#body || this.#body.pos !== at || this.#body.pos >= this.#body.end) await this.#open(at, want - got);
      const b = this.#body!;
      let chunk = b.left;
      b.left = undefined;
      if (!chunk) {
        const next = await b.iter.next().catch((e: unknown) => {
          throw this.#store.error(e, 'GetObject', this.name);
        });
        if (next.done) throw new CachetError('changed-while-reading', `${this.name} ended early while it was read`, { path: this.location });
        chunk = next.value;
      }
      const n = Math.min(chunk.length, want - got);
      chunk.copy(buffer, offset + got, 0, n);
      if (n < chunk.length) b.left = chunk.subarray(n);
      b.pos += n;
      got += n;
    }
    return { bytesRead: got };
  }

  /** A GET of [at, at + window) with If-Match on the opened ETag; a replaced object is [changed-while-reading]. */
  async #open(at: number, need: number): Promise<void> {
    this.#drop();
    const sequential = this.#window > READ_WINDOW_MIN || at > 0;
    const span = Math.min(this.size - at, Math.max(need, this.#window));
    if (sequential) this.#window = Math.min(READ_WINDOW_MAX, this.#window * 2);
    const res = await this.#store.call('GetObject', this.name, (c, o) => c.send(new GetObjectCommand({
      ...this.#store.where(this.name), Range: `bytes=${at}-${at + span - 1}`, IfMatch: this.version,
      ...(this.#versionId !== undefined ? { VersionId: this.#versionId } : {}),
    }), o), this.#signal).catch((e: unknown) => {
      if (isPrecondition(e) || isMissing(e)) throw new CachetError('changed-while-reading', `${this.name} was replaced while it was read`, { path: this.location }, { cause: e });
      throw e;
    });
    const stream = res.Body as Readable;
    this.#body = { stream, iter: stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>, pos: at, end: at + span, left: undefined };
  }

  #drop(): void {
    this.#body?.stream.destroy();
    this.#body = undefined;
  }

  restat(): Promise<StoreStat | undefined> {
    return this.#versionId !== undefined ? Promise.resolve({ size: this.size, mtimeMs: this.mtimeMs, version: this.version, regular: true }) : this.#store.stat(this.name);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#drop();
  }
}

/** A multipart upload in progress: parts go up PARTS_IN_FLIGHT at a time, in order of number. */
class Upload {
  readonly #store: S3Store;
  readonly #name: string;
  readonly #signal: AbortSignal | undefined;
  #id: string | undefined;
  readonly #parts: CompletedPart[] = [];
  readonly #running = new Set<Promise<void>>();
  #failed: unknown;

  constructor(store: S3Store, name: string, signal: AbortSignal | undefined) {
    this.#store = store;
    this.#name = name;
    this.#signal = signal;
  }

  async #ensure(): Promise<string> {
    this.#id ??= (await this.#store.call('CreateMultipartUpload', this.#name, (c, o) => c.send(new CreateMultipartUploadCommand(this.#store.where(this.#name)), o), this.#signal)).UploadId;
    if (!this.#id) throw new CachetError('internal', 'S3 gave no UploadId');
    return this.#id;
  }

  /** Start uploading `body` as the next part; waits while PARTS_IN_FLIGHT are running. */
  async part(body: Buffer): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    const id = await this.#ensure();
    const number = this.#parts.length + 1;
    const slot: CompletedPart = { PartNumber: number };
    this.#parts.push(slot);
    const run = this.#store.call('UploadPart', this.#name, (c, o) => c.send(new UploadPartCommand({ ...this.#store.where(this.#name), UploadId: id, PartNumber: number, Body: body }), o), this.#signal)
      .then((r) => {
        slot.ETag = etagOf(r.ETag);
      }, (e: unknown) => {
        this.#failed ??= e;
      });
    const tracked = run.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
    while (this.#running.size >= PARTS_IN_FLIGHT) await Promise.race(this.#running);
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** Copy [from, to) of `source` (at ETag `sourceVersion`) as the next parts, server-side. */
  async copy(sourceKey: string, sourceVersion: string, from: number, to: number, sourceVersionId?: string): Promise<void> {
    const id = await this.#ensure();
    for (let at = from; at < to; at += COPY_PART) {
      throwIfAborted(this.#signal);
      const number = this.#parts.length + 1;
      const r = await this.#store.call('UploadPartCopy', this.#name, (c, o) => c.send(new UploadPartCopyCommand({
        ...this.#store.where(this.#name), UploadId: id, PartNumber: number,
        CopySource: this.#store.copySource(sourceKey, sourceVersionId),
        CopySourceRange: `bytes=${at}-${Math.min(to, at + COPY_PART) - 1}`,
        CopySourceIfMatch: sourceVersion,
      }), o), this.#signal).catch((e: unknown) => {
        throw isPrecondition(e) ? new CachetError('conflict', `${this.#name} was changed by another writer`, { path: this.#store.locationOf(this.#name) }, { cause: e }) : e;
      });
      this.#parts.push({ PartNumber: number, ETag: etagOf(r.CopyPartResult?.ETag) });
    }
  }

  async complete(cond: { IfNoneMatch?: string; IfMatch?: string }): Promise<string> {
    await Promise.all(this.#running);
    if (this.#failed !== undefined) throw this.#failed;
    const id = await this.#ensure();
    const r = await this.#store.call('CompleteMultipartUpload', this.#name, (c, o) => c.send(new CompleteMultipartUploadCommand({
      ...this.#store.where(this.#name), UploadId: id, MultipartUpload: { Parts: this.#parts }, ...cond,
    }), o), this.#signal);
    this.#id = undefined;
    return etagOf(r.ETag);
  }

  /** Abort (after a failure or a cancel): no part of it stays billed or visible. Never throws. */
  async abort(): Promise<void> {
    await Promise.allSettled([...this.#running]);
    if (this.#id === undefined) return;
    const id = this.#id;
    this.#id = undefined;
    await this.#store.call('AbortMultipartUpload', this.#name, (c, o) => c.send(new AbortMultipartUploadCommand({ ...this.#store.where(this.#name), UploadId: id }), o), undefined).catch(() => {});
  }
}

export class S3Store implements VersionedStore {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #ctx: Ctx;

  constructor(where: S3Location, client: S3Client, ctx: Ctx = {}) {
    this.bucket = where.bucket;
    this.prefix = where.prefix;
    this.location = formatS3Location(where);
    this.#client = client;
    this.#ctx = ctx;
  }

  /**
   * The store for `s3://bucket/prefix` with the AWS set-up of `aws` (profile, region, endpoint,
   * retries, proxies and CA bundle exactly as for KMS: aws-config.ts). The SDK follows a bucket
   * in another region (followRegionRedirects).
   */
  static async connect(location: string, aws: AwsClientOptions): Promise<S3Store> {
    const where = parseS3Location(location);
    const r = await resolveAwsClient(aws, 'S3');
    const config: S3ClientConfig = { ...(r.config as S3ClientConfig), followRegionRedirects: true };
    return new S3Store(where, recordCalledEndpoint(new S3Client(config)), { profile: r.profile, region: r.region, endpoint: r.endpoint });
  }

  /**
   * The buckets the profile may list (ListBuckets, s3:ListAllMyBuckets), by name. A profile
   * allowed into one bucket only is refused here [s3-access-denied]: the app then asks for the
   * bucket by name. At most `maxPages` pages of 1,000 (`truncated` says when there were more).
   */
  static async listBuckets(aws: AwsClientOptions, opts: { signal?: AbortSignal; maxPages?: number } = {}): Promise<{ buckets: string[]; truncated: boolean }> {
    const r = await resolveAwsClient(aws, 'S3');
    const client = new S3Client({ ...(r.config as S3ClientConfig), followRegionRedirects: true });
    const ctx = { bucket: '', operation: 'ListBuckets', profile: r.profile, region: r.region, endpoint: r.endpoint };
    const names: string[] = [];
    let token: string | undefined;
    try {
      for (let page = 0; page < (opts.maxPages ?? 10); page++) {
        throwIfAborted(opts.signal);
        const res = await client.send(new ListBucketsCommand({ MaxBuckets: 1000, ContinuationToken: token }), opts.signal ? { abortSignal: opts.signal } : {}).catch((e: unknown) => {
          if (opts.signal?.aborted) throw new CachetError('cancelled', 'cancelled', {}, { cause: e });
          throw fromS3Error(e, ctx);
        });
        for (const b of res.Buckets ?? []) if (b.Name) names.push(b.Name);
        token = res.ContinuationToken;
        if (!token) return { buckets: names.sort(), truncated: false };
      }
      return { buckets: names.sort(), truncated: true };
    } finally {
      client.destroy();
    }
  }

  /**
   * One level under this location (ListObjectsV2 with '/' as the delimiter, at most `maxPages`
   * pages): the names of the objects right here (`vault.json` when a vault is here) and of the
   * prefixes one level down. Reads names only, never an object.
   */
  async level(opts: { signal?: AbortSignal; maxPages?: number } = {}): Promise<{ objects: string[]; prefixes: string[]; truncated: boolean }> {
    const under = this.prefix === '' ? '' : `${this.prefix}/`;
    const objects: string[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < (opts.maxPages ?? 1); page++) {
      const res = await this.call('ListObjectsV2', undefined, (c, o) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: under, Delimiter: '/', ContinuationToken: token }), o), opts.signal)
        .catch((e: unknown) => {
          throw isMissing(e) ? this.error(e, 'ListObjectsV2') : e;
        });
      for (const o of res.Contents ?? []) if (o.Key && o.Key.length > under.length) objects.push(o.Key.slice(under.length));
      for (const p of res.CommonPrefixes ?? []) {
        const n = (p.Prefix ?? '').slice(under.length).replace(/\/$/, '');
        if (n !== '') prefixes.push(n);
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
      if (!token) return { objects, prefixes, truncated: false };
    }
    return { objects, prefixes, truncated: true };
  }

  /** The store of the prefix `name` one level below this one, on the same client. */
  below(name: string): S3Store {
    return new S3Store({ bucket: this.bucket, prefix: s3Key(this, name) }, this.#client, this.#ctx);
  }

  /** Close the client's connections (a store made only to look around). */
  destroy(): void {
    this.#client.destroy();
  }

  /** Bucket and key of a vault name, for a command. */
  where(name: string): { Bucket: string; Key: string } {
    return { Bucket: this.bucket, Key: s3Key(this, name) };
  }

  copySource(name: string, versionId?: string): string {
    const src = `${this.bucket}/${encodeURIComponent(s3Key(this, name)).replace(/%2F/g, '/')}`;
    return versionId === undefined ? src : `${src}?versionId=${encodeURIComponent(versionId)}`;
  }

  locationOf(name: string): string {
    return `s3://${this.bucket}/${s3Key(this, name)}`;
  }

  error(e: unknown, operation: string, name?: string): CachetError {
    if (isCachetError(e)) return e;
    return fromS3Error(e, { bucket: this.bucket, prefix: this.prefix, key: name === undefined ? (this.prefix || undefined) : s3Key(this, name), operation, ...this.#ctx });
  }

  /** One S3 call; SDK failures become CachetErrors, except 404/409/412, which the caller reads. */
  async call<O>(operation: string, name: string | undefined, run: (client: S3Client, o: { abortSignal?: AbortSignal }) => Promise<O>, signal: AbortSignal | undefined): Promise<O> {
    throwIfAborted(signal);
    try {
      return await run(this.#client, signal ? { abortSignal: signal } : {});
    } catch (e) {
      if (signal?.aborted) throw new CachetError('cancelled', 'cancelled', {}, { cause: e });
      if (isPrecondition(e) || isWriteConflict(e) || isMissing(e)) throw e;
      throw this.error(e, operation, name);
    }
  }

  /**
   * Make `s3://bucket/prefix` ready to become a new vault: refused if a vault is there [exists]
   * or any other object is under the prefix [bad-request not-empty]; a missing bucket is
   * [s3-bucket-not-found] (Cachet makes no buckets: who may create them is the team's policy).
   * What a create that died before writing vault.json left (index.env) is cleared.
   */
  async prepareNew(): Promise<{ undo(): Promise<void> }> {
    const under = this.prefix === '' ? '' : `${this.prefix}/`;
    const res = await this.call('ListObjectsV2', undefined, (c, o) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: under, MaxKeys: 50 }), o), undefined)
      .catch((e: unknown) => {
        throw isMissing(e) ? this.error(e, 'ListObjectsV2') : e;
      });
    const names = ((res.Contents ?? []) as { Key?: string }[]).map((o) => (o.Key ?? '').slice(under.length));
    if (names.includes(VAULT_FILE)) throw new CachetError('exists', 'this location is already a vault', { path: this.location, reason: 'vault' });
    if (names.some((n) => n !== INDEX_FILE && n !== INDEX_LOCK_FILE)) throw badRequest('not-empty', 'there are objects under this prefix; choose an empty or new prefix', { path: this.location });
    if (names.includes(INDEX_FILE)) await this.remove(INDEX_FILE);
    if (names.includes(INDEX_LOCK_FILE)) await this.remove(INDEX_LOCK_FILE);
    return { undo: () => this.remove(INDEX_FILE).catch(() => {}) };
  }

  /** S3 has no folders: `items/` exists as soon as one item does. */
  async checkOpen(): Promise<void> {}

  async openRead(name: string, opts: { signal?: AbortSignal } = {}): Promise<StoreReader> {
    throwIfAborted(opts.signal);
    const st = await this.stat(name);
    if (!st) throw new CachetError('not-found', `read ${name}: no such object`, { what: `read ${name}`, path: this.locationOf(name) });
    return new S3Reader(this, name, st, opts.signal);
  }

  async readSmall(name: string, maxBytes: number): Promise<{ bytes: Buffer; version: string }> {
    const path = this.locationOf(name);
    const res = await this.call('GetObject', name, (c, o) => c.send(new GetObjectCommand(this.where(name)), o), undefined).catch((e: unknown) => {
      throw isMissing(e) ? new CachetError('not-found', `read ${name}: no such object`, { what: `read ${name}`, path }, { cause: e }) : e;
    });
    const body = res.Body as Readable;
    if ((res.ContentLength ?? 0) > maxBytes) {
      body.destroy();
      throw badRequest('too-large', `${name} is too large`, { path });
    }
    const parts: Buffer[] = [];
    let n = 0;
    try {
      for await (const chunk of body) {
        n += (chunk as Buffer).length;
        if (n > maxBytes) throw badRequest('too-large', `${name} is too large`, { path });
        parts.push(chunk as Buffer);
      }
    } catch (e) {
      body.destroy();
      throw this.error(e, 'GetObject', name);
    }
    return { bytes: Buffer.concat(parts), version: etagOf(res.ETag) };
  }

  async stat(name: string): Promise<StoreStat | undefined> {
    try {
      const h = await this.call('HeadObject', name, (c, o) => c.send(new HeadObjectCommand(this.where(name)), o), undefined);
      return { size: h.ContentLength ?? 0, mtimeMs: h.LastModified?.getTime() ?? 0, version: etagOf(h.ETag), regular: true };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw this.error(e, 'HeadObject', name);
    }
  }

  /** ListObjectsV2 pages of `<prefix>/<folder>/` with '/' as delimiter: one request per 1,000 items. */
  async list(folder: string, opts: { signal?: AbortSignal } = {}): Promise<StoreEntry[]> {
    const under = `${s3Key(this, folder)}/`;
    const out: StoreEntry[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const res = await this.call('ListObjectsV2', undefined, (c, o) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: under, Delimiter: '/', ContinuationToken: token }), o), opts.signal)
        .catch((e: unknown) => {
          if (s3Code(e) === 'NoSuchBucket' || isCachetError(e, 's3-bucket-not-found')) throw new CachetError('vault-not-found', 'the vault bucket is gone', { path: this.location }, { cause: e });
          throw isMissing(e) ? this.error(e, 'ListObjectsV2') : e;
        });
      for (const o of (res.Contents ?? []) as { Key?: string; Size?: number; LastModified?: Date; ETag?: string }[]) {
        const n = (o.Key ?? '').slice(under.length);
        if (n === '' || n.includes('/')) continue;
        out.push({ name: n, size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0, version: etagOf(o.ETag), regular: true });
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
      if (!token) return out;
    }
    throw new CachetError('internal', `more than ${MAX_LIST_PAGES} pages under ${this.location}`);
  }

  /** The S3 condition of a write: [exists] / [conflict] when S3 refuses it. */
  #condition(when: WriteCondition): { IfNoneMatch?: string; IfMatch?: string } {
    if (when === 'absent' || when === 'fresh') return { IfNoneMatch: '*' };
    if (typeof when === 'object') return { IfMatch: when.ifVersion };
    return {};
  }

  #refusal(e: unknown, name: string, when: WriteCondition): unknown {
    const path = this.locationOf(name);
    if (isPrecondition(e) || isWriteConflict(e) || (typeof when === 'object' && isMissing(e))) {
      if ((when === 'absent' || when === 'fresh') && !isWriteConflict(e)) return new CachetError('exists', `${name} already exists`, { path }, { cause: e });
      return new CachetError('conflict', `${name} was changed by another writer`, { path }, { cause: e });
    }
    return isMissing(e) ? this.error(e, 'PutObject', name) : e;
  }

  async write<T>(name: string, fill: (sink: ByteSink) => Promise<T>, when: WriteCondition, opts: StoreWriteOptions = {}): Promise<{ value: T; version: string }> {
    throwIfAborted(opts.signal);
    const cond = this.#condition(when);
    const upload = new Upload(this, name, opts.signal);
    let part = Buffer.allocUnsafe(Math.min(PART_SIZE, Math.max(opts.sizeHint ?? PART_SIZE, 1024)));
    let used = 0;
    let multipart = false;
    const flush = async (): Promise<void> => {
      multipart = true;
      const full = part.subarray(0, used);
      part = Buffer.allocUnsafe(PART_SIZE);
      used = 0;
      await upload.part(full);
    };
    const sink: ByteSink = {
      async write(parts: readonly Buffer[], _o?: WriteOptions): Promise<void> {
        throwIfAborted(opts.signal);
        for (const p of parts) {
          let at = 0;
          while (at < p.length) {
            if (used === part.length && part.length < PART_SIZE) {
              const grown = Buffer.allocUnsafe(Math.min(PART_SIZE, part.length * 2));
              part.copy(grown, 0, 0, used);
              part = grown;
            }
            const n = Math.min(p.length - at, part.length - used);
            p.copy(part, used, at, at + n);
            used += n;
            at += n;
            if (used === PART_SIZE) await flush();
          }
        }
      },
    };
    try {
      const value = await fill(sink);
      throwIfAborted(opts.signal);
      let version = '';
      // The step that makes the name visible: one PutObject, or the last part and the completion.
      const place = async (): Promise<void> => {
        if (!multipart) {
          const r = await this.call('PutObject', name, (c, o) => c.send(new PutObjectCommand({ ...this.where(name), Body: part.subarray(0, used), ContentLength: used, ...cond }), o), opts.signal)
            .catch((e: unknown) => {
              throw this.#refusal(e, name, when);
            });
          version = etagOf(r.ETag);
        } else {
          if (used > 0) await upload.part(part.subarray(0, used));
          if (typeof when === 'object') await this.#stillAt(name, when.ifVersion);
          version = await upload.complete(cond).catch((e: unknown) => {
            throw this.#refusal(e, name, when);
          });
        }
      };
      if (opts.placeWithin) await opts.placeWithin(place);
      else await place();
      return { value, version };
    } catch (e) {
      await upload.abort();
      throw e;
    }
  }

  /** [conflict] unless `name` still holds `version` (the HeadObject backing of an If-Match). */
  async #stillAt(name: string, version: string): Promise<void> {
    const now = await this.stat(name);
    if (now?.version !== version) throw new CachetError('conflict', `${name} was changed by another writer`, { path: this.locationOf(name) });
  }

  async rewriteHead(from: StoreReader, head: Buffer, keepFrom: number, opts: { signal?: AbortSignal } = {}): Promise<{ version: string }> {
    if (!(from instanceof S3Reader)) throw new CachetError('internal', 'rewriteHead of a reader this store did not open');
    throwIfAborted(opts.signal);
    const kept = from.size - keepFrom;
    const when: WriteCondition = { ifVersion: from.version };
    const readKept = async (length: number): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(length);
      try {
        await from.read(buf, 0, length, keepFrom);
      } catch (e) {
        // The opened version is gone: another writer replaced the item (the folder store says the same).
        if (isCachetError(e, 'changed-while-reading')) throw new CachetError('conflict', `${from.name} was changed by another writer`, { path: from.location }, { cause: e });
        throw e;
      }
      return buf;
    };
    if (kept < PART_MIN + PART_SIZE) {
      // Small enough to send whole: one conditional PutObject, exact on S3 and on moto.
      const body = Buffer.concat([head, await readKept(kept)]);
      const { version } = await this.write(from.name, (sink) => sink.write([body]), when, { signal: opts.signal, sizeHint: body.length });
      return { version };
    }
    const upload = new Upload(this, from.name, opts.signal);
    try {
      const lead = Math.max(0, PART_MIN - head.length);
      await upload.part(Buffer.concat([head, await readKept(lead)]));
      await upload.copy(from.name, from.version, keepFrom + lead, from.size);
      await this.#stillAt(from.name, from.version);
      const version = await upload.complete({ IfMatch: from.version }).catch((e: unknown) => {
        throw this.#refusal(e, from.name, when);
      });
      return { version };
    } catch (e) {
      await upload.abort();
      throw e;
    }
  }

  async remove(name: string, opts: { ifVersion?: string } = {}): Promise<void> {
    try {
      await this.call('DeleteObject', name, (c, o) => c.send(new DeleteObjectCommand({ ...this.where(name), ...(opts.ifVersion !== undefined ? { IfMatch: opts.ifVersion } : {}) }), o), undefined);
    } catch (e) {
      if (isMissing(e)) return; // absent is not an error (an If-Match delete of a missing key is a 404)
      if (isCachetError(e, 's3-error') && e.detail['awsCode'] === 'NotImplemented' && opts.ifVersion !== undefined) {
        // A store without conditional deletes: check, then delete (a narrow race, as on a folder).
        await this.#stillAt(name, opts.ifVersion);
        await this.remove(name);
        return;
      }
      if (isPrecondition(e) || isWriteConflict(e)) throw new CachetError('conflict', `${name} was changed by another writer`, { path: this.locationOf(name) }, { cause: e });
      throw this.error(e, 'DeleteObject', name);
    }
  }

  async sync(_folder: string): Promise<void> {
    // S3 makes a write durable before it answers.
  }

  /** Copy then delete: only the sync-conflict repair uses it, and S3 has no sync-conflict copies. */
  async rename(from: string, to: string): Promise<void> {
    await this.call('CopyObject', to, (c, o) => c.send(new CopyObjectCommand({ ...this.where(to), CopySource: this.copySource(from) }), o), undefined).catch((e: unknown) => {
      throw isMissing(e) ? new CachetError('not-found', `rename ${from}: no such object`, { path: this.locationOf(from) }, { cause: e }) : this.error(e, 'CopyObject', to);
    });
    await this.remove(from);
  }

  /**
   * The writer section of index.env (SPEC §9.4): the object `index.lock`, created with
   * If-None-Match: * (one holder at a time) and removed with If-Match on its own ETag. A lock that
   * stays unchanged while a writer waits LOCK_WAIT_MS and is older than LOCK_STALE_MS by its
   * LastModified is a killed holder's: it is deleted with If-Match on that ETag (so two breakers
   * never remove a fresh lock) and the create is tried again. As for a folder the lock is advisory
   * (a writer that cannot get it in time goes on; conditional index writes still lose no entry),
   * but it is what keeps a path to one item under concurrent adds.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (name !== INDEX_FILE) throw new CachetError('internal', `no writer section for ${name}`);
    const held = await this.#lock();
    try {
      return await fn();
    } finally {
      if (held !== undefined) await this.remove(INDEX_LOCK_FILE, { ifVersion: held }).catch(() => {});
    }
  }

  /** The lock's ETag when this writer holds it; undefined when it gave up waiting. */
  async #lock(): Promise<string | undefined> {
    const body = Buffer.from(JSON.stringify({ host: tempHost(), pid: process.pid, nonce: randomBytes(8).toString('hex') }));
    const started = Date.now();
    let seen: { version: string; since: number } | undefined;
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
      try {
        const r = await this.call('PutObject', INDEX_LOCK_FILE, (c, o) => c.send(new PutObjectCommand({ ...this.where(INDEX_LOCK_FILE), Body: body, ContentLength: body.length, IfNoneMatch: '*' }), o), undefined);
        return etagOf(r.ETag);
      } catch (e) {
        if (!isPrecondition(e) && !isWriteConflict(e)) {
          const err = this.error(e, 'PutObject', INDEX_LOCK_FILE);
          // A reader may not write: its section needs no lock (its index save is best effort and
          // fails on its own), and a writer is refused at its first item write, naming that object.
          if (err.code === 's3-access-denied') return undefined;
          throw err;
        }
      }
      const now = await this.stat(INDEX_LOCK_FILE);
      if (now !== undefined) {
        if (seen?.version !== now.version) seen = { version: now.version, since: Date.now() };
        const waited = Date.now() - seen.since;
        if (waited >= LOCK_WAIT_MS && Date.now() - now.mtimeMs > LOCK_STALE_MS) {
          await this.remove(INDEX_LOCK_FILE, { ifVersion: now.version }).catch(() => {});
          continue;
        }
      }
      if (Date.now() - started > LOCK_GIVE_UP_MS) return undefined;
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 60)));
    }
    return undefined;
  }

  // ---- item history (bucket versioning) -------------------------------------------------------

  async versioning(): Promise<'enabled' | 'suspended' | 'off'> {
    const r = await this.call('GetBucketVersioning', undefined, (c, o) => c.send(new GetBucketVersioningCommand({ Bucket: this.bucket }), o), undefined);
    return r.Status === 'Enabled' ? 'enabled' : r.Status === 'Suspended' ? 'suspended' : 'off';
  }

  /** ListObjectVersions pages under `prefix`: versions and delete markers by key, newest first. */
  async #allVersions(prefix: string, exactKey: string | undefined, signal: AbortSignal | undefined): Promise<Map<string, StoreVersion[]>> {
    const byKey = new Map<string, StoreVersion[]>();
    const add = (key: string | undefined, v: StoreVersion): void => {
      if (key === undefined || (exactKey !== undefined && key !== exactKey)) return;
      const list = byKey.get(key) ?? [];
      list.push(v);
      byKey.set(key, list);
    };
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const r = await this.call('ListObjectVersions', undefined, (c, o) => c.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: idMarker }), o), signal);
      for (const v of r.Versions ?? []) {
        add(v.Key, { versionId: v.VersionId ?? 'null', exists: true, current: v.IsLatest === true, size: v.Size ?? 0, mtimeMs: v.LastModified?.getTime() ?? 0 });
      }
      for (const d of r.DeleteMarkers ?? []) {
        add(d.Key, { versionId: d.VersionId ?? 'null', exists: false, current: d.IsLatest === true, size: 0, mtimeMs: d.LastModified?.getTime() ?? 0 });
      }
      if (!r.IsTruncated) break;
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextVersionIdMarker;
    }
    for (const list of byKey.values()) list.sort((a, b) => Number(b.current) - Number(a.current) || b.mtimeMs - a.mtimeMs);
    return byKey;
  }

  async versions(name: string, opts: { signal?: AbortSignal } = {}): Promise<StoreVersion[]> {
    const key = s3Key(this, name);
    return (await this.#allVersions(key, key, opts.signal)).get(key) ?? [];
  }

  async deleted(folder: string, opts: { signal?: AbortSignal } = {}): Promise<DeletedName[]> {
    const under = `${s3Key(this, folder)}/`;
    const out: DeletedName[] = [];
    for (const [key, list] of await this.#allVersions(under, undefined, opts.signal)) {
      const name = key.slice(under.length);
      const head = list[0];
      const last = list.find((v) => v.exists);
      if (name === '' || name.includes('/') || !head || head.exists || !head.current || !last) continue;
      out.push({ name, deletedMs: head.mtimeMs, last });
    }
    return out.sort((a, b) => b.deletedMs - a.deletedMs);
  }

  async openReadVersion(name: string, versionId: string, opts: { signal?: AbortSignal } = {}): Promise<StoreReader> {
    const h = await this.call('HeadObject', name, (c, o) => c.send(new HeadObjectCommand({ ...this.where(name), VersionId: versionId }), o), opts.signal).catch((e: unknown) => {
      // A 400 is S3's answer to a version id that is not one; a 405 to a delete marker.
      if (isMissing(e) || s3Status(e) === 400 || s3Status(e) === 405) throw new CachetError('not-found', `${name} has no version ${versionId}`, { path: this.locationOf(name), versionId }, { cause: e });
      throw e;
    });
    const st: StoreStat = { size: h.ContentLength ?? 0, mtimeMs: h.LastModified?.getTime() ?? 0, version: etagOf(h.ETag), regular: true };
    return new S3Reader(this, `${name}`, st, opts.signal, versionId);
  }

  /** A server-side copy of the version over the name (UploadPartCopy parts), under `when`. */
  async restoreVersion(name: string, versionId: string, when: WriteCondition, opts: { signal?: AbortSignal } = {}): Promise<{ version: string }> {
    const from = await this.openReadVersion(name, versionId, opts);
    await from.close();
    const upload = new Upload(this, name, opts.signal);
    try {
      await upload.copy(name, from.version, 0, from.size, versionId);
      if (typeof when === 'object') await this.#stillAt(name, when.ifVersion);
      const version = await upload.complete(this.#condition(when)).catch((e: unknown) => {
        throw this.#refusal(e, name, when);
      });
      return { version };
    } catch (e) {
      await upload.abort();
      throw e;
    }
  }

  /** Abort this vault's multipart uploads older than a day (a killed writer's; the live ones are younger). */
  async sweep(): Promise<void> {
    const under = this.prefix === '' ? '' : `${this.prefix}/`;
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    const now = Date.now();
    for (let page = 0; page < 100; page++) {
      const res = await this.call('ListMultipartUploads', undefined, (c, o) => c.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: under, KeyMarker: keyMarker, UploadIdMarker: idMarker }), o), undefined)
        .catch(() => undefined); // a reader may lack s3:ListBucketMultipartUploads: sweeping is a writer's chore
      if (!res) return;
      for (const u of (res.Uploads ?? []) as { Key?: string; UploadId?: string; Initiated?: Date }[]) {
        const rel = (u.Key ?? '').slice(under.length);
        const ours = rel === VAULT_FILE || rel === INDEX_FILE || rel.startsWith(`${ITEMS_DIR}/`);
        if (!ours || !u.UploadId || !isStaleUpload(u.Initiated, now)) continue;
        await this.call('AbortMultipartUpload', rel, (c, o) => c.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }), o), undefined).catch(() => {});
      }
      if (!res.IsTruncated) return;
      keyMarker = res.NextKeyMarker;
      idMarker = res.NextUploadIdMarker;
    }
  }
}
