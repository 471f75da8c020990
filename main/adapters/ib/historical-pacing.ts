/** One historical-data request as IB's pacing rules see it. */
export interface HistoricalRequestKey {
  /** Contract + exchange + tick type ("what to show"): IB's unit for the 2-second rule. */
  contractKey: string;
  /** Everything that makes two requests identical (contract, end, duration, bar size, what, RTH). */
  identity: string;
}

const IDENTICAL_MS = 15_000;
const SAME_CONTRACT_MS = 2_000;
const SAME_CONTRACT_MAX = 5;
const ANY_MS = 600_000;
const ANY_MAX = 60;

export interface HistoricalSlot {
  /** 0 when the request may go now. */
  delayMs: number;
  /** Which rule holds it back, in words. */
  rule: string | null;
}

/**
 * IB's historical-data pacing (a violation costs error 162 and a penalty box):
 * no identical request within 15 s; no six requests for the same contract, exchange and tick
 * type within 2 s; no more than 60 requests in any 10 minutes.
 */
export class HistoricalPacer {
  private readonly history: Array<{ at: number; key: HistoricalRequestKey }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  slot(key: HistoricalRequestKey): HistoricalSlot {
    const now = this.now();
    this.prune(now);
    let delayMs = 0;
    let rule: string | null = null;
    const hold = (until: number, why: string): void => {
      if (until - now > delayMs) {
        delayMs = until - now;
        rule = why;
      }
    };
    const identical = this.history.filter((h) => h.key.identity === key.identity);
    const lastIdentical = identical[identical.length - 1];
    if (lastIdentical) hold(lastIdentical.at + IDENTICAL_MS, 'an identical historical request was made less than 15 s ago');
    const sameContract = this.history.filter((h) => h.key.contractKey === key.contractKey && now - h.at < SAME_CONTRACT_MS);
    if (sameContract.length >= SAME_CONTRACT_MAX) {
      const oldest = sameContract[sameContract.length - SAME_CONTRACT_MAX] as { at: number };
      hold(oldest.at + SAME_CONTRACT_MS, 'six requests for the same contract within 2 s are not allowed');
    }
    if (this.history.length >= ANY_MAX) {
      const oldest = this.history[this.history.length - ANY_MAX] as { at: number };
      hold(oldest.at + ANY_MS, '60 historical requests in 10 minutes is the limit');
    }
    return { delayMs, rule };
  }

  record(key: HistoricalRequestKey): void {
    this.history.push({ at: this.now(), key });
  }

  private prune(now: number): void {
    while (this.history.length > 0 && now - (this.history[0] as { at: number }).at >= ANY_MS) this.history.shift();
  }
}
