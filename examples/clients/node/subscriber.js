#!/usr/bin/env node
// Subscribes to the bridge's event stream over gRPC (bridge.v1.EventBridge/Subscribe) and prints
// every event.
//
//   npm install
//   node subscriber.js --subscription chatops --type-prefix app.flagger.canary. --namespace test
//
// A subscription is a durable, named consumer group: streams opened with the same name share the
// events; a stopped subscriber continues where it left off. Every event is acknowledged after it was
// printed, in batches (--ack-batch, --ack-interval); events not acknowledged when the stream ends are
// delivered again with a higher attempt number. UNAVAILABLE is retried with exponential backoff.
// Ctrl-C (or SIGTERM) sends the pending acks and half-closes; a second Ctrl-C cancels at once.
//
// The .proto files are loaded at run time from ../../../protos (override with BRIDGE_PROTOS).
// Environment: BRIDGE_ADDRESS, BRIDGE_SUBSCRIPTION, BRIDGE_TOKEN, BRIDGE_TOKEN_FILE.
// Exit status: 0 after a clean stop, 1 when the bridge refused the subscription, 2 for bad arguments.
'use strict';

const grpc = require('@grpc/grpc-js');
const { loadBridge, eventToObject, readToken, bearer, fail } = require('./bridge');

// A new stream may succeed after UNAVAILABLE (the bridge restarts, shuts down or is unreachable) and
// ABORTED (gRPC's general "retry the whole operation" code).
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED]);
const STOP_GRACE_MS = 5000;
const USAGE = `usage: node subscriber.js --subscription NAME [options]
  --address HOST:PORT      the bridge's gRPC endpoint ($BRIDGE_ADDRESS, default 127.0.0.1:8081)
  --subscription NAME      subscription name, [A-Za-z0-9._-], 1-200 chars ($BRIDGE_SUBSCRIPTION)
  --token TOKEN            bearer token ($BRIDGE_TOKEN)
  --token-file PATH        file holding the bearer token ($BRIDGE_TOKEN_FILE)
  --type-prefix PREFIX     only event types starting with PREFIX (repeat: any of them)
  --type TYPE              only this event type (repeat: any of them)
  --namespace NS           only events of this namespace (repeat: any of them)
  --severity LEVEL         info, warn or error (repeat: any of them)
  --start POSITION         latest (default), earliest or an RFC 3339 time
  --max-in-flight N        unacked events the bridge may send ahead (default 0: the bridge's default)
  --ack-batch N            send acks once N are pending (default 20)
  --ack-interval SECONDS   longest a pending ack waits for its batch (default 0.5)
  --count N                stop after N events (default 0: run until stopped)
  --output text|json       a line per event plus data, or one JSON object per line (default text)`;

function parseArgs(argv) {
  const repeatable = new Set(['type-prefix', 'type', 'namespace', 'severity']);
  const options = {
    address: process.env.BRIDGE_ADDRESS || '127.0.0.1:8081',
    subscription: process.env.BRIDGE_SUBSCRIPTION || '',
    token: undefined, 'token-file': undefined,
    'type-prefix': [], type: [], namespace: [], severity: [],
    start: 'latest', 'max-in-flight': '0', 'ack-batch': '20', 'ack-interval': '0.5', count: '0', output: 'text',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (!(name in options)) fail(`unknown option ${arg}\n${USAGE}`, 2);
    if (i + 1 >= argv.length) fail(`${arg} needs a value`, 2);
    const value = argv[++i];
    if (repeatable.has(name)) options[name].push(value); else options[name] = value;
  }

  const integer = (name, min) => {
    const n = Number(options[name]);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number of at least ${min}`, 2);
    return n;
  };
  const args = {
    address: options.address,
    subscription: options.subscription,
    token: readToken(options.token, options['token-file']),
    typePrefixes: options['type-prefix'], types: options.type, namespaces: options.namespace,
    severities: options.severity, start: options.start,
    maxInFlight: integer('max-in-flight', 0), ackBatch: integer('ack-batch', 1), count: integer('count', 0),
    ackIntervalMs: Number(options['ack-interval']) * 1000, output: options.output,
  };
  if (!args.subscription) fail('--subscription (or BRIDGE_SUBSCRIPTION) is required', 2);
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(args.subscription)) {
    fail(`--subscription ${JSON.stringify(args.subscription)}: use 1-200 of the characters A-Z a-z 0-9 . _ -`, 2);
  }
  if (!(args.ackIntervalMs > 0)) fail('--ack-interval must be a number above 0', 2);
  if (!['text', 'json'].includes(args.output)) fail('--output must be text or json', 2);
  for (const s of args.severities) if (!['info', 'warn', 'error'].includes(s)) fail(`--severity ${s}: use info, warn or error`, 2);
  for (const p of [...args.typePrefixes, ...args.types, ...args.namespaces]) if (!p) fail('filter values must not be empty', 2);
  if (args.maxInFlight > 0) args.ackBatch = Math.min(args.ackBatch, args.maxInFlight);
  return args;
}

function buildOpen(args) {
  const exact = (attribute, value) => ({ exact: { attributes: { [attribute]: value } } });
  const anyOf = (filters) => (filters.length === 1 ? filters[0] : { any: { filters } });
  const filters = [];
  if (args.typePrefixes.length) filters.push(anyOf(args.typePrefixes.map((p) => ({ prefix: { attributes: { type: p } } }))));
  if (args.types.length) filters.push(anyOf(args.types.map((t) => exact('type', t))));
  if (args.namespaces.length) filters.push(anyOf(args.namespaces.map((n) => exact('namespace', n))));
  if (args.severities.length) filters.push(anyOf(args.severities.map((s) => exact('severity', s))));

  let start;
  if (args.start === 'latest') start = { latest: true };
  else if (args.start === 'earliest') start = { earliest: true };
  else {
    const ms = Date.parse(args.start);
    if (Number.isNaN(ms)) fail(`--start ${args.start}: use latest, earliest or an RFC 3339 time such as 2025-01-10T09:00:00Z`, 2);
    start = { timestamp: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } };
  }
  return { subscription: args.subscription, filters, start, max_in_flight: args.maxInFlight };
}

function printDelivery(delivery, output) {
  const event = eventToObject(delivery.event);
  if (output === 'json') {
    event._delivery = { partition: delivery.partition, offset: Number(delivery.offset), attempt: delivery.attempt, key: delivery.key };
    console.log(JSON.stringify(event));
    return;
  }
  console.log(`${event.time || '-'}  ${event.type}  ${event.subject || '-'}  [${event.severity || '-'}]  ` +
    `(partition ${delivery.partition} @ ${delivery.offset}, attempt ${delivery.attempt})`);
  if (event.data !== undefined) console.log('    ' + (typeof event.data === 'string' ? event.data : JSON.stringify(event.data)));
}

class Subscriber {
  constructor(client, open, metadata, args) {
    this.client = client;
    this.open = open;
    this.metadata = metadata;
    this.args = args;
    this.handled = 0;
    this.stopping = false;
    this.call = null;
    this.stream = null;
    this.wake = null;
  }

  // Resolves with the exit status.
  async run() {
    let backoffMs = 500;
    while (!this.stopping) {
      const started = Date.now();
      const handledBefore = this.handled;
      const status = await this.streamOnce();
      if (this.stopping) {
        if (status.code !== grpc.status.OK && status.code !== grpc.status.CANCELLED) {
          log(`stream ended while stopping: ${statusName(status.code)}: ${status.details}`);
        }
        return 0;
      }
      if (RETRYABLE.has(status.code) || status.code === grpc.status.OK) {
        // A stream that delivered something or ran a while was healthy: start the backoff over.
        if (this.handled > handledBefore || Date.now() - started > 30000) backoffMs = 500;
        const wait = backoffMs * (0.5 + Math.random() / 2);
        log(`stream ended (${statusName(status.code)}: ${status.details || 'no details'}); reconnecting in ${(wait / 1000).toFixed(1)} s`);
        await new Promise((resolve) => { this.wake = resolve; setTimeout(resolve, wait); });
        backoffMs = Math.min(backoffMs * 2, 30000);
        continue;
      }
      log(`the bridge refused the subscription: ${statusName(status.code)}: ${status.details}`);
      return 1;
    }
    return 0;
  }

  // One Subscribe call; resolves with its final status.
  streamOnce() {
    return new Promise((resolve) => {
      const call = this.client.Subscribe(this.metadata);
      const stream = { pending: [], timer: null, halfClosed: false };
      this.call = call;
      this.stream = stream;
      call.on('data', (delivery) => {
        // After the half-close a delivery cannot be acked any more; it comes again next time.
        if (stream.halfClosed) return;
        printDelivery(delivery, this.args.output);
        this.queueAck(stream, delivery.ack_id);
        this.handled++;
        if (this.args.count && this.handled >= this.args.count) this.stop();
      });
      // grpc-js reports the outcome in 'status'; 'error' repeats it for failures and must have a listener.
      call.on('error', () => {});
      call.on('status', (status) => {
        clearTimeout(stream.timer);
        this.call = null;
        this.stream = null;
        resolve(status);
      });
      call.write({ open: this.open });
      if (this.stopping) this.halfClose(stream);
    });
  }

  queueAck(stream, ackId) {
    stream.pending.push(ackId);
    if (stream.pending.length >= this.args.ackBatch) this.flush(stream);
    else if (!stream.timer) stream.timer = setTimeout(() => this.flush(stream), this.args.ackIntervalMs);
  }

  flush(stream) {
    clearTimeout(stream.timer);
    stream.timer = null;
    if (stream.pending.length === 0 || stream.halfClosed || this.stream !== stream) return;
    this.call.write({ ack: { ack_ids: stream.pending } });
    stream.pending = [];
  }

  halfClose(stream) {
    this.flush(stream);
    stream.halfClosed = true;
    this.call.end();
  }

  // First call: send pending acks and half-close; the bridge then ends the stream. Second call: cancel.
  stop() {
    if (this.stopping) {
      if (this.call) this.call.cancel();
      return;
    }
    this.stopping = true;
    if (this.wake) this.wake();
    if (this.stream) this.halfClose(this.stream);
    setTimeout(() => { if (this.call) this.call.cancel(); }, STOP_GRACE_MS).unref();
  }
}

function statusName(code) {
  return Object.keys(grpc.status).find((name) => grpc.status[name] === code) || String(code);
}

function log(message) {
  process.stderr.write(`subscriber: ${message}\n`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { EventBridge } = loadBridge();
  const client = new EventBridge(args.address, grpc.credentials.createInsecure());
  const subscriber = new Subscriber(client, buildOpen(args), bearer(args.token), args);
  process.on('SIGINT', () => subscriber.stop());
  process.on('SIGTERM', () => subscriber.stop());
  log(`subscribing to ${args.address} as ${JSON.stringify(args.subscription)}`);
  const code = await subscriber.run();
  client.close();
  process.exitCode = code;
}

if (require.main === module) {
  main().catch((error) => fail(error.stack || String(error), 1));
}

module.exports = { buildOpen, Subscriber };
