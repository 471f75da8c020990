import { describe, expect, it } from 'vitest';
import { MarketSimulator } from '../../../../../main/adapters/simulator/market-simulator.js';
import { DEFAULT_SIMULATED_INSTRUMENTS } from '../../../../../main/system/config.js';

function run(seed: number, steps: number, dtMs = 100) {
  const sim = new MarketSimulator(DEFAULT_SIMULATED_INSTRUMENTS, seed);
  const out = [];
  let t = 1_700_000_000_000;
  for (let i = 0; i < steps; i++) out.push(sim.step((t += dtMs)));
  return { sim, out };
}

describe('MarketSimulator', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    expect(run(3, 200).out).toEqual(run(3, 200).out);
    expect(run(3, 200).out).not.toEqual(run(4, 200).out);
  });

  it('marks every instrument SIMULATED and keeps books crossed-free and on the tick grid', () => {
    const { sim, out } = run(11, 3000);
    expect(sim.instruments().every((i) => i.simulated && i.venue === 'SIM')).toBe(true);
    for (const step of out) {
      for (const q of step.quotes) {
        const inst = sim.instruments().find((i) => i.instrumentId === q.instrumentId)!;
        expect(q.ask).toBeGreaterThan(q.bid);
        expect(Math.abs(q.bid / inst.tickSize - Math.round(q.bid / inst.tickSize))).toBeLessThan(1e-6);
      }
      for (const t of step.trades) expect(t.price).toBeGreaterThan(0);
    }
  });

  it('produces Poisson trade arrivals near the configured rate, ids increasing, times inside the step', () => {
    const { out } = run(5, 6000); // 600 s
    const btc = out.flatMap((s) => s.trades.filter((t) => t.instrumentId === 'SIM:BTC/USDT:USDT'));
    const rate = btc.length / 600;
    expect(rate).toBeGreaterThan(8 * 0.85);
    expect(rate).toBeLessThan(8 * 1.15);
    const ids = btc.map((t) => Number(t.tradeId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('clusters volatility: absolute returns are autocorrelated', () => {
    const { out } = run(9, 20000, 1000);
    const mids = out.map((s) => (s.quotes[0]!.bid + s.quotes[0]!.ask) / 2);
    const r = mids.slice(1).map((m, i) => Math.abs(Math.log(m / mids[i]!)));
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    let num = 0;
    let den = 0;
    for (let i = 1; i < r.length; i++) num += (r[i]! - mean) * (r[i - 1]! - mean);
    for (const x of r) den += (x - mean) ** 2;
    expect(num / den).toBeGreaterThan(0.05);
  });
});
