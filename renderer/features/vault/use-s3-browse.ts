// Finding an S3 vault for the S3 dialog (issue 13): the profile's buckets (s3:buckets) once, then
// one level at a time (s3:browse). Only the answer to the latest request is shown: a slow answer
// for a prefix the person has already left never replaces the one they are looking at.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorPayload, S3LevelT } from '../../../contract/ipc.js';
import { call, toErrorPayload } from '../../api.js';

export interface S3Browse {
  /** null until ListBuckets answered (or when it failed: `bucketsError`). */
  readonly buckets: { names: readonly string[]; truncated: boolean } | null;
  readonly bucketsError: ErrorPayload | null;
  readonly level: S3LevelT | null;
  readonly loading: boolean;
  readonly error: ErrorPayload | null;
  browse(location: string): void;
}

export function useS3Browse(): S3Browse {
  const [buckets, setBuckets] = useState<S3Browse['buckets']>(null);
  const [bucketsError, setBucketsError] = useState<ErrorPayload | null>(null);
  const [level, setLevel] = useState<S3LevelT | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    let live = true;
    call('s3:buckets', {}).then(
      (r) => live && setBuckets({ names: r.buckets, truncated: r.truncated }),
      (e: unknown) => live && setBucketsError(toErrorPayload(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  const browse = useCallback((location: string) => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    call('s3:browse', { location }).then(
      (l) => {
        if (mine !== seq.current) return;
        setLevel(l);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(toErrorPayload(e));
        setLoading(false);
      },
    );
  }, []);

  return { buckets, bucketsError, level, loading, error, browse };
}
