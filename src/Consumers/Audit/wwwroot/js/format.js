// How times, durations and outcomes read on the page. Times are shown in UTC, as the API and Flagger's events give
// them, so what the page says matches the exported records line for line.

const OUTCOMES = {
  progressing: 'Progressing',
  waiting: 'Waiting for approval',
  promoted: 'Promoted',
  failed: 'Failed',
  rolledback: 'Rolled back',
  superseded: 'Superseded',
};

const GATES = {
  'confirm-rollout': 'Confirm rollout',
  'confirm-traffic-increase': 'Confirm traffic increase',
  'confirm-promotion': 'Confirm promotion',
};

function pad(value) {
  return String(value).padStart(2, '0');
}

/** 2026-12-01 14:03:05 UTC, or an empty string for a missing time. */
export function formatTime(value) {
  if (!value) {
    return '';
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return String(value);
  }
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} `
    + `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`;
}

/** 1h 02m, 4m 05s, 12s. */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) {
    return '';
  }
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) {
    return `${h}h ${pad(m)}m`;
  }
  return m > 0 ? `${m}m ${pad(s)}s` : `${s}s`;
}

export function outcomeLabel(status) {
  return OUTCOMES[status] ?? status ?? 'Unknown';
}

export function gateLabel(hook) {
  return GATES[hook] ?? hook;
}

/** The ISO form of a time for a <time datetime> attribute. */
export function isoTime(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
