# Shared by bench/me-vs-bare.sh, bench/working-set.sh and bench/write-path.sh (sourced, not run).
# Every process is started here and stopped by its PID on exit.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
DLL="$ROOT/src/Customers.Host/bin/Release/net10.0/Customers.Host.dll"
BARE_DLL="$BENCH/BareGrainHost/bin/Release/net10.0/BareGrainHost.dll"
RESULTS="$BENCH/results"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
PIDS=()
SECONDS=0
source "$BENCH/cpu.sh"

log() { printf '[%s %4ds] %s\n' "${BENCH_NAME:-bench}" "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
command -v node >/dev/null || die "node (20+) is needed"
command -v wrk >/dev/null || die "wrk is needed (apt-get install -y wrk)"
command -v psql >/dev/null || die "psql is needed (apt-get install -y postgresql-client)"

stop_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_all() { local pid; for pid in "${PIDS[@]}"; do stop_pid "$pid"; done; PIDS=(); }
trap stop_all EXIT
trap 'exit 130' INT TERM

build_release() { # build_release PROJECT_DIR
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "building $(basename "$1") (Release)"
    dotnet build -c Release "$1" -nologo -v q >"${TMPDIR:-/tmp}/bench-build-$(basename "$1").log" 2>&1 \
      || { tail -30 "${TMPDIR:-/tmp}/bench-build-$(basename "$1").log" >&2; die "build of $1 failed"; }
  fi
}

free_port() { node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'; }

wait_ready() { # wait_ready URL PID LOG
  for _ in $(seq 1 1800); do
    curl -fs -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { tail -30 "$3" >&2; die "process $2 exited during startup"; }
    sleep 0.1
  done
  die "$1 did not answer within 180 s"
}

# start_host NAME DATA_DIR [extra host arguments...]: starts one Customers host; sets <NAME>_URL and <NAME>_PID.
# HOST_DLL (default: this checkout's Release build) runs another build, e.g. a copy of an earlier commit's;
# HOST_ENV adds environment variables ("DOTNET_gcServer=0 ...").
start_host() {
  local name="$1" data="$2"; shift 2
  local port; port="$(free_port)"
  local log_file="$WORK/host-$name.log"
  local -a env_vars
  read -r -a env_vars <<<"${HOST_ENV:-}"
  env "${env_vars[@]}" dotnet "${HOST_DLL:-$DLL}" --urls "http://127.0.0.1:$port" --Customers:Database:EmbeddedDataDirectory "$data" \
    --Customers:Jwt:Secret "$JWT_SECRET" --Customers:Cluster:AdvertisedAddress 127.0.0.1 \
    --Customers:Cluster:SiloPort "$(free_port)" --Customers:Cluster:GatewayPort "$(free_port)" \
    --Logging:LogLevel:Default=Warning "$@" >"$log_file" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_ready "http://127.0.0.1:$port/health/ready" "$pid" "$log_file"
  printf -v "${name}_URL" '%s' "http://127.0.0.1:$port"
  printf -v "${name}_PID" '%s' "$pid"
  log "host $name ready on port $port (pid $pid, RSS $(rss_mib "$pid") MiB)"
}

rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# Embedded PostgreSQL of a data directory: psql as its superuser over TCP (port from postmaster.pid).
pg() { # pg DATA_DIR SQL
  local port; port="$(sed -n 4p "$1/postmaster.pid")"
  PGPASSWORD="$(cat "$1.password")" psql -h 127.0.0.1 -p "$port" -U postgres -d customers -XAtq -F $'\t' -c "$2"
}

# The machine's busy share (all processes) over 2 s, in percent: sampled while our servers are idle, it is what the
# other users of the machine take.
machine_busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

# run_wrk URL SCRIPT DURATION: prints the RESULT line of lua/report.lua.
run_wrk() {
  BENCH_LUA_DIR="$BENCH/lua" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" --timeout 30s --latency -s "$BENCH/lua/$2" "$1" \
    >"$WORK/wrk.out" 2>&1 || { cat "$WORK/wrk.out" >&2; die "wrk failed"; }
  grep '^RESULT' "$WORK/wrk.out" | tail -1
}
# run_pass URL TOKENS PASSES: lua/me-pass.lua until every wrk thread has asked for its share PASSES times, then
# stops wrk (SIGINT: it reports what it did until then); prints the RESULT line.
run_pass() {
  local done_dir="$WORK/done-$RANDOM"
  mkdir -p "$done_dir"
  BENCH_LUA_DIR="$BENCH/lua" BENCH_TOKENS="$2" BENCH_PASSES="$3" BENCH_DONE_DIR="$done_dir" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3600s --timeout 30s --latency -s "$BENCH/lua/me-pass.lua" "$1" >"$WORK/wrk.out" 2>&1 &
  local wrk_pid=$!
  while (( $(find "$done_dir" -type f | wc -l) < THREADS )); do
    kill -0 "$wrk_pid" 2>/dev/null || { cat "$WORK/wrk.out" >&2; die "wrk ended early"; }
    sleep 0.1
  done
  kill -INT "$wrk_pid"; wait "$wrk_pid" || true
  rm -rf "$done_dir"
  grep '^RESULT' "$WORK/wrk.out" | tail -1
}
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<" $1"; }

machine_line() {
  echo "$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --version), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), PostgreSQL $(/usr/lib/postgresql/*/bin/postgres --version | awk '{print $3}') embedded (default settings), commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes')"
}

# seed_db DIR COUNT: a database of COUNT seeded customers under DIR/pg (kept: later runs reuse it).
seed_db() {
  mkdir -p "$1"; chmod 755 "$1"
  if [[ ! -f "$1/seeded-$2" ]]; then
    log "seeding $2 customers into $1/pg (Customers.Host seed: binary COPY)"
    (cd "$1" && timeout 1800 dotnet "$DLL" seed --customers "$2" --addresses-per-customer 1 --groups 10 --run "b$2" \
      --Customers:Database:EmbeddedDataDirectory "$1/pg" >"$1/seed.out" 2>"$1/seed.log") || die "seed failed, see $1/seed.log"
    tail -1 "$1/seed.out" >"$1/seeded-$2"
  fi
  log "seed: $(cat "$1/seeded-$2")"
}

# publishable_key DATA_DIR: creates one (CLI, no cluster ports) and prints it.
publishable_key() {
  local out
  out="$(dotnet "$DLL" api-key create --type publishable --title bench --Customers:Database:EmbeddedDataDirectory "$1" \
    --Customers:Cluster:SiloPort 1 --Customers:Cluster:GatewayPort 1 2>/dev/null | awk 'NF { last = $0 } END { print last }' | tr -d '[:space:]')"
  [[ "$out" == pk_* ]] || die "api-key create printed no pk_ token"
  echo "$out"
}
