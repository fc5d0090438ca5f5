// Container for an open vault: toolbar, breadcrumbs + search, the virtualized item table, the
// preview pane, jobs (add/export/re-key/verify progress and summaries), dialogs, the pending
// external edits, and dropping files and folders onto the window. Hooks do the calls; components
// only render. Every action on items takes the selection (selection.ts) as it was when the person
// chose the action: a dialog keeps the ids it was opened for, so a refresh behind it cannot
// change what it deletes, moves or re-keys (issue 11 defect 1).

import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { AppStateT, KeyRefT, MenuCommand, VaultSummaryT } from '../../../contract/ipc.js';
import { call, pathForFile, subscribe, toErrorPayload } from '../../api.js';
import { Breadcrumbs } from '../../components/Breadcrumbs.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ConflictDialog } from '../../components/ConflictDialog.js';
import { ContextMenu, type MenuAction } from '../../components/ContextMenu.js';
import { DropOverlay } from '../../components/DropOverlay.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { ItemActionsBar } from '../../components/ItemActionsBar.js';
import { ItemTable } from '../../components/ItemTable.js';
import { JobPanel } from '../../components/JobPanel.js';
import { PendingEdits } from '../../components/PendingEdits.js';
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
import { describePicked, expandPicked, type Picked } from '../browse/selection.js';
import { useBrowse } from '../browse/use-browse.js';
import { useItems } from '../browse/use-items.js';
import { useJobs } from '../jobs/use-jobs.js';
import { usePreview } from '../preview/use-preview.js';
import { useSettings } from '../settings/use-settings.js';
import { useSaveBack } from '../temp/use-save-back.js';
import { pickFiles, pickFolder } from './add-sources.js';
import { RekeyDialog, type RekeyTarget } from './RekeyDialog.js';
import { KeyHealthBanner } from '../../components/KeyHealthBanner.js';
import { useKeyHealth } from './use-key-health.js';
import { useVaultStatus } from './use-vault-status.js';
import { VaultStatusDialog } from '../../components/VaultStatusDialog.js';
import { AccessHistoryDialog } from '../../components/AccessHistoryDialog.js';
import { useAccessHistory } from './use-access-history.js';
import type { OpenRequest } from '../app/use-open-requests.js';
import { EnvelopeView } from '../envelope/EnvelopeView.js';
import { keysInUse } from './rekey-plan.js';

type Modal =
  | { kind: 'rename'; entry: IndexedItem }
  | { kind: 'delete'; picked: Picked }
  | { kind: 'move'; picked: Picked }
  | { kind: 'settings' }
  | { kind: 'status' }
  | { kind: 'history' }
  | { kind: 'rekey'; target: RekeyTarget }
  | { kind: 'aws' }
  | { kind: 'lock'; count: number }
  | { kind: 'close'; count: number }
  | { kind: 'reopen'; entry: IndexedItem; tempId: string }
  | { kind: 'envelope'; path: string }
  | { kind: 'open-vault'; path: string }
  | null;

function isFileDrag(e: DragEvent): boolean {
  return e.dataTransfer.types.includes('Files');
}

// After the modal <dialog> or the menu is gone (the next task), not while it still makes the list inert.
const focusList = () => setTimeout(() => document.querySelector<HTMLElement>('.item-table')?.focus(), 0);
const focusSearch = () => document.querySelector<HTMLInputElement>('.vault-view input[type=search]')?.focus();

export interface VaultViewProps {
  readonly state: AppStateT;
  readonly vault: VaultSummaryT;
  /** What the OS asked to open (use-open-requests.ts); taken once no dialog is in the way. */
  readonly openRequest?: OpenRequest | null;
  readonly onOpenRequestDone?: () => void;
}

export function VaultView({ state, vault, openRequest = null, onOpenRequestDone }: VaultViewProps) {
  const jobs = useJobs();
  const add = useAdd(jobs);
  const actions = useItemActions(jobs);
  const saveBack = useSaveBack();
  const settings = useSettings();
  const keyLabel = useKeyLabels(vault);
  const health = useKeyHealth(vault.id);
  const items = useItems(vault.id, keyLabel);
  const browse = useBrowse(items.entries);
  const [previewId, setPreviewId] = useState<string | null>(null);
  const preview = usePreview(previewId);
  const [modal, setModalState] = useState<Modal>(null);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [pickError, setPickError] = useState<ErrorLike | null>(null);
  const dragDepth = useRef(0);
  const setModal = (m: Modal) => {
    setMenu(null);
    setModalState(m);
  };

  const previewItem = previewId ? items.byId.get(previewId) : undefined;
  const picked = expandPicked(browse.picked, items.entries);
  const single = picked.folders.length === 0 && picked.items.length === 1 ? picked.items[0]! : null;
  const pickedLabel = describePicked(picked);

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
  const prompt = saveBack.prompt;

  // An edited copy is never replaced by a fresh one without asking (issue 11 defect 3).
  const openExternal = (entry: IndexedItem) => {
    const pending = saveBack.forItem(entry.item.id);
    if (pending) setModal({ kind: 'reopen', entry, tempId: pending.tempId });
    else void actions.openExternal(entry.item.id);
  };
  const lock = () => {
    if (saveBack.pending.length > 0) setModal({ kind: 'lock', count: saveBack.pending.length });
    else void actions.lock();
  };
  const rekeyTarget = (p: Picked | null): RekeyTarget =>
    p
      ? { ids: p.ids, label: describePicked(p), itemCount: p.ids.length, current: keysInUse(p.entries.map((e) => e.item.keyIds)) }
      : { label: vault.name, itemCount: items.items?.length ?? vault.itemCount, current: vault.keys.map((k): KeyRefT => ({ provider: k.provider, keyId: k.keyId })) };
  const keyName = (id: string): string => keyLabel(id) ?? id.slice(id.lastIndexOf('/') + 1);
  /** The re-key dialog for the items no healthy key opens (the banner's and the Status panel's one action). */
  const rekeyAtRisk = (atRisk: readonly string[]) => {
    const ids = atRisk.filter((id) => items.byId.has(id));
    if (ids.length === 0) return;
    const chosen = new Set(ids);
    const entries = items.entries.filter((e) => chosen.has(e.item.id));
    setModal({ kind: 'rekey', target: { ids, label: `${ids.length} item${ids.length === 1 ? '' : 's'} at risk`, itemCount: ids.length, current: keysInUse(entries.map((e) => e.item.keyIds)) } });
  };
  const act = {
    preview: () => single && setPreviewId(single.item.id),
    open: () => single && openExternal(single),
    export: () => {
      if (single) void actions.exportOne(single.item.id, single.name);
      else if (picked.ids.length > 0) void actions.exportMany([...picked.ids], true);
    },
    rename: () => single && setModal({ kind: 'rename', entry: single }),
    move: () => picked.ids.length > 0 && setModal({ kind: 'move', picked }),
    rekey: () => picked.ids.length > 0 && setModal({ kind: 'rekey', target: rekeyTarget(picked) }),
    remove: () => picked.ids.length > 0 && setModal({ kind: 'delete', picked }),
  };
  const menuActions: MenuAction[] = [
    { label: 'Preview', run: act.preview, disabled: !single },
    { label: 'Open with default app', run: act.open, disabled: !single },
    { label: single ? 'Export…' : 'Export to a folder…', run: act.export, disabled: picked.ids.length === 0 },
    { label: 'Rename / move…', run: act.rename, disabled: !single },
    { label: 'Move to folder…', run: act.move, disabled: picked.ids.length === 0 },
    { label: 'Re-key…', run: act.rekey, disabled: picked.ids.length === 0 },
    { label: 'Select all', run: browse.selectAll, disabled: browse.rows.length === 0 },
    { label: 'Delete…', run: act.remove, disabled: picked.ids.length === 0, danger: true },
  ];
  const closeModal = () => {
    setModal(null);
    focusList();
  };
  // The application menu's items (main/menu.ts), as the toolbar's buttons. Behind an open dialog
  // or menu only Lock acts (locking is never held back); the latest closure runs.
  const onMenuCommand = useRef<(command: MenuCommand) => void>(() => {});
  onMenuCommand.current = (command) => {
    if (command === 'lock') {
      setModal(null);
      setMenu(null);
      lock();
      return;
    }
    if (modal !== null || menu) return;
    if (command === 'add-files') addFrom(pickFiles);
    else if (command === 'add-folder') addFrom(pickFolder);
    else if (command === 'find') focusSearch();
    else if (command === 'status') setModal({ kind: 'status' });
    else if (command === 'verify') void actions.verify();
    else if (command === 'settings') setModal({ kind: 'settings' });
    else if (command === 'reveal-vault') call('vault:reveal', {}).catch((e: unknown) => setPickError(toErrorPayload(e)));
    else if (command === 'close-vault') {
      // Closing wipes opened copies, as locking does: ask first when one has unsaved changes.
      if (saveBack.pending.length > 0) setModal({ kind: 'close', count: saveBack.pending.length });
      else call('vault:close', {}).catch((e: unknown) => setPickError(toErrorPayload(e)));
    }
  };
  useEffect(() => subscribe('menu:command', ({ command }) => onMenuCommand.current(command)), []);
  // The window's title names the open vault (Electron shows the page's title), and only while it is open.
  useEffect(() => {
    document.title = `${vault.name} — Cachet`;
    return () => {
      document.title = 'Cachet';
    };
  }, [vault.name]);
  // A file the OS opened: an envelope shows its view; another vault asks first (this one closes).
  useEffect(() => {
    if (!openRequest || modal !== null) return;
    onOpenRequestDone?.();
    if (openRequest.kind === 'envelope') setModal({ kind: 'envelope', path: openRequest.path });
    else if (openRequest.path !== vault.path) setModal({ kind: 'open-vault', path: openRequest.path });
  }, [openRequest, modal, onOpenRequestDone, vault.path]);
  const emptyText = browse.search.trim() !== '' ? `No item matches “${browse.search.trim()}”${browse.folder ? ` in ${browse.folder}` : ''}.` : browse.folder !== '' ? 'This folder is empty.' : 'Nothing here yet. Drop files or folders onto the window, or use “Add files”.';

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
      onKeyDown={(e) => {
        if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f') {
          e.preventDefault();
          focusSearch();
        } else if (e.key === 'Escape' && previewId && modal === null && !menu) {
          setPreviewId(null);
          focusList();
        }
      }}
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
        onRekey={() => setModal({ kind: 'rekey', target: rekeyTarget(null) })}
        onSettings={() => setModal({ kind: 'settings' })}
        onStatus={() => setModal({ kind: 'status' })}
        onAwsProfile={vault.keys.some((k) => k.provider === 'aws-kms') ? () => setModal({ kind: 'aws' }) : undefined}
        awsProfile={state.aws.profile}
        onLock={lock}
      />
      {health && (
        <KeyHealthBanner
          keys={health.keys}
          atRisk={health.atRisk.length}
          keyName={keyName}
          onRekey={() => rekeyAtRisk(health.atRisk)}
        />
      )}
      {error && <ErrorNotice error={error} onDismiss={clearError} />}
      {prompt && (
        <SaveBackPrompt
          vaultPath={prompt.vaultPath}
          busy={saveBack.busy}
          onSave={() => void saveBack.save(prompt.tempId)}
          onDiscard={() => void saveBack.discard(prompt.tempId)}
          onLater={() => saveBack.later(prompt.tempId)}
        />
      )}
      <PendingEdits edits={saveBack.pending} busy={saveBack.busy} onSave={(t) => void saveBack.save(t)} onDiscard={(t) => void saveBack.discard(t)} />
      <div className={`vault-body ${previewId ? 'with-preview' : ''}`}>
        <main className="browser" aria-label="Vault items">
          <div className="browser-bar">
            <Breadcrumbs folder={browse.folder} rootName={vault.name} onNavigate={browse.setFolder} />
            <SearchBox value={browse.search} onChange={browse.setSearch} resultCount={browse.search ? browse.rows.length : null} />
          </div>
          <ItemActionsBar
            label={pickedLabel}
            single={single !== null}
            any={picked.ids.length > 0}
            busy={actions.busy}
            onPreview={act.preview}
            onOpenExternal={act.open}
            onExport={act.export}
            onRename={act.rename}
            onMove={act.move}
            onRekey={act.rekey}
            onDelete={act.remove}
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
              emptyText={emptyText}
              isSelected={browse.isSelected}
              onSort={browse.sortBy}
              onClickRow={browse.clickRow}
              onMoveTo={browse.moveTo}
              onSelectAll={browse.selectAll}
              onOpenFolder={browse.setFolder}
              onOpenItem={(entry) => setPreviewId(entry.item.id)}
              onPreview={act.preview}
              onDelete={act.remove}
              onRename={act.rename}
              onUp={browse.up}
              onContextMenu={(x, y) => setMenu({ x, y })}
              onDragOut={(entry, e) => {
                // Main writes a temp copy and starts a native drag of it (webContents.startDrag).
                // Dragging a selected row drags the selected items; another row, only itself.
                e.preventDefault();
                const ids = picked.items.some((p) => p.item.id === entry.item.id) ? picked.items.map((p) => p.item.id).slice(0, 100) : [entry.item.id];
                actions.dragOut(ids);
              }}
            />
          )}
        {/* Inside the main landmark (it is fixed-position): menus belong to the list they act on. */}
        {menu && (
          <ContextMenu
            x={menu.x}
            y={menu.y}
            label={picked.ids.length > 0 ? `Actions for ${pickedLabel}` : 'Item actions'}
            actions={menuActions}
            onClose={() => {
              setMenu(null);
              focusList();
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
            onClose={() => {
              setPreviewId(null);
              focusList();
            }}
            onOpenExternal={() => {
              const entry = items.entries.find((e) => e.item.id === previewItem.id);
              if (entry) openExternal(entry);
            }}
            onExport={() => void actions.exportOne(previewItem.id, previewItem.path.split('/').pop() ?? 'item')}
          />
        )}
      </div>
      <JobPanel jobs={jobs.jobs} onCancel={jobs.cancel} onDismiss={jobs.dismiss} nameOf={nameOf} onShowInFolder={actions.showInFolder} />
      {actions.exported && (
        <div className="notice notice-info" role="status">
          <div className="notice-text">
            <span className="notice-title">Exported a decrypted copy to {actions.exported}</span>
            <span className="notice-hint">It is plaintext: keep it only as long as you need it.</span>
          </div>
          <div className="notice-actions">
            <button type="button" className="button" onClick={() => actions.showInFolder(actions.exported!)}>
              Show in folder
            </button>
            <button type="button" className="button" onClick={actions.clearExported}>
              Dismiss
            </button>
          </div>
        </div>
      )}
      {add.planning && (
        <p className="planning muted" role="status">
          Looking at the files…
        </p>
      )}
      {dragging && <DropOverlay folderName={browse.folder || vault.name} />}

      {add.cancelled && (
        <div className="notice notice-info" role="status">
          <div className="notice-text">
            <span className="notice-title">{add.cancelled}</span>
          </div>
          <div className="notice-actions">
            <button type="button" className="button" onClick={add.clearCancelled}>
              Dismiss
            </button>
          </div>
        </div>
      )}
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
            closeModal();
            void actions.rename(id, t.trim());
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'move' && (
        <TextPromptDialog
          title={`Move ${describePicked(modal.picked)}`}
          label="Folder in the vault (empty for the top level)"
          initial={browse.folder}
          submitLabel={`Move ${modal.picked.ids.length.toLocaleString('en-US')} ${modal.picked.ids.length === 1 ? 'item' : 'items'}`}
          busy={actions.busy}
          validate={(t) => (t.trim() === '' || looksLikeVaultPath(t.trim()) ? undefined : 'Use folder names separated by /, without “.” or “..” parts.')}
          onSubmit={(t) => {
            const ids = [...modal.picked.ids];
            closeModal();
            void actions.move(ids, t.trim());
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'delete' && (
        <ConfirmDialog
          title={modal.picked.ids.length === 1 && modal.picked.folders.length === 0 ? 'Delete this item?' : `Delete ${modal.picked.ids.length.toLocaleString('en-US')} items?`}
          message={`${capitalize(describePicked(modal.picked))} will be removed from the vault. This cannot be undone.`}
          confirmLabel="Delete"
          danger
          onConfirm={() => {
            const ids = [...modal.picked.ids];
            closeModal();
            if (previewId && ids.includes(previewId)) setPreviewId(null);
            void actions.remove(ids);
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'lock' && (
        <ConfirmDialog
          title="Lock and wipe edited copies?"
          message={wipesEdits('Locking', 'lock', saveBack.pending.map((p) => p.vaultPath))}
          confirmLabel="Lock and discard the changes"
          danger
          onConfirm={() => {
            setModal(null);
            void actions.lock();
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'close' && (
        <ConfirmDialog
          title="Close and wipe edited copies?"
          message={wipesEdits('Closing the vault', 'close', saveBack.pending.map((p) => p.vaultPath))}
          confirmLabel="Close and discard the changes"
          danger
          onConfirm={() => {
            setModal(null);
            call('vault:close', {}).catch((e: unknown) => setPickError(toErrorPayload(e)));
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'reopen' && (
        <ConfirmDialog
          title="This item has unsaved edits"
          message={`A copy of “${modal.entry.item.path}” opened earlier was changed and not saved back. Save those changes back first, then open it again? Opening now would start from the vault's version, without them.`}
          confirmLabel="Save back, then open"
          onConfirm={() => {
            const { entry, tempId } = modal;
            closeModal();
            void saveBack.save(tempId).then((ok) => ok && void actions.openExternal(entry.item.id));
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'settings' && (
        <SettingsDialog
          settings={state.settings}
          onSave={(next) => {
            closeModal();
            void settings.save(next);
          }}
          onClose={closeModal}
        />
      )}
      {modal?.kind === 'envelope' && <EnvelopeView key={modal.path} path={modal.path} addFolder={browse.folder} keyName={keyLabel} onClose={closeModal} />}
      {modal?.kind === 'open-vault' && (
        <ConfirmDialog
          title="Open another vault?"
          message={`${modal.path} opens and ${vault.name} closes.${saveBack.pending.length > 0 ? ` ${saveBack.pending.length === 1 ? '1 copy opened with the default app has changes' : `${saveBack.pending.length} copies opened with the default app have changes`} not saved back; opening the other vault wipes ${saveBack.pending.length === 1 ? 'it' : 'them'}.` : ''}`}
          confirmLabel={saveBack.pending.length > 0 ? 'Open it and discard the changes' : 'Open it'}
          danger={saveBack.pending.length > 0}
          onConfirm={() => {
            const { path } = modal;
            setModal(null);
            call('vault:open', { path }).catch((e: unknown) => setPickError(toErrorPayload(e)));
          }}
          onCancel={closeModal}
        />
      )}
      {modal?.kind === 'status' && <StatusModal keyName={keyName} onRekey={rekeyAtRisk} onHistory={() => setModal({ kind: 'history' })} onClose={closeModal} />}
      {modal?.kind === 'history' && <HistoryModal onClose={closeModal} />}
      {modal?.kind === 'aws' && <AwsProfileDialog state={state} onClose={closeModal} />}
      {modal?.kind === 'rekey' && (
        <RekeyDialog
          state={state}
          target={modal.target}
          busy={actions.busy}
          keyLabel={keyLabel}
          onRekey={(keys, ids) => {
            closeModal();
            void actions.rekey(keys, ids);
          }}
          onClose={closeModal}
        />
      )}
    </div>
  );
}

/** What a lock or a close is about to wipe: the edited copies not saved back, by vault path. */
function wipesEdits(doing: string, verb: string, paths: readonly string[]): string {
  const one = paths.length === 1;
  return `${one ? '1 copy opened with the default app has' : `${paths.length} copies opened with the default app have`} changes that are not saved back: ${paths.join(', ')}. ${doing} wipes ${one ? 'it' : 'them'}. Save them back first from the list, or ${verb} and lose the changes.`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The Status panel with its own status call: asked when it opens, not before. */
function StatusModal(p: { readonly keyName: (keyId: string) => string; readonly onRekey: (ids: readonly string[]) => void; readonly onHistory: () => void; readonly onClose: () => void }) {
  const st = useVaultStatus();
  return <VaultStatusDialog status={st.status} checking={st.checking} error={st.error} keyName={p.keyName} onRefresh={st.refresh} onRekey={p.onRekey} onHistory={p.onHistory} onClose={p.onClose} />;
}

/** The access-history view with its own vault:history calls. */
function HistoryModal(p: { readonly onClose: () => void }) {
  const h = useAccessHistory();
  return <AccessHistoryDialog history={h.history} days={h.days} loading={h.loading} error={h.error} onDays={h.setDays} onRefresh={h.refresh} onClose={p.onClose} />;
}
