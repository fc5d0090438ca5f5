// Container: choose the keys the vault (or the picked items) should be sealed with from now on,
// review the change, then start vault:rekey. Content is not rewritten (SPEC: re-wrapping only).
// The keys in use now are listed first, ticked, each with its state, including keys that are not
// usable now (a disabled KMS key, a locked local key): nothing is dropped because it was not
// shown. A choice equal to the current keys is not offered. Before it runs the dialog says
// "removing X, adding Y, N items" (issue 11 defect 2).

import { useState } from 'react';
import type { AppStateT, KeyRefT } from '../../../contract/ipc.js';
import { AwsPanel, keyTitle } from '../../components/AwsPanel.js';
import { Dialog } from '../../components/Dialog.js';
import { shortKeyLabel } from '../browse/browse-logic.js';
import { awsPanelProps, useAws } from '../aws/use-aws.js';
import { planRekey } from './rekey-plan.js';

export interface RekeyTarget {
  /** The items to re-key; undefined: the whole vault (its keys change too). */
  readonly ids?: readonly string[];
  /** What they are, in words ("3 items", "“a.txt”"). */
  readonly label: string;
  readonly itemCount: number;
  /** The keys in use now. */
  readonly current: readonly KeyRefT[];
}

export interface RekeyDialogProps {
  readonly state: AppStateT;
  readonly target: RekeyTarget;
  readonly busy: boolean;
  readonly keyLabel: (keyId: string) => string | undefined;
  readonly onRekey: (keys: KeyRefT[], ids: readonly string[] | undefined) => void;
  readonly onClose: () => void;
}

export function RekeyDialog({ state, target, busy, keyLabel, onRekey, onClose }: RekeyDialogProps) {
  const aws = useAws(state.aws, true);
  const localId = state.localKey.unlocked ? state.localKey.keyId : null;
  const currentIds = new Set(target.current.map((k) => k.keyId));
  const [kept, setKept] = useState<ReadonlySet<string>>(() => new Set(currentIds));
  const [addLocal, setAddLocal] = useState(false);
  const [review, setReview] = useState(false);

  const listed = aws.keys.state === 'ready' ? aws.keys.value : null;
  const nameOf = (k: KeyRefT): string => {
    if (k.provider === 'local') return 'Local key';
    const found = listed?.find((x) => x.arn === k.keyId || x.keyId === k.keyId);
    return found ? keyTitle(found) : (keyLabel(k.keyId) ?? shortKeyLabel(k.keyId));
  };
  const stateOf = (k: KeyRefT): { text: string; usable: boolean | null } => {
    if (k.provider === 'local') {
      if (state.localKey.keyId !== k.keyId) return { text: 'not on this computer', usable: false };
      return state.localKey.unlocked ? { text: 'unlocked', usable: true } : { text: 'locked: unlock it to re-key', usable: false };
    }
    if (aws.keys.state === 'loading' || aws.keys.state === 'idle') return { text: 'checking…', usable: null };
    if (aws.keys.state === 'error') return { text: 'could not be checked', usable: null };
    // aws:keys lists usable keys only: enabled, symmetric, ENCRYPT_DECRYPT.
    return listed?.some((x) => x.arn === k.keyId || x.keyId === k.keyId)
      ? { text: 'enabled', usable: true }
      : { text: 'not usable with this profile: disabled, scheduled for deletion, or not visible to it', usable: false };
  };

  const chosen: KeyRefT[] = [
    ...target.current.filter((k) => kept.has(k.keyId)),
    ...(addLocal && localId && !currentIds.has(localId) ? [{ provider: 'local' as const, keyId: localId }] : []),
    ...aws.selectedKeys.filter((arn) => !currentIds.has(arn)).map((arn): KeyRefT => ({ provider: 'aws-kms', keyId: arn })),
  ];
  const plan = planRekey(target.current, chosen);
  const items = `${target.itemCount.toLocaleString('en-US')} ${target.itemCount === 1 ? 'item' : 'items'}`;
  const names = (ks: readonly KeyRefT[]) => ks.map(nameOf).join(', ');
  // The AWS panel offers keys to add; the keys in use are above it.
  const panel = awsPanelProps(aws);
  const addable = aws.keys.state === 'ready' ? { state: 'ready' as const, value: aws.keys.value.filter((k) => !currentIds.has(k.arn)) } : aws.keys;

  return (
    <Dialog title={target.ids ? `Re-key ${target.label}` : 'Re-key the vault'} onClose={onClose} className="dialog-wide">
      {!review ? (
        <>
          <p className="muted">Every item's data key is wrapped again under the keys you choose; the contents are not rewritten. A removed key is no longer needed afterwards.</p>
          <fieldset className="key-list current-keys">
            <legend className="field-label">{target.ids ? 'Keys these items use now' : 'Keys this vault uses now'}</legend>
            {target.current.map((k) => {
              const st = stateOf(k);
              return (
                <label key={k.keyId} className="checkbox key-option" data-key-state={st.usable === null ? 'unknown' : st.usable ? 'usable' : 'unusable'}>
                  <input
                    type="checkbox"
                    checked={kept.has(k.keyId)}
                    onChange={(e) =>
                      setKept((s) => {
                        const n = new Set(s);
                        if (e.target.checked) n.add(k.keyId);
                        else n.delete(k.keyId);
                        return n;
                      })
                    }
                  />
                  <span className="key-alias">Keep {nameOf(k)}</span>
                  <span className={`key-state ${st.usable === false ? 'key-state-bad' : 'muted'}`}>{st.text}</span>
                  {k.provider === 'aws-kms' && (
                    <span className="key-arn muted" title={k.keyId}>
                      {k.keyId}
                    </span>
                  )}
                </label>
              );
            })}
          </fieldset>
          {localId && !currentIds.has(localId) && (
            <label className="checkbox">
              <input type="checkbox" checked={addLocal} onChange={(e) => setAddLocal(e.target.checked)} />
              Add the local key
            </label>
          )}
          <AwsPanel {...panel} keys={addable} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="button" className="button button-primary" disabled={busy || chosen.length === 0 || plan.unchanged} onClick={() => setReview(true)}>
              {chosen.length === 0 ? 'Choose at least one key' : plan.unchanged ? 'No change to the keys' : 'Review the change…'}
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="rekey-summary" data-testid="rekey-summary">
            Re-key {items}: {plan.removing.length > 0 ? `removing ${names(plan.removing)}` : 'removing no key'}, {plan.adding.length > 0 ? `adding ${names(plan.adding)}` : 'adding no key'}.
          </p>
          <p className="muted">Afterwards {target.ids ? 'these items are' : 'the vault is'} sealed with {names(chosen)}.</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setReview(false)} autoFocus>
              Back
            </button>
            <button type="button" className="button button-primary" disabled={busy} onClick={() => onRekey(chosen, target.ids)}>
              Re-key {items}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
