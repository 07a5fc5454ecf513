// The weight chart of a rollout: the share of traffic the new revision had over time, as an inline SVG (no library).
// A promoted rollout ends at 100% (the primary now runs the new revision), a failed or rolled back one at 0%.

import { svg } from './dom.js';
import { formatTime, formatDuration, gateLabel } from './format.js';

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 14, right: 16, bottom: 34, left: 44 };

function ms(value) {
  return new Date(value).getTime();
}

/** The points of the weight line: [{ t, weight, step }], starting at 0% when the rollout started. */
export function weightPoints(rollout) {
  const points = [{ t: ms(rollout.startedAt), weight: 0, step: null }];
  for (const step of rollout.steps ?? []) {
    if (typeof step.weight === 'number') {
      points.push({ t: ms(step.time), weight: step.weight, step });
    }
  }
  const end = rollout.end;
  if (end) {
    const weight = end.outcome === 'promoted' ? 100 : end.outcome === 'superseded' ? null : 0;
    if (weight !== null) {
      points.push({ t: ms(end.time), weight, step: null, end: true });
    }
  }
  return points;
}

/** The chart, with a text alternative that says the same as the picture. */
export function weightChart(rollout) {
  const points = weightPoints(rollout);
  const start = ms(rollout.startedAt);
  const last = Math.max(ms(rollout.endedAt ?? rollout.lastEventAt), ...points.map((p) => p.t));
  const span = Math.max(last - start, 1000);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t) => MARGIN.left + ((t - start) / span) * plotWidth;
  const y = (weight) => MARGIN.top + (1 - weight / 100) * plotHeight;

  const steps = points.filter((p) => p.step).map((p) => `${p.weight}%`);
  const label = steps.length > 0
    ? `Traffic to the new revision over ${formatDuration(span / 1000)}: ${steps.join(', ')}`
      + (rollout.end ? `, then ${rollout.end.outcome === 'promoted' ? '100% (promoted)' : '0%'}.` : '.')
    : 'No traffic was shifted to the new revision yet.';

  const chart = svg('svg', {
    class: 'weight-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': label,
    'data-points': points.length,
  }, svg('title', {}, label));

  for (const weight of [0, 25, 50, 75, 100]) {
    chart.append(
      svg('line', { class: 'grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(weight), y2: y(weight) }),
      svg('text', { class: 'axis-label', x: MARGIN.left - 8, y: y(weight) + 4, 'text-anchor': 'end' }, `${weight}%`),
    );
  }
  chart.append(
    svg('text', { class: 'axis-label', x: MARGIN.left, y: HEIGHT - 10, 'text-anchor': 'start' }, formatTime(start)),
    svg('text', { class: 'axis-label', x: WIDTH - MARGIN.right, y: HEIGHT - 10, 'text-anchor': 'end' }, `+${formatDuration(span / 1000)}`),
  );

  // A step line: the weight holds until Flagger changes it.
  let d = '';
  points.forEach((p, i) => {
    d += i === 0 ? `M${x(p.t)},${y(p.weight)}` : `H${x(p.t)}V${y(p.weight)}`;
  });
  if (!rollout.end && points.length > 0) {
    d += `H${x(last)}`;
  }
  chart.append(svg('path', { class: 'weight-line', d }));

  for (const p of points) {
    if (p.step) {
      chart.append(svg('circle', { class: 'weight-point', cx: x(p.t), cy: y(p.weight), r: 4, 'data-weight': p.weight },
        svg('title', {}, `${p.weight}% at ${formatTime(p.t)}`)));
    }
  }

  // Failed checks sit on the line where they happened; gates along the top.
  let weightNow = 0;
  let next = 0;
  const sorted = points.slice().sort((a, b) => a.t - b.t);
  for (const step of rollout.steps ?? []) {
    const t = ms(step.time);
    while (next < sorted.length && sorted[next].t <= t) {
      weightNow = sorted[next].weight;
      next += 1;
    }
    if (step.type === 'halted') {
      chart.append(svg('circle', { class: 'check-failed', cx: x(t), cy: y(weightNow), r: 6 },
        svg('title', {}, `Check failed at ${formatTime(t)}: ${step.failedCheck ?? step.message ?? ''}`)));
    }
  }
  for (const gate of rollout.gates ?? []) {
    if (gate.approvedAt) {
      const gx = x(ms(gate.approvedAt));
      chart.append(svg('path', { class: 'gate-mark', d: `M${gx},${MARGIN.top - 6}l5,6l-5,6l-5,-6z` },
        svg('title', {}, `${gateLabel(gate.hook)} approved${gate.approvedBy ? ` by ${gate.approvedBy}` : ''} at ${formatTime(gate.approvedAt)}`)));
    }
  }
  if (rollout.end) {
    const ex = x(ms(rollout.end.time));
    chart.append(svg('line', { class: `end-mark end-${rollout.end.outcome}`, x1: ex, x2: ex, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom },
      svg('title', {}, `${rollout.end.outcome} at ${formatTime(rollout.end.time)}`)));
  }
  return chart;
}
