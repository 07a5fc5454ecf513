#!/bin/sh
# Generates the Python stubs of the bridge's gRPC API from the repository's protos.
#   ./gen.sh [OUT]      OUT defaults to ./gen next to this script
#   PROTOS=/path/to/protos ./gen.sh   when the protos are elsewhere (default: ../../../protos)
# Needs Debian's python3-grpcio and python3-grpc-tools, which only /usr/bin/python3 can import.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
protos=${PROTOS:-$here/../../../protos}
out=${1:-$here/gen}
python=${PYTHON:-/usr/bin/python3}

if ! "$python" -c 'import grpc, grpc_tools' 2>/dev/null; then
  echo "$python cannot import grpc and grpc_tools; install them: apt-get install -y python3-grpcio python3-grpc-tools" >&2
  exit 1
fi

mkdir -p "$out"
"$python" -m grpc_tools.protoc -I "$protos" --python_out="$out" --grpc_python_out="$out" \
  "$protos/bridge/v1/bridge.proto" "$protos/io/cloudevents/v1/cloudevents.proto"
# From its own directory, so the module is a top-level health_pb2 (grpc.health would clash with grpcio).
"$python" -m grpc_tools.protoc -I "$protos/grpc/health/v1" --python_out="$out" --grpc_python_out="$out" \
  "$protos/grpc/health/v1/health.proto"
echo "stubs written to $out"
