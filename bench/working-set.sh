#!/usr/bin/env bash
# A storefront's working set: GET /store/customers/me rotating over many distinct customers of a large seeded
# database, starting cold (no customer active), against the one-token figure measured in the same run.
#
#   bash bench/working-set.sh        # first run seeds 1,000,000 customers (about 2.5 min), then about 5 min
#
# Steps: seed (kept under BENCH_WS_DIR, reused later), mint tokens for BENCH_ACTIVE random customers with the JWT
# secret the host is started with, start one host, warm its JIT on 200 other customers, then
#   1. cold pass over the first 10,000 customers (each asked once), a warm run over them; RSS
#   2. cold pass over all BENCH_ACTIVE customers (the 10,000 already active, the rest activated now); RSS
#   3. warm runs over all of them alternating with one-token runs (A B A B); RSS
# Activations per second come from PostgreSQL (index scans on the grain storage table during the cold pass).
# Settings: BENCH_WS_DIR [/tmp/customers-working-set], BENCH_CUSTOMERS [1000000], BENCH_ACTIVE [100000],
# BENCH_DURATION [15s] warm runs, BENCH_ROUNDS [2], BENCH_HOST_ARGS (extra host options), BENCH_SKIP_BUILD [0],
# BENCH_GCDUMP [0] 1 = also write a heap summary by type at the end (needs dotnet-gcdump).
set -euo pipefail
BENCH_NAME=working-set
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="${BENCH_WS_DIR:-${TMPDIR:-/tmp}/customers-working-set}"
CUSTOMERS="${BENCH_CUSTOMERS:-1000000}"
ACTIVE="${BENCH_ACTIVE:-100000}"
DURATION="${BENCH_DURATION:-15s}"
ROUNDS="${BENCH_ROUNDS:-2}"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
FIRST=$(( ACTIVE < 10000 ? ACTIVE : 10000 ))

build_release "$ROOT/src/Customers.Host"
seed_db "$DIR" "$CUSTOMERS"
WORK="$(mktemp -d /tmp/customers-ws-run-XXXXXX)"; chmod 755 "$WORK"
trap 'stop_all; rm -rf "$WORK"' EXIT
JWT_SECRET="$(openssl rand -hex 32)"
PK="$(publishable_key "$DIR/pg")"
read -r -a HOST_ARGS <<<"${BENCH_HOST_ARGS:-}"
start_host ws "$DIR/pg" "${HOST_ARGS[@]}"

log "picking $ACTIVE random customers (+200 for the JIT warm-up) and minting their tokens"
pg "$DIR/pg" "SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY md5(id || '$JWT_SECRET') LIMIT $((ACTIVE + 200))" >"$WORK/ids.txt"
node "$BENCH/mint-tokens.mjs" --secret "$JWT_SECRET" --in "$WORK/ids.txt" --out "$WORK/all.txt" >/dev/null
head -200 "$WORK/all.txt" >"$WORK/jit.txt"
tail -n +201 "$WORK/all.txt" >"$WORK/active.txt"
head -"$FIRST" "$WORK/active.txt" >"$WORK/first.txt"
head -1 "$WORK/active.txt" >"$WORK/one.txt"
export BENCH_PK="$PK" BENCH_THREADS="$THREADS"

storage_reads() { pg "$DIR/pg" "SELECT coalesce(sum(idx_scan + seq_scan), 0) FROM pg_stat_user_tables WHERE relname = 'orleansstorage'"; }
# wrk over a token file; BENCH_PASSES=1 stops after each customer was asked once.
pass() { if [[ "$2" == 0 ]]; then BENCH_TOKENS="$1" BENCH_PASSES=0 run_wrk "$ws_URL" me-pass.lua "$3"; else run_pass "$ws_URL" "$1" "$2"; fi; }
row() { # row LABEL RESULT [extra]
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" requests)" "$(field "$2" rps)" "$(field "$2" p50_ms)" "$(field "$2" p99_ms)" "${3:-}"
}
check() { [[ "$(field "$1" non2xx)" == 0 && "$(field "$1" socket_errors)" == 0 ]] || die "errors: $1"; }

log "JIT warm-up on 200 customers outside the measured set (20 s)"
pass "$WORK/jit.txt" 0 20s >/dev/null
sleep 2
RSS0="$(rss_kib "$ws_PID")"
ROWS=""
cold() { # cold TOKENS LABEL: one pass, activation rate from PostgreSQL
  local before after result
  before="$(storage_reads)"
  result="$(pass "$1" 1 600s)"; check "$result"
  after="$(storage_reads)"
  local reads=$(( after - before ))
  ROWS+="$(row "$2" "$result" "$reads storage reads, $(awk -v r="$reads" -v s="$(field "$result" seconds)" 'BEGIN{printf "%.0f", r / s}') activations/s")"$'\n'
  log "$2: $result; $reads storage reads"
}
busy="$(machine_busy)"
cold "$WORK/first.txt" "cold pass, $FIRST customers"
result="$(pass "$WORK/first.txt" 0 "$DURATION")"; check "$result"
ROWS+="$(row "warm, $FIRST customers" "$result")"$'\n'
sleep 2; RSS10="$(rss_kib "$ws_PID")"
log "RSS with $FIRST active: $((RSS10 / 1024)) MiB"
cold "$WORK/active.txt" "cold pass, $ACTIVE customers ($FIRST of them active)"
sleep 2; RSS100="$(rss_kib "$ws_PID")"
log "RSS with $ACTIVE active: $((RSS100 / 1024)) MiB"

declare -a RATIOS=()
for round in $(seq 1 "$ROUNDS"); do
  warm="$(pass "$WORK/active.txt" 0 "$DURATION")"; check "$warm"
  one="$(pass "$WORK/one.txt" 0 "$DURATION")"; check "$one"
  ratio="$(awk -v a="$(field "$warm" rps)" -v b="$(field "$one" rps)" 'BEGIN{printf "%.2f", a / b}')"
  RATIOS+=("$ratio")
  ROWS+="$(row "round $round: warm, $ACTIVE customers" "$warm" "÷ one token = **$ratio**")"$'\n'
  ROWS+="$(row "round $round: one token" "$one")"$'\n'
  log "round $round: warm $(field "$warm" rps) req/s, one token $(field "$one" rps) req/s, ratio $ratio"
done
sleep 2; RSS_END="$(rss_kib "$ws_PID")"

per_customer() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN{printf "%.2f", (b - a) / n}'; }
mkdir -p "$RESULTS"
{
  echo "# Working set: /store/customers/me over $ACTIVE of $CUSTOMERS customers"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(machine_line)"
  echo "- Load average before: $LOAD_BEFORE; machine busy (others) before the cold passes: $busy %"
  echo "- wrk -t$THREADS -c$CONNECTIONS; cold passes ask each customer once (tokens split between wrk threads); warm runs $DURATION; host options: ${BENCH_HOST_ARGS:-defaults}"
  echo "- Seed: $(cat "$DIR/seeded-$CUSTOMERS")"
  echo
  echo "| run | requests | req/s | p50 ms | p99 ms | |"
  echo "|---|---:|---:|---:|---:|---|"
  printf '%s' "$ROWS"
  echo
  echo "Host RSS: after the JIT warm-up (200 customers active) $((RSS0 / 1024)) MiB; $FIRST active $((RSS10 / 1024)) MiB; $ACTIVE active $((RSS100 / 1024)) MiB; at the end $((RSS_END / 1024)) MiB."
  echo "Per active customer: $(per_customer "$RSS0" "$RSS10" "$FIRST") KiB (first $FIRST), $(per_customer "$RSS10" "$RSS100" $((ACTIVE - FIRST))) KiB (the next $((ACTIVE - FIRST)))."
} | tee "$RESULTS/working-set.md"

if [[ "${BENCH_GCDUMP:-0}" == 1 ]]; then
  log "heap by type (dotnet-gcdump)"
  dotnet-gcdump collect -p "$ws_PID" -o "$WORK/heap.gcdump" >/dev/null
  dotnet-gcdump report "$WORK/heap.gcdump" | head -45 | tee -a "$RESULTS/working-set.md"
fi
