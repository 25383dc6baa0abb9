#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need when it is missing, so that a clean
# clone on a fresh Debian machine passes: qemu-utils (the reference for every disk format), postgresql (the
# API suite runs a second time against a private throwaway PostgreSQL cluster).
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v qemu-img >/dev/null 2>&1 || need_apt+=(qemu-utils)
command -v qemu-io >/dev/null 2>&1 || need_apt+=(qemu-utils)
command -v fsck.fat >/dev/null 2>&1 || need_apt+=(dosfstools)
command -v mtype >/dev/null 2>&1 || need_apt+=(mtools)
command -v sfdisk >/dev/null 2>&1 || need_apt+=(fdisk)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need_apt+=(postgresql)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build Imago.slnx -c Release -nologo -clp:ErrorsOnly

results=$(mktemp -d)
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    "${pg_as[@]}" "$pg_bin/pg_ctl" stop -D "$pg_dir/data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$results"
}
trap cleanup EXIT

# A private PostgreSQL cluster in a temp dir: trust auth, loopback only, unix socket in the temp dir, the first
# free port from a random start. postgres refuses to run as root, so as root it runs as the postgres user.
start_postgres() {
  pg_bin=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -1)")
  pg_dir=$(mktemp -d /tmp/imago-pg.XXXXXX)
  chmod 700 "$pg_dir"
  pg_as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pg_dir"
    pg_as=(runuser -u postgres --)
  fi
  "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U imago --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log"; return 1; }
  local port try
  port=$((20000 + RANDOM % 20000))
  for try in 1 2 3 4 5 6 7 8 9 10; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
       "${pg_as[@]}" "$pg_bin/pg_ctl" start -w -t 60 -D "$pg_dir/data" -l "$pg_dir/server.log" \
         -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" >/dev/null; then
      pg_port=$port
      return 0
    fi
    port=$((port + 1 + RANDOM % 100))
  done
  cat "$pg_dir/server.log" 2>/dev/null
  return 1
}

status=0
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  echo "== $name"
  if ! env -u IMAGO_TEST_POSTGRES dotnet test "$proj" -c Release --no-build -nologo \
      --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=minimal"; then
    status=1
  fi
done

# The API suite again on PostgreSQL: each server fixture creates its own database there and drops it.
echo "== Imago.Api.Tests (PostgreSQL)"
if start_postgres; then
  if ! IMAGO_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=imago;Database=postgres" \
      dotnet test tests/Imago.Api.Tests/Imago.Api.Tests.csproj -c Release --no-build -nologo \
      --logger "trx;LogFileName=$results/Imago.Api.Tests.postgres.trx" --logger "console;verbosity=minimal"; then
    status=1
  fi
else
  echo "test.sh: could not start PostgreSQL"
  status=1
fi

# The official Alibaba Cloud SDKs (tests/sdk, node --test) against a real imago serve on loopback.
echo "== tests/sdk (official SDKs)"
if [ ! -d tests/sdk/node_modules ] || [ tests/sdk/package-lock.json -nt tests/sdk/node_modules ]; then
  (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! (cd tests/sdk && node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$results/sdk.tap"); then
  status=1
fi

# One closing line for all projects: "N passed, N failed".
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
if [ -f "$results/sdk.tap" ]; then
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$results/sdk.tap"); f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$results/sdk.tap")
  s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$results/sdk.tap")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
