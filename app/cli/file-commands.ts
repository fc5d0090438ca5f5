// The commands that work on one envelope file with no vault (encrypt, decrypt, inspect) and the
// AWS helpers (profiles, keys, create-key). Each takes the parsed command line and the context,
// and returns an exit code or throws a CachetError for the caller to print.

import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspectFile, openFile, readMetadata, sealFile, sealToWritable, type HeaderInfo, type ItemMetadata } from '../envelope.js';
import { badRequest, fromSystemError } from '../errors.js';
import { newId } from '../vault/layout.js';
import { decryptedName, ENVELOPE_EXT } from '../loose-envelope.js';
import { toFsPath } from '../vault/paths.js';
import type { Context } from './context.js';
import { EXIT_OK } from './context.js';
import { formatInspect, formatTable, type InspectView } from './output.js';

type Values = Record<string, string | boolean | string[] | undefined>;

const STDIO = '-';


export async function encryptCommand(ctx: Context, [file]: string[], v: Values): Promise<number> {
  const kms = (v['kms-key'] as string[] | undefined) ?? [];
  const fromStdin = file === STDIO;
  const source = fromStdin ? STDIO : resolve(ctx.io.cwd, file!);
  const out = v.output as string | undefined;
  // `encrypt -` is a filter: stdin to stdout unless -o names a file.
  const dest = out === STDIO || (out === undefined && fromStdin) ? STDIO : resolve(ctx.io.cwd, out ?? `${file}${ENVELOPE_EXT}`);
  let metadata: ItemMetadata;
  if (fromStdin) {
    metadata = { path: 'stdin', size: null, mtime: null };
  } else {
    let st;
    try {
      st = await stat(source);
    } catch (e) {
      throw fromSystemError(e, 'read', source);
    }
    if (!st.isFile()) throw badRequest('not-a-file', `not a file: ${file}`, { path: source });
    metadata = { path: basename(source), size: st.size, mtime: Math.round(st.mtimeMs) };
  }
  const keys = await ctx.keys.refs(kms, v.local === true, { signal: ctx.signal });
  // A loose envelope's context: its own id, no vault (SPEC §3).
  const context = { 'cachet:item': newId(), 'cachet:purpose': 'item' };
  const input: string | Readable = fromStdin ? ctx.io.stdin : source;
  ctx.progress.start(basename(fromStdin ? 'stdin' : source), metadata.size);
  const opts = {
    keyring: ctx.keys.keyring, keys, context, metadata, signal: ctx.signal,
    onProgress: (p: { bytes: number; total: number | null }) => ctx.progress.update(p.bytes, p.total),
  };
  await withOutputFolder(dest, async () => {
    if (dest === STDIO) await sealToWritable(input, ctx.io.stdout as Writable, opts);
    else await sealFile(input, dest, opts);
  }).finally(() => ctx.progress.end());
  return EXIT_OK;
}

/** Where decrypt writes by itself, beside the envelope: app/loose-envelope.ts decryptedName, if this system can write that name. */
function defaultOutput(stored: string, source: string): string | undefined {
  const name = decryptedName(stored, source);
  if (name === undefined) return undefined;
  try {
    return toFsPath(dirname(source), name);
  } catch {
    return undefined;
  }
}

export async function decryptCommand(ctx: Context, [file]: string[], v: Values): Promise<number> {
  const out = v.output as string | undefined;
  return withEnvelopeInput(ctx, file!, async (source) => {
    let dest: string;
    // `decrypt -` is a filter: stdin to stdout unless -o names a file.
    if (out === STDIO || (out === undefined && file === STDIO)) dest = STDIO;
    else if (out !== undefined) dest = resolve(ctx.io.cwd, out);
    else {
      // No -o: the name the envelope stores (encrypt keeps the original file's), beside the
      // envelope; else the envelope's name without .env. Reading the stored name costs one unwrap.
      const { metadata } = await readMetadata(source, { keyring: ctx.keys.keyring, signal: ctx.signal });
      const named = defaultOutput(metadata.path, source);
      if (named !== undefined) dest = named;
      else throw badRequest('no-output-name', `${file} stores no usable file name and does not end in .env; give -o <file>`, { path: source });
      if (ctx.io.stderr.isTTY) ctx.note(`cachet: writing ${dest}`);
    }
    let size: number | null = null;
    try {
      size = (await stat(source)).size;
    } catch (e) {
      throw fromSystemError(e, 'read', source);
    }
    ctx.progress.start(file === STDIO ? 'stdin' : basename(source), size);
    await withOutputFolder(dest, () => openFile(source, dest === STDIO ? (ctx.io.stdout as Writable) : dest, {
      keyring: ctx.keys.keyring, signal: ctx.signal,
      onProgress: (p) => ctx.progress.update(p.bytes, p.total ?? size),
    })).finally(() => ctx.progress.end());
    return EXIT_OK;
  });
}

/**
 * The envelope to read: the file named, or for `-` stdin copied to a private temp file first (the
 * reader seeks: header, then chunks, then the length check of SPEC §6). Only ciphertext is
 * copied; the temp folder is removed whatever happens.
 */
async function withEnvelopeInput<T>(ctx: Context, file: string, fn: (source: string) => Promise<T>): Promise<T> {
  if (file !== STDIO) return fn(resolve(ctx.io.cwd, file));
  const dir = await mkdtemp(join(tmpdir(), 'cachet-stdin-'));
  try {
    const path = join(dir, 'stdin.env');
    try {
      await pipeline(ctx.io.stdin, createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal: ctx.signal });
    } catch (e) {
      throw fromSystemError(e, 'read', 'stdin');
    }
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function inspectView(path: string, h: HeaderInfo): InspectView {
  return {
    path,
    version: h.version,
    chunkSize: h.chunkSize,
    headerLength: h.headerLength,
    payloadLength: h.payloadLength,
    context: { ...h.context },
    stanzas: h.stanzas.map((s) => ({ type: s.type, keyId: s.keyId, blobLength: s.blob.length })),
  };
}

export async function inspectCommand(ctx: Context, [file]: string[], v: Values): Promise<number> {
  const view = inspectView(file!, await withEnvelopeInput(ctx, file!, inspectFile));
  if (v.json) {
    const { path: _path, ...rest } = view;
    ctx.json({ file: file!, ...rest, stanzas: view.stanzas.map(({ type, keyId }) => ({ provider: type, keyId })) });
  } else {
    ctx.out(formatInspect(view));
  }
  return EXIT_OK;
}

/** The AWS helpers, imported only by the commands that use them (see app/cli/keys.ts). */
const awsConfig = () => import('../keys/aws-config.js');

export async function profilesCommand(ctx: Context, _p: string[], v: Values): Promise<number> {
  const { listProfiles } = await awsConfig();
  const profiles = await listProfiles();
  if (v.json) ctx.json(profiles);
  else if (profiles.length === 0) ctx.out('(no AWS profiles; `aws configure` or `aws configure sso` makes one)\n');
  else ctx.out(formatTable(['PROFILE', 'REGION', 'TYPE', 'FILE'], profiles.map((p) => [p.name, p.region ?? '-', p.type, p.source])));
  return EXIT_OK;
}

export async function keysCommand(ctx: Context, _p: string[], v: Values): Promise<number> {
  const { listKeys } = await awsConfig();
  const keys = await listKeys({ ...ctx.aws, signal: ctx.signal });
  if (v.json) ctx.json(keys);
  else if (keys.length === 0) ctx.out('(no usable KMS keys here; `cachet create-key --alias <name>` makes one)\n');
  else ctx.out(formatTable(['ALIAS', 'KEY ARN', 'DESCRIPTION'], keys.map((k) => [k.aliases.join(', ') || '-', k.arn, k.description ?? ''])));
  return EXIT_OK;
}

export async function createKeyCommand(ctx: Context, _p: string[], v: Values): Promise<number> {
  const raw = v.alias as string;
  const alias = raw.startsWith('alias/') ? raw : `alias/${raw}`;
  const desc = v.description as string | undefined;
  const { createKey } = await awsConfig();
  const made = await createKey({ ...ctx.aws, alias, ...(desc ? { description: desc } : {}), signal: ctx.signal });
  if (v.json) ctx.json({ arn: made.arn, alias: made.alias });
  else ctx.out(`${made.arn}\t${made.alias}\n`);
  return EXIT_OK;
}

/**
 * The folder an output goes into, made if missing (as `-o out/x` asks for). Returns the undo a
 * failed command runs: the folders made here are removed again, deepest first, each only while
 * empty (#18), so a failure leaves the disk as it found it.
 */
async function makeParent(dest: string): Promise<() => Promise<void>> {
  const parent = dirname(dest);
  let first: string | undefined;
  try {
    first = await mkdir(parent, { recursive: true });
  } catch (e) {
    throw fromSystemError(e, 'create the output folder', parent);
  }
  return async () => {
    if (first === undefined) return;
    for (let d = parent; ; d = dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return; // not empty (someone else's file), or gone: leave the rest
      }
      if (d === first || dirname(d) === d) return;
    }
  };
}

/** Run `fn` writing to `dest` (a path or '-'); on failure remove the folders made for it. */
export async function withOutputFolder<T>(dest: string, fn: () => Promise<T>): Promise<T> {
  if (dest === STDIO) return fn();
  const undo = await makeParent(dest);
  try {
    return await fn();
  } catch (e) {
    await undo();
    throw e;
  }
}
