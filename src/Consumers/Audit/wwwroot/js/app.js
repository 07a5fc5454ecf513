// The timeline page: canaries with their phase, the recent rollouts, and the chosen rollout's timeline, kept current by
// the audit service's server-sent events (api/v1/stream).

import { Unauthorized, adoptTokenFromAddress, getJson, setToken, streamUrl } from './api.js';
import { el, replaceChildren } from './dom.js';
import { formatTime, isoTime, outcomeLabel } from './format.js';
import { renderTimeline } from './timeline.js';

const ROLLOUT_LIMIT = 50;
const RELOAD_DELAY_MS = 150;
const MAX_RETRY_MS = 30000;

const state = {
  canaries: new Map(),
  rollouts: new Map(),
  selected: null,
  timeline: null,
  source: null,
  retryMs: 1000,
  retryTimer: null,
  timelineTimer: null,
  timelineAbort: null,
};

const $ = (id) => document.getElementById(id);

function setConnection(stateName, text) {
  const node = $('connection');
  node.dataset.state = stateName;
  node.textContent = text;
}

function showError(message) {
  const node = $('error');
  node.hidden = !message;
  node.textContent = message ?? '';
}

function announce(text) {
  // Replacing the text (not appending) keeps the live region short; screen readers read each change once.
  $('announcer').textContent = text;
}

function selectedFromAddress() {
  const match = /^#rollout=([0-9a-f]{1,64})$/i.exec(window.location.hash);
  return match ? match[1] : null;
}

function keyOf(ns, name) {
  return `${ns}/${name}`;
}

function sortedRollouts() {
  return [...state.rollouts.values()]
    .sort((a, b) => new Date(b.startedAt) - new Date(a.startedAt) || (a.id < b.id ? -1 : 1))
    .slice(0, ROLLOUT_LIMIT);
}

// The stream and the API race: what either says is kept only when it is not older than what the page already shows,
// so a reload that answered before a streamed change cannot undo it, nor a late stream message a reload.
function mergeRollout(rollout) {
  const known = state.rollouts.get(rollout.id);
  if (known && (known.eventCount ?? 0) > (rollout.eventCount ?? 0)) {
    return false;
  }
  state.rollouts.set(rollout.id, rollout);
  return true;
}

function mergeCanary(canary) {
  const key = keyOf(canary.namespace, canary.name);
  const known = state.canaries.get(key);
  if (known && new Date(known.lastEventAt) > new Date(canary.lastEventAt)) {
    return;
  }
  state.canaries.set(key, { ...known, ...canary });
}

// Rebuilding a list must not throw the keyboard focus out of it.
function keepingFocus(list, build) {
  const focused = list.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
  build();
  if (focused) {
    list.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus();
  }
}

function renderCanaries() {
  const list = $('canaries');
  const canaries = [...state.canaries.values()].sort((a, b) => keyOf(a.namespace, a.name).localeCompare(keyOf(b.namespace, b.name)));
  $('canaries-empty').hidden = canaries.length > 0;
  keepingFocus(list, () => replaceChildren(list, canaries.map((c) => {
    const phase = c.phase ?? 'Unknown';
    return el('li', { class: 'canary', 'data-canary': keyOf(c.namespace, c.name), 'data-phase': phase },
      el('span', { class: 'canary-name' }, c.name), ' ',
      el('span', { class: 'namespace' }, c.namespace), ' ',
      el('span', { class: `phase phase-${phase.toLowerCase()}` }, phase), ' ',
      el('span', { class: 'when' }, 'last event ', el('time', { datetime: isoTime(c.lastEventAt) }, formatTime(c.lastEventAt))),
      c.currentRolloutId
        ? [' ', el('a', { href: `#rollout=${c.currentRolloutId}`, 'aria-label': `Current rollout of ${keyOf(c.namespace, c.name)}` }, 'current rollout')]
        : '');
  })));
}

function renderRollouts() {
  const list = $('rollouts');
  const rollouts = sortedRollouts();
  $('rollouts-empty').hidden = rollouts.length > 0;
  keepingFocus(list, () => replaceChildren(list, rollouts.map((r) => {
    const selected = r.id === state.selected;
    return el('li', { class: 'rollout', 'data-rollout-id': r.id, 'data-status': r.status },
      el('a', { href: `#rollout=${r.id}`, 'aria-current': selected ? 'true' : null },
        el('span', { class: 'rollout-name' }, `${r.namespace}/${r.canary}`), ' ',
        el('span', { class: 'revision' }, r.checksum), ' ',
        el('span', { class: `status status-${r.status}` }, outcomeLabel(r.status)),
        typeof r.weight === 'number' ? [' ', el('span', { class: 'weight' }, `${r.weight}%`)] : '', ' ',
        el('time', { datetime: isoTime(r.startedAt) }, formatTime(r.startedAt))));
  })));
}

function renderTimelinePanel() {
  const panel = $('timeline');
  if (!state.selected) {
    replaceChildren(panel, el('p', { class: 'empty' }, 'Choose a rollout to see its timeline.'));
  } else if (!state.timeline || state.timeline.id !== state.selected) {
    replaceChildren(panel, el('p', { class: 'empty' }, 'Loading the timeline…'));
  } else {
    // A live update must not fold away the event list someone opened.
    const open = panel.querySelector('details.events')?.open ?? false;
    replaceChildren(panel, renderTimeline(state.timeline));
    const events = panel.querySelector('details.events');
    if (events) {
      events.open = open;
    }
  }
}

// A rollout chosen in the address (#rollout=<id>) stays; otherwise the page follows the latest rollout.
function chooseSelection() {
  state.selected = selectedFromAddress() ?? sortedRollouts()[0]?.id ?? null;
}

async function loadTimeline() {
  state.timelineAbort?.abort();
  if (!state.selected) {
    state.timeline = null;
    renderTimelinePanel();
    return;
  }
  const id = state.selected;
  const abort = new AbortController();
  state.timelineAbort = abort;
  try {
    const rollout = await getJson(`rollouts/${encodeURIComponent(id)}`, abort.signal);
    if (state.selected === id) {
      state.timeline = rollout;
      renderTimelinePanel();
    }
  } catch (error) {
    if (error.name !== 'AbortError') {
      handleFailure(error);
    }
  }
}

function scheduleTimeline() {
  // Flagger's events come in bursts; one reload after the burst is enough.
  window.clearTimeout(state.timelineTimer);
  state.timelineTimer = window.setTimeout(loadTimeline, RELOAD_DELAY_MS);
}

async function loadAll() {
  const [canaries, rollouts] = await Promise.all([getJson('canaries'), getJson(`rollouts?limit=${ROLLOUT_LIMIT}`)]);
  canaries.items.forEach(mergeCanary);
  rollouts.items.forEach(mergeRollout);
  // A tab left open for days keeps only what the list can show.
  const shown = new Set(sortedRollouts().map((r) => r.id));
  for (const id of state.rollouts.keys()) {
    if (!shown.has(id)) {
      state.rollouts.delete(id);
    }
  }
  chooseSelection();
  renderCanaries();
  renderRollouts();
  renderTimelinePanel();
  await loadTimeline();
  showError(null);
}

function handleFailure(error) {
  if (error instanceof Unauthorized) {
    closeStream();
    setConnection('signed-out', 'Sign in needed');
    $('token-reason').textContent = error.message;
    $('token-form').hidden = false;
    $('token-input').focus();
    return;
  }
  showError(error.message);
}

function onStored(message) {
  const event = JSON.parse(message.data);
  if (!event.namespace || !event.canary) {
    return;
  }
  const key = keyOf(event.namespace, event.canary);
  const canary = state.canaries.get(key) ?? { namespace: event.namespace, name: event.canary, lastEventAt: event.time };
  const latest = new Date(event.time) >= new Date(canary.lastEventAt);
  if (event.phase && (latest || !canary.phase)) {
    if (canary.phase !== event.phase) {
      announce(`${key} is now ${event.phase}.`);
    }
    canary.phase = event.phase;
  }
  if (latest) {
    canary.lastEventAt = event.time;
  }
  if (event.rolloutId) {
    canary.currentRolloutId ??= event.rolloutId;
  }
  state.canaries.set(key, canary);
  renderCanaries();
}

function onRollout(message) {
  const rollout = JSON.parse(message.data);
  const before = state.rollouts.get(rollout.id);
  if (!mergeRollout(rollout)) {
    return;
  }
  const canary = state.canaries.get(keyOf(rollout.namespace, rollout.canary));
  if (canary && rollout.status !== 'superseded') {
    canary.currentRolloutId = rollout.id;
  }
  if (!before) {
    announce(`New rollout of ${rollout.namespace}/${rollout.canary}, revision ${rollout.checksum}.`);
  } else if (before.status !== rollout.status) {
    announce(`Rollout of ${rollout.namespace}/${rollout.canary}: ${outcomeLabel(rollout.status)}.`);
  }
  const wasSelected = state.selected;
  chooseSelection();
  renderRollouts();
  renderCanaries();
  if (state.selected === rollout.id || state.selected !== wasSelected) {
    scheduleTimeline();
  }
}

function closeStream() {
  state.source?.close();
  state.source = null;
  window.clearTimeout(state.retryTimer);
}

function connectStream() {
  closeStream();
  const source = new EventSource(streamUrl());
  state.source = source;
  source.addEventListener('open', () => {
    state.retryMs = 1000;
    setConnection('live', 'Live');
    // What was stored before the stream opened (first load, or while it was down) is in the API: read it now.
    loadAll().catch(handleFailure);
  });
  source.addEventListener('stored', onStored);
  source.addEventListener('rollout', onRollout);
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CONNECTING) {
      // The browser reconnects by itself.
      setConnection('reconnecting', 'Reconnecting…');
      return;
    }
    // Closed for good (the service refused or is gone): try again later, checking the token on the way.
    setConnection('reconnecting', 'Disconnected; retrying…');
    source.close();
    window.clearTimeout(state.retryTimer);
    state.retryTimer = window.setTimeout(() => {
      loadAll().then(connectStream, (error) => {
        handleFailure(error);
        if (!(error instanceof Unauthorized)) {
          connectStream();
        }
      });
    }, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, MAX_RETRY_MS);
  });
}

async function start() {
  try {
    await loadAll();
    connectStream();
  } catch (error) {
    handleFailure(error);
    if (!(error instanceof Unauthorized)) {
      connectStream();
    }
  }
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) {
    return;
  }
  setToken(token);
  $('token-input').value = '';
  $('token-form').hidden = true;
  setConnection('connecting', 'Connecting…');
  start();
});

window.addEventListener('hashchange', () => {
  chooseSelection();
  renderRollouts();
  renderTimelinePanel();
  loadTimeline();
});

adoptTokenFromAddress();
start();
