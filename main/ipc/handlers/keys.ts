// Handlers of the key sources: AWS (profiles, the chosen profile and region, identity, KMS keys,
// and the S3 buckets and prefixes an S3 vault is found in) and this computer's local key (create, unlock). Credentials stay in main (aws-service.ts,
// local-key.ts); only their status crosses.

import type { Handlers } from '../handlers.js';
import type { HandlerContext } from './context.js';

export function keyHandlers({ s, stateChanged }: HandlerContext) {
  return {
    'aws:profiles': async () => ({ profiles: await s.aws.listProfiles() }),
    'aws:set-profile': async (req) => {
      // Select before the first await: requests apply in the order they arrive, so a slower
      // settings write of an earlier choice cannot win over a later one.
      s.aws.select(req);
      await s.settings.update((st) => {
        st.aws = { profile: req.profile, region: req.region };
      });
      stateChanged();
      return s.aws.target;
    },
    'aws:identity': async (req) => s.aws.whoAmI(req.profile, req.region),
    'aws:keys': async () => ({ keys: await s.aws.listKeys() }),
    'aws:create-key': async (req) => s.aws.createKey(req.alias, req.description),
    's3:buckets': async () => s.aws.s3Buckets(),
    's3:browse': async (req) => {
      const l = await s.aws.s3Browse(req.location);
      return { ...l, children: [...l.children] };
    },

    'local-key:create': async (req) => {
      const st = await s.localKey.create(req);
      stateChanged();
      return st;
    },
    'local-key:unlock': async (req) => {
      const st = await s.localKey.unlock(req);
      stateChanged();
      return st;
    },
  } satisfies Partial<Handlers>;
}
