#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need when it is missing, so that a clean
# clone on a fresh Debian machine passes: qemu-utils (the reference for every disk format), postgresql (the
# API suite runs a second time against a private throwaway PostgreSQL cluster), chromium (the console tests drive it
# headless).
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v qemu-img >/dev/null 2>&1 || need_apt+=(qemu-utils)
command -v qemu-io >/dev/null 2>&1 || need_apt+=(qemu-utils)
command -v fsck.fat >/dev/null 2>&1 || need_apt+=(dosfstools)
command -v mtype >/dev/null 2>&1 || need_apt+=(mtools)
command -v sfdisk >/dev/null 2>&1 || need_apt+=(fdisk)
command -v mke2fs >/dev/null 2>&1 || need_apt+=(e2fsprogs)
command -v mkfs.xfs >/dev/null 2>&1 || need_apt+=(xfsprogs)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || need_apt+=(postgresql)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet build Imago.slnx -c Release -nologo -clp:ErrorsOnly

results=$(mktemp -d)
# start_postgres / stop_postgres: a private throw-away PostgreSQL cluster (shared with bench/api.sh).
source .ci/postgres.sh
cleanup() {
  stop_postgres
  rm -rf "$results"
}
trap cleanup EXIT

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

# node --test suites against a real imago serve on loopback: installs the suite's packages when its lock is newer,
# then runs it with a spec report on stdout and a TAP file ($results/NAME.tap) for the closing count.
run_node_suite() {
  local dir=$1 name=$2
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if ! (cd "$dir" && node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$results/$name.tap"); then
    status=1
  fi
}

# The official Alibaba Cloud SDKs.
echo "== tests/sdk (official SDKs)"
run_node_suite tests/sdk sdk

# The web console in Debian's headless Chromium (playwright-core); it starts the service with tests/sdk/harness.js,
# installed above.
echo "== tests/console (Chromium)"
run_node_suite tests/console console

# One closing line for all projects: "N passed, N failed".
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$c"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$c")
  s=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$c")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
for tap in "$results"/sdk.tap "$results"/console.tap; do
  [ -f "$tap" ] || continue
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap"); f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap")
  s=$(sed -n 's/^# skipped \([0-9]*\)$/\1/p' "$tap")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
