#!/usr/bin/env bash
# Idle memory of one host per runtime setting: each variant is started on the same database, left idle for
# BENCH_IDLE_SECONDS after it is ready, then its RSS is read; then it serves BENCH_REQUESTS GET /store/customers/me
# over 1,000 customers and goes idle again, and its RSS is read again. Writes bench/results/idle-memory.md.
#
#   bash bench/idle-memory.sh            # about 3 minutes
#
# BENCH_VARIANTS: "name=ENV=value ... --Host:Option value;..." (default: the GC and dashboard settings compared in
# docs/benchmarks.md). BENCH_IDLE_SECONDS [15], BENCH_SKIP_BUILD [0].
set -euo pipefail
BENCH_NAME=idle-memory
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
IDLE="${BENCH_IDLE_SECONDS:-15}"
VARIANTS="${BENCH_VARIANTS:-default=;workstation-gc=DOTNET_gcServer=0;workstation-non-concurrent=DOTNET_gcServer=0 DOTNET_gcConcurrent=0;no-dashboard=--Customers:Dashboard:Enabled false;server-gc-no-datas=DOTNET_GCDynamicAdaptationMode=0}"

build_release "$ROOT/src/Customers.Host"
WORK="$(mktemp -d /tmp/customers-idle-XXXXXX)"; chmod 755 "$WORK"
trap 'stop_all; rm -rf "$WORK"' EXIT
JWT_SECRET="$(openssl rand -hex 32)"
seed_db "$WORK" 1000
PK="$(publishable_key "$WORK/pg")"
start_host seedcheck "$WORK/pg"
pg "$WORK/pg" "SELECT id FROM customer ORDER BY id LIMIT 1000" >"$WORK/ids.txt"
stop_all
node "$BENCH/mint-tokens.mjs" --secret "$JWT_SECRET" --in "$WORK/ids.txt" --out "$WORK/tokens.txt" >/dev/null
export BENCH_TOKENS="$WORK/tokens.txt" BENCH_PK="$PK" BENCH_THREADS="$THREADS"

ROWS=""
IFS=';' read -r -a SPECS <<<"$VARIANTS"
for spec in "${SPECS[@]}"; do
  name="${spec%%=*}"; read -r -a words <<<"${spec#*=}"
  env_vars=""
  while [[ "${words[0]:-}" == [A-Z]*=* ]]; do env_vars+=" ${words[0]}"; words=("${words[@]:1}"); done
  HOST_ENV="$env_vars" start_host v "$WORK/pg" "${words[@]}"
  sleep "$IDLE"; idle="$(rss_mib "$v_PID")"
  result="$(run_wrk "$v_URL" me.lua 10s)"
  sleep "$IDLE"; after="$(rss_mib "$v_PID")"
  ROWS+="| $name | \`${spec#*=}\` | $idle | $after | $(field "$result" rps) |"$'\n'
  log "$name: idle $idle MiB, after 10 s of /me $after MiB ($(field "$result" rps) req/s)"
  stop_all
done
mkdir -p "$RESULTS"
{
  echo "# Idle memory per runtime setting"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(machine_line); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- RSS $IDLE s after ready, and $IDLE s after 10 s of wrk -t$THREADS -c$CONNECTIONS GET /store/customers/me over 1,000 customers"
  echo
  echo "| variant | settings | RSS idle after start, MiB | RSS idle after load, MiB | req/s under load |"
  echo "|---|---|---:|---:|---:|"
  printf '%s' "$ROWS"
} | tee "$RESULTS/idle-memory.md"
