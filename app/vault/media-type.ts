// A media type guessed from an item's name, stored in its metadata (SPEC §5 `type`) so a preview
// knows how to show it. A guess from the extension only: it never reads content, and it never
// decides anything about security (the renderer treats every preview as untrusted bytes).

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
};

/** The media type for a vault path's extension, or undefined when unknown. */
export function guessMediaType(path: string): string | undefined {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return TYPES[name.slice(dot + 1).toLowerCase()];
}
