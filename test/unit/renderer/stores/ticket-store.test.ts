import { describe, expect, it } from 'vitest';
import { buildSubmitOrder, createTicketStore, type TicketFields } from '../../../../renderer/stores/ticket-store.js';
import { FakeClient } from '../support/fake-client.js';
import { INSTRUMENT } from '../support/samples.js';

const base: TicketFields = { accountId: '', instrumentId: INSTRUMENT, side: 'buy', type: 'market', quantity: '1', price: '', timeInForce: '' };

describe('order ticket', () => {
  it('builds a market order without a price even if one was typed', () => {
    const r = buildSubmitOrder({ ...base, price: '123' });
    expect(r).toEqual({ ok: true, command: { instrumentId: INSTRUMENT, side: 'buy', type: 'market', quantity: 1 } });
  });

  it('names the field that is wrong', () => {
    const noPrice = buildSubmitOrder({ ...base, type: 'limit' });
    expect(noPrice.ok).toBe(false);
    if (!noPrice.ok) expect(noPrice.fieldErrors.price).toBe('a limit order needs a price');

    const negative = buildSubmitOrder({ ...base, quantity: '-2' });
    expect(negative.ok).toBe(false);
    if (!negative.ok) {
      expect(negative.fieldErrors.quantity).toBe('must be greater than 0');
      expect(negative.error).toContain('quantity');
    }

    const text = buildSubmitOrder({ ...base, quantity: 'abc' });
    expect(text.ok).toBe(false);
    if (!text.ok) expect(Object.keys(text.fieldErrors)).toEqual(['quantity']);
  });

  it('does not call the core when the form is invalid', async () => {
    const client = new FakeClient();
    const store = createTicketStore(client, { referencePrice: () => null, minQuantity: () => null });
    store.getState().setField('instrumentId', INSTRUMENT);
    store.getState().setField('quantity', '0');
    expect(await store.getState().submit()).toBe(false);
    expect(client.calls).toEqual([]);
    expect(store.getState().fieldErrors.quantity).toBeDefined();
  });

  it('shows the core’s refusal in its own words', async () => {
    const client = new FakeClient().refuse('orders.submit', 'halted', 'trading is halted (reason: test); orders are refused until re-armed');
    const store = createTicketStore(client, { referencePrice: () => null, minQuantity: () => null });
    store.getState().setField('instrumentId', INSTRUMENT);
    store.getState().setField('quantity', '1');
    expect(await store.getState().submit()).toBe(false);
    expect(store.getState().error).toBe('Order refused: trading is halted (reason: test); orders are refused until re-armed');
    expect(store.getState().pending).toBe(false);
  });

  it('starts each instrument at its lot size until the trader types a quantity', () => {
    const lots: Record<string, number> = { [INSTRUMENT]: 0.001, 'SIM:AAPL': 1 };
    const store = createTicketStore(new FakeClient(), { referencePrice: () => null, minQuantity: (id) => lots[id] ?? null });
    expect(store.getState().fields.quantity).toBe('');
    store.getState().setField('instrumentId', INSTRUMENT);
    expect(store.getState().fields.quantity).toBe('0.001');
    store.getState().setField('instrumentId', 'SIM:AAPL');
    expect(store.getState().fields.quantity).toBe('1');
    store.getState().setField('quantity', '25');
    store.getState().setField('instrumentId', INSTRUMENT);
    expect(store.getState().fields.quantity).toBe('25');
  });

  it('sends the validated command and keeps the acknowledgement', async () => {
    const client = new FakeClient().answer('orders.submit', () => ({ clientOrderId: 'k-9', status: 'open' }));
    const store = createTicketStore(client, { referencePrice: () => 101.5, minQuantity: () => 1 });
    store.getState().setField('instrumentId', INSTRUMENT);
    store.getState().setField('type', 'limit');
    expect(store.getState().fields.price).toBe('101.5');
    store.getState().prepare('sell');
    expect(await store.getState().submit()).toBe(true);
    expect(client.calls[0]?.input).toEqual({ instrumentId: INSTRUMENT, side: 'sell', type: 'limit', quantity: 1, price: 101.5 });
    expect(store.getState().lastAck?.clientOrderId).toBe('k-9');
    expect(store.getState().focusRequest).toBe(1);
  });

  it('sends the order for the chosen account, and leaves the account to the core when none is chosen', () => {
    const chosen = buildSubmitOrder({ ...base, accountId: 'binance-live' });
    expect(chosen.ok && chosen.command.accountId).toBe('binance-live');
    const none = buildSubmitOrder(base);
    expect(none.ok && 'accountId' in none.command).toBe(false);
  });
});
