#!/bin/sh
# Generates the Go code of the bridge's gRPC API (messages and EventBridge client) from the repository's protos
# into ./gen/bridgev1 and ./gen/cloudeventsv1, packages of this module.
#   ./gen.sh [DIR]      DIR is the module's directory (default: the one of this script); code goes to DIR/gen
#   PROTOS=/path/to/protos ./gen.sh   when the protos are elsewhere (default: ../../../protos)
# Needs protoc-gen-go and protoc-gen-go-grpc on PATH (Debian: protoc-gen-go protoc-gen-go-grpc) and a protoc:
# `protoc` (Debian: protobuf-compiler) or else grpcio's (Debian: python3-grpc-tools).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
protos=${PROTOS:-$here/../../../protos}
dir=${1:-$here}
module=github.com/flagger-bridge/bridge/examples/clients/go

for plugin in protoc-gen-go protoc-gen-go-grpc; do
  if ! command -v "$plugin" >/dev/null 2>&1; then
    echo "$plugin is not on PATH; install it: apt-get install -y protoc-gen-go protoc-gen-go-grpc" >&2
    exit 1
  fi
done
if [ -n "${PROTOC:-}" ]; then
  set -- "$PROTOC"
elif command -v protoc >/dev/null 2>&1; then
  set -- protoc
elif /usr/bin/python3 -c 'import grpc_tools' 2>/dev/null; then
  set -- /usr/bin/python3 -m grpc_tools.protoc
else
  echo "No protoc found; install one: apt-get install -y protobuf-compiler (or python3-grpc-tools)" >&2
  exit 1
fi

# The protos' own go_package options name another module, so map both files into this one.
map="Mbridge/v1/bridge.proto=$module/gen/bridgev1;bridgev1,Mio/cloudevents/v1/cloudevents.proto=$module/gen/cloudeventsv1;cloudeventsv1"
rm -rf "$dir/gen"
"$@" -I "$protos" \
  --go_out="$dir" --go_opt="module=$module,$map" \
  --go-grpc_out="$dir" --go-grpc_opt="module=$module,$map" \
  "$protos/bridge/v1/bridge.proto" "$protos/io/cloudevents/v1/cloudevents.proto"
echo "Go code written to $dir/gen"
