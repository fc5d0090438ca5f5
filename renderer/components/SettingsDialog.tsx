// Settings: the auto-lock idle time, and locking when the computer sleeps or locks. Props only.

import { useState } from 'react';
import type { SettingsT } from '../../contract/ipc.js';
import { Dialog } from './Dialog.js';

export const AUTO_LOCK_CHOICES = [0, 1, 5, 10, 15, 30, 60] as const;

export interface SettingsDialogProps {
  readonly settings: SettingsT;
  readonly onSave: (settings: SettingsT) => void;
  readonly onClose: () => void;
}

export function SettingsDialog({ settings, onSave, onClose }: SettingsDialogProps) {
  const { autoLockMinutes } = settings;
  const [minutes, setMinutes] = useState(autoLockMinutes);
  const [onSystemLock, setOnSystemLock] = useState(settings.lockOnSystemLock);
  const choices: number[] = [...new Set<number>([...AUTO_LOCK_CHOICES, autoLockMinutes])].sort((a, b) => a - b);
  return (
    <Dialog title="Settings" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          onSave({ autoLockMinutes: minutes, lockOnSystemLock: onSystemLock });
        }}
      >
        <label className="field">
          <span className="field-label">Lock the vault after it has been idle for</span>
          <select className="input" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {choices.map((m) => (
              <option key={m} value={m}>
                {m === 0 ? 'Never' : `${m} minute${m === 1 ? '' : 's'}`}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={onSystemLock} onChange={(e) => setOnSystemLock(e.target.checked)} />
          <span>Lock when the computer sleeps or locks</span>
        </label>
        <p className="muted">Locking removes keys and decrypted names from memory and wipes opened copies.</p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
