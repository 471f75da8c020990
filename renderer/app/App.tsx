import { useStore } from 'zustand';
import { CandleChart } from '../features/chart/CandleChart.js';
import { ConnectionBanner } from '../features/connection/ConnectionBanner.js';
import { FillsPanel } from '../features/fills/FillsPanel.js';
import { GatewaysPanel } from '../features/gateways/GatewaysPanel.js';
import { Header } from '../features/header/Header.js';
import { HaltedBanner } from '../features/kill-switch/HaltedBanner.js';
import { KillSwitchDialog } from '../features/kill-switch/KillSwitchDialog.js';
import { RearmDialog } from '../features/kill-switch/RearmDialog.js';
import { MarketWatch } from '../features/market-watch/MarketWatch.js';
import { Notices } from '../features/notices/Notices.js';
import { OrderTicket } from '../features/order-ticket/OrderTicket.js';
import { OrdersPanel } from '../features/orders/OrdersPanel.js';
import { PaperResetDialog } from '../features/paper-reset/PaperResetDialog.js';
import { PositionsPanel } from '../features/positions/PositionsPanel.js';
import { TapePanel } from '../features/tape/TapePanel.js';
import type { AppStores } from '../stores/create-stores.js';
import { StoresContext } from '../stores/stores-context.js';
import { useShortcuts } from './use-shortcuts.js';

function Dialogs({ stores }: { stores: AppStores }) {
  const dialog = useStore(stores.ui, (s) => s.dialog);
  if (dialog === 'killSwitch') return <KillSwitchDialog />;
  if (dialog === 'rearm') return <RearmDialog />;
  if (dialog === 'paperReset') return <PaperResetDialog />;
  return null;
}

export function App({ stores }: { stores: AppStores }) {
  useShortcuts(stores);
  const halted = useStore(stores.system, (s) => s.trading?.state === 'HALTED');
  return (
    <StoresContext.Provider value={stores}>
      <div className={`workstation ${halted ? 'is-halted' : ''}`}>
        <Header />
        <HaltedBanner />
        <ConnectionBanner />
        <main className="layout">
          <div className="area-watch">
            <MarketWatch />
            <TapePanel />
          </div>
          <div className="area-chart">
            <CandleChart />
          </div>
          <div className="area-side">
            <OrderTicket />
            <GatewaysPanel />
          </div>
          <div className="area-bottom">
            <div>
              <OrdersPanel />
            </div>
            <div>
              <FillsPanel />
            </div>
            <div>
              <PositionsPanel />
            </div>
          </div>
        </main>
        <Notices />
        <Dialogs stores={stores} />
      </div>
    </StoresContext.Provider>
  );
}
