// Shared helpers of the example clients: loading the protos, the bearer token, and turning a
// CloudEvent (protobuf format, as decoded by @grpc/proto-loader) into a plain object.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTOS = process.env.BRIDGE_PROTOS || path.join(__dirname, '..', '..', '..', 'protos');

// keepCase: field names as in the .proto (ack_id, text_data); longs as strings, so 64-bit ack ids
// and offsets keep every digit; oneofs: each message names its set oneof member (e.g. attr: 'ce_string').
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTOS] };

function loadBridge() {
  const file = path.join(PROTOS, 'bridge', 'v1', 'bridge.proto');
  if (!fs.existsSync(file)) fail(`${file} not found; set BRIDGE_PROTOS to the repository's protos directory`, 2);
  const definition = protoLoader.loadSync(['bridge/v1/bridge.proto', 'grpc/health/v1/health.proto'], LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition);
  return { EventBridge: loaded.bridge.v1.EventBridge, Health: loaded.grpc.health.v1.Health };
}

function readToken(token, tokenFile) {
  token = token || process.env.BRIDGE_TOKEN;
  tokenFile = tokenFile || process.env.BRIDGE_TOKEN_FILE;
  if (token && tokenFile) fail('give either a token or a token file, not both', 2);
  if (tokenFile) {
    try {
      token = fs.readFileSync(tokenFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      fail(`cannot read the token file ${tokenFile}: ${error.message}`, 2);
    }
    if (!token) fail(`the token file ${tokenFile} is empty`, 2);
  }
  return token || undefined;
}

function bearer(token) {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

function timestampText(timestamp) {
  const ms = Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6);
  return new Date(ms).toISOString();
}

function attributeValue(value) {
  switch (value.attr) {
    case 'ce_timestamp': return timestampText(value.ce_timestamp);
    case 'ce_bytes': return Buffer.from(value.ce_bytes).toString('hex');
    case undefined: case null: return undefined;
    default: return value[value.attr];
  }
}

// Every attribute plus data (parsed when it is JSON), with CloudEvents JSON format names.
function eventToObject(event) {
  const result = { specversion: event.spec_version, id: event.id, source: event.source, type: event.type };
  for (const name of Object.keys(event.attributes || {}).sort()) result[name] = attributeValue(event.attributes[name]);
  let text;
  if (event.data === 'text_data') text = event.text_data;
  else if (event.data === 'binary_data') {
    const type = (result.datacontenttype || '').split(';')[0].trim().toLowerCase();
    if (type === '' || type.startsWith('text/') || type.endsWith('json')) text = Buffer.from(event.binary_data).toString('utf8');
    else result.data = Buffer.from(event.binary_data).toString('hex');
  } else if (event.data === 'proto_data') result.data = { '@type': event.proto_data.type_url };
  if (text !== undefined) {
    try {
      result.data = JSON.parse(text);
    } catch {
      result.data = text;
    }
  }
  return result;
}

function fail(message, code) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

module.exports = { loadBridge, eventToObject, readToken, bearer, fail, timestampText, PROTOS };
