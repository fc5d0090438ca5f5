// The AWS panel's data: profiles, the chosen profile and region (aws:set-profile), who that is
// (aws:identity), its usable keys (aws:keys), and creating a key. Every load belongs to one
// selection: a load that finishes after the selection changed is dropped (effect cleanup).

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorPayload } from '../../../contract/ipc.js';
import { call, toErrorPayload } from '../../api.js';
import type { AwsIdentity, AwsPanelProps, AwsProfileT, KmsKeyT, Loadable } from '../../components/AwsPanel.js';

/** The hook's state is the panel's data props (one list, so the two cannot drift). */
export interface Aws extends Pick<AwsPanelProps, 'profiles' | 'profile' | 'region' | 'identity' | 'keys' | 'selectedKeys' | 'creating'> {
  readonly createError: ErrorPayload | null;
  selectProfile(name: string, region: string | null): void;
  setRegion(region: string): void;
  toggleKey(arn: string): void;
  createKey(alias: string): void;
  refresh(): void;
}

const REGION_DEBOUNCE_MS = 500;

/** The AwsPanel props that this hook's state fills (all but `showKeys`). */
export function awsPanelProps(aws: Aws): AwsPanelProps {
  return {
    profiles: aws.profiles,
    profile: aws.profile,
    region: aws.region,
    identity: aws.identity,
    keys: aws.keys,
    selectedKeys: aws.selectedKeys,
    creating: aws.creating,
    createError: aws.createError,
    onSelectProfile: aws.selectProfile,
    onRegion: aws.setRegion,
    onToggleKey: aws.toggleKey,
    onCreateKey: aws.createKey,
    onRefresh: aws.refresh,
  };
}

export function useAws(initial: { profile: string | null; region: string | null }, active: boolean): Aws {
  const [profiles, setProfiles] = useState<Loadable<readonly AwsProfileT[]>>({ state: 'idle' });
  const [sel, setSel] = useState(initial);
  const [applied, setApplied] = useState<{ profile: string | null; region: string | null; n: number } | null>(null);
  const [identity, setIdentity] = useState<Loadable<AwsIdentity>>({ state: 'idle' });
  const [keys, setKeys] = useState<Loadable<readonly KmsKeyT[]>>({ state: 'idle' });
  const [selectedKeys, setSelectedKeys] = useState<readonly string[]>([]);
  const [creating, setCreating] = useState(false);
  const [createError, setCreateError] = useState<ErrorPayload | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    if (!active) return;
    let live = true;
    setProfiles({ state: 'loading' });
    call('aws:profiles', {}).then(
      (r) => live && setProfiles({ state: 'ready', value: r.profiles }),
      (e: unknown) => live && setProfiles({ state: 'error', error: toErrorPayload(e) }),
    );
    return () => {
      live = false;
    };
  }, [active]);

  // Apply the selection in main (debounced while the region is typed), then load identity + keys.
  const delay = useRef(0);
  useEffect(() => {
    if (!active || sel.profile === null) return;
    const t = setTimeout(() => setApplied({ ...sel, n: ++generation.current }), delay.current);
    delay.current = REGION_DEBOUNCE_MS;
    return () => clearTimeout(t);
  }, [active, sel]);

  useEffect(() => {
    if (!applied || applied.profile === null) return;
    let live = true;
    setIdentity({ state: 'loading' });
    setKeys({ state: 'loading' });
    const region = applied.region && applied.region.trim() !== '' ? applied.region.trim() : null;
    (async () => {
      await call('aws:set-profile', { profile: applied.profile, region });
      if (!live) return;
      const [id, ks] = await Promise.allSettled([call('aws:identity', {}), call('aws:keys', {})]);
      if (!live) return;
      setIdentity(id.status === 'fulfilled' ? { state: 'ready', value: id.value } : { state: 'error', error: toErrorPayload(id.reason) });
      setKeys(ks.status === 'fulfilled' ? { state: 'ready', value: ks.value.keys } : { state: 'error', error: toErrorPayload(ks.reason) });
    })().catch((e: unknown) => {
      if (!live) return;
      const error = toErrorPayload(e);
      setIdentity({ state: 'error', error });
      setKeys({ state: 'idle' });
    });
    return () => {
      live = false;
    };
  }, [applied]);

  const refresh = useCallback(() => {
    setApplied((a) => (a ? { ...a, n: ++generation.current } : a));
    call('aws:profiles', {}).then(
      (r) => setProfiles({ state: 'ready', value: r.profiles }),
      (e: unknown) => setProfiles({ state: 'error', error: toErrorPayload(e) }),
    );
  }, []);

  return {
    profiles,
    profile: sel.profile,
    region: sel.region,
    identity,
    keys,
    selectedKeys,
    creating,
    createError,
    selectProfile: (name, region) => {
      delay.current = 0;
      setSelectedKeys([]);
      setSel({ profile: name, region });
    },
    setRegion: (region) => {
      setSelectedKeys([]);
      setSel((s) => ({ ...s, region }));
    },
    toggleKey: (arn) => setSelectedKeys((ks) => (ks.includes(arn) ? ks.filter((k) => k !== arn) : [...ks, arn])),
    createKey: (alias) => {
      setCreating(true);
      setCreateError(null);
      call('aws:create-key', { alias })
        .then((key) => {
          setKeys((ks) => (ks.state === 'ready' ? { state: 'ready', value: [...ks.value.filter((k) => k.arn !== key.arn), key] } : { state: 'ready', value: [key] }));
          setSelectedKeys((s) => [...s, key.arn]);
        })
        .catch((e: unknown) => setCreateError(toErrorPayload(e)))
        .finally(() => setCreating(false));
    },
    refresh,
  };
}
