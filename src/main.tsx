import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { registerOfflineWorker } from './ui/OfflineStatus';
import { studio } from './state/studio';
import { requestPersistence } from './storage/usage';
import './ui/styles.css';

void studio.getState().init();
void requestPersistence();
registerOfflineWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
