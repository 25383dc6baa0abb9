#!/usr/bin/env bash
# Benchmark of the ECS API service, in one run, on SQLite and on PostgreSQL:
#   1. DescribeImages with IMAGES custom images in a region, under wrk (64 connections on loopback): requests per
#      second and p99 latency, for the first page of 10 and a page of 100
#   2. RunInstances and CreateImage (from the instance, until Available) with 20 GiB and 2 TiB system disks:
#      flat in the disk size, because both cost metadata, not data
#
#   bench/api.sh
#   IMAGES=1000 DURATION=5 RUNS=3 bench/api.sh      # a quick smoke run
#
# Every request carries its own signature and nonce (bench/api/sign-urls.js pre-signs them; replay.lua replays
# each once), so the numbers include signature checking and replay protection, as a real client sees them.
# Prints markdown tables on stdout and keeps them in bench/results/api-<UTC time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGES=${IMAGES:-10000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
URLS=${URLS:-90000}              # pre-signed requests per wrk case (replay protection: each is used once)
WARMUP_URLS=${WARMUP_URLS:-20000} # of which the warm-up run takes these
RUNS=${RUNS:-5}                  # RunInstances/CreateImage repetitions per size (median)
BENCH_DIR=${BENCH_DIR:-/tmp/imago-bench-api}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in wrk node curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk nodejs curl)" >&2; exit 1; }
done
[ -d tests/sdk/node_modules ] || (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)

echo "bench: building imago and bench/ApiSeed (Release)" >&2
dotnet build src/Imago -c Release -nologo -clp:ErrorsOnly >&2
dotnet build bench/ApiSeed -c Release -nologo -clp:ErrorsOnly >&2
IMAGO=(dotnet "$PWD/src/Imago/bin/Release/net10.0/imago.dll")
SEED=(dotnet "$PWD/bench/ApiSeed/bin/Release/net10.0/ApiSeed.dll")

# shellcheck source=../.ci/postgres.sh
export PG_FSYNC=on   # durable commits, as SQLite (synchronous=FULL) makes them
source .ci/postgres.sh

rm -rf "$BENCH_DIR"; mkdir -p "$BENCH_DIR" bench/results
serve_pid=""
# The data directories (SQLite, PostgreSQL, 10,000 images each) are removed at the end; KEEP=1 keeps them.
cleanup() {
  { [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; } || true
  stop_postgres
  [ "${KEEP:-0}" = 1 ] || rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_serve() { # DATA DB_ARGS...
  local data=$1; shift
  port=$(free_port)
  url="http://127.0.0.1:$port"
  "${IMAGO[@]}" serve --data "$data" --urls "$url" --nbd off "$@" >"$data/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$url/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$serve_pid" 2>/dev/null || { cat "$data/serve.log" >&2; return 1; }
    sleep 0.2
  done
  echo "bench: imago serve did not start" >&2; return 1
}

stop_serve() {
  kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
}

wrk_case() { # NAME QUERY → "rps p99ms non2xx"
  local urls="$BENCH_DIR/urls.txt"
  node bench/api/sign-urls.js "$akid" "$secret" "$URLS" "$2" >"$urls"
  # Warm-up: 3 s of the same load on other pre-signed requests, so that the JIT's tiered compilation and the
  # connection pools have settled before the measured run (their nonces are spent: the run uses the rest).
  head -n "$WARMUP_URLS" "$urls" >"$BENCH_DIR/warmup.txt"
  sed -i "1,${WARMUP_URLS}d" "$urls"
  WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s bench/api/replay.lua "$url" -- "$BENCH_DIR/warmup.txt" >/dev/null
  local out
  out=$(WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/api/replay.lua "$url" -- "$urls")
  echo "$out" >"$BENCH_DIR/wrk-$backend-$1.txt"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $p99 ${bad:-0}"
}

report="bench/results/api-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "API benchmark, $(nproc) CPUs, $IMAGES images in cn-hangzhou, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on loopback"
  echo
} >"$report"

describe_rows=()
lifecycle_rows=()
for backend in sqlite postgres; do
  data="$BENCH_DIR/$backend"; mkdir -p "$data"
  db_args=()
  if [ "$backend" = postgres ]; then
    start_postgres
    db_args=(--db "Host=127.0.0.1;Port=$pg_port;Username=imago;Database=postgres")
  fi
  creds=$("${IMAGO[@]}" admin account create bench --data "$data" "${db_args[@]}" --json)
  akid=$(node -e 'console.log(JSON.parse(process.argv[1]).AccessKeyId)' "$creds")
  secret=$(node -e 'console.log(JSON.parse(process.argv[1]).AccessKeySecret)' "$creds")
  # A second account for RunInstances/CreateImage: the first holds IMAGES images, past the custom-image quota.
  creds2=$("${IMAGO[@]}" admin account create lifecycle --data "$data" "${db_args[@]}" --json)
  akid2=$(node -e 'console.log(JSON.parse(process.argv[1]).AccessKeyId)' "$creds2")
  secret2=$(node -e 'console.log(JSON.parse(process.argv[1]).AccessKeySecret)' "$creds2")
  start_serve "$data" "${db_args[@]}"; stop_serve            # first start seeds the public images
  "${SEED[@]}" --data "$data" "${db_args[@]}" --account bench --region cn-hangzhou --count "$IMAGES" >&2
  start_serve "$data" "${db_args[@]}"
  read -r rps10 p99_10 bad10 < <(wrk_case page10 "RegionId=cn-hangzhou")
  read -r rps100 p99_100 bad100 < <(wrk_case page100 "RegionId=cn-hangzhou&PageSize=100")
  describe_rows+=("| $backend | first page of 10 | $rps10 | $p99_10 | $bad10 |" "| $backend | page of 100 | $rps100 | $p99_100 | $bad100 |")
  for size in 20 2048; do
    line=$(node bench/api/lifecycle.js "$url" "$akid2" "$secret2" "$size" "$RUNS")
    run_ms=$(node -e 'console.log(JSON.parse(process.argv[1]).runInstancesMs.toFixed(1))' "$line")
    create_ms=$(node -e 'console.log(JSON.parse(process.argv[1]).createImageMs.toFixed(1))' "$line")
    lifecycle_rows+=("| $backend | $size GiB | $run_ms | $create_ms |")
  done
  stop_serve
  [ "$backend" = postgres ] && stop_postgres
done

{
  echo "### DescribeImages, $IMAGES images of one account in the region (signed V1 GET, one nonce per request)"
  echo
  echo "| database | request | requests/s | p99 latency | non-2xx |"
  echo "|---|---|---:|---:|---:|"
  printf '%s\n' "${describe_rows[@]}"
  echo
  echo "### RunInstances and CreateImage (from the instance, until Available), median of $RUNS, ms (client side, loopback)"
  echo
  echo "| database | system disk | RunInstances | CreateImage |"
  echo "|---|---|---:|---:|"
  printf '%s\n' "${lifecycle_rows[@]}"
} >>"$report"
cat "$report"
