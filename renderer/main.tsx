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

const stores = createStores(createClient());
createRoot(rootElement).render(
  <StrictMode>
    <App stores={stores} />
  </StrictMode>,
);
