// The new-passphrase rule (app/keys/passphrase-rules.ts) is the one the CLI, the IPC contract and
// the app's form apply (issue 10: they had drifted — the app wanted 8 UTF-16 units, so 4 emoji
// passed, and the CLI took any non-empty string). Each input gets one verdict from all three.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNELS } from '../../../contract/ipc.js';
import { readNewPassphrase } from '../../../app/cli/passphrase.js';
import { MAX_PASSPHRASE, MIN_NEW_PASSPHRASE, newPassphraseProblem } from '../../../app/keys/passphrase-rules.js';
import { passphraseProblem } from '../../../renderer/components/LocalKeyForm.js';

const CASES: Array<[string, string, boolean]> = [
  ['7 letters', 'a'.repeat(7), false],
  ['8 letters', 'a'.repeat(8), true],
  ['4 emoji (8 UTF-16 units, 4 characters)', '🔑🔑🔑🔑', false],
  ['8 emoji', '🔑'.repeat(8), true],
  ['7 decomposed é (14 units, 7 characters after NFC)', 'e\u0301'.repeat(7), false],
  ['8 decomposed é', 'e\u0301'.repeat(8), true],
  ['the limit', 'x'.repeat(MAX_PASSPHRASE), true],
  ['past the limit', 'x'.repeat(MAX_PASSPHRASE + 1), false],
];

const contract = (p: string): boolean => CHANNELS['local-key:create'].request.safeParse({ protection: 'passphrase', passphrase: p }).success;
const app = (p: string): boolean => passphraseProblem(p, p) === undefined;
const cli = async (p: string): Promise<boolean> => {
  const src = { env: { CACHET_PASSPHRASE: p }, input: process.stdin, output: process.stderr };
  return readNewPassphrase(src).then(() => true, (e: unknown) => {
    assert.equal((e as { detail?: Record<string, unknown> }).detail?.['reason'], 'weak-passphrase');
    return false;
  });
};

test('one verdict per new passphrase from the rule, the contract, the app form and the CLI', async () => {
  assert.equal(MIN_NEW_PASSPHRASE, 8);
  for (const [name, p, ok] of CASES) {
    assert.equal(newPassphraseProblem(p) === undefined, ok, `rule: ${name}`);
    assert.equal(contract(p), ok, `contract: ${name}`);
    assert.equal(app(p), ok, `app: ${name}`);
    assert.equal(await cli(p), ok, `cli: ${name}`);
  }
});

test('unlocking takes any passphrase up to the limit (key files made before the rule still open)', () => {
  const unlock = CHANNELS['local-key:unlock'].request;
  assert.equal(unlock.safeParse({ passphrase: 'short' }).success, true);
  assert.equal(unlock.safeParse({ passphrase: '🔑'.repeat(MAX_PASSPHRASE) }).success, true);
  assert.equal(unlock.safeParse({ passphrase: 'x'.repeat(MAX_PASSPHRASE + 1) }).success, false);
});
