#!/usr/bin/env bash
# Benchmark of the long transfers of issue 5, through the ECS API of a real `imago serve` (SQLite), in one run:
#   1. ImportImage of a raw and of a qcow2 file from a bucket, against `qemu-img convert` of the same file to raw
#      (what an import is: a conversion into the store, flushed)
#   2. ExportImage to raw, qcow2 and VHD, against `qemu-img convert` of the raw file to the same format (flushed)
#   3. CopyImage to another region: (a) the freshly imported image, (b) a custom image that differs from a public
#      image in 1% of its blocks, to a region that already holds the public image: bytes moved and time
#
#   bench/transfer.sh
#   SIZE=$((1<<30)) DATA=$((256<<20)) RUNS=1 bench/transfer.sh     # a quick smoke run
#
# The disk is bench/make-disk.py's: SIZE virtual, DATA of random data in scattered runs. Times are medians of RUNS,
# from the API call to the end state a polling client sees (20 ms polls). Prints markdown tables on stdout and keeps
# them in bench/results/transfer-<UTC time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-$((4 << 30))}
DATA=${DATA:-$((1 << 30))}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/imago-bench-transfer}
REGION=cn-hangzhou
DEST=cn-shanghai
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in node curl qemu-img qemu-io python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install nodejs curl qemu-utils python3)" >&2; exit 1; }
done
[ -d tests/sdk/node_modules ] || (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)

echo "bench: building imago (Release)" >&2
dotnet build src/Imago -c Release -nologo -clp:ErrorsOnly >&2
IMAGO=(dotnet "$PWD/src/Imago/bin/Release/net10.0/imago.dll")

rm -rf "$BENCH_DIR"; mkdir -p "$BENCH_DIR" bench/results
DATA_DIR=$BENCH_DIR/data
mkdir -p "$DATA_DIR"
serve_pid=""
# The run's disks and data directory take about 23 GB: removed at the end (KEEP=1 keeps them to look into).
cleanup() {
  { [ -n "$serve_pid" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; } || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_serve() {
  port=$(free_port); nbd_port=$(free_port)
  url="http://127.0.0.1:$port"
  "${IMAGO[@]}" serve --data "$DATA_DIR" --urls "$url" --nbd "127.0.0.1:$nbd_port" >>"$BENCH_DIR/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 300); do
    curl -sf "$url/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$serve_pid" 2>/dev/null || { cat "$BENCH_DIR/serve.log" >&2; return 1; }
    sleep 0.2
  done
  echo "bench: imago serve did not start" >&2; return 1
}
stop_serve() { kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]])' "$1" "$2"; }
drive() { node bench/transfer/transfer.js "$url" "$akid" "$secret" "$@"; }
metric() { curl -sf "$url/metrics" | awk -v m="$1" '$1 == m {print $2; found=1} END {if (!found) print 0}'; }
seconds() { awk -v ms="$1" 'BEGIN {printf "%.2f", ms / 1000}'; }
rate() { awk -v b="$1" -v ms="$2" 'BEGIN {printf "%.0f", b / 1048576 / (ms / 1000)}'; }
time_ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }

SRC=$BENCH_DIR/disk.raw
echo "bench: making the disk ($((SIZE >> 20)) MiB, $((DATA >> 20)) MiB of data)" >&2
python3 bench/make-disk.py "$SRC" --size "$SIZE" --data "$DATA" >&2

# The public image for copy (b): a disk of the same shape with other data (another seed, so that copy (a) of the
# imported disk shares nothing with it), registered in every region before the service starts.
python3 bench/make-disk.py "$BENCH_DIR/base.raw" --size "$SIZE" --data "$DATA" --seed 7 >&2
"${IMAGO[@]}" admin public-image import "$BENCH_DIR/base.raw" --id bench_base_x64.vhd --platform Ubuntu --data "$DATA_DIR" >&2
rm -f "$BENCH_DIR/base.raw"
start_serve
creds=$("${IMAGO[@]}" admin account create bench --data "$DATA_DIR" --json)
akid=$(field "$creds" AccessKeyId); secret=$(field "$creds" AccessKeySecret)
"${IMAGO[@]}" admin bucket create --region "$REGION" bench --data "$DATA_DIR" >&2
# Every import run gets its own disk (another seed): the store deduplicates, so importing the same bytes twice would
# write nothing the second time and time only the reading.
for format in raw qcow2; do
  for run in $(seq 1 "$RUNS"); do
    file=$BENCH_DIR/import-$run.$format
    python3 bench/make-disk.py "$BENCH_DIR/import.raw" --size "$SIZE" --data "$DATA" --seed "$((1000 * run + ${#format}))" >&2
    if [ "$format" = raw ]; then mv "$BENCH_DIR/import.raw" "$file"; else qemu-img convert -O qcow2 "$BENCH_DIR/import.raw" "$file"; rm -f "$BENCH_DIR/import.raw"; fi
    "${IMAGO[@]}" admin bucket put --region "$REGION" bench "import-$run.$format" "$file" --data "$DATA_DIR" -p >/dev/null
  done
done
"${IMAGO[@]}" admin bucket put --region "$REGION" bench disk.raw "$SRC" --data "$DATA_DIR" -p >/dev/null

report=bench/results/transfer-$(date -u +%Y%m%dT%H%M%SZ).md
out() { tee -a "$report"; }
{
  echo "## Transfers through the API ($(date -u +%F), $(nproc) CPUs)"
  echo
  echo "Disk: $((SIZE >> 20)) MiB virtual, $((DATA >> 20)) MiB of random data in scattered runs (bench/make-disk.py). Median of $RUNS."
  echo "qemu-img rows: \`qemu-img convert\` of the same file, then \`sync\` of the output (imago flushes before it commits)."
  echo
  echo "| operation | imago s | qemu-img s | imago / qemu-img | imago MiB/s of data |"
  echo "|---|---:|---:|---:|---:|"
} | out

# 1. Import ------------------------------------------------------------------------------------------------------
image_id=""
for format in raw qcow2; do
  echo "bench: import $format" >&2
  ours=(); theirs=()
  for run in $(seq 1 "$RUNS"); do
    r=$(drive import "$REGION" bench "import-$run.$format" "$format"); ours+=("$(field "$r" ms)")
    theirs+=("$(time_ms bench/qemu-img-sync.sh -f "$format" -O raw "$BENCH_DIR/import-$run.$format" "$BENCH_DIR/out.raw")")
    rm -f "$BENCH_DIR/out.raw" "$BENCH_DIR/import-$run.$format"
  done
  o=$(printf '%s\n' "${ours[@]}" | median); q=$(printf '%s\n' "${theirs[@]}" | median)
  echo "| ImportImage $format → store vs convert -O raw | $(seconds "$o") | $(seconds "$q") | $(awk -v a="$o" -v b="$q" 'BEGIN {printf "%.2f", a / b}') | $(rate "$DATA" "$o") |" | out
done

# The image exported and copied below: disk.raw, imported once (not timed).
image_id=$(field "$(drive import "$REGION" bench disk.raw raw)" imageId)

# 2. Export ------------------------------------------------------------------------------------------------------
for format in raw qcow2 vhd; do
  echo "bench: export $format" >&2
  qfmt=$format; [ "$format" = vhd ] && qfmt=vpc
  ours=(); theirs=()
  for _ in $(seq 1 "$RUNS"); do
    r=$(drive export "$REGION" "$image_id" bench "$format"); ours+=("$(field "$r" ms)")
    theirs+=("$(time_ms bench/qemu-img-sync.sh -f raw -O "$qfmt" "$SRC" "$BENCH_DIR/out.$format")")
    rm -f "$BENCH_DIR/out.$format"
  done
  o=$(printf '%s\n' "${ours[@]}" | median); q=$(printf '%s\n' "${theirs[@]}" | median)
  echo "| ExportImage → $format vs convert -O $qfmt | $(seconds "$o") | $(seconds "$q") | $(awk -v a="$o" -v b="$q" 'BEGIN {printf "%.2f", a / b}') | $(rate "$DATA" "$o") |" | out
done

# 3. Copy --------------------------------------------------------------------------------------------------------
{
  echo
  echo "### CopyImage $REGION → $DEST"
  echo
  echo "| image | data in image | bytes moved | of data | chunks sent / skipped | seconds |"
  echo "|---|---:|---:|---:|---:|---:|"
} | out
copy_row() { # LABEL IMAGE_ID
  local b0 s0 k0 r
  b0=$(metric imago_copy_bytes_sent_total); s0=$(metric imago_copy_chunks_sent_total); k0=$(metric imago_copy_chunks_skipped_total)
  r=$(drive copy "$REGION" "$2" "$DEST")
  local b s k
  b=$(( $(metric imago_copy_bytes_sent_total) - b0 )); s=$(( $(metric imago_copy_chunks_sent_total) - s0 )); k=$(( $(metric imago_copy_chunks_skipped_total) - k0 ))
  echo "| $1 | $((DATA >> 20)) MiB | $b | $(awk -v b="$b" -v d="$DATA" 'BEGIN {printf "%.2f%%", 100 * b / d}') | $s / $k | $(seconds "$(field "$r" ms)") |" | out
}
echo "bench: copy (a) the imported image" >&2
copy_row "(a) freshly imported" "$image_id"

echo "bench: copy (b) a custom image 1% away from a public image" >&2
inst=$(drive instance "$REGION" bench_base_x64.vhd)
disk_id=$(field "$inst" systemDiskId)
# 1% of the disk's 256 KiB blocks (the store's chunk size), each rewritten by one 4 KiB write at a seeded position.
blocks=$((SIZE / 262144)); changed=$((blocks / 100))
python3 - "$blocks" "$changed" >"$BENCH_DIR/writes.txt" <<'PY'
import random, sys
blocks, changed = int(sys.argv[1]), int(sys.argv[2])
for i, b in enumerate(random.Random(4).sample(range(blocks), changed)):
    print(f"write -P {i % 251 + 1} {b * 262144} 4k")
PY
mapfile -t cmds <"$BENCH_DIR/writes.txt"
args=(); for c in "${cmds[@]}"; do args+=(-c "$c"); done
qemu-io -f raw "${args[@]}" "nbd://127.0.0.1:$nbd_port/$disk_id" >/dev/null
derived=$(drive image "$REGION" "$(field "$inst" instanceId)")
copy_row "(b) public image + 1% of blocks ($changed × 4 KiB)" "$(field "$derived" imageId)"

stop_serve
echo >&2
echo "bench: table kept in $report" >&2
