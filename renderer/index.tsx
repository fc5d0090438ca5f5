// Renderer entry: mounts the React app into #root and pulls in the stylesheet (esbuild emits it
// as app.css next to app.js; index.html loads both, so the CSP needs no inline styles).

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/app/App.js';
import './styles.css';

// A file dropped anywhere but the vault view (which handles its own drops) must not make the
// window navigate to it; main refuses navigation too, this just keeps the page calm.
for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (e) => e.preventDefault());

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
