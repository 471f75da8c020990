import { describe, expect, it } from 'vitest';
import { ReplayClock } from '../../../../../main/adapters/replay/replay-clock.js';

describe('ReplayClock', () => {
  it('runs callbacks in time order, ties in the order scheduled, each at its own time', () => {
    const clock = new ReplayClock();
    clock.advanceTo(1_000);
    const ran: string[] = [];
    clock.schedule(30, () => ran.push(`b@${clock.nowMs()}`));
    clock.schedule(10, () => ran.push(`a@${clock.nowMs()}`));
    clock.schedule(30, () => ran.push(`c@${clock.nowMs()}`));
    clock.runDue(1_020);
    expect(ran).toEqual(['a@1010']);
    clock.runDue(1_030);
    expect(ran).toEqual(['a@1010', 'b@1030', 'c@1030']);
    expect(clock.nextDueMs()).toBeNull();
  });

  it('never goes backwards while playing; negative delays run at once', () => {
    const clock = new ReplayClock();
    clock.advanceTo(500);
    clock.advanceTo(400);
    expect(clock.nowMs()).toBe(500);
    let at = 0;
    clock.schedule(-50, () => (at = clock.nowMs()));
    clock.runDue(500);
    expect(at).toBe(500);
  });

  it('follows the interpolation while the venue waits, and keeps the time reached when it stops', () => {
    const clock = new ReplayClock();
    clock.advanceTo(100);
    let wall = 0;
    clock.setInterpolation(() => 100 + wall * 4);
    wall = 5;
    expect(clock.nowMs()).toBe(120);
    clock.setInterpolation(null);
    wall = 50;
    expect(clock.nowMs()).toBe(120);
  });
});
