#!/usr/bin/env bash
# GET /store/customers/me against the bare floor (bench/BareGrainHost: Kestrel + one Orleans grain call answering a
# cached body of the same size), alternating A B A B in one run so that both see the same machine load.
#
#   bash bench/me-vs-bare.sh          # about 4 minutes; writes bench/results/me-vs-bare.md
#
# Settings (environment, defaults in brackets): BENCH_ROUNDS [4] A-B pairs; BENCH_DURATION [10s] each run;
# BENCH_WARMUP [15s] per server before the rounds; BENCH_CUSTOMERS [1000] seeded customers whose tokens rotate;
# BENCH_THREADS [2], BENCH_CONNECTIONS [32]; BENCH_VARIANTS: extra host variants measured in the same rounds, as
# "name=--Some:Option value;name2=..." (e.g. "nodash=--Customers:Dashboard:Enabled false"); a variant whose
# first word is @path/Customers.Host.dll runs that build (e.g. a copy of the previous commit's bin/Release), and
# leading NAME=value words are environment variables for that host (e.g. "wks=DOTNET_gcServer=0");
# BENCH_SKIP_BUILD [0].
set -euo pipefail
BENCH_NAME=me-vs-bare
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS="${BENCH_ROUNDS:-4}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-15s}"
CUSTOMERS="${BENCH_CUSTOMERS:-1000}"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

build_release "$ROOT/src/Customers.Host"
build_release "$BENCH/BareGrainHost"
WORK="$(mktemp -d /tmp/customers-me-vs-bare-XXXXXX)"; chmod 755 "$WORK"
trap 'stop_all; rm -rf "$WORK"' EXIT
JWT_SECRET="$(openssl rand -hex 32)"

seed_db "$WORK" "$CUSTOMERS"
PK="$(publishable_key "$WORK/pg")"
start_host me "$WORK/pg"
pg "$WORK/pg" "SELECT id FROM customer ORDER BY id LIMIT $CUSTOMERS" >"$WORK/ids.txt"
node "$BENCH/mint-tokens.mjs" --secret "$JWT_SECRET" --in "$WORK/ids.txt" --out "$WORK/tokens.txt" >/dev/null
export BENCH_TOKENS="$WORK/tokens.txt" BENCH_PK="$PK" BENCH_THREADS="$THREADS"
BODY_BYTES="$(curl -s -H "x-publishable-api-key: $PK" -H "authorization: Bearer $(head -1 "$WORK/tokens.txt")" \
  -o /dev/null -w '%{size_download}' "$me_URL/store/customers/me")"
(( BODY_BYTES > 100 )) || die "GET /store/customers/me did not answer a customer"

# Extra variants of the host: same database and service id (grain state is keyed by it), but their own cluster id,
# so that each runs its own one-silo cluster with its own activations instead of joining the first host's.
declare -a NAMES=(me) URLS=("$me_URL") SERVER_PIDS=("$me_PID")
IFS=';' read -r -a SPECS <<<"${BENCH_VARIANTS:-}"
for spec in "${SPECS[@]}"; do
  [[ -n "$spec" ]] || continue
  name="${spec%%=*}"; read -r -a extra <<<"${spec#*=}"
  dll="$DLL"; env_vars=""
  if [[ "${extra[0]:-}" == @* ]]; then dll="${extra[0]#@}"; extra=("${extra[@]:1}"); fi
  while [[ "${extra[0]:-}" == [A-Z]*=* ]]; do env_vars+=" ${extra[0]}"; extra=("${extra[@]:1}"); done
  HOST_ENV="$env_vars" HOST_DLL="$dll" start_host "$name" "$WORK/pg" --Customers:Cluster:ClusterId "bench-$name" "${extra[@]}"
  v_url="${name}_URL"; v_pid="${name}_PID"
  NAMES+=("$name"); URLS+=("${!v_url}"); SERVER_PIDS+=("${!v_pid}")
done

BARE_PORT="$(free_port)"
dotnet "$BARE_DLL" --urls "http://127.0.0.1:$BARE_PORT" --body-bytes "$BODY_BYTES" --grains "$CUSTOMERS" \
  --silo-port "$(free_port)" --gateway-port "$(free_port)" >"$WORK/bare.log" 2>&1 &
BARE_PID=$!; PIDS+=("$BARE_PID")
wait_ready "http://127.0.0.1:$BARE_PORT/bare" "$BARE_PID" "$WORK/bare.log"
NAMES+=(bare); URLS+=("http://127.0.0.1:$BARE_PORT"); SERVER_PIDS+=("$BARE_PID")
log "servers: ${NAMES[*]}; /me body $BODY_BYTES bytes; bare RSS $(rss_mib "$BARE_PID") MiB"

script_of() { [[ "$1" == bare ]] && echo bare.lua || echo me.lua; }
for i in "${!NAMES[@]}"; do
  log "warm-up ${NAMES[$i]} ($WARMUP)"
  run_wrk "${URLS[$i]}" "$(script_of "${NAMES[$i]}")" "$WARMUP" >/dev/null
done

declare -A RPS P99 P50 CPU
ROWS=""
for round in $(seq 1 "$ROUNDS"); do
  busy="$(machine_busy)"
  line="| $round | $busy % | $(cut -d' ' -f1 /proc/loadavg) |"
  for i in "${!NAMES[@]}"; do
    name="${NAMES[$i]}"
    before="$(proc_cpu_ticks "${SERVER_PIDS[$i]}")"
    result="$(run_wrk "${URLS[$i]}" "$(script_of "$name")" "$DURATION")"
    after="$(proc_cpu_ticks "${SERVER_PIDS[$i]}")"
    [[ "$(field "$result" non2xx)" == 0 && "$(field "$result" socket_errors)" == 0 ]] || die "$name: errors: $result"
    RPS[$name,$round]="$(field "$result" rps)"; P50[$name,$round]="$(field "$result" p50_ms)"; P99[$name,$round]="$(field "$result" p99_ms)"
    # server CPU per request, in microseconds
    CPU[$name,$round]="$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(field "$result" requests)" 'BEGIN{printf "%.0f", t / hz * 1e6 / n}')"
    line+=" ${RPS[$name,$round]} / ${P50[$name,$round]} / ${P99[$name,$round]} / ${CPU[$name,$round]} |"
    log "round $round $name: $result (server CPU ${CPU[$name,$round]} µs/request)"
  done
  for name in "${NAMES[@]}"; do
    [[ "$name" == bare ]] && continue
    line+=" $(awk -v a="${RPS[$name,$round]}" -v b="${RPS[bare,$round]}" 'BEGIN{printf "%.2f", a / b}') |"
  done
  ROWS+="$line"$'\n'
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
header="| round | machine busy before (others) | load | "
sep="|---:|---:|---:|"
for name in "${NAMES[@]}"; do header+="$name req/s / p50 / p99 ms / server CPU µs per req | "; sep+="---|"; done
for name in "${NAMES[@]}"; do [[ "$name" == bare ]] || { header+="$name ÷ bare | "; sep+="---:|"; }; done
SUMMARY=""
for name in "${NAMES[@]}"; do
  [[ "$name" == bare ]] && continue
  ratio="$(for r in $(seq 1 "$ROUNDS"); do awk -v a="${RPS[$name,$r]}" -v b="${RPS[bare,$r]}" 'BEGIN{printf "%.3f\n", a / b}'; done | median)"
  p99="$(for r in $(seq 1 "$ROUNDS"); do echo "${P99[$name,$r]}"; done | median)"
  rps="$(for r in $(seq 1 "$ROUNDS"); do echo "${RPS[$name,$r]}"; done | median)"
  cpu="$(for r in $(seq 1 "$ROUNDS"); do echo "${CPU[$name,$r]}"; done | median)"
  cpu_ratio="$(for r in $(seq 1 "$ROUNDS"); do awk -v a="${CPU[$name,$r]}" -v b="${CPU[bare,$r]}" 'BEGIN{printf "%.3f\n", b / a}'; done | median)"
  SUMMARY+="- **$name ÷ bare: $(printf '%.2f' "$ratio")×** in req/s (median of $ROUNDS same-round ratios); $name median $rps req/s, p99 $p99 ms; server CPU $cpu µs per request, bare's ÷ $name's = **$(printf '%.2f' "$cpu_ratio")×**"$'\n'
done
brps="$(for r in $(seq 1 "$ROUNDS"); do echo "${RPS[bare,$r]}"; done | median)"
SUMMARY+="- bare median $brps req/s, server CPU $(for r in $(seq 1 "$ROUNDS"); do echo "${CPU[bare,$r]}"; done | median) µs per request"$'\n'

mkdir -p "$RESULTS"
{
  echo "# /store/customers/me against the bare grain-call floor"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(machine_line)"
  echo "- Load average before the run: $LOAD_BEFORE; 'machine busy' is the whole machine's CPU use over 2 s before each round, with our servers idle (other users of the machine)"
  echo "- wrk -t$THREADS -c$CONNECTIONS -d$DURATION per run after $WARMUP warm-up per server; $CUSTOMERS seeded customers' tokens rotating; /me body $BODY_BYTES bytes; variants: ${BENCH_VARIANTS:-none}"
  echo
  echo "$SUMMARY"
  echo "$header"
  echo "$sep"
  printf '%s' "$ROWS"
  echo
  echo "RSS after: $(for i in "${!NAMES[@]}"; do printf '%s %s MiB; ' "${NAMES[$i]}" "$(rss_mib "${SERVER_PIDS[$i]}")"; done)"
} | tee "$RESULTS/me-vs-bare.md"
