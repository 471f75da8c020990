import { createStore, type StoreApi } from 'zustand/vanilla';
import { describeZodError } from '../../shared/api/index.js';
import { SubmitOrder, type OrderSide, type OrderStatus, type TimeInForce } from '../../shared/model/index.js';
import type { KestrelClient } from '../api/client.js';
import { errorText } from './error-text.js';

export type TicketOrderType = 'market' | 'limit';

/** The form as typed: numbers stay strings until submit so "0." can be typed. */
export interface TicketFields {
  /** '' lets the core use its default account. */
  accountId: string;
  instrumentId: string;
  side: OrderSide;
  type: TicketOrderType;
  quantity: string;
  price: string;
  /** '' lets the venue apply its default. */
  timeInForce: TimeInForce | '';
}

export type TicketFieldErrors = Partial<Record<keyof TicketFields, string>>;

export interface TicketAck {
  clientOrderId: string;
  status: OrderStatus;
  summary: string;
}

export interface TicketState {
  fields: TicketFields;
  fieldErrors: TicketFieldErrors;
  /** One sentence for the user: the first invalid field, or the core's refusal. */
  error: string | null;
  pending: boolean;
  lastAck: TicketAck | null;
  /** Once the trader typed a quantity, switching instrument no longer resets it. */
  quantityTouched: boolean;
  /** Bumped to ask the ticket to focus its quantity input (F9 / F10). */
  focusRequest: number;
  setField<K extends keyof TicketFields>(key: K, value: TicketFields[K]): void;
  /** Sets the side and asks for focus: what F9 and F10 do. */
  prepare(side: OrderSide): void;
  submit(): Promise<boolean>;
}

export type TicketStore = StoreApi<TicketState>;

export type BuildResult = { ok: true; command: SubmitOrder } | { ok: false; fieldErrors: TicketFieldErrors; error: string };

const numberOrUndefined = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

/** Builds the SubmitOrder command from the form and checks it with the shared schema the core uses. */
export function buildSubmitOrder(fields: TicketFields): BuildResult {
  const candidate = {
    ...(fields.accountId ? { accountId: fields.accountId } : {}),
    instrumentId: fields.instrumentId,
    side: fields.side,
    type: fields.type,
    quantity: numberOrUndefined(fields.quantity),
    ...(fields.type === 'limit' ? { price: numberOrUndefined(fields.price) } : {}),
    ...(fields.timeInForce ? { timeInForce: fields.timeInForce } : {}),
  };
  const parsed = SubmitOrder.safeParse(candidate);
  if (parsed.success) return { ok: true, command: parsed.data };
  const fieldErrors: TicketFieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (typeof key === 'string' && key in fields && !fieldErrors[key as keyof TicketFields]) {
      fieldErrors[key as keyof TicketFields] = issue.message;
    }
  }
  return { ok: false, fieldErrors, error: describeZodError(parsed.error, 'order') };
}

export interface TicketDeps {
  /** A price to start a limit order from (the instrument's last or mid), if known. */
  referencePrice(instrumentId: string): number | null;
  /** The smallest quantity the instrument trades (its lot size), if known. */
  minQuantity(instrumentId: string): number | null;
}

export function createTicketStore(client: KestrelClient, deps: TicketDeps): TicketStore {
  return createStore<TicketState>()((set, get) => ({
    // No default size until an instrument is known: "1" is one share of a stock but 1 BTC of a perp.
    fields: { accountId: '', instrumentId: '', side: 'buy', type: 'market', quantity: '', price: '', timeInForce: '' },
    fieldErrors: {},
    error: null,
    pending: false,
    lastAck: null,
    quantityTouched: false,
    focusRequest: 0,

    setField(key, value) {
      const fields = { ...get().fields, [key]: value };
      // Switching to limit starts from the current price rather than an empty box.
      if (key === 'type' && value === 'limit' && fields.price.trim() === '' && fields.instrumentId) {
        const ref = deps.referencePrice(fields.instrumentId);
        if (ref !== null) fields.price = String(ref);
      }
      if (key === 'instrumentId' && fields.type === 'limit') {
        const ref = deps.referencePrice(String(value));
        fields.price = ref !== null ? String(ref) : '';
      }
      const quantityTouched = get().quantityTouched || key === 'quantity';
      if (key === 'instrumentId' && !quantityTouched) {
        const min = deps.minQuantity(String(value));
        fields.quantity = min !== null ? String(min) : '';
      }
      const fieldErrors = { ...get().fieldErrors };
      delete fieldErrors[key];
      set({ fields, fieldErrors, error: null, quantityTouched });
    },

    prepare(side) {
      set((s) => ({ fields: { ...s.fields, side }, focusRequest: s.focusRequest + 1, error: null }));
    },

    async submit() {
      if (get().pending) return false;
      const built = buildSubmitOrder(get().fields);
      if (!built.ok) {
        set({ fieldErrors: built.fieldErrors, error: built.error, lastAck: null });
        return false;
      }
      set({ pending: true, fieldErrors: {}, error: null, lastAck: null });
      const c = built.command;
      try {
        const ack = await client.call('orders.submit', c);
        const summary = `${c.side.toUpperCase()} ${c.quantity} ${c.instrumentId}${c.price !== undefined ? ` @ ${c.price}` : ' at market'}${c.accountId ? ` on ${c.accountId}` : ''}`;
        set({ pending: false, lastAck: { ...ack, summary } });
        return true;
      } catch (err) {
        set({ pending: false, error: `Order refused: ${errorText(err)}` });
        return false;
      }
    },
  }));
}
