import { css, html, LitElement, nothing, svg, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { baseStyles } from '../ui/theme.js';
import { defineElement } from '../ui/define-element.js';
import type { LatencySample } from './latency-probe.js';
import { axisTopMs, summarizeLatency } from './latency-stats.js';

const WIDTH = 600;
const HEIGHT = 150;
const PAD_LEFT = 40;
const PAD_BOTTOM = 16;

const ms = (value: number | null): string => (value === null ? '–' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`);

/**
 * `<mk-latency-chart>`: a live line of write latency samples (plain SVG), failed writes as red
 * marks. Properties: `samples`, `capacity` (the samples the x axis holds).
 * Parts: panel, header, title, chart, line, failure, summary.
 */
export class MkLatencyChart extends LitElement {
  static override styles = [
    baseStyles,
    css`
      header {
        display: flex;
        gap: var(--_gap);
        align-items: baseline;
        flex-wrap: wrap;
      }
      .title {
        font-weight: 600;
        flex: 1;
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
      }
      .grid {
        stroke: var(--_border);
        stroke-width: 1;
      }
      .axis {
        fill: var(--_muted);
        font-size: 10px;
        font-family: var(--_mono);
      }
      .line {
        fill: none;
        stroke: var(--_accent);
        stroke-width: 1.8;
        stroke-linejoin: round;
      }
      .failure {
        fill: var(--_danger);
      }
    `,
  ];

  @property({ attribute: false }) samples: readonly LatencySample[] = [];
  @property({ type: Number }) capacity = 120;

  protected override render(): TemplateResult {
    const samples = this.samples;
    const summary = summarizeLatency(samples);
    const top = axisTopMs(samples);
    const plotWidth = WIDTH - PAD_LEFT;
    const plotHeight = HEIGHT - PAD_BOTTOM;
    const slots = Math.max(2, this.capacity);
    const offset = slots - samples.length;
    const x = (i: number) => PAD_LEFT + ((offset + i) / (slots - 1)) * plotWidth;
    const y = (value: number) => plotHeight - (Math.min(value, top) / top) * (plotHeight - 4);
    const points = samples.flatMap((sample, i) => (sample.error === null ? [`${x(i).toFixed(1)},${y(sample.latencyMs).toFixed(1)}`] : [])).join(' ');
    const grid = [0, 0.5, 1].map((fraction) => top * fraction);
    return html`<section class="panel" part="panel">
      <header part="header">
        <span class="title" part="title">Write latency</span>
        <span class="muted" part="summary">
          last <b class="mono">${ms(summary.lastMs)}</b> · median ${ms(summary.medianMs)} · p95 ${ms(summary.p95Ms)} · max ${ms(summary.maxMs)}
          ${summary.failures > 0 ? html` · <span class="danger">${summary.failures} failed</span>` : nothing}
        </span>
      </header>
      <svg part="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="write latency, last ${samples.length} writes">
        ${grid.map(
          (value) => svg`<line class="grid" x1=${PAD_LEFT} x2=${WIDTH} y1=${y(value)} y2=${y(value)}></line>
            <text class="axis" x=${PAD_LEFT - 4} y=${y(value) + 3} text-anchor="end">${value >= 1000 ? `${value / 1000}s` : value}</text>`,
        )}
        <polyline class="line" part="line" points=${points}></polyline>
        ${samples.map((sample, i) => (sample.error === null ? nothing : svg`<circle class="failure" part="failure" cx=${x(i)} cy=${6} r="3"><title>${sample.error}</title></circle>`))}
        <text class="axis" x=${PAD_LEFT} y=${HEIGHT - 3}>ms per setData, one a second — the last ${slots} s</text>
      </svg>
    </section>`;
  }
}

defineElement('mk-latency-chart', MkLatencyChart);

declare global {
  interface HTMLElementTagNameMap {
    'mk-latency-chart': MkLatencyChart;
  }
}
