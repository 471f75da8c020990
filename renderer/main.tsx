import './app/zod-jitless.js';
import './app/register-grid.js';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/create-client.js';
import { App } from './app/App.js';
import { createStores } from './stores/create-stores.js';

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');

// Reading sessionStorage throws where the browser blocks storage; the workstation then just forgets view choices.
const sessionStorage = (() => {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
})();
const stores = createStores(createClient(), { sessionStorage });
createRoot(rootElement).render(
  <StrictMode>
    <App stores={stores} />
  </StrictMode>,
);
