import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import {
  CandlestickSeries,
  ColorType,
  createChart,
  CrosshairMode,
  HistogramSeries,
  type CandlestickData,
  type HistogramData,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Bar } from '../../../shared/model/index.js';
import { SimulatedBadge } from '../../components/Badge.js';
import { decimalsForTick, formatNumber } from '../../components/format.js';
import { Panel } from '../../components/Panel.js';
import { useStores } from '../../stores/stores-context.js';

const UP = '#26a69a';
const DOWN = '#ef5350';
const BAR_SPACING_PX = 8;
const RIGHT_OFFSET_BARS = 6;
/** A short history (24h bars after a two-hour warm-up) is drawn wider, but not as slabs. */
const MAX_FIT_SPACING_PX = 22;

const toTime = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;
const toCandle = (b: Bar): CandlestickData => ({ time: toTime(b.openTime), open: b.open, high: b.high, low: b.low, close: b.close });
const toVolume = (b: Bar): HistogramData => ({ time: toTime(b.openTime), value: b.volume, color: b.close >= b.open ? 'rgba(38,166,154,0.28)' : 'rgba(239,83,80,0.28)' });

export function CandleChart() {
  const { chart: chartStore, market } = useStores();
  const hostRef = useRef<HTMLDivElement>(null);
  const candlesRef = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const instrumentId = useStore(chartStore, (s) => s.instrumentId);
  const interval = useStore(chartStore, (s) => s.interval);
  const intervals = useStore(chartStore, (s) => s.intervals);
  const loading = useStore(chartStore, (s) => s.loading);
  const error = useStore(chartStore, (s) => s.error);
  const barCount = useStore(chartStore, (s) => s.bars.length);
  const row = useStore(market, (s) => s.rows.find((r) => r.instrumentId === instrumentId) ?? null);
  const tickSize = row?.tickSize ?? null;

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const chart: IChartApi = createChart(host, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: '#0f1419' }, textColor: '#8a97a8', fontSize: 11 },
      grid: { vertLines: { color: '#1a232d' }, horzLines: { color: '#1a232d' } },
      crosshair: { mode: CrosshairMode.Normal },
      rightPriceScale: { borderColor: '#233040' },
      // Room to the right of the forming bar, so it does not sit under the price scale.
      timeScale: { borderColor: '#233040', timeVisible: true, secondsVisible: false, rightOffset: RIGHT_OFFSET_BARS, barSpacing: BAR_SPACING_PX },
    });
    const candles: ISeriesApi<'Candlestick'> = chart.addSeries(CandlestickSeries, {
      upColor: UP,
      downColor: DOWN,
      borderVisible: false,
      wickUpColor: UP,
      wickDownColor: DOWN,
    });
    const volume: ISeriesApi<'Histogram'> = chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    // Candles in the top three quarters, volume in the bottom fifth: they do not overlap.
    chart.priceScale('right').applyOptions({ scaleMargins: { top: 0.06, bottom: 0.24 } });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });

    const draw = (bars: Bar[]) => {
      candles.setData(bars.map(toCandle));
      volume.setData(bars.map(toVolume));
    };
    draw(chartStore.getState().bars);
    // A new instrument or interval opens at its latest bar once its history is in.
    let scrollToLatest = true;
    // Bars arrive several times a second; they go straight to the chart, not through React renders.
    const unsubscribe = chartStore.subscribe((s, prev) => {
      if (s.instrumentId !== prev.instrumentId || s.interval !== prev.interval) scrollToLatest = true;
      if (s.revision === prev.revision) return;
      if (s.lastChange.kind === 'update' && !scrollToLatest) {
        try {
          candles.update(toCandle(s.lastChange.bar));
          volume.update(toVolume(s.lastChange.bar));
          return;
        } catch {
          // lightweight-charts refuses updates older than its last bar; redraw from the array instead.
        }
      }
      draw(s.bars);
      if (scrollToLatest && s.bars.length > 0) {
        const timeScale = chart.timeScale();
        const fit = timeScale.width() / (s.bars.length + RIGHT_OFFSET_BARS);
        timeScale.applyOptions({ barSpacing: Math.min(MAX_FIT_SPACING_PX, Math.max(BAR_SPACING_PX, fit)) });
        timeScale.scrollToRealTime();
        scrollToLatest = false;
      }
    });
    candlesRef.current = candles;
    return () => {
      unsubscribe();
      candlesRef.current = null;
      chart.remove();
    };
  }, [chartStore]);

  useEffect(() => {
    const decimals = decimalsForTick(tickSize);
    candlesRef.current?.applyOptions({ priceFormat: { type: 'price', precision: decimals, minMove: tickSize ?? 10 ** -decimals } });
  }, [tickSize, instrumentId]);

  const decimals = decimalsForTick(tickSize);
  return (
    <Panel
      testId="chart"
      className="chart-panel"
      title={
        <span className="chart-title">
          <span className="instrument-symbol">{instrumentId ?? 'No instrument selected'}</span>
          {row?.simulated ? <SimulatedBadge testId="chart-simulated-badge" /> : null}
          {row?.last !== null && row?.last !== undefined ? <span className="chart-last num-strong">{formatNumber(row.last, decimals)}</span> : null}
        </span>
      }
      actions={
        <>
          <span className="interval-picker" role="radiogroup" aria-label="Chart interval" data-testid="chart-interval" data-value={interval}>
            {intervals.map((iv) => (
              <button
                key={iv}
                type="button"
                role="radio"
                aria-checked={iv === interval}
                className={`btn btn-ghost interval-btn ${iv === interval ? 'active' : ''}`}
                data-testid={`chart-interval-${iv}`}
                title={`${iv} bars ([ and ] step through the intervals)`}
                onClick={() => void chartStore.getState().selectInterval(iv)}
              >
                {iv}
              </button>
            ))}
          </span>
          <span className="muted small" data-testid="chart-bar-count" data-count={loading ? '' : barCount}>
            {loading ? 'loading bars…' : `${barCount} bars · UTC`}
          </span>
        </>
      }
    >
      <div className="chart-host" ref={hostRef} data-testid="chart-canvas-host" />
      {error ? <div className="panel-error">{error}</div> : null}
    </Panel>
  );
}
