import { createStore, type StoreApi } from 'zustand/vanilla';

export type NoticeLevel = 'info' | 'warn' | 'error';

export interface Notice {
  id: number;
  level: NoticeLevel;
  title: string;
  detail: string | null;
  /** A later notice with the same key replaces this one (a worker's "restarted" replaces its "crashed"). */
  key: string | null;
  tsCreated: number;
}

export interface NoticesState {
  notices: Notice[];
  push(level: NoticeLevel, title: string, detail?: string | null, key?: string | null): number;
  dismiss(id: number): void;
}

export type NoticesStore = StoreApi<NoticesState>;

const MAX_NOTICES = 6;
/** Errors stay until dismissed: a crashed worker is something the trader must have seen. */
const TTL_MS: Record<NoticeLevel, number | null> = { info: 5_000, warn: 12_000, error: null };

export function createNoticesStore(now: () => number = Date.now): NoticesStore {
  let nextId = 1;
  return createStore<NoticesState>()((set, get) => ({
    notices: [],
    push(level, title, detail = null, key = null) {
      const id = nextId++;
      const notice: Notice = { id, level, title, detail, key, tsCreated: now() };
      const kept = key === null ? get().notices : get().notices.filter((n) => n.key !== key);
      set({ notices: [...kept, notice].slice(-MAX_NOTICES) });
      const ttl = TTL_MS[level];
      if (ttl !== null) setTimeout(() => get().dismiss(id), ttl);
      return id;
    },
    dismiss(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },
  }));
}
