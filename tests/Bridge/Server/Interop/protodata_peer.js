// A @grpc/grpc-js client of bridge.v1.EventBridge, built on the Node example clients (their bridge.js and
// node_modules): publishes one event whose data is a google.protobuf.Duration packed into an Any
// (proto_data, encoded with protobufjs, the library under @grpc/proto-loader) and whose time has
// nanoseconds, then subscribes, acks the delivery and half-closes.
//
//   node protodata_peer.js EXAMPLES_DIR --address H:P --namespace NS --subscription NAME --id ID
//        --time-seconds S --time-nanos N --duration-seconds S --duration-nanos N
//
// Prints SENT, RESULT, DELIVERY and STATUS lines as the Go peer (protodata/main.go) does; a failure of its
// own is a line starting with FAIL and exit status 1.
'use strict';

const path = require('path');
const { createRequire } = require('module');

const [examples, ...argv] = process.argv.slice(2);
const exampleRequire = createRequire(path.join(path.resolve(examples), 'bridge.js'));
const grpc = exampleRequire('@grpc/grpc-js');
const protobuf = createRequire(exampleRequire.resolve('@grpc/proto-loader'))('protobufjs');
const { loadBridge } = exampleRequire('./bridge.js');

const DURATION_URL = 'type.googleapis.com/google.protobuf.Duration';
const Duration = protobuf.Root.fromJSON(protobuf.common.get('google/protobuf/duration.proto')).lookupType('google.protobuf.Duration');

function fail(message) {
  console.log(`FAIL ${message}`);
  process.exit(1);
}

function emit(kind, value) {
  console.log(`${kind} ${JSON.stringify(value)}`);
}

const options = {};
for (let i = 0; i + 1 < argv.length; i += 2) {
  if (!argv[i].startsWith('--')) fail(`unexpected argument ${argv[i]}`);
  options[argv[i].slice(2)] = argv[i + 1];
}
for (const name of ['address', 'namespace', 'subscription', 'id', 'time-seconds', 'time-nanos', 'duration-seconds', 'duration-nanos']) {
  if (options[name] === undefined) fail(`--${name} is required`);
}

// Every call ends within this time, whatever the bridge does.
setTimeout(() => fail('no end within 40 s'), 40000).unref();

const { EventBridge } = loadBridge();
const client = new EventBridge(options.address, grpc.credentials.createInsecure());

const packed = {
  type_url: DURATION_URL,
  value: Buffer.from(Duration.encode(Duration.fromObject({ seconds: options['duration-seconds'], nanos: Number(options['duration-nanos']) })).finish()),
};
emit('SENT', { type_url: packed.type_url, value: packed.value.toString('base64') });

const event = {
  id: options.id, source: '/interop/node', spec_version: '1.0', type: 'com.example.interop.protodata',
  attributes: {
    namespace: { ce_string: options.namespace },
    partitionkey: { ce_string: `${options.namespace}/app` },
    time: { ce_timestamp: { seconds: options['time-seconds'], nanos: Number(options['time-nanos']) } },
  },
  proto_data: packed,
};

client.Publish({ events: [event] }, { deadline: Date.now() + 15000 }, (error, response) => {
  if (error) fail(`Publish: ${error.code} ${error.details}`);
  if (response.results.length !== 1) fail(`Publish answered ${response.results.length} results for one event`);
  const result = response.results[0];
  emit('RESULT', { id: result.id, outcome: result.outcome, message: result.error ? result.error.message : undefined });
  if (result.outcome === 'accepted') subscribe();
  else client.close();
});

function describe(received) {
  const line = { id: received.id, data_kind: received.data || null };
  if (received.data === 'proto_data') {
    const value = Buffer.from(received.proto_data.value);
    line.proto_data = { type_url: received.proto_data.type_url, value: value.toString('base64') };
    if (received.proto_data.type_url === DURATION_URL) {
      const duration = Duration.toObject(Duration.decode(value), { longs: Number });
      line.unpacked = { type: 'google.protobuf.Duration', seconds: duration.seconds || 0, nanos: duration.nanos || 0 };
    } else {
      line.unpacked = { error: `not a Duration: ${received.proto_data.type_url}` };
    }
  }
  const time = received.attributes.time;
  if (time && time.ce_timestamp) line.time = { seconds: Number(time.ce_timestamp.seconds), nanos: time.ce_timestamp.nanos };
  const contentType = received.attributes.datacontenttype;
  if (contentType) line.datacontenttype = contentType.ce_string;
  return line;
}

function subscribe() {
  const call = client.Subscribe();
  let delivered = false;
  call.on('data', (delivery) => {
    if (delivered) return;
    delivered = true;
    emit('DELIVERY', describe(delivery.event));
    call.write({ ack: { ack_ids: [delivery.ack_id] } });
    call.end();
  });
  // A failed call also emits 'error'; the status listener reports it.
  call.on('error', () => {});
  call.on('status', (status) => {
    console.log(`STATUS ${grpc.status[status.code]} ${status.details || ''}`.trimEnd());
    client.close();
  });
  call.write({
    open: {
      subscription: options.subscription,
      filters: [{ exact: { attributes: { namespace: options.namespace } } }],
      start: { earliest: true },
    },
  });
}
