import type { ReplayEvent } from './replay-source.js';

/**
 * Merges several recordings into one timeline: always the head with the earliest venue time next
 * (ties: the source listed first). Each source keeps its own order, even where its timestamps step
 * back a little, as recorded streams do.
 */
export async function* mergeByTime(streams: Array<AsyncIterable<ReplayEvent>>): AsyncGenerator<ReplayEvent> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: Array<ReplayEvent | null> = await Promise.all(iterators.map(async (it) => (await it.next()).value ?? null));
  try {
    for (;;) {
      let pick = -1;
      for (let i = 0; i < heads.length; i += 1) {
        const h = heads[i];
        if (h && (pick < 0 || h.tsEvent < heads[pick]!.tsEvent)) pick = i;
      }
      if (pick < 0) return;
      const event = heads[pick]!;
      const next = await iterators[pick]!.next();
      heads[pick] = next.done ? null : next.value;
      yield event;
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}
