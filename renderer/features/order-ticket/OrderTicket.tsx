import { useEffect, useRef, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { TimeInForce } from '../../../shared/model/index.js';
import { AccountBadges, accountModeLabel } from '../../components/AccountBadges.js';
import { SimulatedBadge } from '../../components/Badge.js';
import { decimalsForTick, formatNumber } from '../../components/format.js';
import { Panel } from '../../components/Panel.js';
import { useStores } from '../../stores/stores-context.js';
import type { TicketOrderType } from '../../stores/ticket-store.js';

const TIFS: Array<TimeInForce | ''> = ['', 'GTC', 'IOC', 'FOK', 'DAY'];

export function OrderTicket() {
  const { ticket, market, system, accounts } = useStores();
  const fields = useStore(ticket, (s) => s.fields);
  const fieldErrors = useStore(ticket, (s) => s.fieldErrors);
  const error = useStore(ticket, (s) => s.error);
  const pending = useStore(ticket, (s) => s.pending);
  const lastAck = useStore(ticket, (s) => s.lastAck);
  const focusRequest = useStore(ticket, (s) => s.focusRequest);
  const rows = useStore(market, (s) => s.rows);
  const halted = useStore(system, (s) => s.trading?.state === 'HALTED');
  const accountList = useStore(accounts, (s) => s.accounts);
  const { setField, submit } = ticket.getState();
  const quantityRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focusRequest === 0) return;
    quantityRef.current?.focus();
    quantityRef.current?.select();
  }, [focusRequest]);

  const row = rows.find((r) => r.instrumentId === fields.instrumentId);
  const account = accountList.find((a) => a.accountId === fields.accountId) ?? null;
  const live = account?.mode === 'live';
  const decimals = decimalsForTick(row?.tickSize);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit();
  };

  return (
    <Panel
      testId="order-ticket"
      title="Order ticket"
      className={`ticket ticket-${fields.side} ${account ? `ticket-mode-${account.mode}` : ''}`}
      actions={
        <>
          {account ? <AccountBadges account={account} testId="ticket-account-badge" /> : null}
          {row?.simulated ? <SimulatedBadge testId="ticket-simulated-badge" /> : null}
        </>
      }
    >
      <form className="ticket-form" onSubmit={onSubmit} noValidate>
        {accountList.length > 1 ? (
          <label className="field field-wide">
            <span>Account</span>
            <select data-testid="ticket-account" value={fields.accountId} onChange={(e) => setField('accountId', e.target.value)} aria-invalid={!!fieldErrors.accountId}>
              {accountList.map((a) => (
                <option key={a.accountId} value={a.accountId}>
                  {a.accountId} · {a.venue} · {accountModeLabel(a.mode)}
                  {a.dryRun ? ' · DRY RUN' : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {live && account ? (
          <div className="ticket-live-warning field-wide" role="note" data-testid="ticket-live-warning">
            {account.dryRun
              ? `LIVE account ${account.accountId} in dry run: orders are journaled and shown, not sent to ${account.venue}`
              : `LIVE account ${account.accountId}: orders go to ${account.venue} with real money`}
          </div>
        ) : null}
        <label className="field field-wide">
          <span>Instrument</span>
          <select data-testid="ticket-instrument" value={fields.instrumentId} onChange={(e) => setField('instrumentId', e.target.value)} aria-invalid={!!fieldErrors.instrumentId}>
            {fields.instrumentId === '' ? <option value="">— choose —</option> : null}
            {rows.map((r) => (
              <option key={r.instrumentId} value={r.instrumentId}>
                {r.instrumentId}
                {r.simulated ? ' (simulated)' : ''}
              </option>
            ))}
          </select>
        </label>

        <div className="side-toggle field-wide" role="radiogroup" aria-label="Side">
          <button type="button" role="radio" aria-checked={fields.side === 'buy'} className={`btn side-btn side-buy ${fields.side === 'buy' ? 'active' : ''}`} data-testid="ticket-side-buy" onClick={() => setField('side', 'buy')} title="Buy (F9)">
            Buy
          </button>
          <button type="button" role="radio" aria-checked={fields.side === 'sell'} className={`btn side-btn side-sell ${fields.side === 'sell' ? 'active' : ''}`} data-testid="ticket-side-sell" onClick={() => setField('side', 'sell')} title="Sell (F10)">
            Sell
          </button>
        </div>

        <label className="field">
          <span>Type</span>
          <select data-testid="ticket-type" value={fields.type} onChange={(e) => setField('type', e.target.value as TicketOrderType)}>
            <option value="market">Market</option>
            <option value="limit">Limit</option>
          </select>
        </label>
        <label className="field">
          <span>TIF</span>
          <select data-testid="ticket-tif" value={fields.timeInForce} onChange={(e) => setField('timeInForce', e.target.value as TimeInForce | '')}>
            {TIFS.map((t) => (
              <option key={t || 'default'} value={t}>
                {t || 'Default'}
              </option>
            ))}
          </select>
        </label>

        <label className="field">
          <span>Quantity</span>
          <input
            ref={quantityRef}
            data-testid="ticket-quantity"
            inputMode="decimal"
            autoComplete="off"
            value={fields.quantity}
            onChange={(e) => setField('quantity', e.target.value)}
            aria-invalid={!!fieldErrors.quantity}
            title={fieldErrors.quantity}
          />
        </label>
        <label className="field">
          <span>Price</span>
          <input
            data-testid="ticket-price"
            inputMode="decimal"
            autoComplete="off"
            disabled={fields.type === 'market'}
            placeholder={fields.type === 'market' ? 'market' : ''}
            value={fields.type === 'market' ? '' : fields.price}
            onChange={(e) => setField('price', e.target.value)}
            aria-invalid={!!fieldErrors.price}
            title={fieldErrors.price}
          />
        </label>

        <div className="ticket-quote field-wide">
          <span>
            Bid <b className="num">{formatNumber(row?.bid, decimals) || '—'}</b>
          </span>
          <span>
            Ask <b className="num">{formatNumber(row?.ask, decimals) || '—'}</b>
          </span>
        </div>

        {halted ? <div className="ticket-warning field-wide">Trading is halted: the core will refuse new orders until it is re-armed.</div> : null}

        <button type="submit" className={`btn btn-submit field-wide side-${fields.side} ${live ? 'btn-submit-live' : ''}`} data-testid="ticket-submit" disabled={pending}>
          {pending ? 'Sending…' : `${fields.side === 'buy' ? 'Buy' : 'Sell'} ${fields.type === 'market' ? 'at market' : 'limit'}${live ? ' · LIVE' : ''}`}
        </button>

        {error ? (
          <div className="ticket-error field-wide" role="alert" data-testid="ticket-error">
            {error}
          </div>
        ) : null}
        {lastAck && !error ? (
          <div className="ticket-ack field-wide" data-testid="ticket-ack">
            Sent {lastAck.summary} — {lastAck.status.replace('_', ' ')} <span className="muted">({lastAck.clientOrderId})</span>
          </div>
        ) : null}
      </form>
    </Panel>
  );
}
