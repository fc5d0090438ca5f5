// @pure — imports nothing Node-only, so the IPC contract and the renderer bundle it too
// (test/layering.test.ts checks the tag).
// The name of a KMS alias Cachet may create, in one place: AWS takes `alias/` followed by 1..250
// letters, digits, `/`, `_` and `-`, and reserves `alias/aws/` for its own keys. The core
// (aws-config.ts createKey), the contract's `aws:create-key` schema and the renderer's pre-check
// all test against these. This module states the rule; it does not throw or word anything.

export const ALIAS_PREFIX = 'alias/';
/** After `alias/`, a name may not start with this: AWS-managed keys (`alias/aws/…`). */
export const RESERVED_ALIAS_NAME_PREFIX = 'aws/';

const NAME = '[a-zA-Z0-9/_-]{1,250}';
/** An alias's name, the part after `alias/` (AWS CreateAlias `AliasName`). */
export const ALIAS_NAME_PATTERN = new RegExp(`^${NAME}$`);
/** What a person may type: the name, with or without `alias/` (the contract's `aws:create-key`). */
export const ALIAS_INPUT_PATTERN = new RegExp(`^(alias/)?${NAME}$`);

/** Whether `alias` is a name Cachet may create: `alias/NAME`, not reserved `alias/aws/…`. */
export function isValidAlias(alias: string): boolean {
  if (!alias.startsWith(ALIAS_PREFIX)) return false;
  const name = alias.slice(ALIAS_PREFIX.length);
  return ALIAS_NAME_PATTERN.test(name) && !name.startsWith(RESERVED_ALIAS_NAME_PREFIX);
}
