// Picking sources to add: the "Add files" / "Add folder" dialogs (paths granted by main).

import { call } from '../../api.js';

export async function pickFiles(): Promise<string[]> {
  return (await call('dialog:pick-files', { title: 'Add files to the vault' })).paths;
}

export async function pickFolder(): Promise<string[]> {
  const { path } = await call('dialog:pick-folder', { purpose: 'add', title: 'Add a folder to the vault' });
  return path ? [path] : [];
}
