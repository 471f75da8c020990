import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile, parseConfig } from '../../../../main/system/config.js';
import { tempDir } from '../../../support/kernel-harness.js';

describe('config', () => {
  it('gives a working default: simulator on, one paper account', () => {
    const c = parseConfig({});
    expect(c.simulator.enabled).toBe(true);
    expect(c.simulator.instruments.map((i) => i.symbol)).toEqual(expect.arrayContaining(['BTC/USDT:USDT', 'AAPL']));
    expect(c.paper.accounts.map((a) => a.accountId)).toEqual(["paper"]);
  });

  it('names the key and what was expected when a value has the wrong type', () => {
    expect(() => parseConfig({ paper: { fees: { default: { makerBps: 2, takerBps: "five" } } } })).toThrow(/paper\.fees\.default\.takerBps: .*number/);
    expect(() => parseConfig({ simulator: { tickIntervalMs: 1 } })).toThrow(/simulator\.tickIntervalMs/);
  });

  it('names an unknown key instead of ignoring it', () => {
    expect(() => parseConfig({ simulater: {} })).toThrow(/unknown key "simulater"/);
    expect(() => parseConfig({ marketdata: { intervalz: [] } })).toThrow(/unknown key "marketdata\.intervalz"/);
  });

  it('reads YAML and JSON files and names the file in errors', () => {
    const tmp = tempDir();
    try {
      const yml = path.join(tmp.dir, 'k.yaml');
      writeFileSync(yml, 'simulator:\n  tickIntervalMs: 250\n');
      expect(loadConfigFile(yml).simulator.tickIntervalMs).toBe(250);
      const json = path.join(tmp.dir, 'k.json');
      writeFileSync(json, JSON.stringify({ paper: { latency: { submitMs: "slow" } } }));
      expect(() => loadConfigFile(json)).toThrow(new RegExp(`config file ${json.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*paper\\.latency\\.submitMs`));
      const broken = path.join(tmp.dir, 'broken.yaml');
      writeFileSync(broken, 'simulator: [\n');
      expect(() => loadConfigFile(broken)).toThrow(/not valid YAML/);
      expect(() => loadConfigFile(path.join(tmp.dir, 'missing.yaml'))).toThrow(/cannot read config file/);
    } finally {
      tmp.cleanup();
    }
  });
});
