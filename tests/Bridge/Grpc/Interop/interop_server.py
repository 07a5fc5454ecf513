"""grpcio server used as a reference peer for our client. Usage: interop_server.py STUB_DIR

Prints "PORT <n>" once listening on 127.0.0.1 and serves until stdin is closed.
"""
import sys
import threading
from concurrent import futures

import grpc

sys.path.insert(0, sys.argv[1])
import health_pb2 as hp  # noqa: E402  (generated at test time)
import health_pb2_grpc as hg  # noqa: E402

DETAIL = "\u2014 \u00fcn\u00efc\u00f6d\u00e9\n100%"


def enc(text):
    return text.encode("utf-8")


def dec(data):
    return data.decode("utf-8")


def wait_for_end(context):
    ended = threading.Event()
    context.add_callback(ended.set)
    ended.wait()


class Health(hg.HealthServicer):
    def Check(self, request, context):
        if request.service in ("", "known"):
            return hp.HealthCheckResponse(status=hp.HealthCheckResponse.SERVING)
        context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")

    def Watch(self, request, context):
        yield hp.HealthCheckResponse(status=hp.HealthCheckResponse.SERVING)
        wait_for_end(context)


def echo(request, context):
    context.set_trailing_metadata([(k, v) for k, v in context.invocation_metadata() if k.startswith("x-")])
    return request


def count(request, context):
    for i in range(int(request)):
        yield str(i)


def fail_after(request, context):
    for i in range(int(request)):
        yield str(i)
    context.abort(grpc.StatusCode.ABORTED, DETAIL)


def wait_for_cancel(request, context):
    wait_for_end(context)
    return "late"


def chat(requests, context):
    n = 0
    for message in requests:
        n += 1
        yield "echo:" + message
    context.set_trailing_metadata((("x-count", str(n)),))


def main():
    handlers = grpc.method_handlers_generic_handler("test.Test", {
        "Echo": grpc.unary_unary_rpc_method_handler(echo, request_deserializer=dec, response_serializer=enc),
        "WaitForCancel": grpc.unary_unary_rpc_method_handler(wait_for_cancel, request_deserializer=dec, response_serializer=enc),
        "Count": grpc.unary_stream_rpc_method_handler(count, request_deserializer=dec, response_serializer=enc),
        "FailAfter": grpc.unary_stream_rpc_method_handler(fail_after, request_deserializer=dec, response_serializer=enc),
        "Chat": grpc.stream_stream_rpc_method_handler(chat, request_deserializer=dec, response_serializer=enc),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    hg.add_HealthServicer_to_server(Health(), server)
    server.add_generic_rpc_handlers((handlers,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("PORT %d" % port, flush=True)
    sys.stdin.read()
    server.stop(0)


if __name__ == "__main__":
    main()
