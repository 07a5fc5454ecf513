"""A grpcio client of bridge.v1.EventBridge and grpc.health.v1.Health, driven by the interop tests.

Prints one line per observation, for the test to assert on:
  SENT {json}        a published event's proto_data as sent (type_url, value in base64)
  RESULT {json}      a Publish result (id, outcome, partition, offset, code, message)
  DELIVERY {json}    a Subscribe delivery (ack_id, id, type, subject, namespace, partition, offset, attempt, key, data,
                     and the event's data as carried: data_kind, proto_data, unpacked, time, datacontenttype)
  HEALTH <STATUS>    a health Check answer
  STATUS <CODE> <details>   how the call ended
  FAIL <reason>      the peer itself could not do what it was asked (the test fails)

Usage: bridge_peer.py <stubs> <clients> <command> [options]; every call has a deadline or a time bound.
"""

import argparse
import base64
import json
import queue
import sys
import threading
import time


def main():
    stubs_dir, clients_dir, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    sys.path.insert(0, clients_dir)
    import bridgeclient
    import grpc
    from google.protobuf import json_format

    stubs = bridgeclient.load_stubs(stubs_dir)
    pb = stubs.bridge_pb2

    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("publish", "subscribe", "health"))
    parser.add_argument("--address", required=True)
    parser.add_argument("--token")
    parser.add_argument("--events", help="Publish: JSON list of io.cloudevents.v1.CloudEvent in protobuf JSON")
    parser.add_argument("--open", help="Subscribe: bridge.v1.OpenSubscription in protobuf JSON")
    parser.add_argument("--first-ack", action="store_true", help="Subscribe: send an ack before (instead of) open")
    parser.add_argument("--then", choices=("ack-unknown", "open-again"),
                        help="Subscribe: after open, send an ack of an id never issued, or a second open")
    parser.add_argument("--expect", type=int, default=0, help="Subscribe: deliveries to wait for")
    parser.add_argument("--ack", default="all", help="Subscribe: all, none or first:K (ack the first K deliveries)")
    parser.add_argument("--end", default="half-close", choices=("half-close", "cancel"),
                        help="Subscribe: how to end once --expect deliveries arrived")
    parser.add_argument("--deadline", type=float, help="gRPC deadline of the call, seconds")
    parser.add_argument("--time-limit", type=float, default=30.0, help="Subscribe: give up after this many seconds")
    parser.add_argument("--service", default="", help="Health: the service name to check")
    parser.add_argument("--until", help="Health: check again until this status is reported (within --time-limit)")
    args = parser.parse_args(argv)

    metadata = bridgeclient.call_metadata(args.token)
    channel = grpc.insecure_channel(args.address)
    try:
        if args.command == "publish":
            publish(pb, stubs, channel, args, metadata, json_format, grpc)
        elif args.command == "subscribe":
            subscribe(pb, stubs, channel, args, metadata, json_format, grpc, bridgeclient)
        else:
            health(stubs, channel, args, grpc)
    finally:
        channel.close()


def status_line(code, details):
    print("STATUS %s %s" % (code.name, details or ""), flush=True)


def publish(pb, stubs, channel, args, metadata, json_format, grpc):
    request = pb.PublishRequest()
    for event in json.loads(args.events):
        # Protobuf JSON packs "protoData": {"@type": ..., ...} into the Any with the message's own encoding.
        json_format.ParseDict(event, request.events.add())
    for event in request.events:
        if event.WhichOneof("data") == "proto_data":
            print("SENT " + json.dumps(packed_any(event.proto_data), sort_keys=True), flush=True)
    stub = stubs.bridge_pb2_grpc.EventBridgeStub(channel)
    try:
        response = stub.Publish(request, timeout=args.deadline or 15.0, metadata=metadata)
    except grpc.RpcError as error:
        status_line(error.code(), error.details())
        return
    for result in response.results:
        outcome = result.WhichOneof("outcome")
        line = {"id": result.id, "outcome": outcome}
        if outcome == "accepted":
            line.update(partition=result.accepted.partition, offset=result.accepted.offset)
        elif outcome == "error":
            line.update(code=result.error.code, message=result.error.message)
        print("RESULT " + json.dumps(line, sort_keys=True), flush=True)
    status_line(grpc.StatusCode.OK, "")


def subscribe(pb, stubs, channel, args, metadata, json_format, grpc, bridgeclient):
    requests = queue.Queue()
    ended = object()

    def request_stream():
        if args.first_ack:
            yield pb.SubscribeRequest(ack=pb.Ack(ack_ids=[1]))
        else:
            open_request = pb.OpenSubscription()
            json_format.ParseDict(json.loads(args.open), open_request)
            yield pb.SubscribeRequest(open=open_request)
            if args.then == "ack-unknown":
                yield pb.SubscribeRequest(ack=pb.Ack(ack_ids=[987654321]))
            elif args.then == "open-again":
                yield pb.SubscribeRequest(open=open_request)
        while True:
            item = requests.get()
            if item is ended:
                return
            yield item

    if args.ack.startswith("first:"):
        to_ack = int(args.ack[len("first:"):])
    else:
        to_ack = {"all": sys.maxsize, "none": 0}[args.ack]

    stub = stubs.bridge_pb2_grpc.EventBridgeStub(channel)
    call = stub.Subscribe(request_stream(), timeout=args.deadline, metadata=metadata)
    timer = threading.Timer(args.time_limit, call.cancel)
    timer.daemon = True
    timer.start()
    started = time.monotonic()
    received = 0
    try:
        try:
            for delivery in call:
                received += 1
                event = bridgeclient.event_to_dict(delivery.event)
                line = {
                    "ack_id": delivery.ack_id, "id": event["id"], "type": event["type"],
                    "source": event["source"], "subject": event.get("subject"), "namespace": event.get("namespace"),
                    "severity": event.get("severity"), "partition": delivery.partition, "offset": delivery.offset,
                    "attempt": delivery.attempt, "key": delivery.key, "data": event.get("data"),
                }
                line.update(carried_data(delivery.event))
                print("DELIVERY " + json.dumps(line, sort_keys=True), flush=True)
                if received <= to_ack:
                    requests.put(pb.SubscribeRequest(ack=pb.Ack(ack_ids=[delivery.ack_id])))
                if args.expect and received == args.expect:
                    if args.end == "cancel":
                        call.cancel()
                    else:
                        requests.put(ended)
            status_line(call.code(), call.details())
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.CANCELLED and time.monotonic() - started >= args.time_limit:
                print("FAIL no end within %.0f s; %d of %d deliveries arrived" % (args.time_limit, received, args.expect),
                      flush=True)
            else:
                status_line(error.code(), error.details())
    finally:
        timer.cancel()
        requests.put(ended)


def packed_any(packed):
    return {"type_url": packed.type_url, "value": base64.b64encode(packed.value).decode("ascii")}


def carried_data(event):
    """The event's data and time as they arrived: which data field is set, the Any and the message unpacked
    from it (a google.protobuf.Duration here), the time attribute's seconds and nanos, datacontenttype."""
    from google.protobuf import duration_pb2
    kind = event.WhichOneof("data")
    fields = {"data_kind": kind}
    if kind == "proto_data":
        fields["proto_data"] = packed_any(event.proto_data)
        duration = duration_pb2.Duration()
        if event.proto_data.Unpack(duration):
            fields["unpacked"] = {"type": duration.DESCRIPTOR.full_name, "seconds": duration.seconds, "nanos": duration.nanos}
        else:
            fields["unpacked"] = {"error": "not a Duration: " + event.proto_data.type_url}
    if "time" in event.attributes and event.attributes["time"].WhichOneof("attr") == "ce_timestamp":
        stamp = event.attributes["time"].ce_timestamp
        fields["time"] = {"seconds": stamp.seconds, "nanos": stamp.nanos}
    if "datacontenttype" in event.attributes:
        fields["datacontenttype"] = event.attributes["datacontenttype"].ce_string
    return fields


def health(stubs, channel, args, grpc):
    stub = stubs.health_pb2_grpc.HealthStub(channel)
    give_up = time.monotonic() + args.time_limit
    while True:
        try:
            response = stub.Check(stubs.health_pb2.HealthCheckRequest(service=args.service), timeout=args.deadline or 10.0)
        except grpc.RpcError as error:
            status_line(error.code(), error.details())
            return
        status = stubs.health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
        if args.until is None or status == args.until or time.monotonic() > give_up:
            break
        time.sleep(0.1)
    print("HEALTH " + status, flush=True)
    status_line(grpc.StatusCode.OK, "")


if __name__ == "__main__":
    main()
