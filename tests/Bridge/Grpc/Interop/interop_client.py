"""grpcio client that exercises our server. Usage: interop_client.py PORT STUB_DIR

Prints "OK <check>" per passed check, "WATCHING" when it waits for the test to change the
"interop" health status to NOT_SERVING, and "ALL OK" at the end. Any failure prints
"FAIL <reason>" and exits with status 1.
"""
import queue
import sys

import grpc

sys.path.insert(0, sys.argv[2])
import health_pb2 as hp  # noqa: E402  (generated at test time)
import health_pb2_grpc as hg  # noqa: E402

DETAIL = "\u2014 \u00fcn\u00efc\u00f6d\u00e9\n100%"
SERVING = hp.HealthCheckResponse.SERVING
NOT_SERVING = hp.HealthCheckResponse.NOT_SERVING
SERVICE_UNKNOWN = hp.HealthCheckResponse.SERVICE_UNKNOWN


def enc(text):
    return text.encode("utf-8")


def dec(data):
    return data.decode("utf-8")


def ok(name):
    print("OK " + name, flush=True)


def fail(message):
    print("FAIL " + message, flush=True)
    sys.exit(1)


def expect(condition, message):
    if not condition:
        fail(message)


def expect_error(call, code, name, details=None):
    try:
        call()
    except grpc.RpcError as e:
        expect(e.code() == code, "%s: expected %s, got %s %r" % (name, code, e.code(), e.details()))
        if details is not None:
            expect(e.details() == details, "%s: details %r != %r" % (name, e.details(), details))
        return
    fail(name + ": expected an error")


def main():
    channel = grpc.insecure_channel("127.0.0.1:" + sys.argv[1])
    grpc.channel_ready_future(channel).result(timeout=10)
    health = hg.HealthStub(channel)

    response = health.Check(hp.HealthCheckRequest(service=""), timeout=5)
    expect(response.status == SERVING, "check: %s" % response.status)
    ok("check")

    expect_error(lambda: health.Check(hp.HealthCheckRequest(service="nope"), timeout=5),
                 grpc.StatusCode.NOT_FOUND, "check-not-found")
    ok("check-not-found")

    watch = health.Watch(hp.HealthCheckRequest(service="nope"), timeout=10)
    expect(next(watch).status == SERVICE_UNKNOWN, "watch-unknown")
    watch.cancel()
    ok("watch-unknown")

    watch = health.Watch(hp.HealthCheckRequest(service="interop"), timeout=20)
    expect(next(watch).status == SERVING, "watch: first status")
    print("WATCHING", flush=True)
    expect(next(watch).status == NOT_SERVING, "watch: change")
    watch.cancel()
    ok("watch-change")

    echo = channel.unary_unary("/test.Test/Echo", request_serializer=enc, response_deserializer=dec)
    reply, call = echo.with_call("hi", metadata=(("x-echo", "v"), ("x-data-bin", b"\x00\x01\x02\xff")), timeout=5)
    trailers = dict(call.trailing_metadata())
    expect(reply == "hi", "echo reply %r" % reply)
    expect(trailers.get("x-echo") == "v", "echo trailer %r" % trailers)
    expect(trailers.get("x-data-bin") == b"\x00\x01\x02\xff", "echo binary trailer %r" % trailers)
    ok("unary-metadata")

    big = "z" * 100000
    expect(echo(big, timeout=5, compression=grpc.Compression.Gzip) == big, "gzip echo")
    ok("gzip")

    failing = channel.unary_unary("/test.Test/Fail", request_serializer=enc, response_deserializer=dec)
    expect_error(lambda: failing("10|" + DETAIL, timeout=5), grpc.StatusCode.ABORTED, "fail", DETAIL)
    ok("status-message")

    throwing = channel.unary_unary("/test.Test/Throw", request_serializer=enc, response_deserializer=dec)
    expect_error(lambda: throwing("x", timeout=5), grpc.StatusCode.UNKNOWN, "throw", "Exception was thrown by handler.")
    ok("handler-exception")

    missing = channel.unary_unary("/test.Test/Nope", request_serializer=enc, response_deserializer=dec)
    expect_error(lambda: missing("x", timeout=5), grpc.StatusCode.UNIMPLEMENTED, "unimplemented")
    ok("unimplemented")

    waiting = channel.unary_unary("/test.Test/WaitForCancel", request_serializer=enc, response_deserializer=dec)
    expect_error(lambda: waiting("x", timeout=0.3), grpc.StatusCode.DEADLINE_EXCEEDED, "deadline")
    ok("deadline")

    count = channel.unary_stream("/test.Test/Count", request_serializer=enc, response_deserializer=dec)
    expect(list(count("5", timeout=5)) == ["0", "1", "2", "3", "4"], "count")
    ok("server-streaming")

    fail_after = channel.unary_stream("/test.Test/FailAfter", request_serializer=enc, response_deserializer=dec)
    received = []

    def read_fail_after():
        for message in fail_after("3", timeout=5):
            received.append(message)

    expect_error(read_fail_after, grpc.StatusCode.ABORTED, "fail-after", DETAIL)
    expect(received == ["0", "1", "2"], "fail-after messages %r" % received)
    ok("error-after-messages")

    # More than Kestrel's default of 100 streams on one connection: all must start at once.
    endless = channel.unary_stream("/test.Test/Endless", request_serializer=enc, response_deserializer=dec)
    calls = [endless("x", timeout=20) for _ in range(150)]
    for c in calls:
        expect(next(c) == "first", "endless first message")
    for c in calls:
        c.cancel()
    ok("concurrent-streams")

    acks = queue.Queue()

    def requests():
        yield "open:5:30"
        while True:
            item = acks.get()
            if item is None:
                return
            yield item

    deliver = channel.stream_stream("/test.Test/Deliver", request_serializer=enc, response_deserializer=dec)
    call = deliver(requests(), timeout=20)
    sent = 0
    delivered = 0
    for message in call:
        seq = int(message.split(":")[1])
        delivered += 1
        expect(seq - sent <= 5, "delivery %d with %d acks sent" % (seq, sent))
        acks.put("ack:%d" % seq)
        sent += 1
    acks.put(None)
    expect(delivered == 30, "delivered %d" % delivered)
    expect(call.code() == grpc.StatusCode.OK, "deliver status %s" % call.code())
    expect(dict(call.trailing_metadata()).get("x-max-in-flight") == "5", "x-max-in-flight")
    ok("duplex-acks")

    chat = channel.stream_stream("/test.Test/Chat", request_serializer=enc, response_deserializer=dec)
    call = chat(iter(["a", "b", "c"]), timeout=5)
    expect(list(call) == ["echo:a", "echo:b", "echo:c"], "chat")
    expect(dict(call.trailing_metadata()).get("x-count") == "3", "chat trailer")
    ok("duplex-half-close")

    stream = endless("x", timeout=10)
    expect(next(stream) == "first", "cancel: first")
    stream.cancel()
    ok("cancel")

    channel.close()
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
