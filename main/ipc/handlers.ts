// One handler per IPC channel (the contract's CHANNELS), given the main-process services: the
// areas in handlers/ (app, vault, dialogs, items, temp copies, export, keys) combined into one
// `Handlers` object, which the compiler checks complete (a channel without a handler is a type
// error). Requests reach them only through dispatch.ts, already validated by the contract's schema.
// No electron import: main.ts supplies the Platform; tests call the handlers through dispatch.
//
// Paths from the renderer are never trusted:
// - vault paths (item names) are re-normalized with app/vault/paths.ts (handlers/items.ts) on top
//   of the contract's schema, which checks the same rules (app/vault/path-rules.ts);
// - filesystem paths must have been granted in this session (PathGrants: main dialogs and drops),
//   except a vault folder listed in recent vaults or the locked vault (main wrote those itself);
// - export destinations: the granted folder is handed to the core (Vault.export, handlers/export.ts),
//   which joins and checks every destination itself.

import type { Channel, ParsedReq, Res } from '../../contract/ipc.js';
import type { MainServices } from '../services/main-services.js';
import { appHandlers } from './handlers/app.js';
import { createHandlerContext } from './handlers/context.js';
import { dialogHandlers } from './handlers/dialogs.js';
import { envelopeHandlers } from './handlers/envelope.js';
import { exportHandlers } from './handlers/export.js';
import { itemHandlers } from './handlers/items.js';
import { keyHandlers } from './handlers/keys.js';
import { tempHandlers } from './handlers/temp.js';
import { vaultHandlers } from './handlers/vault.js';

export type Handler<C extends Channel> = (req: ParsedReq<C>) => Promise<Res<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

export function createHandlers(s: MainServices): Handlers {
  const c = createHandlerContext(s);
  return {
    ...appHandlers(c),
    ...vaultHandlers(c),
    ...dialogHandlers(c),
    ...itemHandlers(c),
    ...tempHandlers(c),
    ...exportHandlers(c),
    ...envelopeHandlers(c),
    ...keyHandlers(c),
  };
}
