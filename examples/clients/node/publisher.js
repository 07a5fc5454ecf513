#!/usr/bin/env node
// Publishes a CloudEvent to the bridge over gRPC (bridge.v1.EventBridge/Publish).
//
//   node publisher.js --type com.example.deploy.finished --source /ci/pipeline \
//       --subject test/podinfo --attr namespace=test --data '{"version": "6.5.0"}'
//
// Prints one result per event: accepted (Kafka partition and offset) or rejected with a gRPC status
// code and message. Environment: BRIDGE_ADDRESS, BRIDGE_TOKEN, BRIDGE_TOKEN_FILE, BRIDGE_PROTOS.
// Exit status: 0 when every event was accepted, 1 when the call failed or an event was rejected,
// 2 for bad arguments.
'use strict';

const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');
const { loadBridge, readToken, bearer, fail } = require('./bridge');

const USAGE = `usage: node publisher.js --type TYPE --source SOURCE [options]
  --address HOST:PORT      the bridge's gRPC endpoint ($BRIDGE_ADDRESS, default 127.0.0.1:8081)
  --token TOKEN            bearer token ($BRIDGE_TOKEN)
  --token-file PATH        file holding the bearer token ($BRIDGE_TOKEN_FILE)
  --type TYPE              event type, e.g. com.example.deploy.finished (required)
  --source SOURCE          URI-reference naming the producer, e.g. /ci/pipeline (required)
  --id ID                  event id (default: a random UUID)
  --subject SUBJECT        what the event is about, e.g. <namespace>/<name>
  --attr NAME=VALUE        extension attribute (string); repeatable
  --data JSON              event data, sent as application/json
  --count N                events in one request, ids <id>-1..N (default 1)
  --timeout SECONDS        deadline of the call (default 10)`;

function parseArgs(argv) {
  const options = { address: process.env.BRIDGE_ADDRESS || '127.0.0.1:8081', count: '1', timeout: '10', attr: [] };
  const known = new Set(['address', 'token', 'token-file', 'type', 'source', 'id', 'subject', 'attr', 'data', 'count', 'timeout']);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-h' || argv[i] === '--help') {
      console.log(USAGE);
      process.exit(0);
    }
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    if (!known.has(name)) fail(`unknown option ${argv[i]}\n${USAGE}`, 2);
    if (i + 1 >= argv.length) fail(`${argv[i]} needs a value`, 2);
    if (name === 'attr') options.attr.push(argv[++i]); else options[name] = argv[++i];
  }
  if (!options.type || !options.source) fail(`--type and --source are required\n${USAGE}`, 2);
  const count = Number(options.count);
  const timeout = Number(options.timeout);
  if (!Number.isInteger(count) || count < 1) fail('--count must be a whole number of at least 1', 2);
  if (!(timeout > 0)) fail('--timeout must be a number above 0', 2);
  if (options.data !== undefined) {
    try {
      JSON.parse(options.data);
    } catch (error) {
      fail(`--data is not JSON: ${error.message}`, 2);
    }
  }
  const attributes = {};
  for (const item of options.attr) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq) : '';
    if (!/^[a-z0-9]{1,20}$/.test(name)) fail(`--attr ${item}: use NAME=VALUE, NAME being 1-20 lower-case letters or digits`, 2);
    attributes[name] = { ce_string: item.slice(eq + 1) };
  }
  return { ...options, count, timeout, attributes, token: readToken(options.token, options['token-file']) };
}

function buildEvent(args, id) {
  const attributes = { ...args.attributes };
  const now = Date.now();
  attributes.time = { ce_timestamp: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 } };
  if (args.subject) attributes.subject = { ce_string: args.subject };
  const event = { id, source: args.source, spec_version: '1.0', type: args.type, attributes };
  if (args.data !== undefined) {
    attributes.datacontenttype = { ce_string: 'application/json' };
    event.text_data = args.data;
  }
  return event;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { EventBridge } = loadBridge();
  const client = new EventBridge(args.address, grpc.credentials.createInsecure());
  const base = args.id || crypto.randomUUID();
  const ids = args.count === 1 ? [base] : Array.from({ length: args.count }, (_, i) => `${base}-${i + 1}`);
  const deadline = new Date(Date.now() + args.timeout * 1000);
  client.Publish({ events: ids.map((id) => buildEvent(args, id)) }, bearer(args.token), { deadline }, (error, response) => {
    client.close();
    if (error) {
      process.stderr.write(`publish failed: ${grpc.status[error.code] || error.code}: ${error.details}\n`);
      process.exitCode = 1;
      return;
    }
    let rejected = 0;
    for (const result of response.results) {
      if (result.outcome === 'accepted') {
        console.log(`accepted ${result.id} (partition ${result.accepted.partition} @ ${result.accepted.offset})`);
      } else {
        rejected++;
        const code = Object.keys(grpc.status).find((name) => grpc.status[name] === result.error.code) || result.error.code;
        console.log(`rejected ${result.id || '(no id)'}: ${code}: ${result.error.message}`);
      }
    }
    process.exitCode = rejected ? 1 : 0;
  });
}

main();
