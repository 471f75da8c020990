import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../../../../main/cli/aggtrades/progress-bar.js';

describe('ProgressBar', () => {
  it('redraws in place at most 10 times a second and erases itself at the end', () => {
    let out = '';
    let now = 0;
    const bar = new ProgressBar({ write: (t: string) => (out += t), columns: 70 }, 'aggregate', 200 * 1_048_576, () => now);
    bar.update(50 * 1_048_576);
    now = 50;
    bar.update(60 * 1_048_576); // too soon: skipped
    now = 1_500;
    bar.update(100 * 1_048_576);
    const frames = out.split('\r').filter((f) => f !== '');
    expect(frames.length).toBe(2);
    expect(frames[0]).toMatch(/^aggregate █{5}░{15}  25%  50\/200 MB  0\.0 s\x1b\[K$/);
    expect(frames[1]).toMatch(/ 50%  100\/200 MB  1\.5 s/);
    bar.finish();
    expect(out.endsWith('\r\x1b[K')).toBe(true);
  });
});
