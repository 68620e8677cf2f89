#!/usr/bin/env bash
# Import rate of `import medusa` (docs/benchmarks.md, "Importing from Medusa").
#
#   bash bench/medusa-import.sh      # about 1 min of set-up, then the import of 1,000,000 customers
#
# Starts a throwaway PostgreSQL (Debian binaries, as the postgres user when run as root) on a free loopback port,
# lets Medusa 2.21.2 itself create its schema there (`medusa db:migrate` in tests/medusa-fixture, after `npm ci`),
# then bulk-inserts BENCH_CUSTOMERS Medusa-shaped customers with plain SQL (this bench only: a million customers
# through Medusa's workflows would take hours): one address each, 10 groups with one membership per customer, and an
# emailpass auth identity (one fixed scrypt-kdf hash) for every third customer. Then it runs the importer (Release)
# into an empty database on the same server and reports its summary and rate in bench/results/medusa-import.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CUSTOMERS="${BENCH_CUSTOMERS:-1000000}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/customers-import-bench.XXXXXX")"
RESULTS="$ROOT/bench/results"
DLL="$ROOT/src/Customers.Host/bin/Release/net10.0/Customers.Host.dll"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
SECONDS=0

log() { printf '[import-bench %3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
[[ $EUID -eq 0 ]] && chown postgres "$WORK"
as_pg "$PGBIN/initdb" -D "$WORK/data" -A trust -U postgres >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK" start >/dev/null
PSQL=(psql -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" -c "CREATE DATABASE medusa" -c "CREATE DATABASE customers"

log "building the host (Release)"
dotnet build -c Release "$ROOT/src/Customers.Host" -nologo -v q >"$WORK/build.log" 2>&1 || die "build failed: $(tail -5 "$WORK/build.log")"

log "Medusa 2.21.2 migrations"
(cd "$ROOT/tests/medusa-fixture" && { [[ -d node_modules/@medusajs/medusa ]] || npm ci --no-audit --no-fund >/dev/null; } \
  && DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/medusa" npx medusa db:migrate >"$WORK/migrate.log" 2>&1) \
  || die "medusa db:migrate failed, see $WORK/migrate.log"

log "generating $CUSTOMERS Medusa customers with SQL"
# A real scrypt-kdf hash (Medusa's default parameters) of "bench-password", so identities are well-formed.
HASH="$(cd "$ROOT/tests/medusa-fixture" && node --input-type=module -e \
  'import S from "scrypt-kdf"; console.log(Buffer.from(await S.kdf("bench-password", {logN: 15, r: 8, p: 1})).toString("base64"))')"
"${PSQL[@]}" medusa <<SQL
INSERT INTO customer_group (id, name, created_at, updated_at)
SELECT 'cusgroup_bench' || lpad(g::text, 2, '0'), 'Bench group ' || g, now(), now() FROM generate_series(0, 9) g;

INSERT INTO customer (id, email, first_name, last_name, phone, has_account, metadata, created_at, updated_at)
SELECT 'cus_bench' || lpad(i::text, 8, '0'), 'bench-' || i || '@medusa.example', 'First' || (i % 1000), 'Last' || (i % 997),
       '+1555' || lpad(i::text, 7, '0'), i % 3 = 0, jsonb_build_object('n', i), now() - make_interval(secs => $CUSTOMERS - i), now()
FROM generate_series(1, $CUSTOMERS) i;

INSERT INTO customer_address (id, customer_id, address_name, is_default_shipping, is_default_billing, first_name,
                              last_name, address_1, city, country_code, postal_code, created_at, updated_at)
SELECT 'cuaddr_bench' || lpad(i::text, 8, '0'), 'cus_bench' || lpad(i::text, 8, '0'), 'Home', true, true,
       'First' || (i % 1000), 'Last' || (i % 997), i || ' Bench Street', 'Leeds', 'gb', 'LS1 1AA', now(), now()
FROM generate_series(1, $CUSTOMERS) i;

INSERT INTO customer_group_customer (id, customer_id, customer_group_id, created_at, updated_at)
SELECT 'cusgc_bench' || lpad(i::text, 8, '0'), 'cus_bench' || lpad(i::text, 8, '0'),
       'cusgroup_bench' || lpad((i % 10)::text, 2, '0'), now(), now()
FROM generate_series(1, $CUSTOMERS) i;

INSERT INTO auth_identity (id, app_metadata, created_at, updated_at)
SELECT 'authid_bench' || lpad(i::text, 8, '0'), jsonb_build_object('customer_id', 'cus_bench' || lpad(i::text, 8, '0')), now(), now()
FROM generate_series(3, $CUSTOMERS, 3) i;

INSERT INTO provider_identity (id, entity_id, provider, auth_identity_id, provider_metadata, created_at, updated_at)
SELECT 'pi_bench' || lpad(i::text, 8, '0'), 'bench-' || i || '@medusa.example', 'emailpass',
       'authid_bench' || lpad(i::text, 8, '0'), jsonb_build_object('password', '$HASH'), now(), now()
FROM generate_series(3, $CUSTOMERS, 3) i;

VACUUM ANALYZE;
SQL

log "importing"
dotnet "$DLL" migrate --ConnectionStrings:Customers "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=customers" >/dev/null 2>&1
START=$SECONDS
dotnet "$DLL" import medusa --from "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=medusa" \
  --ConnectionStrings:Customers "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=customers" \
  >"$WORK/import.out" 2>"$WORK/import.log" || die "import failed: $(tail -5 "$WORK/import.log")"
ELAPSED=$((SECONDS - START))
cat "$WORK/import.out" >&2

log "second run (must change nothing)"
dotnet "$DLL" import medusa --from "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=medusa" \
  --ConnectionStrings:Customers "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=customers" \
  >"$WORK/again.out" 2>/dev/null || die "second import failed"
cat "$WORK/again.out" >&2

mkdir -p "$RESULTS"
{
  echo "# import medusa: $CUSTOMERS customers ($(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD))"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GB RAM, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "PostgreSQL: $("$PGBIN/postgres" --version), default settings, source and target on one server"
  echo
  echo "First run (wall clock of the process: ${ELAPSED} s):"
  echo '```'; cat "$WORK/import.out"; echo '```'
  echo "Second run:"
  echo '```'; cat "$WORK/again.out"; echo '```'
} >"$RESULTS/medusa-import.md"
log "results in bench/results/medusa-import.md"
