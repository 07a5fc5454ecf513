#!/usr/bin/python3
"""Publishes CloudEvents to the bridge over gRPC (bridge.v1.EventBridge/Publish).

    /usr/bin/python3 publisher.py --type com.example.deploy.finished --source /ci/pipeline \\
        --subject test/podinfo --attr namespace=test --data '{"version": "6.5.0"}'

Every event gets its own result: accepted (with the Kafka partition and offset it was written to) or
rejected with a gRPC status code and a message. Events that are valid are written even when others in
the same request are rejected. --count N sends N events in one request, their ids numbered <id>-1..N.

Environment: BRIDGE_ADDRESS, BRIDGE_TOKEN, BRIDGE_TOKEN_FILE, BRIDGE_STUBS (where gen.sh wrote the stubs).

Exit status: 0 when every event was accepted, 1 when the call failed or any event was rejected,
2 for bad arguments.
"""

import argparse
import datetime
import json
import os
import re
import sys
import uuid

import grpc

import bridgeclient

EXTENSION_NAME = re.compile(r"^[a-z0-9]{1,20}$")
CORE_ATTRIBUTES = ("id", "source", "specversion", "type", "subject", "time", "datacontenttype", "dataschema", "data")


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Publish a CloudEvent to the bridge.",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--address", default=os.environ.get("BRIDGE_ADDRESS", bridgeclient.DEFAULT_ADDRESS),
                        help="the bridge's gRPC host:port ($BRIDGE_ADDRESS)")
    parser.add_argument("--token", help="bearer token ($BRIDGE_TOKEN)")
    parser.add_argument("--token-file", help="file holding the bearer token ($BRIDGE_TOKEN_FILE)")
    parser.add_argument("--type", required=True, help="event type, reverse-DNS, e.g. com.example.deploy.finished")
    parser.add_argument("--source", required=True, help="URI-reference naming the producer, e.g. /ci/pipeline")
    parser.add_argument("--id", default=None, help="event id (default: a random UUID)")
    parser.add_argument("--subject", help="what the event is about, e.g. <namespace>/<name>")
    parser.add_argument("--time", default="now", help="RFC 3339 event time, 'now', or 'none' to leave it out")
    parser.add_argument("--attr", action="append", default=[], metavar="NAME=VALUE",
                        help="extension attribute (string), e.g. namespace=test; repeatable")
    parser.add_argument("--data", help="event data (must be JSON when --content-type is JSON)")
    parser.add_argument("--data-file", help="read the event data from this file instead")
    parser.add_argument("--content-type", default="application/json", help="datacontenttype of the data")
    parser.add_argument("--count", type=int, default=1, help="events to send in one request")
    parser.add_argument("--timeout", type=float, default=10.0, help="deadline of the call, seconds")
    parser.add_argument("--stubs", help="directory of the generated stubs ($BRIDGE_STUBS, default ./gen)")
    args = parser.parse_args(argv)

    if args.count < 1:
        parser.error("--count must be at least 1")
    args.event_time = None
    if args.time not in ("now", "none"):
        try:
            args.event_time = bridgeclient.parse_time(args.time)
        except ValueError as e:
            parser.error("--time: %s (or use now or none)" % e)
    if args.timeout <= 0:
        parser.error("--timeout must be above 0")
    if args.data is not None and args.data_file:
        parser.error("give --data or --data-file, not both")
    if args.data_file:
        try:
            with open(args.data_file, encoding="utf-8") as f:
                args.data = f.read()
        except OSError as e:
            parser.error("cannot read --data-file %s: %s" % (args.data_file, e.strerror))
    if args.data is not None and is_json(args.content_type):
        try:
            json.loads(args.data)
        except ValueError as e:
            parser.error("--data is not JSON (%s); fix it or set --content-type" % e)
    attributes = {}
    for item in args.attr:
        name, sep, value = item.partition("=")
        if not sep or not EXTENSION_NAME.match(name):
            parser.error("--attr %r: use NAME=VALUE, NAME being 1-20 lower-case letters or digits" % item)
        if name in CORE_ATTRIBUTES:
            parser.error("--attr %r: %s has its own option" % (item, name))
        attributes[name] = value
    args.attributes = attributes
    return args


def is_json(content_type):
    media = content_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def build_event(pb, args, event_id):
    """One io.cloudevents.v1.CloudEvent from the command line."""
    event = pb.CloudEvent(id=event_id, source=args.source, spec_version="1.0", type=args.type)
    if args.subject:
        event.attributes["subject"].ce_string = args.subject
    if args.time == "now":
        event.attributes["time"].ce_timestamp.FromDatetime(datetime.datetime.now(datetime.timezone.utc))
    elif args.event_time is not None:
        event.attributes["time"].ce_timestamp.FromDatetime(args.event_time)
    for name, value in args.attributes.items():
        event.attributes[name].ce_string = value
    if args.data is not None:
        event.attributes["datacontenttype"].ce_string = args.content_type
        event.text_data = args.data
    return event


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stubs = bridgeclient.load_stubs(args.stubs)
    token = bridgeclient.read_token(args.token, args.token_file)
    base_id = args.id or str(uuid.uuid4())
    ids = [base_id] if args.count == 1 else ["%s-%d" % (base_id, i) for i in range(1, args.count + 1)]
    request = stubs.bridge_pb2.PublishRequest(
        events=[build_event(stubs.cloudevents_pb2, args, event_id) for event_id in ids])

    with bridgeclient.open_channel(args.address) as channel:
        stub = stubs.bridge_pb2_grpc.EventBridgeStub(channel)
        try:
            response = stub.Publish(request, timeout=args.timeout, metadata=bridgeclient.call_metadata(token))
        except grpc.RpcError as error:
            print("publish failed: " + bridgeclient.status_text(error), file=sys.stderr)
            return 1

    rejected = 0
    for result in response.results:
        if result.WhichOneof("outcome") == "accepted":
            print("accepted %s (partition %d @ %d)" % (result.id, result.accepted.partition, result.accepted.offset))
        else:
            rejected += 1
            code = grpc.StatusCode.UNKNOWN
            for candidate in grpc.StatusCode:
                if candidate.value[0] == result.error.code:
                    code = candidate
            print("rejected %s: %s: %s" % (result.id or "(no id)", code.name, result.error.message))
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
