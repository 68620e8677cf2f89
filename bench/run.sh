#!/usr/bin/env bash
# Benchmarks one Customers host on this machine and writes bench/results/latest.md.
#
#   bash bench/run.sh
#
# What it does: installs wrk if missing (apt, as root), builds the host in Release, starts ONE host (embedded
# PostgreSQL in a temporary directory, or the database in ConnectionStrings__Customers when that is set) with
# raised rate limits, seeds customers through the public API, then runs wrk against 127.0.0.1 only:
#   (a) GET /store/customers/me            rotating over the seeded customer tokens
#   (b) POST /auth/customer/emailpass      logins rotating over the seeded credentials
#   (c) sign-up                            register + POST /store/customers, new e-mails each iteration
# Logins and sign-ups are measured in rounds against their reference, the raw bcrypt verification rate at the same
# work factor (bench/BcryptRate), measured with the host paused (SIGSTOP, so it takes no CPU) right before and right
# after each login and sign-up run: every ratio is to the mean of the two, which cancels the drift of this virtual
# machine's speed from one minute to the next. Login and sign-up are warmed up first (unreported), so that the JIT
# has compiled their paths before the first round.
# It stops everything it started, by PID.
#
# Settings (environment variables, defaults in brackets):
#   BENCH_CUSTOMERS [1000]  customers to seed      BENCH_SEED_CONCURRENCY [8]   parallel sign-ups while seeding
#   BENCH_THREADS [2]       wrk threads            BENCH_CONNECTIONS [32]       wrk connections
#   BENCH_DURATION [20s]    each wrk run           BENCH_TIMEOUT [60s]          wrk request timeout
#   BENCH_WARMUP [20s]      unreported /me load before the runs (JIT warm-up)
#   BENCH_WORK_FACTOR [11]  bcrypt work factor     BENCH_BCRYPT_SECONDS [10]    each bcrypt measurement
#   BENCH_ROUNDS [3]        rounds of login and sign-up, each run between two bcrypt measurements
#   BENCH_TOKEN_VIA [refresh] how seeding gets customer tokens: refresh (no hash) or login (one more bcrypt each)
#   BENCH_LOGIN_ACCOUNTS [100] customers seeded at BENCH_WORK_FACTOR; the login run rotates over these
#   BENCH_SEED_WORK_FACTOR [4] work factor for the other customers, which only serve the /me tokens: seeding them
#                           at full cost would take about 100 s per 1000 customers on 2 cores. They are seeded by
#                           a first host run at this factor; the host is then restarted on the same data at
#                           BENCH_WORK_FACTOR. Set it equal to BENCH_WORK_FACTOR to seed everything at full cost.
#   BENCH_SKIP_BUILD [0]    1 = use the existing Release build
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
CUSTOMERS="${BENCH_CUSTOMERS:-1000}"
SEED_CONCURRENCY="${BENCH_SEED_CONCURRENCY:-8}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-20s}"
TIMEOUT="${BENCH_TIMEOUT:-60s}"
WORK_FACTOR="${BENCH_WORK_FACTOR:-11}"
BCRYPT_SECONDS="${BENCH_BCRYPT_SECONDS:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
TOKEN_VIA="${BENCH_TOKEN_VIA:-refresh}"
SEED_WORK_FACTOR="${BENCH_SEED_WORK_FACTOR:-4}"
LOGIN_ACCOUNTS="${BENCH_LOGIN_ACCOUNTS:-100}"
(( LOGIN_ACCOUNTS > CUSTOMERS )) && LOGIN_ACCOUNTS="$CUSTOMERS"
(( SEED_WORK_FACTOR == WORK_FACTOR )) && LOGIN_ACCOUNTS="$CUSTOMERS"
CHEAP_CUSTOMERS=$(( CUSTOMERS - LOGIN_ACCOUNTS ))
DLL="$ROOT/src/Customers.Host/bin/Release/net10.0/Customers.Host.dll"
BCRYPT_DLL="$BENCH/BcryptRate/bin/Release/net10.0/BcryptRate.dll"
RESULTS="$BENCH/results"
STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD_BEFORE="$(cut -d" " -f1-3 /proc/loadavg)"
SECONDS=0

log() { printf '[bench %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v node >/dev/null || die "node (20+) is needed to seed customers"
command -v curl >/dev/null || die "curl is needed"

# --- wrk -----------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  if [[ "$(id -u)" == 0 ]]; then
    log "installing wrk with apt"
    apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
  else
    die "wrk is not installed; run as root (or: sudo apt-get install -y wrk)"
  fi
fi

# --- build ---------------------------------------------------------------------------------------------------
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$DLL" ]]; then
  log "building the host (Release)"
  dotnet build -c Release "$ROOT/src/Customers.Host" -nologo -v q >"${TMPDIR:-/tmp}/customers-bench-build.log" 2>&1 \
    || { tail -30 "${TMPDIR:-/tmp}/customers-bench-build.log" >&2; die "host build failed"; }
fi
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 || ! -f "$BCRYPT_DLL" ]]; then
  log "building bench/BcryptRate (Release)"
  dotnet build -c Release "$BENCH/BcryptRate" -nologo -v q >"${TMPDIR:-/tmp}/customers-bench-bcrypt-build.log" 2>&1 \
    || { tail -30 "${TMPDIR:-/tmp}/customers-bench-bcrypt-build.log" >&2; die "BcryptRate build failed"; }
fi

# --- host ----------------------------------------------------------------------------------------------------
WORK="$(mktemp -d /tmp/customers-bench-XXXXXX)"
chmod 755 "$WORK" # the embedded PostgreSQL runs as the postgres user and must traverse into it
HOST_PID=""

stop_host() {
  if [[ -n "$HOST_PID" ]] && kill -0 "$HOST_PID" 2>/dev/null; then
    log "stopping the host (pid $HOST_PID)"
    kill -CONT "$HOST_PID" 2>/dev/null || true # in case it was paused for a bcrypt measurement
    kill -TERM "$HOST_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$HOST_PID" 2>/dev/null && kill -KILL "$HOST_PID" 2>/dev/null || true
    wait "$HOST_PID" 2>/dev/null || true
  fi
  HOST_PID=""
  # An embedded PostgreSQL the host could not stop: stop it by the PID in its own pid file.
  local pidfile="$WORK/postgres/postmaster.pid"
  if [[ -f "$pidfile" ]]; then
    local pgpid
    pgpid="$(head -1 "$pidfile")"
    if [[ -n "$pgpid" ]] && grep -q postgres "/proc/$pgpid/cmdline" 2>/dev/null; then
      log "stopping the embedded PostgreSQL left running (pid $pgpid)"
      kill -TERM "$pgpid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
}
cleanup() {
  stop_host
  if [[ -n "${BENCH_KEEP_DATA:-}" ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_ports() {
  node -e '
    const net = require("node:net");
    const servers = [0, 1, 2].map(() => net.createServer().listen(0, "127.0.0.1"));
    Promise.all(servers.map((s) => new Promise((r) => s.on("listening", r)))).then(() => {
      console.log(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    });'
}
if [[ -n "${ConnectionStrings__Customers:-}" ]]; then DB_MODE="external (ConnectionStrings__Customers)"; else DB_MODE="embedded, data in a temporary directory"; fi

# config_args WORK_FACTOR SILO_PORT GATEWAY_PORT
config_args() {
  CONFIG=(
    --Customers:Database:EmbeddedDataDirectory "$WORK/postgres"
    --Customers:Cluster:SiloPort "$2"
    --Customers:Cluster:GatewayPort "$3"
    --Customers:Cluster:AdvertisedAddress 127.0.0.1
    --Customers:RateLimits:RegistrationsPerHour 1000000
    --Customers:RateLimits:FailedLoginsPerHour 1000000
    --Customers:Passwords:WorkFactor "$1"
  )
}

# start_host WORK_FACTOR: starts the host on fresh free ports and waits until it is ready.
start_host() {
  local http_port silo_port gateway_port
  read -r http_port silo_port gateway_port < <(free_ports)
  BASE_URL="http://127.0.0.1:$http_port"
  config_args "$1" "$silo_port" "$gateway_port"
  log "starting the host on $BASE_URL (bcrypt work factor $1)"
  : >"$WORK/host.log"
  dotnet "$DLL" --urls "$BASE_URL" "${CONFIG[@]}" >>"$WORK/host.log" 2>&1 &
  HOST_PID=$!
  for _ in $(seq 1 1800); do # at most 180 s
    grep -q "Now listening on" "$WORK/host.log" && break
    kill -0 "$HOST_PID" 2>/dev/null || { tail -40 "$WORK/host.log" >&2; die "the host exited during startup"; }
    sleep 0.1
  done
  grep -q "Now listening on" "$WORK/host.log" || { tail -40 "$WORK/host.log" >&2; die "the host did not start listening"; }
  local ready
  ready="$(curl -s -o /dev/null -w '%{http_code}' "$BASE_URL/health/ready")"
  [[ "$ready" == 200 ]] || die "GET /health/ready answered $ready"
}

rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$HOST_PID/status"; }
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<" $1"; }

# seed COUNT DIR: sign-ups through the API; prints seed.mjs's SEED line.
seed() {
  mkdir -p "$2"
  node "$BENCH/seed.mjs" --base-url "$BASE_URL" --publishable-key "$PK" --count "$1" \
    --concurrency "$SEED_CONCURRENCY" --out "$2" --token-via "$TOKEN_VIA" | tail -1
}

config_args "$WORK_FACTOR" 1 1 # the CLI command opens no cluster ports
log "creating a publishable API key ($DB_MODE)"
KEY_OUT="$(dotnet "$DLL" api-key create --type publishable --title bench "${CONFIG[@]}" 2>"$WORK/api-key.err")" \
  || { cat "$WORK/api-key.err" >&2; die "api-key create failed"; }
PK="$(printf '%s\n' "$KEY_OUT" | awk 'NF { last = $0 } END { print last }' | tr -d '[:space:]')"
[[ "$PK" == pk_* ]] || die "api-key create printed no pk_ token: $KEY_OUT"

# --- seed ----------------------------------------------------------------------------------------------------
CHEAP_SEED_LINE=""
if (( CHEAP_CUSTOMERS > 0 )); then
  start_host "$SEED_WORK_FACTOR"
  log "seeding $CHEAP_CUSTOMERS token-only customers at work factor $SEED_WORK_FACTOR (concurrency $SEED_CONCURRENCY)"
  CHEAP_SEED_LINE="$(seed "$CHEAP_CUSTOMERS" "$WORK/seed-cheap")" || die "seeding failed"
  log "$CHEAP_SEED_LINE"
  stop_host
fi
start_host "$WORK_FACTOR"
RSS_IDLE="$(rss_mib)"
log "host ready (pid $HOST_PID, RSS ${RSS_IDLE} MiB)"
log "seeding $LOGIN_ACCOUNTS customers at work factor $WORK_FACTOR (concurrency $SEED_CONCURRENCY, tokens via $TOKEN_VIA)"
SEED_LINE="$(seed "$LOGIN_ACCOUNTS" "$WORK/seed-full")" || die "seeding failed"
cat "$WORK/seed-full/tokens.txt" ${CHEAP_SEED_LINE:+"$WORK/seed-cheap/tokens.txt"} >"$WORK/tokens.txt"
cp "$WORK/seed-full/credentials.txt" "$WORK/credentials.txt"
RSS_SEEDED="$(rss_mib)"
log "$SEED_LINE (RSS ${RSS_SEEDED} MiB); $(wc -l <"$WORK/tokens.txt") tokens, $(wc -l <"$WORK/credentials.txt") login accounts"

# settle: waits (at most 30 s) until the host uses under 10% of a core, so that requests that wrk abandoned at
# the end of a run (slow bcrypt logins still queued in the server) do not spill into the next run.
settle() {
  local ticks_per_s before after
  ticks_per_s="$(getconf CLK_TCK)"
  for _ in $(seq 1 60); do
    before="$(awk '{ print $14 + $15 }' "/proc/$HOST_PID/stat")"
    sleep 0.5
    after="$(awk '{ print $14 + $15 }' "/proc/$HOST_PID/stat")"
    (( (after - before) * 20 < ticks_per_s )) && return 0
  done
  log "  (the host was still busy after 30 s)"
}

# --- wrk -----------------------------------------------------------------------------------------------------
export BENCH_LUA_DIR="$BENCH/lua" BENCH_TOKENS="$WORK/tokens.txt" BENCH_CREDENTIALS="$WORK/credentials.txt" \
  BENCH_PK="$PK"
RUN_ID="$(date +%s)-$$"
declare -A RESULT RSS HOST_CPU_S DB_CPU_S
# CPU of the embedded PostgreSQL (0 for an external database).
source "$BENCH/cpu.sh"
db_cpu_ticks() { if [[ -f "$WORK/postgres/postmaster.pid" ]]; then pg_cpu_ticks "$WORK/postgres"; else echo 0; fi; }
run_wrk() { # name threads script
  local name="$1" threads="$2" script="$3"
  settle
  log "wrk $name: -t$threads -c$CONNECTIONS -d$DURATION"
  local host_before db_before
  host_before="$(proc_cpu_ticks "$HOST_PID")" db_before="$(db_cpu_ticks)"
  wrk -t"$threads" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" -s "$BENCH/lua/$script" "$BASE_URL" \
    >"$WORK/wrk-$name.txt" 2>&1 || { cat "$WORK/wrk-$name.txt" >&2; die "wrk $name failed"; }
  HOST_CPU_S[$name]="$(ticks_to_s $(( $(proc_cpu_ticks "$HOST_PID") - host_before )))"
  DB_CPU_S[$name]="$(ticks_to_s $(( $(db_cpu_ticks) - db_before )))"
  RESULT[$name]="$(grep '^RESULT ' "$WORK/wrk-$name.txt" | tail -1)"
  RSS[$name]="$(rss_mib)"
  [[ -n "${RESULT[$name]}" ]] || { cat "$WORK/wrk-$name.txt" >&2; die "wrk $name printed no RESULT line"; }
  log "  ${RESULT[$name]#RESULT } rss_mib=${RSS[$name]}"
}
# Warm-up, not reported: the JIT recompiles hot paths with profile data during the first seconds under load.
log "warm-up: /me for ${WARMUP}"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$BENCH/lua/me.lua" "$BASE_URL" >/dev/null 2>&1 || die "warm-up failed"
run_wrk me "$THREADS" me.lua

# raw_bcrypt N: the reference rate, measurement N, with the host paused (SIGSTOP: no CPU at all, connections kept).
declare -a BCRYPT_RATE
raw_bcrypt() {
  settle
  log "raw bcrypt, measurement $1: work factor $WORK_FACTOR, 2 threads, ${BCRYPT_SECONDS}s, host paused"
  kill -STOP "$HOST_PID"
  local out
  out="$(dotnet "$BCRYPT_DLL" --work-factor "$WORK_FACTOR" --threads 2 --seconds "$BCRYPT_SECONDS")" || { kill -CONT "$HOST_PID"; die "BcryptRate failed"; }
  kill -CONT "$HOST_PID"
  BCRYPT_RATE[$1]="$(sed -n 's/^verify_per_sec=//p' <<<"$out")"
  BCRYPT_HASH_MS="$(sed -n 's/^one hash on one thread: \([0-9.]*\) ms/\1/p' <<<"$out")"
  log "  ${BCRYPT_RATE[$1]} verifications/s"
}
# Unreported: the host was restarted after seeding, so login and sign-up still run unoptimised code (the JIT
# recompiles hot paths with profile data during their first half minute under load).
log "warm-up: login and sign-up, ${WARMUP} each"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$BENCH/lua/login.lua" "$BASE_URL" >/dev/null 2>&1 || die "warm-up failed"
BENCH_RUN="$RUN_ID-warm-up" wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" -s "$BENCH/lua/signup.lua" \
  "$BASE_URL" >/dev/null 2>&1 || die "warm-up failed"
# Measurements 2r-2 and 2r-1 bracket round r's login, 2r-1 and 2r its sign-up.
raw_bcrypt 0
for round in $(seq 1 "$ROUNDS"); do
  run_wrk "login$round" "$THREADS" login.lua
  raw_bcrypt $(( 2 * round - 1 ))
  # One connection per thread so that each registration is paired with its own customer creation (see signup.lua);
  # new e-mails every round.
  BENCH_RUN="$RUN_ID-$round" run_wrk "signup$round" "$CONNECTIONS" signup.lua
  raw_bcrypt $(( 2 * round ))
done

# --- login timing: unknown e-mail vs wrong password ---------------------------------------------------------
# Sequential single requests (no queueing), one wrong attempt per seeded account so no lockout is involved.
TIMING_SAMPLES="${BENCH_TIMING_SAMPLES:-30}"
settle
login_ms() { # email password
  curl -s -o /dev/null -w '%{time_total}\n' -X POST "$BASE_URL/auth/customer/emailpass" \
    -H 'content-type: application/json' --data "{\"email\":\"$1\",\"password\":\"$2\"}" | awk '{ printf "%.1f\n", $1 * 1000 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
log "login timing: $TIMING_SAMPLES unknown e-mails vs $TIMING_SAMPLES wrong passwords, sequential"
UNKNOWN_MS="$(for i in $(seq 1 "$TIMING_SAMPLES"); do login_ms "nobody-$i-$RUN_ID@example.com" "Wrong-pass-$i"; done | median)"
WRONG_MS="$(head -n "$TIMING_SAMPLES" "$WORK/credentials.txt" | while read -r email _; do login_ms "$email" "Wrong-pass-x1"; done | median)"
log "  median: unknown e-mail ${UNKNOWN_MS} ms, wrong password ${WRONG_MS} ms"

stop_host

# --- report --------------------------------------------------------------------------------------------------
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
MEM_TOTAL="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
OS_NAME="$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || uname -s), kernel $(uname -r)"
DOTNET_VERSION="$(dotnet --version)"
if [[ -n "${ConnectionStrings__Customers:-}" ]]; then
  PG_VERSION="external server (version not probed)"
elif command -v postgres >/dev/null; then
  PG_VERSION="$(postgres --version)"
else
  PG_VERSION="$(ls /usr/lib/postgresql 2>/dev/null | tail -1)"
fi
WRK_VERSION="$( { wrk -v 2>&1 || true; } | awk 'NR == 1 { print $1, $2 }')" # wrk -v exits 1
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")"

row() { # label name [extra columns]
  local r="${RESULT[$2]}"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(field "$r" rps)" "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" \
    "$(field "$r" requests)" "$(( $(field "$r" non2xx) + $(field "$r" socket_errors) ))" "${RSS[$2]}"
}
per_signup() { awk -v s="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.0f", 1000 * s / n; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
median_of() { printf '%s\n' "$@" | median; }
declare -a LOGIN_RATIOS SIGNUP_RATIOS
mean() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a + b) / 2 }'; }
ROUND_ROWS=""
for round in $(seq 1 "$ROUNDS"); do
  before="${BCRYPT_RATE[2 * round - 2]}" between="${BCRYPT_RATE[2 * round - 1]}" after="${BCRYPT_RATE[2 * round]}"
  login="$(field "${RESULT[login$round]}" rps)" signup="$(field "${RESULT[signup$round]}" signups_per_sec)"
  LOGIN_RATIOS+=("$(ratio "$login" "$(mean "$before" "$between")")")
  SIGNUP_RATIOS+=("$(ratio "$signup" "$(mean "$between" "$after")")")
  done_signups="$(field "${RESULT[signup$round]}" signups)"
  ROUND_ROWS+="| $round | $before / $between / $after | $login | **${LOGIN_RATIOS[-1]}** | $signup | **${SIGNUP_RATIOS[-1]}** | $(field "${RESULT[signup$round]}" failed) | $(per_signup "${HOST_CPU_S[signup$round]}" "$done_signups") | $(per_signup "${DB_CPU_S[signup$round]}" "$done_signups") |"$'\n'
done
mkdir -p "$RESULTS"
{
  echo "### Benchmark run $STARTED_AT"
  echo
  echo "Machine: $(nproc) CPUs ($CPU_MODEL), $MEM_TOTAL RAM, $OS_NAME; .NET SDK $DOTNET_VERSION; $PG_VERSION;" \
    "$WRK_VERSION. Commit $COMMIT. Load average before the run: $LOAD_BEFORE (other work on the machine skews the figures)."
  echo
  echo "Setup: one host (silo + HTTP) and its database on the same machine; database $DB_MODE." \
    "bcrypt work factor $WORK_FACTOR. wrk -t$THREADS -c$CONNECTIONS -d$DURATION against 127.0.0.1" \
    "(sign-up: -t$CONNECTIONS -c$CONNECTIONS, one connection per thread); request timeout $TIMEOUT; the host is" \
    "left to go idle before each run. $CUSTOMERS seeded customers."
  echo
  echo "| Scenario | req/s | p50 ms | p99 ms | requests | errors | host RSS after (MiB) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  row "GET /store/customers/me ($CUSTOMERS tokens)" me
  for round in $(seq 1 "$ROUNDS"); do
    row "POST /auth/customer/emailpass (login, $LOGIN_ACCOUNTS accounts), round $round" "login$round"
    row "Sign-up: register + POST /store/customers (requests of both kinds), round $round" "signup$round"
  done
  echo
  echo "Against the raw bcrypt rate (BCrypt.Net-Next 4.2.0 EnhancedVerify, SHA-384, work factor $WORK_FACTOR, 2 threads," \
    "host paused; one hash on one thread ${BCRYPT_HASH_MS} ms), measured before login, between login and sign-up," \
    "and after sign-up; each ratio is to the mean of the measurements on either side of its run:"
  echo
  echo "| Round | raw bcrypt /s (before / between / after) | logins /s | ÷ raw | sign-ups /s | ÷ raw | failed sign-up steps | host CPU ms per sign-up | PostgreSQL CPU ms per sign-up |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$ROUND_ROWS"
  echo
  echo "- **Median: login $(median_of "${LOGIN_RATIOS[@]}")×, sign-up $(median_of "${SIGNUP_RATIOS[@]}")× of the raw bcrypt rate.**"
  echo "- Seeding (register + create + $TOKEN_VIA, $SEED_CONCURRENCY in parallel): $LOGIN_ACCOUNTS customers at work factor" \
    "$WORK_FACTOR (the login accounts), $(field "$SEED_LINE" per_sec) customers/s ($(field "$SEED_LINE" seconds) s)$(
    [[ -n "$CHEAP_SEED_LINE" ]] && printf '; %s more at work factor %s for /me tokens only (a first host run on the same data), %s customers/s (%s s)' \
      "$CHEAP_CUSTOMERS" "$SEED_WORK_FACTOR" "$(field "$CHEAP_SEED_LINE" per_sec)" "$(field "$CHEAP_SEED_LINE" seconds)")."
  echo "- Login timing, $TIMING_SAMPLES sequential attempts each (median): unknown e-mail ${UNKNOWN_MS} ms," \
    "wrong password ${WRONG_MS} ms."
  echo "- Host RSS: ${RSS_IDLE} MiB after start, ${RSS_SEEDED} MiB after seeding."
  echo
  echo "Raw wrk summaries:"
  echo
  echo '```'
  for name in me $(for round in $(seq 1 "$ROUNDS"); do echo "login$round signup$round"; done); do
    echo "== $name"
    grep -v '^RESULT ' "$WORK/wrk-$name.txt"
  done
  echo '```'
} >"$RESULTS/latest.md"
log "wrote $RESULTS/latest.md (total ${SECONDS}s)"
cat "$RESULTS/latest.md"
