#!/usr/bin/python3
"""Subscribes to the bridge's event stream over gRPC (bridge.v1.EventBridge/Subscribe) and prints
every event.

    /usr/bin/python3 subscriber.py --subscription chatops --type-prefix app.flagger.canary. --namespace test

A subscription is a durable, named consumer group: run the script twice with the same name and the
two share the stream; stop it and start it again and it continues where it left off. Every event is
acknowledged after it was printed, in batches (--ack-batch, --ack-interval); events that were not
acknowledged when the stream ended are delivered again (with a higher attempt number).

Connection problems (UNAVAILABLE) are retried with exponential backoff. Ctrl-C (or SIGTERM) stops
cleanly: pending acks are sent, then the stream is half-closed; a second Ctrl-C cancels at once.

Every option can also be set through the environment: BRIDGE_ADDRESS, BRIDGE_SUBSCRIPTION,
BRIDGE_TOKEN, BRIDGE_TOKEN_FILE, BRIDGE_STUBS (where gen.sh wrote the stubs).

Exit status: 0 after a clean stop, 1 when the bridge refused the subscription, 2 for bad arguments.
"""

import argparse
import json
import os
import queue
import random
import re
import signal
import sys
import threading
import time

import grpc

import bridgeclient

SUBSCRIPTION_NAME = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
FILTER_ATTRIBUTE = re.compile(r"^[a-z0-9]+$")

# Codes after which a new stream may succeed: the bridge restarts, shuts down or is unreachable
# (UNAVAILABLE); ABORTED is gRPC's general "retry the whole operation" code.
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED)

# How long a stopping subscriber waits for the bridge to end the half-closed stream.
STOP_GRACE_SECONDS = 5.0

# Queue items besides ack ids: the subscriber wants to stop, or the call is over.
_HALF_CLOSE = object()
_CALL_ENDED = object()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Print the bridge's events as they arrive and acknowledge them.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--address", default=os.environ.get("BRIDGE_ADDRESS", bridgeclient.DEFAULT_ADDRESS),
                        help="the bridge's gRPC host:port ($BRIDGE_ADDRESS)")
    parser.add_argument("--subscription", default=os.environ.get("BRIDGE_SUBSCRIPTION"),
                        help="subscription name, [A-Za-z0-9._-], 1-200 chars ($BRIDGE_SUBSCRIPTION; required)")
    parser.add_argument("--token", help="bearer token ($BRIDGE_TOKEN)")
    parser.add_argument("--token-file", help="file holding the bearer token ($BRIDGE_TOKEN_FILE)")
    parser.add_argument("--type-prefix", action="append", default=[], metavar="PREFIX",
                        help="only event types starting with PREFIX (repeat: any of them)")
    parser.add_argument("--type", action="append", default=[], dest="types", metavar="TYPE",
                        help="only this event type (repeat: any of them)")
    parser.add_argument("--namespace", action="append", default=[], metavar="NS",
                        help="only events of this Kubernetes namespace (repeat: any of them)")
    parser.add_argument("--severity", action="append", default=[], choices=("info", "warn", "error"),
                        help="only events of this severity (repeat: any of them)")
    parser.add_argument("--exact", action="append", default=[], metavar="ATTR=VALUE",
                        help="only events whose attribute ATTR equals VALUE (repeat: all of them)")
    parser.add_argument("--start", default="latest",
                        help="where a new subscription starts: latest, earliest or an RFC 3339 time "
                             "(ignored once the subscription has acknowledged events)")
    parser.add_argument("--max-in-flight", type=int, default=0,
                        help="unacknowledged events the bridge may send ahead (0: the bridge's default)")
    parser.add_argument("--ack-batch", type=int, default=20, help="send acks once this many are pending")
    parser.add_argument("--ack-interval", type=float, default=0.5,
                        help="seconds a pending ack may wait for its batch to fill")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events (0: run until stopped)")
    parser.add_argument("--output", choices=("text", "json"), default="text",
                        help="text: a line per event plus its data; json: one JSON object per line")
    parser.add_argument("--max-backoff", type=float, default=30.0, help="longest wait between reconnects, seconds")
    parser.add_argument("--stubs", help="directory of the generated stubs ($BRIDGE_STUBS, default ./gen)")
    args = parser.parse_args(argv)

    if not args.subscription:
        parser.error("--subscription (or BRIDGE_SUBSCRIPTION) is required")
    if not SUBSCRIPTION_NAME.match(args.subscription):
        parser.error("--subscription %r: use 1-200 of the characters A-Z a-z 0-9 . _ -" % args.subscription)
    if args.max_in_flight < 0:
        parser.error("--max-in-flight must be 0 or more")
    if args.ack_batch < 1:
        parser.error("--ack-batch must be at least 1")
    if args.ack_interval <= 0:
        parser.error("--ack-interval must be above 0")
    if args.count < 0:
        parser.error("--count must be 0 or more")
    if args.max_backoff < 0.1:
        parser.error("--max-backoff must be at least 0.1")
    for item in args.exact:
        name, sep, value = item.partition("=")
        if not sep or not FILTER_ATTRIBUTE.match(name) or not value:
            parser.error("--exact %r: use ATTR=VALUE with a lower-case attribute name and a non-empty value" % item)
    for prefix in args.type_prefix:
        if not prefix:
            parser.error("--type-prefix must not be empty")
    args.start_time = None
    if args.start not in ("latest", "earliest"):
        try:
            args.start_time = bridgeclient.parse_time(args.start)
        except ValueError as e:
            parser.error("--start: %s (or use latest or earliest)" % e)
    return args


def build_open(pb, args):
    """The OpenSubscription message for the command line's subscription, filters and start."""
    open_request = pb.OpenSubscription(subscription=args.subscription, max_in_flight=args.max_in_flight)

    def exact(attribute, value):
        return pb.Filter(exact=pb.AttributeMatch(attributes={attribute: value}))

    def any_of(filters):
        return filters[0] if len(filters) == 1 else pb.Filter(any=pb.FilterList(filters=filters))

    if args.type_prefix:
        open_request.filters.append(any_of(
            [pb.Filter(prefix=pb.AttributeMatch(attributes={"type": p})) for p in args.type_prefix]))
    if args.types:
        open_request.filters.append(any_of([exact("type", t) for t in args.types]))
    if args.namespace:
        open_request.filters.append(any_of([exact("namespace", n) for n in args.namespace]))
    if args.severity:
        open_request.filters.append(any_of([exact("severity", s) for s in args.severity]))
    for item in args.exact:
        name, _, value = item.partition("=")
        open_request.filters.append(exact(name, value))

    if args.start == "earliest":
        open_request.start.earliest = True
    elif args.start == "latest":
        open_request.start.latest = True
    else:
        open_request.start.timestamp.FromDatetime(args.start_time)
    return open_request


def print_delivery(delivery, output):
    """Prints one delivery: `time type subject [severity] (partition@offset, attempt n)` then its data."""
    event = bridgeclient.event_to_dict(delivery.event)
    if output == "json":
        event["_delivery"] = {"partition": delivery.partition, "offset": delivery.offset,
                              "attempt": delivery.attempt, "key": delivery.key}
        print(json.dumps(event, sort_keys=True), flush=True)
        return
    print("%s  %s  %s  [%s]  (partition %d @ %d, attempt %d)" % (
        event.get("time", "-"), event["type"], event.get("subject", "-"), event.get("severity", "-"),
        delivery.partition, delivery.offset, delivery.attempt))
    if "data" in event:
        data = event["data"]
        print("    " + (json.dumps(data, sort_keys=True) if not isinstance(data, str) else data), flush=True)


class Subscriber:
    """Runs one Subscribe stream after another until stopped, a count is reached or the bridge refuses."""

    def __init__(self, pb, stub, open_request, metadata, handle, ack_batch, ack_interval, count, max_backoff):
        self._pb = pb
        self._stub = stub
        self._open = open_request
        self._metadata = metadata
        self._handle = handle
        self._ack_batch = ack_batch
        self._ack_interval = ack_interval
        self._count = count
        self._max_backoff = max_backoff
        self._handled = 0
        self._stopping = threading.Event()
        # Reentrant: stop() runs as a signal handler on the main thread, which may hold the lock already.
        self._lock = threading.RLock()
        self._acks = None
        self._call = None

    def stop(self):
        """Asks for a clean stop: flush acks, half-close, let the bridge end the stream. Again: cancel."""
        with self._lock:
            if self._stopping.is_set():
                self._cancel()
                return
            self._stopping.set()
            if self._acks is not None:
                self._acks.put(_HALF_CLOSE)
        # The bridge ends a half-closed stream at once; do not wait forever for one that does not.
        timer = threading.Timer(STOP_GRACE_SECONDS, self._cancel)
        timer.daemon = True
        timer.start()

    def _cancel(self):
        with self._lock:
            if self._call is not None:
                self._call.cancel()

    def run(self):
        """Returns the exit status: 0 after a stop or the count, 1 when the bridge refused the stream."""
        backoff = min(0.5, self._max_backoff)
        while not self._stopping.is_set():
            started = time.monotonic()
            handled_before = self._handled
            code, details = self._stream_once()
            if self._stopping.is_set():
                if code not in (grpc.StatusCode.OK, grpc.StatusCode.CANCELLED):
                    log("stream ended while stopping: %s: %s" % (code.name, details))
                return 0
            if code in RETRYABLE or code == grpc.StatusCode.OK:
                # A stream that delivered something or ran a while was healthy: start the backoff over.
                if self._handled > handled_before or time.monotonic() - started > 30:
                    backoff = min(0.5, self._max_backoff)
                wait = backoff * random.uniform(0.5, 1.0)
                log("stream ended (%s: %s); reconnecting in %.1f s" % (code.name, details or "no details", wait))
                self._stopping.wait(wait)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            log("the bridge refused the subscription: %s: %s" % (code.name, details))
            return 1
        return 0

    def _stream_once(self):
        acks = queue.Queue()
        call = self._stub.Subscribe(self._requests(acks), metadata=self._metadata)
        with self._lock:
            self._acks, self._call = acks, call
            if self._stopping.is_set():
                acks.put(_HALF_CLOSE)
        try:
            for delivery in call:
                if self._stopping.is_set():
                    # Half-closed: this delivery can no longer be acked; it comes again next time.
                    continue
                self._handle(delivery)
                acks.put(delivery.ack_id)
                self._handled += 1
                if self._count and self._handled >= self._count:
                    self.stop()
            return call.code(), call.details()
        except grpc.RpcError as error:
            return error.code(), error.details()
        finally:
            acks.put(_CALL_ENDED)
            with self._lock:
                self._acks, self._call = None, None

    def _requests(self, acks):
        """The request stream: open, then acks in batches; returning half-closes the call."""
        yield self._open_request()
        pending = []
        flush_at = None
        while True:
            timeout = None if flush_at is None else max(0.0, flush_at - time.monotonic())
            try:
                item = acks.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is _CALL_ENDED:
                return
            if item is _HALF_CLOSE:
                if pending:
                    yield self._ack_request(pending)
                return
            if item is not None:
                pending.append(item)
                if flush_at is None:
                    flush_at = time.monotonic() + self._ack_interval
            if pending and (len(pending) >= self._ack_batch or time.monotonic() >= flush_at):
                yield self._ack_request(pending)
                pending = []
                flush_at = None

    def _open_request(self):
        return self._pb.SubscribeRequest(open=self._open)

    def _ack_request(self, ack_ids):
        return self._pb.SubscribeRequest(ack=self._pb.Ack(ack_ids=ack_ids))


def log(message):
    print("subscriber: " + message, file=sys.stderr, flush=True)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    stubs = bridgeclient.load_stubs(args.stubs)
    token = bridgeclient.read_token(args.token, args.token_file)
    open_request = build_open(stubs.bridge_pb2, args)

    with bridgeclient.open_channel(args.address) as channel:
        subscriber = Subscriber(
            stubs.bridge_pb2, stubs.bridge_pb2_grpc.EventBridgeStub(channel), open_request, bridgeclient.call_metadata(token),
            lambda delivery: print_delivery(delivery, args.output),
            min(args.ack_batch, args.max_in_flight or args.ack_batch), args.ack_interval, args.count,
            args.max_backoff)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: subscriber.stop())
        log("subscribing to %s as %r" % (args.address, args.subscription))
        return subscriber.run()


if __name__ == "__main__":
    sys.exit(main())
