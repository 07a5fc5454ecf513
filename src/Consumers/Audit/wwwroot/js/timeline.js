// One rollout's timeline: its facts, the weight chart, the weight steps, checks, gates and how it ended.

import { el } from './dom.js';
import { weightChart } from './chart.js';
import { formatDuration, formatTime, gateLabel, isoTime, outcomeLabel } from './format.js';

function time(value) {
  return value ? el('time', { datetime: isoTime(value) }, formatTime(value)) : '';
}

function fact(term, ...description) {
  return [el('dt', {}, term), el('dd', {}, ...description)];
}

function section(title, className, body) {
  return el('section', { class: `timeline-part ${className}` }, el('h4', {}, title), body);
}

function weightSteps(rollout) {
  const steps = (rollout.steps ?? []).filter((s) => typeof s.weight === 'number');
  if (steps.length === 0) {
    return el('p', { class: 'empty' }, 'No traffic shifted yet.');
  }
  return el('ol', { class: 'weight-steps' }, steps.map((s) => el('li', { 'data-weight': s.weight },
    el('span', { class: 'weight' }, `${s.weight}%`), ' ',
    typeof s.iteration === 'number' ? `iteration ${s.iteration}${typeof s.iterations === 'number' ? ` of ${s.iterations}` : ''}, ` : '',
    time(s.time))));
}

function checks(rollout) {
  const items = (rollout.steps ?? []).filter((s) => s.type === 'halted' || s.type === 'check.passed');
  if (items.length === 0) {
    return el('p', { class: 'empty' }, 'No check reported yet.');
  }
  return el('ul', { class: 'checks' }, items.map((s) => {
    const passed = s.type === 'check.passed';
    return el('li', { class: passed ? 'check passed' : 'check failed', 'data-result': passed ? 'passed' : 'failed' },
      el('span', { class: 'badge' }, passed ? 'Passed' : 'Failed'), ' ',
      (passed ? s.message : s.failedCheck ?? s.message) ?? '', ' ', time(s.time));
  }));
}

function gates(rollout) {
  const list = rollout.gates ?? [];
  if (list.length === 0) {
    return el('p', { class: 'empty' }, 'No manual gate.');
  }
  return el('ul', { class: 'gates' }, list.map((g) => el('li', { 'data-hook': g.hook, 'data-approved': g.approvedAt ? 'true' : 'false' },
    el('strong', {}, gateLabel(g.hook)), g.webhook ? ` (${g.webhook})` : '', ': ',
    g.approvedAt
      ? ['approved', g.approvedBy ? [' by ', el('span', { class: 'approver' }, g.approvedBy)] : '', ' at ', time(g.approvedAt)]
      : ['waiting', g.waitingSince ? [' since ', time(g.waitingSince)] : ''],
    g.calledAt ? [', webhook called at ', time(g.calledAt)] : '')));
}

function ending(rollout) {
  if (!rollout.end) {
    return el('p', { class: 'end', 'data-outcome': 'none' }, `Still ${outcomeLabel(rollout.status).toLowerCase()}, for `,
      formatDuration((new Date(rollout.lastEventAt) - new Date(rollout.startedAt)) / 1000), ' so far.');
  }
  return el('p', { class: `end end-${rollout.end.outcome}`, 'data-outcome': rollout.end.outcome },
    el('strong', { class: 'outcome' }, outcomeLabel(rollout.end.outcome)), ' at ', time(rollout.end.time),
    ' after ', el('span', { class: 'duration' }, formatDuration(rollout.durationSeconds)),
    rollout.end.message ? [': ', rollout.end.message] : '.');
}

function allEvents(rollout) {
  const steps = rollout.steps ?? [];
  return el('details', { class: 'events' },
    el('summary', {}, `Events of this rollout (${rollout.eventCount ?? steps.length})`),
    el('ol', {}, steps.map((s) => el('li', {},
      time(s.time), ' ', el('code', {}, s.type), s.phase ? ` (${s.phase})` : '', s.message ? ` ${s.message}` : ''))));
}

/** The whole timeline of a rollout as returned by GET api/v1/rollouts/{id}. */
export function renderTimeline(rollout) {
  return el('article', { class: 'rollout-detail', 'data-rollout-id': rollout.id, 'data-status': rollout.status },
    el('h3', {}, `${rollout.namespace}/${rollout.canary}`, ' ', el('span', { class: 'revision' }, `revision ${rollout.checksum}`)),
    el('dl', { class: 'facts' },
      fact('Status', el('span', { class: `status status-${rollout.status}` }, outcomeLabel(rollout.status))),
      fact('Started', time(rollout.startedAt)),
      fact(rollout.end ? 'Ended' : 'Last event', time(rollout.endedAt ?? rollout.lastEventAt)),
      fact('Duration', formatDuration(rollout.durationSeconds
        ?? (new Date(rollout.lastEventAt) - new Date(rollout.startedAt)) / 1000)),
      fact('Failed checks', String(rollout.failedChecks ?? 0))),
    el('figure', { class: 'chart' }, weightChart(rollout),
      el('figcaption', {}, 'Traffic to the new revision over time. Red circles: failed checks; diamonds: approved gates.')),
    section('Weight steps', 'part-weights', weightSteps(rollout)),
    section('Checks', 'part-checks', checks(rollout)),
    section('Gates', 'part-gates', gates(rollout)),
    section('End', 'part-end', ending(rollout)),
    allEvents(rollout));
}
