#!/usr/bin/env bash
# Admin list and search at a million customers (docs/benchmarks.md, "Admin list and search at 1,000,000 customers").
#
#   bash bench/admin-list.sh        # seeds once (about 2.5 min), then about 2 min of measurements
#
# Builds the host in Release, seeds BENCH_CUSTOMERS customers with `Customers.Host seed` into an embedded PostgreSQL in
# BENCH_ADMIN_DIR (kept between runs: the seed is done only once per directory and count), creates a secret API key
# with `api-key create --type secret`, starts the host on 127.0.0.1 and runs admin-list.mjs (node, keep-alive,
# BENCH_CONCURRENCY loops per scenario for BENCH_SECONDS each). Results: bench/results/admin-list.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
CUSTOMERS="${BENCH_CUSTOMERS:-1000000}"
DIR="${BENCH_ADMIN_DIR:-${TMPDIR:-/tmp}/customers-admin-bench}"
SECONDS_PER="${BENCH_SECONDS:-10}"
CONCURRENCY="${BENCH_CONCURRENCY:-2}"
PORT="${BENCH_PORT:-9310}"
DLL="$ROOT/src/Customers.Host/bin/Release/net10.0/Customers.Host.dll"
RESULTS="$BENCH/results"
HOST_PID=""
SECONDS=0

log() { printf '[admin-bench %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v node >/dev/null || die "node (20+) is needed"
command -v curl >/dev/null || die "curl is needed"

cleanup() {
  if [[ -n "$HOST_PID" ]] && kill -0 "$HOST_PID" 2>/dev/null; then
    kill -TERM "$HOST_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$HOST_PID" 2>/dev/null && kill -KILL "$HOST_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building the host (Release)"
dotnet build -c Release "$ROOT/src/Customers.Host" -nologo -v q >"${TMPDIR:-/tmp}/customers-admin-bench-build.log" 2>&1 \
  || die "build failed, see ${TMPDIR:-/tmp}/customers-admin-bench-build.log"

mkdir -p "$DIR" "$RESULTS"
cd "$DIR"
CONFIG=(--Customers:Database:EmbeddedDataDirectory "$DIR/pg")
RUN="bench$CUSTOMERS"
if [[ ! -f "$DIR/seeded-$CUSTOMERS" ]]; then
  log "seeding $CUSTOMERS customers (run '$RUN')"
  timeout 900 dotnet "$DLL" seed --customers "$CUSTOMERS" --addresses-per-customer 1 --groups 10 --run "$RUN" "${CONFIG[@]}" \
    >"$DIR/seed.out" 2>"$DIR/seed.log" || die "seed failed, see $DIR/seed.log"
  tail -1 "$DIR/seed.out" >"$DIR/seeded-$CUSTOMERS"
fi
SEED_LINE="$(cat "$DIR/seeded-$CUSTOMERS")"
log "$SEED_LINE"

KEY="$(dotnet "$DLL" api-key create --type secret --title "admin list bench" "${CONFIG[@]}" 2>/dev/null | tail -1)"
[[ "$KEY" == sk_* ]] || die "could not create a secret key"

log "starting the host on 127.0.0.1:$PORT"
dotnet "$DLL" --urls "http://127.0.0.1:$PORT" "${CONFIG[@]}" \
  --Customers:Cluster:SiloPort $((PORT + 2000)) --Customers:Cluster:GatewayPort $((PORT + 20000)) \
  --Logging:LogLevel:Default=Warning >"$DIR/host.log" 2>&1 &
HOST_PID=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$HOST_PID" 2>/dev/null || die "the host exited, see $DIR/host.log"
  sleep 0.1
done

log "measuring ($SECONDS_PER s per scenario, $CONCURRENCY concurrent loops)"
TABLE="$(timeout 600 node "$BENCH/admin-list.mjs" "http://127.0.0.1:$PORT" "$KEY" "$RUN" "$CUSTOMERS" "$SECONDS_PER" "$CONCURRENCY")"
{
  echo "# Admin list and search at $CUSTOMERS customers"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GB RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- PostgreSQL $(dotnet --list-runtimes >/dev/null; "$(dirname "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | head -1)")/postgres" --version | awk '{print $3}') embedded, default settings; host Release build, one silo"
  echo "- Seed: $SEED_LINE"
  echo "- $CONCURRENCY concurrent keep-alive loops per scenario, $SECONDS_PER s each, after 5 warm-up requests; limit=20"
  echo
  echo "$TABLE"
} | tee "$RESULTS/admin-list.md"
