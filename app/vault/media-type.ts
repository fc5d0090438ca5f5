// A media type guessed from an item's name, stored in its metadata (SPEC §5 `type`) so a preview
// knows how to show it: by extension, or by the whole name for the files that have none (a
// dotenv file, an SSH key, a Dockerfile). For a name that says nothing, `looksLikeText` judges
// the first bytes of the content (the preview's). It never decides anything about security (the
// renderer treats every preview as untrusted bytes).

import { baseName } from './paths.js';

const TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', tsv: 'text/tab-separated-values',
  log: 'text/plain', json: 'application/json', xml: 'application/xml', yaml: 'application/yaml',
  yml: 'application/yaml', toml: 'application/toml', ini: 'text/plain', html: 'text/html',
  htm: 'text/html', css: 'text/css', js: 'text/javascript', ts: 'text/plain', py: 'text/x-python',
  sh: 'text/x-shellscript', c: 'text/x-c', h: 'text/x-c', go: 'text/x-go', rs: 'text/x-rust',
  pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif',
  webp: 'image/webp', bmp: 'image/bmp', svg: 'image/svg+xml', ico: 'image/x-icon', heic: 'image/heic',
  tif: 'image/tiff', tiff: 'image/tiff', avif: 'image/avif',
  mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', m4a: 'audio/mp4',
  mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', mkv: 'video/x-matroska',
  zip: 'application/zip', gz: 'application/gzip', tar: 'application/x-tar', '7z': 'application/x-7z-compressed',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', rtf: 'application/rtf', epub: 'application/epub+zip',
  // Secrets and configuration people keep in a vault.
  env: 'text/plain', pem: 'application/x-pem-file', key: 'application/x-pem-file', crt: 'application/x-pem-file',
  cer: 'application/x-pem-file', csr: 'application/x-pem-file', pub: 'text/plain', tf: 'text/plain', tfvars: 'text/plain',
  hcl: 'text/plain', conf: 'text/plain', cfg: 'text/plain', properties: 'text/plain', kubeconfig: 'application/yaml',
  sql: 'text/plain', ps1: 'text/plain', java: 'text/plain', rb: 'text/plain', php: 'text/plain', tsx: 'text/plain', jsx: 'text/plain',
};

/** Whole names (lower case) with no telling extension. */
const NAMES: Readonly<Record<string, string>> = {
  '.env': 'text/plain', dockerfile: 'text/plain', makefile: 'text/plain', procfile: 'text/plain', vagrantfile: 'text/plain',
  id_rsa: 'application/x-pem-file', id_dsa: 'application/x-pem-file', id_ecdsa: 'application/x-pem-file', id_ed25519: 'application/x-pem-file',
  known_hosts: 'text/plain', authorized_keys: 'text/plain', config: 'text/plain', credentials: 'text/plain', kubeconfig: 'application/yaml',
  '.npmrc': 'text/plain', '.netrc': 'text/plain', '.pgpass': 'text/plain', '.gitconfig': 'text/plain', '.bashrc': 'text/plain',
  '.zshrc': 'text/plain', '.profile': 'text/plain', license: 'text/plain', readme: 'text/plain',
};

/** Media types shown as text besides text/*. */
const TEXT_APPLICATION = new Set(['application/json', 'application/xml', 'application/yaml', 'application/toml', 'application/x-pem-file']);

export function isTextMediaType(mt: string): boolean {
  return mt.startsWith('text/') || TEXT_APPLICATION.has(mt);
}

/** The media type for a vault path's extension, or undefined when unknown. */
export function guessMediaType(path: string): string | undefined {
  const name = baseName(path).toLowerCase();
  const whole = NAMES[name] ?? (name.startsWith('.env.') ? 'text/plain' : undefined);
  if (whole) return whole;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return TYPES[name.slice(dot + 1)];
}

/**
 * Whether bytes (the start of a file, maybe cut mid-character) read as text: UTF-8, no NUL, and
 * hardly any control characters other than tab, line ends, form feed and escape. Empty is text.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  let controls = 0;
  for (const b of bytes) {
    if (b === 0) return false;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) controls++;
  }
  if (controls > bytes.length / 100) return false;
  // A sequence cut at the end of the sample is not a reason to call it binary.
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back]!;
    if ((b & 0xc0) !== 0x80) {
      if (b >= 0xc0) end -= back;
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
