// Renderer entry: mounts the React app into #root and pulls in the stylesheet (esbuild emits it
// as app.css next to app.js; index.html loads both, so the CSP needs no inline styles).

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/app/App.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
