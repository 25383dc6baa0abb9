#!/usr/bin/env bash
# Benchmark of the region block store, in one run (about five minutes on a quiet 2-CPU machine):
#   1. snapshot and clone time for a 1 GiB and a 1 TiB volume with WRITE_MIB written (flat: ratio < 2)
#   2. import throughput of a 4 GiB raw file holding 1 GiB of random data, against sha256sum of the file (>= 0.7)
#   3. NBD sequential and 4 KiB random I/O against a store volume (imago store nbd) vs qemu-nbd on a raw file of
#      the same content, and the random-write amplification (bytes into the chunk store / bytes the client wrote)
#   4. replication of a snapshot 1% different from one already at the destination: bytes sent vs disk size (<= 2%)
#
#   bench/storage.sh
#   WRITE_MIB=256 IMPORT_MIB=1024 NBD_MIB=128 REPL_MIB=256 RUNS=1 RANDOPS=1024 bench/storage.sh   # a quick smoke run
#
# Prints markdown tables on stdout and keeps them in bench/results/storage-<UTC time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
WRITE_MIB=${WRITE_MIB:-1024}
IMPORT_MIB=${IMPORT_MIB:-4096}           # file size; a quarter of it is random data, the rest holes
NBD_MIB=${NBD_MIB:-512}
RANDOPS=${RANDOPS:-2048}             # random 4 KiB operations per run (qd1 writes to a store volume run at ~100/s)
REPL_MIB=${REPL_MIB:-1024}
BENCH_DIR=${BENCH_DIR:-/tmp/imago-bench-storage}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in qemu-img qemu-io qemu-nbd python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install qemu-utils python3 coreutils)" >&2; exit 1; }
done

echo "bench: building imago and bench/StorageHost (Release)" >&2
dotnet build src/Imago -c Release -nologo -clp:ErrorsOnly >&2
dotnet build bench/StorageHost -c Release -nologo -clp:ErrorsOnly >&2
IMAGO=(dotnet "$PWD/src/Imago/bin/Release/net10.0/imago.dll")
HOST=(dotnet "$PWD/bench/StorageHost/bin/Release/net10.0/StorageHost.dll")

rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR" bench/results
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$BENCH_DIR"
}
trap cleanup EXIT

source bench/nbd-cases.sh   # free_port, median, make_rand_commands, run_case, throughput_row
now() { date +%s%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
chunk_bytes() { du -sb --apparent-size "$1/chunks" | cut -f1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
report="bench/results/storage-$stamp.md"
out() { tee -a "$report"; }
echo "Block store benchmark, $(nproc) CPUs, $(qemu-nbd --version | head -1), chunk size 256 KiB, median of $RUNS runs where repeated" | out

# 1. Snapshot and clone cost against virtual size --------------------------------------------------------------
echo "bench: snapshot/clone (${WRITE_MIB} MiB written into a 1 GiB and a 1 TiB volume)" >&2
{
  echo
  echo "### Snapshot and clone, ${WRITE_MIB} MiB written (median of 9, ms)"
  echo
  echo "| operation | 1 GiB volume | 1 TiB volume | ratio 1 TiB / 1 GiB |"
  echo "|---|---:|---:|---:|"
  "${HOST[@]}" snapclone "$BENCH_DIR/snapclone" "$WRITE_MIB"
} | out
rm -rf "$BENCH_DIR/snapclone"

# 2. Import against hashing speed --------------------------------------------------------------------------------
echo "bench: import of a ${IMPORT_MIB} MiB raw file with $((IMPORT_MIB / 4)) MiB of random data" >&2
IMPORT_FILE="$BENCH_DIR/import.raw"
truncate -s "${IMPORT_MIB}M" "$IMPORT_FILE"
region=$((IMPORT_MIB / 16))                       # four random regions of a sixteenth each, one per quarter
for q in 0 1 2 3; do
  head -c "$((region << 20))" /dev/urandom | dd of="$IMPORT_FILE" bs=1M seek=$((q * IMPORT_MIB / 4)) conv=notrunc status=none
done
sha256sum "$IMPORT_FILE" >/dev/null               # both sides then read from a warm page cache
hash_times=(); import_times=()
for _ in $(seq "$RUNS"); do
  t0=$(now); sha256sum "$IMPORT_FILE" >/dev/null; t1=$(now)
  hash_times+=("$(seconds "$t0" "$t1")")
  rm -rf "$BENCH_DIR/import-store"
  t0=$(now); "${IMAGO[@]}" store --data "$BENCH_DIR/import-store" import "$IMPORT_FILE" imported -f raw >/dev/null; t1=$(now)
  import_times+=("$(seconds "$t0" "$t1")")
done
h=$(printf '%s\n' "${hash_times[@]}" | median); i=$(printf '%s\n' "${import_times[@]}" | median)
{
  echo
  echo "### Import of a ${IMPORT_MIB} MiB raw file with $((IMPORT_MIB / 4)) MiB of random data (warm cache; imago includes process start-up)"
  echo
  echo "| | seconds | MiB/s of file | ratio to sha256sum |"
  echo "|---|---:|---:|---:|"
  awk -v s="$IMPORT_MIB" -v h="$h" -v i="$i" 'BEGIN {
    printf "| sha256sum | %.2f | %.0f | 1.00 |\n", h, s / h
    printf "| imago store import | %.2f | %.0f | %.2f |\n", i, s / i, h / i }'
} | out
rm -rf "$BENCH_DIR/import-store" "$IMPORT_FILE"

# 3. NBD: a store volume against qemu-nbd on a raw file of the same content ---------------------------------------
echo "bench: NBD on a ${NBD_MIB} MiB volume vs qemu-nbd" >&2
SIZE=$((NBD_MIB << 20))
RAW="$BENCH_DIR/qemu-nbd.raw"
STORE="$BENCH_DIR/nbd-store"
head -c "$SIZE" /dev/urandom > "$RAW"
"${IMAGO[@]}" store --data "$STORE" import "$RAW" content -f raw >/dev/null
"${IMAGO[@]}" store --data "$STORE" volume from-snapshot content disk >/dev/null

OUR_PORT=$(free_port)
"${IMAGO[@]}" store --data "$STORE" nbd --listen "127.0.0.1:$OUR_PORT" >/dev/null &
pids+=("$!")
THEIR_PORT=$(free_port)
qemu-nbd -f raw -b 127.0.0.1 -p "$THEIR_PORT" -x disk -t -e 8 "$RAW" &
pids+=("$!")
for port in "$OUR_PORT" "$THEIR_PORT"; do
  for _ in $(seq 100); do
    qemu-nbd -L -b 127.0.0.1 -p "$port" >/dev/null 2>&1 && break
    sleep 0.1
  done
done
URL_OURS="nbd://127.0.0.1:$OUR_PORT/disk"
URL_THEIRS="nbd://127.0.0.1:$THEIR_PORT/disk"

make_rand_commands

{
  echo
  echo "### NBD, ${NBD_MIB} MiB disk of random data: imago store nbd (volume) vs qemu-nbd -f raw (file), MiB/s"
  echo
  echo "| case | imago | qemu-nbd | ratio |"
  echo "|---|---:|---:|---:|"
} | out
# The two random-write cases run back to back; the chunk store's growth across them (no GC runs) is what they wrote.
for case in seq-read rand-read-qd1 rand-read-qd16 rand-write-qd1 rand-write-qd16 seq-write; do
  [[ $case == rand-write-qd1 ]] && before=$(chunk_bytes "$STORE")
  ours=(); theirs=()
  for _ in $(seq "$RUNS"); do
    ours+=("$(run_case "$case" "$URL_OURS")")
    theirs+=("$(run_case "$case" "$URL_THEIRS")")
  done
  if [[ $case == rand-write-qd16 ]]; then
    sleep 1   # the server commits a volume when its last connection closes, just after the client exits
    amplified=$(($(chunk_bytes "$STORE") - before)); client_bytes=$((2 * RUNS * RANDOPS * 4096))
  fi
  o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
  throughput_row "$case" "$o" "$t" | out
done
{
  echo
  awk -v a="$amplified" -v c="$client_bytes" 'BEGIN {
    printf "Random-write amplification: %.1f (%.0f MiB into the chunk store, data and pages, for %.0f MiB of 4 KiB client writes;\n", a / c, a / 1048576, c / 1048576
    print "each 4 KiB write rewrites its 256 KiB chunk unless another write to the same chunk arrives before it is stored)." }'
  echo "seq-write writes one repeated byte: every chunk is the same, so the store deduplicates it to one chunk (qemu-nbd writes it all)."
} | out
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
rm -rf "$STORE" "$RAW"

# 4. Replication of a 1% delta ------------------------------------------------------------------------------------
echo "bench: replication of a ${REPL_MIB} MiB snapshot, then of a 1% delta" >&2
{
  echo
  echo "### Replication between two stores, ${REPL_MIB} MiB disk of random data"
  echo
  echo "| copy | bytes sent | of disk | chunks | seconds |"
  echo "|---|---:|---:|---|---:|"
  "${HOST[@]}" replicate "$BENCH_DIR/replication" "$REPL_MIB"
} | out
echo >&2
echo "bench: table kept in $report" >&2
