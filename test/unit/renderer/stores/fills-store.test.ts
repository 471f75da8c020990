import { describe, expect, it } from 'vitest';
import { createFillsStore } from '../../../../renderer/stores/fills-store.js';
import { FakeClient } from '../support/fake-client.js';
import { fill } from '../support/samples.js';

describe('fills store', () => {
  it('lists fills newest first and counts a fill seen twice once', async () => {
    const client = new FakeClient().answer('fills.list', () => [fill({ fillId: 'f-1', tsEvent: 1 }), fill({ fillId: 'f-2', tsEvent: 2 })]);
    const store = createFillsStore(client);
    store.getState().applyFill(fill({ fillId: 'f-2', tsEvent: 2 }));
    store.getState().applyFill(fill({ fillId: 'f-3', tsEvent: 3 }));
    await store.getState().load();
    store.getState().applyFill(fill({ fillId: 'f-3', tsEvent: 3 }));
    expect(store.getState().fills.map((f) => f.fillId)).toEqual(['f-3', 'f-2', 'f-1']);
  });

  it('reports a failed load in words and keeps what it had', async () => {
    const client = new FakeClient().refuse('fills.list', 'unavailable', 'the execution worker is restarting');
    const store = createFillsStore(client);
    store.getState().applyFill(fill());
    await store.getState().load();
    expect(store.getState().loadError).toBe('could not load fills: the execution worker is restarting');
    expect(store.getState().fills).toHaveLength(1);
  });
});
