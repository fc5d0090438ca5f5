// The endpoint a request was actually sent to, for the errors that name it (issue 12): a profile's
// use_fips_endpoint / use_dualstack_endpoint, endpoint_url and the SDK's own endpoint rules decide
// where a call goes, so the name is read from the request the SDK built, not derived from the region.
// One middleware, put on every AWS client Cachet makes (KMS, STS, S3, CloudTrail); fromKmsError
// prefers what it recorded over the endpoint worked out before the call.

import type { FinalizeRequestMiddleware, MetadataBearer } from '@smithy/types';

const CALLED = Symbol('cachet.calledEndpoint');
const MIDDLEWARE = 'cachetCalledEndpoint';

interface WithStack {
  readonly middlewareStack: { add(mw: never, opts: { step: 'finalizeRequest'; name: string; priority: 'low' }): void };
}

/** Record on any error a call of `client` throws the origin its request went to (scheme, host, port). */
export function recordCalledEndpoint<C extends WithStack>(client: C): C {
  const mw: FinalizeRequestMiddleware<object, MetadataBearer> = (next) => async (args) => {
    try {
      return await next(args);
    } catch (e) {
      const req = args.request as { protocol?: string; hostname?: string; port?: number } | undefined;
      if (e !== null && typeof e === 'object' && req?.hostname && !(CALLED in e)) {
        const origin = `${req.protocol ?? 'https:'}//${req.hostname}${req.port ? `:${req.port}` : ''}`;
        Object.defineProperty(e, CALLED, { value: origin, enumerable: false });
      }
      throw e;
    }
  };
  client.middlewareStack.add(mw as never, { step: 'finalizeRequest', name: MIDDLEWARE, priority: 'low' });
  return client;
}

/** The origin recorded by recordCalledEndpoint on this error, if any. */
export function calledEndpoint(e: unknown): string | undefined {
  if (e === null || typeof e !== 'object' || !(CALLED in e)) return undefined;
  const v = (e as { [CALLED]?: unknown })[CALLED];
  return typeof v === 'string' ? v : undefined;
}
