#!/usr/bin/env bash
# The write path's ceiling on one PostgreSQL: profile updates and address changes across many customers (each one
# durable write: grain state, read-model trigger and outbox row in one transaction), alternating (A B A B) with a
# reference in the same run: pgbench committing one single-row UPDATE of a storage-sized row per transaction at the
# same concurrency, on the same server. Reports writes/s, host and PostgreSQL CPU per write, WAL bytes per write,
# commits per write and the WAL flush time per commit.
#
#   bash bench/write-path.sh       # reuses bench/working-set.sh's seeded database (seeds it if missing); about 4 min
#
# Settings: BENCH_WS_DIR [/tmp/customers-working-set], BENCH_CUSTOMERS [1000000] seeded, BENCH_WRITERS [20000]
# customers written, BENCH_DURATION [15s], BENCH_ROUNDS [2], BENCH_SKIP_BUILD [0].
# It turns on track_wal_io_timing in the benchmark database (ALTER SYSTEM) to read the WAL flush time.
set -euo pipefail
BENCH_NAME=write-path
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DIR="${BENCH_WS_DIR:-${TMPDIR:-/tmp}/customers-working-set}"
CUSTOMERS="${BENCH_CUSTOMERS:-1000000}"
WRITERS="${BENCH_WRITERS:-20000}"
DURATION="${BENCH_DURATION:-15s}"
ROUNDS="${BENCH_ROUNDS:-2}"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
PGBENCH="$(ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"

build_release "$ROOT/src/Customers.Host"
seed_db "$DIR" "$CUSTOMERS"
WORK="$(mktemp -d /tmp/customers-write-run-XXXXXX)"; chmod 755 "$WORK"
trap 'stop_all; rm -rf "$WORK"' EXIT
JWT_SECRET="$(openssl rand -hex 32)"
PK="$(publishable_key "$DIR/pg")"
start_host wr "$DIR/pg"
pg "$DIR/pg" "ALTER SYSTEM SET track_wal_io_timing = on" >/dev/null
pg "$DIR/pg" "SELECT pg_reload_conf()" >/dev/null

log "picking $WRITERS customers with an address and minting their tokens"
pg "$DIR/pg" "SELECT c.id, min(a.id) FROM customer c JOIN customer_address a ON a.customer_id = c.id AND a.deleted_at IS NULL
  WHERE c.deleted_at IS NULL AND c.id > (SELECT id FROM customer ORDER BY md5(id || '$JWT_SECRET') LIMIT 1)
  GROUP BY c.id ORDER BY c.id LIMIT $WRITERS" >"$WORK/ids.txt"
(( $(wc -l <"$WORK/ids.txt") > 100 )) || die "too few customers picked"
node "$BENCH/mint-tokens.mjs" --secret "$JWT_SECRET" --in "$WORK/ids.txt" --out "$WORK/tokens.txt" >/dev/null
export BENCH_PK="$PK" BENCH_THREADS="$THREADS" BENCH_TOKENS="$WORK/tokens.txt"

log "activating the $WRITERS customers (one GET each), then a 10 s write warm-up"
run_pass "$wr_URL" "$WORK/tokens.txt" 1 >/dev/null
run_wrk "$wr_URL" write.lua 10s >/dev/null

# The reference: one UPDATE of a storage-sized JSON row per transaction, over as many rows as customers written.
PORT="$(sed -n 4p "$DIR/pg/postmaster.pid")"
pg "$DIR/pg" "DROP TABLE IF EXISTS bench_write_ref; CREATE TABLE bench_write_ref (id int PRIMARY KEY, payload jsonb, version int NOT NULL DEFAULT 0);
  INSERT INTO bench_write_ref SELECT g, (SELECT convert_from(payloadbinary, 'UTF8')::jsonb FROM orleansstorage WHERE payloadbinary IS NOT NULL AND convert_from(payloadbinary, 'UTF8')::jsonb ? 'addresses' LIMIT 1), 0 FROM generate_series(1, $WRITERS) g" >/dev/null
pg "$DIR/pg" "VACUUM ANALYZE bench_write_ref" >/dev/null
cat >"$WORK/ref.sql" <<SQL
\set id random(1, $WRITERS)
UPDATE bench_write_ref SET version = version + 1, payload = jsonb_set(payload, '{first_name}', to_jsonb(:id)) WHERE id = :id;
SQL

SECS="${DURATION%s}"
pg_stats() { pg "$DIR/pg" "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), wal_sync, wal_sync_time FROM pg_stat_wal"; }
measure() { # measure NAME COMMAND...: runs it, prints "writes seconds p50 p99 pg_ticks host_ticks wal commits syncs sync_ms"
  local name="$1"; shift
  local s0 pg0 h0 s1 pg1 h1 out
  s0=($(pg_stats)); pg0="$(pg_cpu_ticks "$DIR/pg")"; h0="$(proc_cpu_ticks "$wr_PID")"
  out="$("$@")"
  s1=($(pg_stats)); pg1="$(pg_cpu_ticks "$DIR/pg")"; h1="$(proc_cpu_ticks "$wr_PID")"
  echo "$out" | tail -1 >"$WORK/$name.last"
  echo "$(( pg1 - pg0 )) $(( h1 - h0 )) $(( s1[0] - s0[0] )) $(( s1[1] - s0[1] )) $(( s1[2] - s0[2] )) $(awk -v a="${s1[3]}" -v b="${s0[3]}" 'BEGIN{print a - b}')"
}
ours() { run_wrk "$wr_URL" write.lua "$DURATION"; }
reference() {
  PGPASSWORD="$(cat "$DIR/pg.password")" "$PGBENCH" -h 127.0.0.1 -p "$PORT" -U postgres -n -c "$CONNECTIONS" -j "$THREADS" \
    -T "$SECS" -f "$WORK/ref.sql" -r customers 2>&1 | tee "$WORK/pgbench.out" \
    | awk '/^number of transactions actually processed/ {n=$NF} /latency average/ {l=$4} END {printf "RESULT requests=%d seconds=%s rps=%.1f p50_ms=%s p99_ms=n/a non2xx=0 socket_errors=0\n", n, "'"$SECS"'", n / '"$SECS"', l}'
}
HZ="$(getconf CLK_TCK)"
ROWS=""
add_row() { # add_row LABEL NAME STATS
  local r; r="$(cat "$WORK/$2.last")"
  read -r pgt ht wal commits syncs sync_ms <<<"$3"
  local n; n="$(field "$r" requests)"
  (( n > 0 )) || die "$1: no writes: $r"
  ROWS+="$(awk -v label="$1" -v n="$n" -v rps="$(field "$r" rps)" -v p50="$(field "$r" p50_ms)" -v p99="$(field "$r" p99_ms)" \
    -v pgt="$pgt" -v ht="$ht" -v hz="$HZ" -v wal="$wal" -v c="$commits" -v s="$syncs" -v sm="$sync_ms" -v ref="${4:-}" \
    'BEGIN { printf "| %s | %s | %s | %s | %.0f | %.0f | %.0f | %.2f | %.3f | %s |\n", label, rps, p50, p99, pgt / hz * 1e6 / n, ht / hz * 1e6 / n, wal / n, c / n, (s > 0 ? sm / s : 0), ref }')"$'\n'
}
busy="$(machine_busy)"
for round in $(seq 1 "$ROUNDS"); do
  a="$(measure ours ours)"; b="$(measure ref reference)"
  [[ "$(field "$(cat "$WORK/ours.last")" non2xx)" == 0 ]] || die "writes failed: $(cat "$WORK/ours.last")"
  ratio="$(awk -v x="$(field "$(cat "$WORK/ours.last")" rps)" -v y="$(field "$(cat "$WORK/ref.last")" rps)" 'BEGIN{printf "%.2f", x / y}')"
  add_row "round $round: our writes (profile / address alternating)" ours "$a" "÷ reference = **$ratio**"
  add_row "round $round: reference (pgbench, one UPDATE per commit)" ref "$b"
  log "round $round: ours $(field "$(cat "$WORK/ours.last")" rps)/s, reference $(field "$(cat "$WORK/ref.last")" rps)/s"
done
pg "$DIR/pg" "DROP TABLE bench_write_ref" >/dev/null

mkdir -p "$RESULTS"
{
  echo "# Write path: profile and address writes over $WRITERS of $CUSTOMERS customers"
  echo
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(machine_line)"
  echo "- Load average before: $LOAD_BEFORE; machine busy (others) before the runs: $busy %"
  echo "- wrk -t$THREADS -c$CONNECTIONS -d$DURATION, pgbench -c$CONNECTIONS -j$THREADS -T$SECS; host, PostgreSQL and load generator share the cores; fsync on, synchronous_commit on"
  echo
  echo "| run | writes/s | p50 ms | p99 ms | PostgreSQL CPU µs/write | host CPU µs/write | WAL bytes/write | commits/write | WAL flush ms/flush | |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s' "$ROWS"
  echo
  echo "p50 of pgbench is its average latency. Commits per write above 1 are the event dispatcher's (outbox delivery bookkeeping) and the revocation feed's; WAL flush time is pg_stat_wal's wal_sync_time / wal_sync."
} | tee "$RESULTS/write-path.md"
