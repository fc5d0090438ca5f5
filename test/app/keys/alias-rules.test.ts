// The KMS alias rule has one home (app/keys/alias-rules.ts): the core's createKey check, the
// contract's aws:create-key schema and the renderer's pre-check agree on every name in a table.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALIAS_PREFIX, isValidAlias } from '../../../app/keys/alias-rules.js';
import { isValidAlias as coreIsValidAlias } from '../../../app/keys/aws-config.js';
import { CHANNELS } from '../../../contract/ipc.js';
import { aliasProblem } from '../../../renderer/components/AwsPanel.js';

const NAMES = ['a', 'Team_1/vault-2', 'awsome', 'aws/x', 'aws', '', 'a b', 'a.b', 'é', 'x'.repeat(250), 'x'.repeat(251), '/lead', 'a:b'];

describe('a KMS alias is judged alike by the core, the contract and the renderer', () => {
  const schema = CHANNELS['aws:create-key'].request;
  for (const name of NAMES) {
    it(JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}… (${name.length})` : name), () => {
      const ok = isValidAlias(ALIAS_PREFIX + name);
      assert.equal(coreIsValidAlias(ALIAS_PREFIX + name), ok, 'core');
      assert.equal(aliasProblem(name) === undefined, ok, 'renderer pre-check');
      // The contract checks the characters only (alias/aws/… is the core's refusal, bad-alias).
      if (ok) {
        assert.equal(schema.safeParse({ alias: name }).success, true, 'contract accepts the name the core creates');
        assert.equal(schema.safeParse({ alias: ALIAS_PREFIX + name }).success, true, 'and with alias/');
      } else if (!name.startsWith('aws/') && name !== '') {
        assert.equal(schema.safeParse({ alias: name }).success, false, 'contract refuses a name of other characters or length');
      }
    });
  }
});
