import { apiEvents, EventFrame, describeZodError, type EventData, type EventName } from '../../shared/api/index.js';
import type { Logger } from './client.js';

type Handler = (data: never) => void;

/**
 * Fans validated events out to subscribers. Every frame is checked against the contract's schema
 * before any handler sees it: a malformed frame is logged and dropped, so one bad message from the
 * core (or a buggy proxy) cannot crash a panel.
 */
export class EventHub {
  private readonly handlers = new Map<EventName, Set<Handler>>();

  constructor(private readonly log: Logger) {}

  on<E extends EventName>(event: E, handler: (data: EventData<E>) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  /** Returns true when the frame was valid and delivered (to zero or more handlers). */
  dispatch(raw: unknown): boolean {
    const frame = EventFrame.safeParse(raw);
    if (!frame.success) {
      this.log('dropped a malformed event frame', describeZodError(frame.error, 'event frame'));
      return false;
    }
    const name = frame.data.event;
    if (!Object.hasOwn(apiEvents, name)) {
      this.log(`dropped an event of unknown kind "${name}"`);
      return false;
    }
    const schema = apiEvents[name as EventName];
    const data = schema.safeParse(frame.data.data);
    if (!data.success) {
      this.log(`dropped a malformed "${name}" event`, describeZodError(data.error, `${name} event`));
      return false;
    }
    for (const handler of this.handlers.get(name as EventName) ?? []) {
      try {
        (handler as (d: unknown) => void)(data.data);
      } catch (err) {
        // A failing panel must not stop the other subscribers from getting the event.
        this.log(`a "${name}" event handler threw`, err);
      }
    }
    return true;
  }
}
