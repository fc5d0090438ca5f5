// The S3 dialog with its data (use-s3-browse.ts): mounted while it is open, so each opening
// starts from the bucket list again.

import { S3VaultDialog, type S3Purpose } from '../../components/S3VaultDialog.js';
import { useS3Browse } from './use-s3-browse.js';

export function S3VaultPicker(p: { purpose: S3Purpose; profile: string | null; onChoose: (location: string) => void; onClose: () => void }) {
  const b = useS3Browse();
  return (
    <S3VaultDialog
      purpose={p.purpose}
      profile={p.profile}
      buckets={b.buckets}
      bucketsError={b.bucketsError}
      level={b.level}
      loading={b.loading}
      error={b.error}
      onBrowse={b.browse}
      onChoose={p.onChoose}
      onClose={p.onClose}
    />
  );
}
