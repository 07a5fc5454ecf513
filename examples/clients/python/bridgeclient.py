"""Shared helpers of the example clients: loading the generated stubs, connecting, and turning
CloudEvents (protobuf format) into plain Python values.

The stubs are generated from the repository's protos by gen.sh into ./gen (or the directory named by
the BRIDGE_STUBS environment variable).
"""

import datetime
import importlib.util
import json
import os
import sys
import types

import grpc

DEFAULT_ADDRESS = "127.0.0.1:8081"

HERE = os.path.dirname(os.path.abspath(__file__))


class Stubs:
    """The generated modules: bridge_pb2, bridge_pb2_grpc, cloudevents_pb2 and the health stubs."""

    def __init__(self, bridge_pb2, bridge_pb2_grpc, cloudevents_pb2, health_pb2, health_pb2_grpc):
        self.bridge_pb2 = bridge_pb2
        self.bridge_pb2_grpc = bridge_pb2_grpc
        self.cloudevents_pb2 = cloudevents_pb2
        self.health_pb2 = health_pb2
        self.health_pb2_grpc = health_pb2_grpc


def load_stubs(stub_dir=None):
    """Imports the generated stubs from stub_dir (default: $BRIDGE_STUBS, else ./gen next to this file).

    The CloudEvents proto lives in the protobuf package io.cloudevents.v1, so protoc emits
    `from io.cloudevents.v1 import cloudevents_pb2`. Python's standard library already owns the
    name `io`, which is not a package, so that import cannot find the generated file. The module is
    therefore loaded from its path and registered under the name the generated code imports.
    """
    stub_dir = os.path.abspath(stub_dir or os.environ.get("BRIDGE_STUBS") or os.path.join(HERE, "gen"))
    cloudevents_path = os.path.join(stub_dir, "io", "cloudevents", "v1", "cloudevents_pb2.py")
    if not os.path.isfile(cloudevents_path):
        raise SystemExit(
            "Generated stubs not found in %s. Run gen.sh first (needs the Debian packages "
            "python3-grpcio and python3-grpc-tools), or point BRIDGE_STUBS at them." % stub_dir)

    name = "io.cloudevents.v1.cloudevents_pb2"
    if name not in sys.modules:
        for package in ("io.cloudevents", "io.cloudevents.v1"):
            module = types.ModuleType(package)
            module.__path__ = []
            sys.modules.setdefault(package, module)
        spec = importlib.util.spec_from_file_location(name, cloudevents_path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        sys.modules["io.cloudevents.v1"].cloudevents_pb2 = module

    if stub_dir not in sys.path:
        sys.path.insert(0, stub_dir)
    from io.cloudevents.v1 import cloudevents_pb2
    from bridge.v1 import bridge_pb2, bridge_pb2_grpc
    # gen.sh generates health.proto from its own directory: the grpc package is grpcio's, so
    # grpc.health.v1 could not be imported from the stub directory either.
    import health_pb2
    import health_pb2_grpc
    return Stubs(bridge_pb2, bridge_pb2_grpc, cloudevents_pb2, health_pb2, health_pb2_grpc)


def read_token(token, token_file):
    """The bearer token from --token/--token-file or $BRIDGE_TOKEN/$BRIDGE_TOKEN_FILE; None when unset."""
    token = token or os.environ.get("BRIDGE_TOKEN")
    token_file = token_file or os.environ.get("BRIDGE_TOKEN_FILE")
    if token and token_file:
        raise SystemExit("Give either a token or a token file, not both.")
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as f:
                token = f.read().rstrip("\r\n")
        except OSError as e:
            raise SystemExit("Cannot read the token file %s: %s" % (token_file, e.strerror))
        if not token:
            raise SystemExit("The token file %s is empty." % token_file)
    return token or None


def call_metadata(token):
    """gRPC metadata carrying the token (`authorization: Bearer ...`), or None without a token."""
    return [("authorization", "Bearer " + token)] if token else None


def open_channel(address):
    """An insecure (h2c) channel to host:port. The bridge's gRPC port speaks cleartext HTTP/2."""
    if not address or ":" not in address:
        raise SystemExit("The address must be host:port, e.g. %s (got %r)." % (DEFAULT_ADDRESS, address))
    return grpc.insecure_channel(address)


def status_text(error):
    """'CODE: details' of a grpc.RpcError."""
    code = error.code()
    return "%s: %s" % (code.name if code else "UNKNOWN", error.details() or "")


def attribute_value(value):
    """A CloudEventAttributeValue as a plain value: str, bool, int, or RFC 3339 text for timestamps."""
    kind = value.WhichOneof("attr")
    if kind is None:
        return None
    if kind == "ce_timestamp":
        return format_timestamp(value.ce_timestamp)
    if kind == "ce_bytes":
        return value.ce_bytes.hex()
    return getattr(value, kind)


def format_timestamp(timestamp):
    """A google.protobuf.Timestamp as RFC 3339 UTC text with milliseconds."""
    moment = datetime.datetime.fromtimestamp(timestamp.seconds, tz=datetime.timezone.utc)
    moment += datetime.timedelta(microseconds=timestamp.nanos // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def parse_time(text):
    """RFC 3339 / ISO 8601 text (e.g. 2025-01-10T09:00:00Z) as an aware datetime, UTC when no offset is given.

    Raises ValueError naming the text when it is not a time.
    """
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("%r is not a time; use RFC 3339, e.g. 2025-01-10T09:00:00Z" % text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def event_data(event):
    """The event's data: parsed JSON when it is JSON text, else the text, else hex of binary data."""
    kind = event.WhichOneof("data")
    if kind is None:
        return None
    if kind == "proto_data":
        return {"@type": event.proto_data.type_url, "bytes": len(event.proto_data.value)}
    if kind == "binary_data":
        raw = event.binary_data
        content_type = attribute_value(event.attributes["datacontenttype"]) if "datacontenttype" in event.attributes else ""
        if not _is_textual(content_type):
            return raw.hex()
        text = raw.decode("utf-8", errors="replace")
    else:
        text = event.text_data
    try:
        return json.loads(text)
    except ValueError:
        return text


def event_to_dict(event):
    """Every attribute of the event plus its data, as one flat dict (CloudEvents JSON format field names)."""
    result = {"specversion": event.spec_version, "id": event.id, "source": event.source, "type": event.type}
    for name in sorted(event.attributes):
        result[name] = attribute_value(event.attributes[name])
    data = event_data(event)
    if data is not None:
        result["data"] = data
    return result


def _is_textual(content_type):
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "" or media.startswith("text/") or media.endswith("json") or media.endswith("+json") or media.endswith("xml")
