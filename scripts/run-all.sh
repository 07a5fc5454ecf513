#!/usr/bin/env bash
# Builds once, then starts the bridge (HTTP :8080, gRPC :8081, embedded Kafka unless configured), the notifier
# (:8090) and the audit service (:8091, SQLite in data/audit), both subscribed to the bridge. One Ctrl-C (or SIGTERM)
# stops all three.
#   NOTIFIER_CONFIG=path/to/notifier.yaml   routes and sinks (default: every event logged to the console)
#   AUDIT_DATA=dir                          where the audit database is kept (default data/audit)
#   CONFIG=Debug|Release                    build configuration (default Release)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG="${CONFIG:-Release}"
DOTNET="${DOTNET:-dotnet}"
BRIDGE_GRPC="${BRIDGE_GRPC:-8081}"
NOTIFIER_PORT="${NOTIFIER_PORT:-8090}"
AUDIT_PORT="${AUDIT_PORT:-8091}"
AUDIT_DATA="${AUDIT_DATA:-data/audit}"

if [[ ! -f src/Consumers/Audit/bin/$CONFIG/net10.0/Bridge.Audit.dll ]]; then
  echo "Building the bridge, the notifier and the audit service (the first build takes a few minutes)..."
fi

"$DOTNET" build src/Bridge/Server -c "$CONFIG" --no-restore -v q -nologo
"$DOTNET" build src/Consumers/Notifier -c "$CONFIG" --no-restore -v q -nologo
"$DOTNET" build src/Consumers/Audit -c "$CONFIG" --no-restore -v q -nologo
mkdir -p "$AUDIT_DATA"

bridge_dir="$PWD/src/Bridge/Server/bin/$CONFIG/net10.0"
notifier_dir="$PWD/src/Consumers/Notifier/bin/$CONFIG/net10.0"
audit_dir="$PWD/src/Consumers/Audit/bin/$CONFIG/net10.0"
audit_args=(
  "--Subscriber:Address=http://127.0.0.1:$BRIDGE_GRPC"
  "--Audit:Port=$AUDIT_PORT"
  "--Audit:Storage:SqlitePath=$(realpath "$AUDIT_DATA")/audit.db"
)
notifier_args=(
  "--Subscriber:Address=http://127.0.0.1:$BRIDGE_GRPC"
  "--Subscriber:Start=earliest"
  "--Urls=http://0.0.0.0:$NOTIFIER_PORT"
)
if [[ -n "${NOTIFIER_CONFIG:-}" ]]; then
  notifier_args+=("--Notifier:ConfigFile=$(realpath "$NOTIFIER_CONFIG")")
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop INT TERM EXIT

"$DOTNET" "$bridge_dir/Bridge.Server.dll" --contentRoot "$bridge_dir" &
pids+=($!)
# The notifier retries its connection, but starting it once the bridge listens keeps the first log lines clean.
for _ in $(seq 1 100); do
  (echo > "/dev/tcp/127.0.0.1/$BRIDGE_GRPC") 2>/dev/null && break
  sleep 0.2
done
"$DOTNET" "$notifier_dir/Bridge.Notifier.dll" --contentRoot "$notifier_dir" "${notifier_args[@]}" &
pids+=($!)
"$DOTNET" "$audit_dir/Bridge.Audit.dll" --contentRoot "$audit_dir" "${audit_args[@]}" &
pids+=($!)

cat <<INFO
----------------------------------------------------------------------------------------
bridge    HTTP ingress  http://127.0.0.1:8080   (POST /v1/flagger/events, /v1/events)
          gRPC          http://127.0.0.1:$BRIDGE_GRPC
notifier  http://127.0.0.1:$NOTIFIER_PORT  (/healthz, /readyz, /metrics)
          configuration ${NOTIFIER_CONFIG:-none: every event is logged by the console sink}
audit     timeline page http://127.0.0.1:$AUDIT_PORT/   (API /api/v1, /healthz, /readyz, /metrics)
          database      $(realpath "$AUDIT_DATA")/audit.db
Ctrl-C stops all three.
----------------------------------------------------------------------------------------
INFO
wait -n "${pids[@]}" || true
