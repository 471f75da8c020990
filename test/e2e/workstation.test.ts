import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/paths.js';

/**
 * The workstation end to end: `kestrel serve` on a throwaway data folder, driven in Debian's
 * Chromium through playwright-core. `npm test` builds dist/ before vitest runs this.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
const READY_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 30_000;

class ServeProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    private readonly dataDir: string,
    private readonly token: string,
  ) {}

  /** Starts `kestrel serve` and resolves with the URL from its ready line. */
  start(port = 0): Promise<string> {
    const child = spawn(process.execPath, ['bin/kestrel.js', 'serve', '--port', String(port), '--data-dir', this.dataDir, `--token=${this.token}`], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kestrel serve printed no ready line within ${READY_TIMEOUT_MS} ms:\n${this.tail()}`)), READY_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const m = /Kestrel ready: (http:\/\/\S+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kestrel serve exited (${code ?? signal}) before it was ready:\n${this.tail()}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killTimer);
  }

  tail(): string {
    return this.output.split('\n').slice(-40).join('\n');
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-e2e-data-'));
const profileDir = mkdtempSync(path.join(os.tmpdir(), 'kestrel-e2e-chromium-'));
// Hex: a base64url token can start with '-', which parseArgs would read as another option.
const token = randomBytes(18).toString('hex');
const server = new ServeProcess(dataDir, token);
let context: BrowserContext;
let page: Page;
let url: string;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const cspViolations: string[] = [];

const byTestId = (id: string): Locator => page.getByTestId(id);
const shot = (name: string) => page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`) });
// ag-grid 36 lays rows out differently from earlier versions; rows with a row-id and gridcells
// with a col-id are what stays stable (and what assistive tech reads).
const gridRows = (testId: string) => page.locator(`[data-testid="${testId}"] [role="row"][row-id]`);
const cellTexts = (testId: string, colId: string) => page.locator(`[data-testid="${testId}"] [role="gridcell"][col-id="${colId}"]`).allInnerTexts();
const rowWith = (testId: string, colId: string, text: string) =>
  page.locator(`[data-testid="${testId}"] [role="row"][row-id]:has([role="gridcell"][col-id="${colId}"]:text-is("${text}"))`);

async function apiGet<T>(route: string): Promise<T> {
  const res = await fetch(new URL(route, url), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${route} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

interface ApiAccount {
  accountId: string;
  mode: 'paper' | 'testnet' | 'live';
}
interface ApiBalance {
  accountId: string;
  currency: string;
  total: number;
}
/** Cash before the first order of the run: what a paper reset must bring back. */
let startingBalances: ApiBalance[] = [];
const money = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const barCount = async () => Number((await byTestId('chart-bar-count').getAttribute('data-count')) || '0');

const decimalsOf = (step: number) => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/** A limit buy price 5% under the bid, on the tick grid: it rests rather than fills. */
async function restingBuyPrice(instrumentId: string): Promise<string> {
  const instruments = await apiGet<Array<{ instrumentId: string; tickSize: number }>>('/api/instruments');
  const quotes = await apiGet<Array<{ instrumentId: string; bid: number | null; last: number | null }>>('/api/quotes');
  const tick = instruments.find((i) => i.instrumentId === instrumentId)?.tickSize;
  const q = quotes.find((x) => x.instrumentId === instrumentId);
  const bid = q?.bid ?? q?.last;
  if (!tick || !bid) throw new Error(`no tick size or bid for ${instrumentId} from /api/instruments and /api/quotes`);
  return (Math.floor((bid * 0.95) / tick) * tick).toFixed(decimalsOf(tick));
}

async function placeRestingBuy(): Promise<string> {
  const instrumentId = await byTestId('ticket-instrument').inputValue();
  await byTestId('ticket-side-buy').click();
  await byTestId('ticket-type').selectOption('limit');
  await byTestId('ticket-quantity').fill(await orderQuantity(instrumentId));
  await byTestId('ticket-price').fill(await restingBuyPrice(instrumentId));
  await byTestId('ticket-tif').selectOption('GTC');
  await byTestId('ticket-submit').click();
  const ack = await byTestId('ticket-ack').innerText();
  const clientOrderId = /\(([^)]+)\)\s*$/.exec(ack)?.[1];
  if (!clientOrderId) throw new Error(`no client order id in the ticket acknowledgement "${ack}"`);
  await rowWith('orders', 'clientOrderId', clientOrderId).waitFor();
  return clientOrderId;
}

/** A quantity the venue accepts: a whole number of lots worth at least the minimum notional. */
async function orderQuantity(instrumentId: string): Promise<string> {
  const instruments = await apiGet<Array<{ instrumentId: string; lotSize: number; minNotional?: number }>>('/api/instruments');
  const quotes = await apiGet<Array<{ instrumentId: string; last: number | null; ask: number | null }>>('/api/quotes');
  const inst = instruments.find((i) => i.instrumentId === instrumentId);
  if (!inst) throw new Error(`the ticket shows ${instrumentId}, which /api/instruments does not list`);
  const q = quotes.find((x) => x.instrumentId === instrumentId);
  const price = q?.ask ?? q?.last ?? 1;
  const lots = Math.max(1, Math.ceil(((inst.minNotional ?? 0) * 1.5) / price / inst.lotSize));
  return (lots * inst.lotSize).toFixed(decimalsOf(inst.lotSize));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'renderer', 'index.html'))) throw new Error('dist/renderer is missing: run npm run build first (npm test does)');
  mkdirSync(SHOTS_DIR, { recursive: true });
  url = await server.start();
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 900 },
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  // Records CSP refusals, which would otherwise only show up as a silently unstyled grid.
  await context.exposeBinding('__kestrelReportCsp', (_source, text: string) => void cspViolations.push(text));
  // A string, because this file is type-checked without DOM types.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => window.__kestrelReportCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`,
  });
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
}, 60_000);

describe('workstation in the browser', { timeout: 120_000 }, () => {
  it('opens with live simulated prices and hides the token from the address bar', async () => {
    await page.goto(url);
    await expect.poll(() => page.url()).not.toContain('token=');
    await expect.poll(async () => (await cellTexts('market-watch', 'bid')).filter((t) => t.trim() !== '').length, { timeout: STEP_TIMEOUT_MS }).toBeGreaterThan(0);
    const before = (await cellTexts('market-watch', 'bid')).join('|') + (await cellTexts('market-watch', 'last')).join('|');
    await expect
      .poll(async () => (await cellTexts('market-watch', 'bid')).join('|') + (await cellTexts('market-watch', 'last')).join('|'), { timeout: STEP_TIMEOUT_MS })
      .not.toBe(before);
    await expect.poll(() => byTestId('connection').getAttribute('data-state')).toBe('open');
    expect(await page.locator('[data-testid="market-watch"] [data-testid="row-simulated-badge"]').count()).toBeGreaterThan(0);
    await byTestId('header-simulated').waitFor();
    await expect.poll(() => byTestId('trading-state').getAttribute('data-state')).toBe('ACTIVE');
    await page.locator('[data-testid="chart"] canvas').first().waitFor();
    await byTestId('gateways').locator('.status-item').first().waitFor();
    await shot('01-live');
  });

  it('shows each account with its mode, and the ticket trades the first one', async () => {
    startingBalances = await apiGet<ApiBalance[]>('/api/balances');
    const accounts = await apiGet<ApiAccount[]>('/api/accounts');
    expect(accounts[0]?.mode).toBe('paper');
    for (const a of accounts) expect(await byTestId(`account-badge-${a.accountId}`).innerText()).toBe(a.mode.toUpperCase());
    expect(await byTestId('ticket-account-badge').innerText()).toBe('PAPER');
    expect(await byTestId('order-ticket').getAttribute('class')).not.toContain('ticket-mode-live');
  });

  it('prints the selected instrument\'s trades on the tape, coloured by side', async () => {
    const instrumentId = await byTestId('ticket-instrument').inputValue();
    expect(await byTestId('tape').locator('.panel-title').innerText()).toContain(instrumentId);
    await expect.poll(() => gridRows('tape').count()).toBeGreaterThan(0);
    // The DOM keeps rows in insertion order; row-index is the place on screen.
    const top = page.locator('[data-testid="tape"] [role="row"][row-index="0"]');
    const newest = () => top.locator('[col-id="tsEvent"]').innerText();
    const first = await newest();
    await expect.poll(newest, { timeout: STEP_TIMEOUT_MS }).not.toBe(first);
    const side = top.locator('[col-id="side"]');
    expect(await side.getAttribute('class')).toContain(`side-${await side.innerText()}-text`);

    const download = page.waitForEvent('download');
    await byTestId('tape-export-csv').click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv.split('\n')[0]).toContain('Trade id');
    expect(csv.split('\n').filter((l) => /^"?\d{4}-\d{2}-\d{2}T/.test(l)).length).toBeGreaterThan(0);
  });

  it('switches the chart to 5-minute candles, steps with [ and ], and keeps the choice on reload', async () => {
    await expect.poll(barCount).toBeGreaterThan(0);
    const minuteBars = await barCount();
    await byTestId('chart-interval-5m').click();
    await expect.poll(() => byTestId('chart-interval').getAttribute('data-value')).toBe('5m');
    await expect.poll(barCount).toBeGreaterThan(0);
    const instrumentId = await byTestId('ticket-instrument').inputValue();
    const fiveMinute = await apiGet<Array<{ interval: string }>>(`/api/bars?instrumentId=${encodeURIComponent(instrumentId)}&interval=5m&limit=500`);
    expect(fiveMinute.every((b) => b.interval === '5m')).toBe(true);
    // The simulator's two-hour warm-up makes about five 1m bars per 5m bar; a 5m bar may open meanwhile.
    expect(Math.abs((await barCount()) - fiveMinute.length)).toBeLessThanOrEqual(1);
    expect(await barCount()).toBeLessThan(minuteBars);
    await page.locator('[data-testid="chart"] canvas').first().waitFor();
    await shot('02-chart-5m');

    await page.keyboard.press(']');
    await expect.poll(() => byTestId('chart-interval').getAttribute('data-value')).toBe('1h');
    await page.keyboard.press('[');
    await expect.poll(() => byTestId('chart-interval').getAttribute('data-value')).toBe('5m');

    await page.reload();
    await expect.poll(() => byTestId('chart-interval').getAttribute('data-value')).toBe('5m');
    await expect.poll(barCount).toBeGreaterThan(0);
  });

  it('focuses the ticket with F9 and opens and closes the stop dialog from the keyboard', async () => {
    await page.keyboard.press('F10');
    await expect.poll(() => page.evaluate<string | null>(`document.activeElement && document.activeElement.getAttribute('data-testid')`)).toBe('ticket-quantity');
    expect(await byTestId('ticket-side-sell').getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('F9');
    expect(await byTestId('ticket-side-buy').getAttribute('aria-checked')).toBe('true');

    await page.keyboard.press('Control+Shift+K');
    await byTestId('kill-switch-dialog').waitFor();
    await page.keyboard.press('Escape');
    await byTestId('kill-switch-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => byTestId('trading-state').getAttribute('data-state')).toBe('ACTIVE');
  });

  it('explains an invalid order without sending it', async () => {
    await byTestId('ticket-quantity').fill('-3');
    await byTestId('ticket-submit').click();
    await expect.poll(() => byTestId('ticket-error').innerText()).toMatch(/quantity.*greater than 0/);
  });

  it('places a paper market order and sees it fill', async () => {
    const instrumentId = await byTestId('ticket-instrument').inputValue();
    expect(instrumentId).toMatch(/^[A-Z0-9_]+:/);
    const fillsBefore = await gridRows('fills').count();
    await byTestId('ticket-side-buy').click();
    await byTestId('ticket-type').selectOption('market');
    await byTestId('ticket-quantity').fill(await orderQuantity(instrumentId));
    await byTestId('ticket-submit').click();

    const ack = await byTestId('ticket-ack').innerText();
    const clientOrderId = /\(([^)]+)\)\s*$/.exec(ack)?.[1];
    expect(clientOrderId, `ticket acknowledgement "${ack}"`).toBeTruthy();
    await expect.poll(async () => cellTexts('fills', 'clientOrderId'), { timeout: STEP_TIMEOUT_MS }).toContain(clientOrderId);
    expect(await gridRows('fills').count()).toBeGreaterThan(fillsBefore);

    const fillRow = rowWith('fills', 'clientOrderId', clientOrderId!);
    expect(await fillRow.locator('[col-id="instrumentId"]').innerText()).toBe(instrumentId);
    expect(await fillRow.locator('[col-id="side"]').innerText()).toBe('buy');

    // The position is the sum of the fills: long, at the price it was filled at.
    const positionRow = rowWith('positions', 'instrumentId', instrumentId);
    await expect.poll(async () => Number((await positionRow.locator('[col-id="quantity"]').innerText().catch(() => '0')).replace(/,/g, '')), { timeout: STEP_TIMEOUT_MS }).toBeGreaterThan(0);
    expect(await positionRow.locator('[col-id="avgPrice"]').innerText()).not.toBe('');
    await shot('03-filled');

    const download = page.waitForEvent('download');
    await byTestId('fills-export-csv').click();
    const csvPath = await (await download).path();
    const csv = readFileSync(csvPath, 'utf8');
    expect(csv.split('\n')[0]).toContain('Client id');
    expect(csv).toContain(clientOrderId!);
    // Raw values for spreadsheets: ISO-8601 times, no thousands separators in prices.
    const fillLine = csv.split('\n').find((l) => l.includes(clientOrderId!)) ?? '';
    expect(fillLine).toMatch(/^"?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/);
    expect(fillLine).not.toMatch(/\d,\d{3}/);
  });

  it('rests a limit order and cancels it from the orders grid', async () => {
    const clientOrderId = await placeRestingBuy();
    const row = rowWith('orders', 'clientOrderId', clientOrderId);
    expect(await row.locator('[col-id="status"]').innerText()).toMatch(/open|pending/);
    await byTestId(`cancel-${clientOrderId}`).click();
    await row.waitFor({ state: 'detached' });
  });

  it('halts on the emergency stop, cancels what was open and refuses the next order', async () => {
    const resting = await placeRestingBuy();
    await byTestId('kill-switch').click();
    await byTestId('kill-switch-dialog').waitFor();
    expect(await byTestId('kill-switch-confirm').isDisabled()).toBe(true);
    await byTestId('kill-switch-reason').fill('e2e: stop everything');
    await byTestId('kill-switch-confirm').click();
    await byTestId('halted-banner').waitFor();
    expect(await byTestId('halted-banner').innerText()).toContain('e2e: stop everything');
    await expect.poll(() => byTestId('trading-state').getAttribute('data-state')).toBe('HALTED');
    await rowWith('orders', 'clientOrderId', resting).waitFor({ state: 'detached' });
    await shot('04-halted');
    await byTestId('ticket-type').selectOption('market');

    await byTestId('ticket-quantity').fill(await orderQuantity(await byTestId('ticket-instrument').inputValue()));
    await byTestId('ticket-submit').click();
    await expect.poll(() => byTestId('ticket-error').innerText()).toMatch(/halted/i);
    await shot('05-refused');
  });

  it('is still halted after the server restarts on the same data folder', async () => {
    const port = Number(new URL(url).port);
    await server.stop();
    await byTestId('disconnected-banner').waitFor();
    await shot('06-disconnected');

    // Same port and token: the open page reconnects by itself and re-reads every snapshot.
    url = await server.start(port);
    await expect.poll(() => byTestId('connection').getAttribute('data-state'), { timeout: STEP_TIMEOUT_MS }).toBe('open');
    await byTestId('halted-banner').waitFor();
    expect(await byTestId('halted-banner').innerText()).toContain('e2e: stop everything');

    // And a fresh load (token kept for the tab) shows the same.
    await page.reload();
    await byTestId('halted-banner').waitFor();
    await expect.poll(() => byTestId('trading-state').getAttribute('data-state')).toBe('HALTED');
    await expect.poll(async () => (await cellTexts('fills', 'clientOrderId')).length).toBeGreaterThan(0);
    await shot('07-restarted-halted');
  });

  it('re-arms with a reason', async () => {
    await byTestId('rearm').click();
    await byTestId('rearm-dialog').waitFor();
    expect(await byTestId('rearm-confirm').isDisabled()).toBe(true);
    await byTestId('rearm-reason').fill('e2e: checked, safe to trade');
    await byTestId('rearm-confirm').click();
    await byTestId('halted-banner').waitFor({ state: 'detached' });
    await expect.poll(() => byTestId('trading-state').getAttribute('data-state')).toBe('ACTIVE');
    await shot('08-rearmed');
  });

  it('resets the paper account: cancels its orders, clears its positions, restores its cash', async () => {
    const [account] = await apiGet<ApiAccount[]>('/api/accounts');
    // After the restart the simulator needs a moment before it quotes again.
    await expect.poll(() => byTestId('ticket-instrument').inputValue(), { timeout: STEP_TIMEOUT_MS }).not.toBe('');
    await expect.poll(async () => (await cellTexts('market-watch', 'ask')).filter((t) => t.trim() !== '').length, { timeout: STEP_TIMEOUT_MS }).toBeGreaterThan(0);
    const instrumentId = await byTestId('ticket-instrument').inputValue();
    await byTestId('ticket-type').selectOption('market');
    await byTestId('ticket-side-buy').click();
    await byTestId('ticket-quantity').fill(await orderQuantity(instrumentId));
    await byTestId('ticket-submit').click();
    const clientOrderId = /\(([^)]+)\)\s*$/.exec(await byTestId('ticket-ack').innerText())?.[1];
    await expect.poll(async () => cellTexts('fills', 'clientOrderId')).toContain(clientOrderId);
    expect(await rowWith('fills', 'clientOrderId', clientOrderId!).locator('[col-id="accountId"]').innerText()).toBe(account!.accountId);
    await expect.poll(() => gridRows('positions').count()).toBeGreaterThan(0);
    const resting = await placeRestingBuy();

    await byTestId('paper-reset').click();
    await byTestId('paper-reset-dialog').waitFor();
    const text = await byTestId('paper-reset-text').innerText();
    expect(text).toContain(account!.accountId);
    expect(text).toMatch(/open orders.*canceled/);
    expect(text).toMatch(/cash restored/);
    await byTestId('paper-reset-confirm').click();
    await byTestId('paper-reset-dialog').waitFor({ state: 'detached' });

    await rowWith('orders', 'clientOrderId', resting).waitFor({ state: 'detached' });
    await expect.poll(() => gridRows('positions').count()).toBe(0);
    const mine = startingBalances.filter((b) => b.accountId === account!.accountId);
    expect(mine.length).toBeGreaterThan(0);
    for (const b of mine) {
      await expect.poll(() => byTestId(`balance-${b.accountId}-${b.currency}`).innerText()).toBe(`${b.currency} ${money(b.total)}`);
    }
    expect((await apiGet<Array<{ accountId: string }>>('/api/positions')).filter((p) => p.accountId === account!.accountId)).toEqual([]);
    await shot('09-paper-reset');
  });

  it('ran with no script error and no Content-Security-Policy refusal', async () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
    // Failed WebSocket connects while the server was down are expected console noise.
    expect(consoleErrors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});
