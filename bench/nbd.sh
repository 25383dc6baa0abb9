#!/usr/bin/env bash
# Benchmark: Imago's NbdServer against qemu-nbd, both serving a raw file of the same content, in one run.
#
#   bench/nbd.sh                               # 512 MiB disk, 5 runs per cell
#   SIZE=$((128 << 20)) RUNS=3 RANDOPS=4096 bench/nbd.sh
#
# Each side serves its own copy of a raw file full of random data on 127.0.0.1: ours through bench/NbdHost
# (NbdServer over a pread/pwrite file device), the reference through `qemu-nbd -f raw`. The clients are
# qemu's: sequential 64 KiB I/O at queue depth 16 with `qemu-img bench` (the whole disk per run), and 4 KiB
# random I/O with qemu-io over RANDOPS seeded offsets, one at a time (qd1) and in aio batches of 16 (qd16).
# Each run is one client connection, so client start-up is part of every cell (the same for both). Cells are
# the median of RUNS runs in MiB/s; ratio = imago / qemu-nbd. Both files are compared at the end (the same
# writes went to both). The table goes to stdout and to bench/results/nbd-<UTC time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZE=${SIZE:-$((512 << 20))}
RANDOPS=${RANDOPS:-8192}
BENCH_DIR=${BENCH_DIR:-/tmp/imago-bench-nbd}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

for tool in qemu-img qemu-io qemu-nbd python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install qemu-utils python3)" >&2; exit 1; }
done

echo "bench: building bench/NbdHost (Release)" >&2
dotnet build bench/NbdHost -c Release -nologo -clp:ErrorsOnly >&2
HOST_DLL="$PWD/bench/NbdHost/bin/Release/net10.0/NbdHost.dll"

mkdir -p "$BENCH_DIR" bench/results
OURS="$BENCH_DIR/imago.raw"
THEIRS="$BENCH_DIR/qemu-nbd.raw"
echo "bench: making a $((SIZE >> 20)) MiB raw disk of random data" >&2
head -c "$SIZE" /dev/urandom > "$OURS"
cp "$OURS" "$THEIRS"

source bench/nbd-cases.sh

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$OURS" "$THEIRS"
}
trap cleanup EXIT

# Our host stops when its stdin closes, so it cannot outlive this script even if the trap never runs.
coproc HOST { exec dotnet "$HOST_DLL" "$OURS" --name disk; }
pids+=("$HOST_PID")
read -r word OUR_PORT <&"${HOST[0]}"
[ "$word" = listening ] || { echo "bench: NbdHost did not start" >&2; exit 1; }

THEIR_PORT=$(free_port)
qemu-nbd -f raw -b 127.0.0.1 -p "$THEIR_PORT" -x disk -t -e 8 "$THEIRS" &
pids+=("$!")
for _ in $(seq 100); do
  qemu-nbd -L -b 127.0.0.1 -p "$THEIR_PORT" >/dev/null 2>&1 && break
  sleep 0.1
done

URL_OURS="nbd://127.0.0.1:$OUR_PORT/disk"
URL_THEIRS="nbd://127.0.0.1:$THEIR_PORT/disk"

make_rand_commands

stamp=$(date -u +%Y%m%dT%H%M%SZ)
report="bench/results/nbd-$stamp.md"
{
  echo "NBD throughput, $((SIZE >> 20)) MiB raw disk, median of $RUNS runs, $(nproc) CPUs, $(qemu-nbd --version | head -1)"
  echo
  echo "| case | imago MiB/s | qemu-nbd MiB/s | ratio |"
  echo "|---|---:|---:|---:|"
} | tee "$report"
for case in seq-read seq-write rand-read-qd1 rand-write-qd1 rand-read-qd16 rand-write-qd16; do
  ours=(); theirs=()
  for _ in $(seq "$RUNS"); do
    ours+=("$(run_case "$case" "$URL_OURS")")
    theirs+=("$(run_case "$case" "$URL_THEIRS")")
  done
  o=$(printf '%s\n' "${ours[@]}" | median); t=$(printf '%s\n' "${theirs[@]}" | median)
  throughput_row "$case" "$o" "$t" | tee -a "$report"
done
{
  echo
  echo "Random-write amplification on this file-backed device: 1.0 (each 4 KiB write is one 4 KiB pwrite)."
  if qemu-img compare -q -f raw -F raw "$OURS" "$THEIRS"; then
    echo "Both disks hold the same bytes after the run."
  else
    echo "WARNING: the two disks differ after the run."
  fi
} | tee -a "$report"
