// What the main-process services need from the operating system and Electron, as one injected
// interface: dialogs, shell.openPath, startDrag, safeStorage, app folders and the clock. The
// Electron implementation lives in main/electron-platform.ts (the only service-side file that
// imports electron); `createHeadlessPlatform` here serves node tests and the renderer's browser
// e2e harness with scripted dialog answers and no OS side effects.
// This module does not import electron.

import { mkdirSync } from 'node:fs';
import type { QuitAnswer, QuitQuestion } from './services/quit-guard.js';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
}

export interface SafeStorage {
  /** Encryption backed by an OS keychain is available (on Linux 'basic_text' does not count). */
  isAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

export interface OpenDialogOptions {
  kind: 'folder' | 'files';
  title?: string | undefined;
  /** Folder dialogs may allow creating a folder (create-vault, export). */
  createFolder?: boolean | undefined;
}

export interface Platform {
  /** app.getPath('userData'): settings, local key file, temp folder. */
  readonly userDataDir: string;
  readonly os: 'linux' | 'darwin' | 'win32' | 'other';
  readonly clock: Clock;
  readonly safeStorage: SafeStorage;
  /** The chosen paths; [] when cancelled. */
  showOpenDialog(opts: OpenDialogOptions): Promise<string[]>;
  /** The chosen path or null when cancelled. */
  showSaveDialog(opts: { suggestedName: string; title?: string | undefined }): Promise<string | null>;
  /** shell.openPath: '' on success, else the OS's error text. */
  openPath(path: string): Promise<string>;
  /** webContents.startDrag of these files (from the window that asked). */
  startDrag(files: string[]): void;
  /** shell.showItemInFolder: the system's file manager, with `path` selected. */
  showInFolder(path: string): void;
  /** Ask before quitting with edited copies (main/services/quit-guard.ts words it). */
  askBeforeQuit(q: QuitQuestion): Promise<QuitAnswer>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

export function osName(p: NodeJS.Platform = process.platform): Platform['os'] {
  return p === 'linux' || p === 'darwin' || p === 'win32' ? p : 'other';
}

export interface HeadlessPlatformOptions {
  userDataDir: string;
  clock?: Clock;
  /** Answers for the next dialogs, in order; a dialog with no scripted answer is cancelled. */
  dialogAnswers?: (string[] | string | null)[];
  /** Pretend an OS keychain exists (a reversible in-memory stand-in, NOT encryption). */
  safeStorage?: boolean;
}

/**
 * A Platform with no Electron: dialogs answer from a script (push more with `answerNext`),
 * openPath and startDrag are recorded. For tests and the browser e2e harness.
 */
export function createHeadlessPlatform(opts: HeadlessPlatformOptions): Platform & {
  answerNext(answer: string[] | string | null): void;
  /** The answer to the next quit questions, in order; with none scripted the question is declined ('cancel'). */
  answerQuit(answer: QuitAnswer): void;
  readonly opened: string[];
  readonly dragged: string[][];
  readonly shown: string[];
  readonly quitQuestions: QuitQuestion[];
} {
  mkdirSync(opts.userDataDir, { recursive: true, mode: 0o700 });
  const answers = [...(opts.dialogAnswers ?? [])];
  const opened: string[] = [];
  const dragged: string[][] = [];
  const quitAnswers: QuitAnswer[] = [];
  const shown: string[] = [];
  const quitQuestions: QuitQuestion[] = [];
  const next = (): string[] | string | null => (answers.length > 0 ? answers.shift()! : null);
  const fakeKeychain = opts.safeStorage ?? false;
  return {
    userDataDir: opts.userDataDir,
    os: osName(),
    clock: opts.clock ?? systemClock,
    safeStorage: {
      isAvailable: () => fakeKeychain,
      encryptString: (s) => {
        if (!fakeKeychain) throw new Error('safeStorage unavailable');
        return Buffer.from(`headless:${Buffer.from(s, 'utf8').toString('base64')}`);
      },
      decryptString: (b) => {
        const t = b.toString();
        if (!fakeKeychain || !t.startsWith('headless:')) throw new Error('safeStorage cannot decrypt');
        return Buffer.from(t.slice('headless:'.length), 'base64').toString('utf8');
      },
    },
    async showOpenDialog() {
      const a = next();
      return a === null ? [] : Array.isArray(a) ? a : [a];
    },
    async showSaveDialog() {
      const a = next();
      return a === null ? null : Array.isArray(a) ? (a[0] ?? null) : a;
    },
    async openPath(p) {
      opened.push(p);
      return '';
    },
    startDrag(files) {
      dragged.push(files);
    },
    showInFolder(p) {
      shown.push(p);
    },
    async askBeforeQuit(q) {
      quitQuestions.push(q);
      return quitAnswers.shift() ?? 'cancel';
    },
    answerNext(a) {
      answers.push(a);
    },
    answerQuit(a) {
      quitAnswers.push(a);
    },
    opened,
    dragged,
    shown,
    quitQuestions,
  };
}
