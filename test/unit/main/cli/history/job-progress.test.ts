import { describe, expect, it } from 'vitest';
import { JobProgress } from '../../../../../main/cli/history/job-progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, s: { write: (t: string) => writes.push(t), isTTY, columns: 100 } };
}

describe('JobProgress', () => {
  it('off a terminal prints a line per 10 % (or every 5 s of silence), never one per update', () => {
    const { writes, s } = sink(false);
    let now = 0;
    const p = new JobProgress(s, 'backfill', () => now);
    for (let i = 0; i <= 100; i++) p.update({ fraction: i / 100, message: `page ${i}` });
    expect(writes).toHaveLength(11);
    expect(writes[0]).toBe('backfill: 0% after 0.0 s — page 0\n');
    expect(writes.at(-1)).toBe('backfill: 100% after 0.0 s — page 100\n');
    now = 6_000;
    p.update({ fraction: 1, message: 'still at it' });
    expect(writes.at(-1)).toBe('backfill: 100% after 6.0 s — still at it\n');
  });

  it('on a terminal redraws one bar at most 10 times a second, keeps warnings above it and erases it at the end', () => {
    const { writes, s } = sink(true);
    let now = 0;
    const p = new JobProgress(s, 'backfill', () => now);
    p.update({ fraction: 0.25, message: 'a' });
    now = 50;
    p.update({ fraction: 0.3, message: 'b' });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^\rbackfill █+░+  25% 0\.0 s a\x1b\[K$/);
    p.warn('rate limit hit; retrying in 1.0 s');
    expect(writes.slice(1)).toEqual(['\r\x1b[K', 'backfill: rate limit hit; retrying in 1.0 s\n']);
    now = 60;
    p.update({ fraction: 0.5, message: 'c' });
    p.finish();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });
});
