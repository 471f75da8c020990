import { describe, expect, it } from 'vitest';
import { SessionStats } from '../../../../../main/adapters/ib/session-stats.js';

describe('SessionStats', () => {
  it('counts messages of the last second and the age of the last one', () => {
    const clock = { t: 10_000 };
    const s = new SessionStats(() => clock.t);
    expect(s.lastMessageAgeMs()).toBeNull();
    for (let i = 0; i < 30; i++) {
      s.onMessage();
      clock.t += 20;
    }
    expect(s.messagesPerSec()).toBe(30);
    expect(s.lastMessageAgeMs()).toBe(20);
    clock.t += 700;
    expect(s.messagesPerSec()).toBeLessThan(30);
    clock.t += 1_000;
    expect(s.messagesPerSec()).toBe(0);
    expect(s.lastMessageAgeMs()).toBe(1_720);
  });
});
