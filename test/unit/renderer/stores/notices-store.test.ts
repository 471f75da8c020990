import { describe, expect, it } from 'vitest';
import { createNoticesStore } from '../../../../renderer/stores/notices-store.js';

describe('notices store', () => {
  it('replaces a worker’s crash notice when it comes back, and keeps other notices', () => {
    const store = createNoticesStore(() => 0);
    store.getState().push('info', 'Reconnected');
    store.getState().push('error', 'Worker "execution" crashed', 'exit code 1', 'worker:execution');
    store.getState().push('error', 'Worker "marketdata" crashed', null, 'worker:marketdata');
    store.getState().push('warn', 'Worker "execution" crashed and was restarted', null, 'worker:execution');
    expect(store.getState().notices.map((n) => [n.level, n.title])).toEqual([
      ['info', 'Reconnected'],
      ['error', 'Worker "marketdata" crashed'],
      ['warn', 'Worker "execution" crashed and was restarted'],
    ]);
  });
});
