/**
 * A lot's cold chain as an SVG chart: time on x, °C on y, the allowed band shaded, point readings as dots and sensor
 * batches as min–max bars with a mean tick. Every mark outside the band has class `excursion` (red, ✕) and
 * `data-testid="excursion"`; the same marks are listed in text under the chart. Attributes and classes only: the
 * page's CSP allows no inline styles.
 */
import { degreesText } from "@core/cold-chain.js";
import { html, svg, type TemplateResult } from "lit-html";

import type { ColdChainSeries } from "../consumer/model.js";

const W = 380;
const H = 230;
const M = { left: 34, right: 10, top: 12, bottom: 30 };

export interface Excursion {
  kind: "reading" | "batch";
  time: number;
  to?: number;
  /** The offending value, 0.01 °C. */
  value: number;
  stage: string;
  text: string;
}

function outside(band: ColdChainSeries["band"], low: number, high: number): boolean {
  return high > band.max || (band.min !== undefined && low < band.min);
}

/** The marks of `series` outside its band, in time order, each with a line of text. */
export function excursionsOf(series: ColdChainSeries, when: (t: number) => string): Excursion[] {
  const out: Excursion[] = [];
  for (const r of series.readings) {
    if (!outside(series.band, r.temperature, r.temperature)) continue;
    out.push({
      kind: "reading",
      time: r.time,
      value: r.temperature,
      stage: r.stage,
      text: `${degreesText(r.temperature)} measured at the ${r.stage} on ${when(r.time)}`,
    });
  }
  for (const b of series.batches) {
    if (!b.excursion && !outside(series.band, b.minimum, b.maximum)) continue;
    const worst = b.maximum > series.band.max || series.band.min === undefined ? b.maximum : b.minimum;
    out.push({
      kind: "batch",
      time: b.from,
      to: b.to,
      value: worst,
      stage: b.stage,
      text:
        `${b.count} sensor readings at the ${b.stage} from ${when(b.from)} to ${when(b.to)} ranged ` +
        `${degreesText(b.minimum)} to ${degreesText(b.maximum)}`,
    });
  }
  return out.sort((a, b) => a.time - b.time);
}

function niceStep(span: number): number {
  // 0.01 °C units: steps of 1, 2, 5, 10 °C…
  const raw = span / 5;
  for (const step of [100, 200, 500, 1000, 2000, 5000]) if (raw <= step) return step;
  return 10000;
}

function shortTime(t: number): string {
  const d = new Date(t * 1000);
  return `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" })} ${d
    .toISOString()
    .slice(11, 16)}`;
}

/** The chart of one lot's readings and batches (`label` names the lot in the accessible title). */
export function coldChainChart(series: ColdChainSeries, label: string): TemplateResult {
  const times: number[] = [];
  const temps: number[] = [series.band.max];
  if (series.band.min !== undefined) temps.push(series.band.min);
  for (const r of series.readings) {
    times.push(r.time);
    temps.push(r.temperature);
  }
  for (const b of series.batches) {
    times.push(b.from, b.to);
    temps.push(b.minimum, b.maximum);
  }
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  if (t1 - t0 < 3600) {
    t0 -= 1800;
    t1 += 1800;
  }
  const pad = (t1 - t0) * 0.04;
  t0 -= pad;
  t1 += pad;
  let lo = Math.min(...temps);
  let hi = Math.max(...temps);
  if (series.band.min === undefined) lo = Math.min(lo, series.band.max - 600);
  const step = niceStep(hi - lo + 200);
  lo = Math.floor((lo - 100) / step) * step;
  hi = Math.ceil((hi + 100) / step) * step;

  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * (W - M.left - M.right);
  const y = (c: number) => M.top + ((hi - c) / (hi - lo)) * (H - M.top - M.bottom);
  const bandTop = y(Math.min(series.band.max, hi));
  const bandBottom = series.band.min === undefined ? y(lo) : y(Math.max(series.band.min, lo));

  const yTicks: number[] = [];
  for (let c = lo; c <= hi; c += step) yTicks.push(c);
  const xTicks = [0, 1, 2].map((i) => t0 + ((t1 - t0) * (i + 0.5)) / 3);

  const cross = (cx: number, cy: number) =>
    svg`<path class="cross" d=${`M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx - 5} ${cy + 5}L${cx + 5} ${cy - 5}`} />`;

  const batches = series.batches.map((b) => {
    const bad = b.excursion || outside(series.band, b.minimum, b.maximum);
    const left = x(b.from);
    const width = Math.max(4, x(b.to) - left);
    const top = y(b.maximum);
    const height = Math.max(2, y(b.minimum) - top);
    const title = `${b.stage}: ${b.count} readings, ${degreesText(b.minimum)} to ${degreesText(b.maximum)}, mean ${degreesText(b.mean)}`;
    return svg`<g class=${bad ? "batch excursion" : "batch"} data-testid=${bad ? "excursion" : "batch"}>
      <title>${title}</title>
      <rect x=${left} y=${top} width=${width} height=${height} rx="1.5"></rect>
      <line class="mean" x1=${left} x2=${left + width} y1=${y(b.mean)} y2=${y(b.mean)}></line>
      ${bad ? cross(left + width / 2, b.maximum > series.band.max ? top - 8 : top + height + 8) : ""}
    </g>`;
  });

  const readings = series.readings.map((r) => {
    const bad = outside(series.band, r.temperature, r.temperature);
    const cx = x(r.time);
    const cy = y(r.temperature);
    const title = `${degreesText(r.temperature)} at the ${r.stage}, ${shortTime(r.time)} UTC`;
    return bad
      ? svg`<g class="reading excursion" data-testid="excursion"><title>${title}</title>
          <circle cx=${cx} cy=${cy} r="7"></circle>${cross(cx, cy)}</g>`
      : svg`<g class="reading"><title>${title}</title><circle cx=${cx} cy=${cy} r="4.5"></circle></g>`;
  });

  const line =
    series.readings.length > 1
      ? [...series.readings]
          .sort((a, b) => a.time - b.time)
          .map((r, i) => `${i === 0 ? "M" : "L"}${x(r.time).toFixed(1)} ${y(r.temperature).toFixed(1)}`)
          .join("")
      : "";

  return html`<svg
    class="chart"
    viewBox="0 0 ${W} ${H}"
    role="img"
    aria-label="Temperatures of ${label} over time; allowed band shaded"
    preserveAspectRatio="xMidYMid meet"
  >
    <rect
      class="band"
      x=${M.left}
      y=${bandTop}
      width=${W - M.left - M.right}
      height=${Math.max(0, bandBottom - bandTop)}
    ></rect>
    ${yTicks.map(
      (c) => svg`<line class="grid" x1=${M.left} x2=${W - M.right} y1=${y(c)} y2=${y(c)}></line>
        <text class="tick" x=${M.left - 6} y=${y(c) + 4} text-anchor="end">${c / 100}</text>`,
    )}
    <text class="tick" x="2" y=${H - 12}>°C</text>
    ${xTicks.map((t) => svg`<text class="tick" x=${x(t)} y=${H - 12} text-anchor="middle">${shortTime(t)}</text>`)}
    <line class="axis" x1=${M.left} x2=${W - M.right} y1=${H - M.bottom} y2=${H - M.bottom}></line>
    <line class="axis" x1=${M.left} x2=${M.left} y1=${M.top} y2=${H - M.bottom}></line>
    ${line === "" ? "" : svg`<path class="trend" d=${line}></path>`} ${batches} ${readings}
  </svg>`;
}
