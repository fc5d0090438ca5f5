// Container for an open vault: toolbar, breadcrumbs + search, the virtualized item table, the
// preview pane, jobs (add/export/re-key/verify progress and summaries), dialogs, and dropping
// files and folders onto the window. Hooks do the calls; components only render.

import { useCallback, useRef, useState, type DragEvent } from 'react';
import type { AppStateT, VaultSummaryT } from '../../../contract/ipc.js';
import { pathForFile, toErrorPayload } from '../../api.js';
import { Breadcrumbs } from '../../components/Breadcrumbs.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ConflictDialog } from '../../components/ConflictDialog.js';
import { DropOverlay } from '../../components/DropOverlay.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { ItemActionsBar } from '../../components/ItemActionsBar.js';
import { ItemTable } from '../../components/ItemTable.js';
import { JobPanel } from '../../components/JobPanel.js';
import { PreviewPane } from '../../components/PreviewPane.js';
import { SaveBackPrompt } from '../../components/SaveBackPrompt.js';
import { SearchBox } from '../../components/SearchBox.js';
import { SettingsDialog } from '../../components/SettingsDialog.js';
import { TextPromptDialog } from '../../components/TextPromptDialog.js';
import { VaultToolbar } from '../../components/VaultToolbar.js';
import type { ErrorLike } from '../../errors/messages.js';
import { useItemActions } from '../actions/use-item-actions.js';
import { useAdd } from '../add/use-add.js';
import { AwsProfileDialog } from '../aws/AwsProfileDialog.js';
import { useKeyLabels } from '../aws/use-key-labels.js';
import type { IndexedItem } from '../browse/browse-logic.js';
import { looksLikeVaultPath } from '../browse/path-check.js';
import { useBrowse } from '../browse/use-browse.js';
import { useItems } from '../browse/use-items.js';
import { useJobs } from '../jobs/use-jobs.js';
import { usePreview } from '../preview/use-preview.js';
import { useSettings } from '../settings/use-settings.js';
import { useSaveBack } from '../temp/use-save-back.js';
import { pickFiles, pickFolder } from './add-sources.js';
import { RekeyDialog } from './RekeyDialog.js';

type Modal = { kind: 'rename'; entry: IndexedItem } | { kind: 'delete'; entry: IndexedItem } | { kind: 'settings' } | { kind: 'rekey' } | { kind: 'aws' } | null;

function isFileDrag(e: DragEvent): boolean {
  return e.dataTransfer.types.includes('Files');
}

export function VaultView({ state, vault }: { readonly state: AppStateT; readonly vault: VaultSummaryT }) {
  const jobs = useJobs();
  const add = useAdd(jobs);
  const actions = useItemActions(jobs);
  const saveBack = useSaveBack();
  const settings = useSettings();
  const keyLabel = useKeyLabels(vault);
  const items = useItems(vault.id, keyLabel);
  const browse = useBrowse(items.entries);
  const [previewId, setPreviewId] = useState<string | null>(null);
  const preview = usePreview(previewId);
  const [modal, setModal] = useState<Modal>(null);
  const [dragging, setDragging] = useState(false);
  const [pickError, setPickError] = useState<ErrorLike | null>(null);
  const dragDepth = useRef(0);

  const previewItem = previewId ? items.byId.get(previewId) : undefined;
  const activeEntry = browse.active?.kind === 'item' ? browse.active.entry : null;

  const addFrom = useCallback(
    (pick: () => Promise<string[]>) => {
      setPickError(null);
      pick().then(
        (paths) => add.add(paths, browse.folder),
        (e: unknown) => setPickError(toErrorPayload(e)),
      );
    },
    [add, browse.folder],
  );

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    dragDepth.current = 0;
    setDragging(false);
    if (!isFileDrag(e)) return;
    e.preventDefault();
    const paths = [...e.dataTransfer.files].map((f) => pathForFile(f)).filter((p) => p !== '');
    add.add(paths, browse.folder);
  };

  const nameOf = useCallback((ref: string) => items.byId.get(ref)?.path ?? ref, [items.byId]);
  const idsUnderFolder = () =>
    items.entries.filter((e) => browse.folder === '' || e.folder === browse.folder || e.folder.startsWith(`${browse.folder}/`)).map((e) => e.item.id);

  const error = add.error ?? actions.error ?? items.error ?? saveBack.error ?? settings.error ?? pickError;
  const clearError = () => {
    add.clearError();
    actions.clearError();
    settings.clearError();
    setPickError(null);
  };
  const editing = saveBack.edited[0];

  return (
    <div
      className="vault-view"
      onDragEnter={(e) => {
        if (!isFileDrag(e)) return;
        dragDepth.current++;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!isFileDrag(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (!isFileDrag(e)) return;
        dragDepth.current = Math.max(0, dragDepth.current - 1);
        if (dragDepth.current === 0) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <VaultToolbar
        vault={vault}
        itemCount={items.items ? items.items.length : null}
        busy={actions.busy || add.planning}
        keyLabel={keyLabel}
        onAddFiles={() => addFrom(pickFiles)}
        onAddFolder={() => addFrom(pickFolder)}
        onExportFolder={() => {
          const ids = idsUnderFolder();
          if (ids.length > 0) void actions.exportMany(ids, true);
        }}
        onVerify={() => void actions.verify()}
        onRekey={() => setModal({ kind: 'rekey' })}
        onSettings={() => setModal({ kind: 'settings' })}
        onAwsProfile={vault.keys.some((k) => k.provider === 'aws-kms') ? () => setModal({ kind: 'aws' }) : undefined}
        awsProfile={state.aws.profile}
        onLock={() => void actions.lock()}
      />
      {error && <ErrorNotice error={error} onDismiss={clearError} />}
      {editing && (
        <SaveBackPrompt
          vaultPath={editing.vaultPath}
          busy={saveBack.busy}
          onSave={() => saveBack.save(editing.tempId)}
          onDiscard={() => saveBack.discard(editing.tempId)}
          onLater={() => saveBack.later(editing.tempId)}
        />
      )}
      <div className={`vault-body ${previewId ? 'with-preview' : ''}`}>
        <main className="browser" aria-label="Vault items">
          <div className="browser-bar">
            <Breadcrumbs folder={browse.folder} rootName={vault.name} onNavigate={browse.setFolder} />
            <SearchBox value={browse.search} onChange={browse.setSearch} resultCount={browse.search ? browse.rows.length : null} />
          </div>
          <ItemActionsBar
            name={activeEntry?.name ?? null}
            busy={actions.busy}
            onPreview={() => activeEntry && setPreviewId(activeEntry.item.id)}
            onOpenExternal={() => activeEntry && void actions.openExternal(activeEntry.item.id)}
            onExport={() => activeEntry && void actions.exportOne(activeEntry.item.id, activeEntry.name)}
            onRename={() => activeEntry && setModal({ kind: 'rename', entry: activeEntry })}
            onDelete={() => activeEntry && setModal({ kind: 'delete', entry: activeEntry })}
          />
          {items.items === null && !items.error ? (
            <p className="muted loading" role="status">
              Loading items…
            </p>
          ) : (
            <ItemTable
              rows={browse.rows}
              sort={browse.sort}
              activeIndex={browse.activeIndex}
              label={`Items in ${browse.folder || vault.name}`}
              onSort={browse.sortBy}
              onActiveChange={browse.setActiveIndex}
              onOpenFolder={browse.setFolder}
              onOpenItem={(entry) => setPreviewId(entry.item.id)}
              onDelete={(entry) => setModal({ kind: 'delete', entry })}
              onRename={(entry) => setModal({ kind: 'rename', entry })}
              onUp={browse.up}
              onDragOut={(entry, e) => {
                // Main writes a temp copy and starts a native drag of it (webContents.startDrag).
                e.preventDefault();
                actions.dragOut([entry.item.id]);
              }}
            />
          )}
        </main>
        {previewId && previewItem && preview && (
          <PreviewPane
            name={previewItem.path.split('/').pop() ?? previewItem.path}
            path={previewItem.path}
            size={previewItem.size}
            content={preview}
            onClose={() => setPreviewId(null)}
            onOpenExternal={() => void actions.openExternal(previewItem.id)}
            onExport={() => void actions.exportOne(previewItem.id, previewItem.path.split('/').pop() ?? 'item')}
          />
        )}
      </div>
      <JobPanel jobs={jobs.jobs} onCancel={jobs.cancel} onDismiss={jobs.dismiss} nameOf={nameOf} />
      {add.planning && (
        <p className="planning muted" role="status">
          Looking at the files…
        </p>
      )}
      {dragging && <DropOverlay folderName={browse.folder || vault.name} />}

      {add.conflict && <ConflictDialog path={add.conflict.path} remaining={add.conflict.remaining} onDecide={add.answer} onCancel={add.cancelConflicts} />}
      {modal?.kind === 'rename' && (
        <TextPromptDialog
          title="Rename or move"
          label="Path in the vault (use / for folders)"
          initial={modal.entry.item.path}
          submitLabel="Rename"
          busy={actions.busy}
          validate={(t) => {
            const path = t.trim();
            if (!looksLikeVaultPath(path)) return 'Use a name, optionally with folders separated by /, without “.” or “..” parts.';
            if (path !== modal.entry.item.path && items.entries.some((e) => e.item.path === path)) return 'An item with this path already exists.';
            return undefined;
          }}
          onSubmit={(t) => {
            const id = modal.entry.item.id;
            setModal(null);
            void actions.rename(id, t.trim());
          }}
          onCancel={() => setModal(null)}
        />
      )}
      {modal?.kind === 'delete' && (
        <ConfirmDialog
          title="Delete this item?"
          message={`“${modal.entry.item.path}” will be removed from the vault. This cannot be undone.`}
          confirmLabel="Delete"
          danger
          onConfirm={() => {
            const id = modal.entry.item.id;
            setModal(null);
            if (previewId === id) setPreviewId(null);
            void actions.remove([id]);
          }}
          onCancel={() => setModal(null)}
        />
      )}
      {modal?.kind === 'settings' && (
        <SettingsDialog
          autoLockMinutes={state.settings.autoLockMinutes}
          onSave={(m) => {
            setModal(null);
            void settings.save({ autoLockMinutes: m });
          }}
          onClose={() => setModal(null)}
        />
      )}
      {modal?.kind === 'aws' && <AwsProfileDialog state={state} onClose={() => setModal(null)} />}
      {modal?.kind === 'rekey' && (
        <RekeyDialog
          state={state}
          busy={actions.busy}
          onRekey={(keys) => {
            setModal(null);
            void actions.rekey(keys);
          }}
          onClose={() => setModal(null)}
        />
      )}
    </div>
  );
}
