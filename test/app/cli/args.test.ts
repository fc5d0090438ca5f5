import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, parseCommandLine, UsageError } from '../../../app/cli/args.js';

function run(argv: string[]) {
  const p = parseCommandLine(argv);
  assert.equal(p.kind, 'run');
  if (p.kind !== 'run') throw new Error('unreachable');
  return p;
}

test('no arguments and --help give the overview; --version the version', () => {
  assert.deepEqual(parseCommandLine([]), { kind: 'help' });
  assert.deepEqual(parseCommandLine(['--help']), { kind: 'help' });
  assert.deepEqual(parseCommandLine(['-h']), { kind: 'help' });
  assert.deepEqual(parseCommandLine(['--version']), { kind: 'version' });
});

test('help <command> and <command> --help give that command', () => {
  assert.deepEqual(parseCommandLine(['help', 'add']), { kind: 'help', command: 'add' });
  assert.deepEqual(parseCommandLine(['add', '--help']), { kind: 'help', command: 'add' });
  assert.throws(() => parseCommandLine(['help', 'nope']), UsageError);
});

test('global options are accepted before and after the command', () => {
  const a = run(['--profile', 'p1', 'keys', '--region', 'eu-west-1', '--json']);
  assert.equal(a.command, 'keys');
  assert.deepEqual(a.global, { profile: 'p1', region: 'eu-west-1' });
  assert.equal(a.values.json, true);
  const b = run(['--region=us-east-2', 'profiles']);
  assert.deepEqual(b.global, { region: 'us-east-2' });
});

test('repeated --kms-key collects every key; --local combines', () => {
  const p = run(['init', 'v', '--kms-key', 'alias/a', '--kms-key', 'arn:aws:kms:us-east-1:1:key/x', '--local']);
  assert.deepEqual(p.values['kms-key'], ['alias/a', 'arn:aws:kms:us-east-1:1:key/x']);
  assert.equal(p.values.local, true);
  assert.deepEqual(p.positionals, ['v']);
});

test('-o - is a value, not an option', () => {
  const p = run(['get', 'v', 'a/b.txt', '-o', '-']);
  assert.equal(p.values.output, '-');
  const d = run(['decrypt', 'f.env', '--output=-']);
  assert.equal(d.values.output, '-');
});

test('add takes many paths and checks --on-conflict', () => {
  const p = run(['add', 'v', 'a', 'b', 'c', '--to', 'docs', '--on-conflict', 'keep-both']);
  assert.deepEqual(p.positionals, ['v', 'a', 'b', 'c']);
  assert.equal(p.values.to, 'docs');
  assert.throws(() => parseCommandLine(['add', 'v', 'a', '--on-conflict', 'merge']), /on-conflict must be one of/);
});

const usageErrors: [string, string[], RegExp][] = [
  ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['unknown option', ['ls', 'v', '--bogus'], /unknown option '--bogus' for 'ls'/],
  ['missing positional', ['get', 'v'], /'get' needs <item>/],
  ['too many positionals', ['verify', 'v', 'w'], /at most 1 argument/],
  ['init without a key', ['init', 'v'], /needs --kms-key <key> or --local/],
  ['encrypt without a key', ['encrypt', 'f'], /needs --kms-key <key> or --local/],
  ['rekey without --to', ['rekey', 'v'], /needs --to/],
  ['create-key without --alias', ['create-key'], /needs --alias/],
  ['option missing its value', ['get', 'v', 'x', '-o'], /argument missing|-o/],
  ['boolean given a value', ['ls', 'v', '--json=yes'], /does not take an argument/],
  ['profiles with an argument', ['profiles', 'x'], /takes no arguments/],
];
for (const [name, argv, re] of usageErrors) {
  test(`usage error: ${name}`, () => {
    assert.throws(() => parseCommandLine(argv), (e: unknown) => e instanceof UsageError && re.test(e.message));
  });
}

test('every command in the table parses with its minimum positionals', () => {
  const extra: Record<string, string[]> = { init: ['--local'], encrypt: ['--local'], rekey: ['--to', 'local'], 'create-key': ['--alias', 'x'] };
  for (const [name, spec] of Object.entries(COMMANDS)) {
    if (name === 'help' || name === 'version') continue; // answered by the parser, not run
    // completion's one positional is a shell name, checked by the parser.
    const positionals = name === 'completion' ? ['bash'] : Array.from({ length: spec.min }, (_, i) => `p${i}`);
    const argv = [name, ...positionals, ...(extra[name] ?? [])];
    const p = run(argv);
    assert.equal(p.command, name);
    assert.equal(p.positionals.length, spec.min);
  }
});
