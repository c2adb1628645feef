/**
 * Line charts as SVG, for RESULTS.md: a few series of (x, y) points on shared axes, linear or
 * logarithmic. Pure (returns the SVG text); no fonts or scripts to fetch, so it renders offline.
 */

export interface Series {
  label: string;
  points: { x: number; y: number }[];
  /** Drawn dashed (a reference, such as a baseline). */
  dashed?: boolean;
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic axes (values must be > 0). */
  logX?: boolean;
  logY?: boolean;
  /** Horizontal reference lines, e.g. a target. */
  rules?: { y: number; label: string }[];
  /** The line y = x, e.g. "handled as fast as offered". */
  diagonal?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const WIDTH = 460;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 32, bottom: 48 };

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Round tick values: 1-2-5 steps on a linear axis, powers of ten on a log one. */
export function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
    return out;
  }
  const span = max - min || 1;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step / 2; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const label = (v: number) => (Math.abs(v) >= 1000 ? `${v / 1000}k` : String(v));

function panel(p: Panel, offsetX: number): string {
  const points = p.series.flatMap((s) => s.points).filter((pt) => Number.isFinite(pt.x) && Number.isFinite(pt.y));
  const ruleValues = (p.rules ?? []).map((r) => r.y);
  const xs = points.map((pt) => pt.x);
  const ys = [...points.map((pt) => pt.y), ...ruleValues, ...(p.diagonal ? xs : [])];
  const xTicks = ticks(Math.min(...xs), Math.max(...xs), p.logX ?? false);
  const yTicks = ticks(p.logY ? Math.max(Math.min(...ys), 1e-9) : Math.min(0, ...ys), Math.max(...ys), p.logY ?? false);
  const [x0, x1] = [xTicks[0]!, xTicks.at(-1)!];
  const [y0, y1] = [yTicks[0]!, yTicks.at(-1)!];
  const t = (v: number, log: boolean) => (log ? Math.log10(v) : v);
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (v: number) =>
    offsetX + MARGIN.left + ((t(v, !!p.logX) - t(x0, !!p.logX)) / (t(x1, !!p.logX) - t(x0, !!p.logX))) * innerW;
  const py = (v: number) =>
    MARGIN.top +
    innerH -
    ((t(Math.max(v, p.logY ? y0 : v), !!p.logY) - t(y0, !!p.logY)) / (t(y1, !!p.logY) - t(y0, !!p.logY))) * innerH;
  const out: string[] = [];
  out.push(
    `<text x="${offsetX + WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(p.title)}</text>`,
  );
  for (const v of xTicks) {
    out.push(
      `<line x1="${px(v)}" y1="${MARGIN.top}" x2="${px(v)}" y2="${MARGIN.top + innerH}" stroke="#eee"/>`,
      `<text x="${px(v)}" y="${MARGIN.top + innerH + 16}" text-anchor="middle">${label(v)}</text>`,
    );
  }
  for (const v of yTicks) {
    out.push(
      `<line x1="${offsetX + MARGIN.left}" y1="${py(v)}" x2="${offsetX + MARGIN.left + innerW}" y2="${py(v)}" stroke="#eee"/>`,
      `<text x="${offsetX + MARGIN.left - 6}" y="${py(v) + 4}" text-anchor="end">${label(v)}</text>`,
    );
  }
  out.push(
    `<rect x="${offsetX + MARGIN.left}" y="${MARGIN.top}" width="${innerW}" height="${innerH}" fill="none" stroke="#888"/>`,
    `<text x="${offsetX + MARGIN.left + innerW / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escapeXml(p.xLabel)}</text>`,
    `<text transform="translate(${offsetX + 14} ${MARGIN.top + innerH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(p.yLabel)}</text>`,
  );
  if (p.diagonal) {
    const lo = Math.max(x0, y0);
    const hi = Math.min(x1, y1);
    out.push(
      `<line x1="${px(lo)}" y1="${py(lo)}" x2="${px(hi)}" y2="${py(hi)}" stroke="#999" stroke-dasharray="2 3"/>`,
    );
  }
  for (const r of p.rules ?? []) {
    out.push(
      `<line x1="${offsetX + MARGIN.left}" y1="${py(r.y)}" x2="${offsetX + MARGIN.left + innerW}" y2="${py(r.y)}" stroke="#999" stroke-dasharray="6 3"/>`,
      `<text x="${offsetX + MARGIN.left + innerW - 4}" y="${py(r.y) - 4}" text-anchor="end" fill="#666">${escapeXml(r.label)}</text>`,
    );
  }
  p.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.filter((pt) => Number.isFinite(pt.x) && Number.isFinite(pt.y));
    if (pts.length === 0) return;
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts
        .map((pt) => `${px(pt.x).toFixed(1)},${py(pt.y).toFixed(1)}`)
        .join(' ')}"/>`,
      ...pts.map((pt) => `<circle cx="${px(pt.x).toFixed(1)}" cy="${py(pt.y).toFixed(1)}" r="3" fill="${color}"/>`),
    );
    const ly = MARGIN.top + 14 + i * 16;
    out.push(
      `<line x1="${offsetX + MARGIN.left + 8}" y1="${ly - 4}" x2="${offsetX + MARGIN.left + 28}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${offsetX + MARGIN.left + 32}" y="${ly}">${escapeXml(s.label)}</text>`,
    );
  });
  return out.join('\n');
}

/** Panels side by side in one SVG. */
export function lineCharts(panels: Panel[]): string {
  const width = WIDTH * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${HEIGHT}" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * WIDTH)),
    '</svg>',
    '',
  ].join('\n');
}
