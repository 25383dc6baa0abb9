#!/usr/bin/env bash
# Benchmark: `imago img convert` against `qemu-img convert` on the same inputs, in one run.
#
#   bench/convert.sh                    # all rows (needs the qcow2 and VHD work merged)
#   CASES="raw-raw raw-qcow2" bench/convert.sh
#   BENCH_DIR=/var/tmp/imago-bench RUNS=3 bench/convert.sh
#
# Input: a 4 GiB sparse raw disk holding ~1 GiB of seeded pseudo-random data in scattered runs (rest holes),
# plus qcow2 copies made by qemu-img. Both tools get -f and -O and default settings. Between runs the page
# cache is dropped when permitted (root); otherwise each command runs once to warm the cache and both tools
# are measured warm. Each cell is the median of RUNS runs (wall time) and the largest peak RSS seen
# (/usr/bin/time -f %M). The table goes to stdout and to bench/results/convert-<UTC time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/imago-bench}
CASES=${CASES:-"raw-qcow2 qcow2-raw raw-vpc zlib-qcow2-raw qcow2-vpcfixed"}
SIZE=${SIZE:-$((4 << 30))}
DATA=${DATA:-$((1 << 30))}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ ! -x /usr/bin/time ]; then
  echo "bench: installing Debian's time package" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
command -v qemu-img >/dev/null || { echo "bench: qemu-img is missing (apt-get install qemu-utils)" >&2; exit 1; }

echo "bench: building the Release executable" >&2
dotnet build src/Imago -c Release -nologo -clp:ErrorsOnly >&2
IMAGO="$PWD/src/Imago/bin/Release/net10.0/imago"
[ -x "$IMAGO" ] || { echo "bench: $IMAGO was not built" >&2; exit 1; }

mkdir -p "$BENCH_DIR" bench/results
SRC_RAW="$BENCH_DIR/src.raw"
SRC_QCOW2="$BENCH_DIR/src.qcow2"
SRC_TEXT="$BENCH_DIR/src-compressible.raw"
SRC_ZLIB="$BENCH_DIR/src-zlib.qcow2"

needs() { [[ " $CASES " == *" $1 "* ]]; }

# Inputs are made once and reused while the generator parameters stay the same.
stamp="$SIZE-$DATA-v1"
if [ "$(cat "$BENCH_DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -f "$BENCH_DIR"/src*
  python3 bench/make-disk.py "$SRC_RAW" --size "$SIZE" --data "$DATA" >&2
  echo "$stamp" > "$BENCH_DIR/stamp"
fi
if { needs qcow2-raw || needs qcow2-vpcfixed; } && [ ! -f "$SRC_QCOW2" ]; then
  qemu-img convert -f raw -O qcow2 "$SRC_RAW" "$SRC_QCOW2"
fi
if needs zlib-qcow2-raw && [ ! -f "$SRC_ZLIB" ]; then
  # Random data does not compress and qemu then stores clusters uncompressed, so this row uses the same
  # layout filled with random hex digits (about 2:1), compressed with qemu-img -c (zlib).
  python3 bench/make-disk.py "$SRC_TEXT" --size "$SIZE" --data "$DATA" --compressible >&2
  qemu-img convert -c -f raw -O qcow2 "$SRC_TEXT" "$SRC_ZLIB"
  rm -f "$SRC_TEXT"
fi

drop_caches() {
  sync
  if [ -w /proc/sys/vm/drop_caches ] && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then
    return 0
  fi
  return 1
}
if drop_caches; then CACHE="dropped before every run"; COLD=1; else CACHE="warm (one unmeasured run per command first)"; COLD=0; fi

# run_one TOOL ARGS... -> prints "seconds peak_kib" or "failed"
run_one() {
  local out="$BENCH_DIR/out.img" stats="$BENCH_DIR/time.txt"
  rm -f "$out"
  [ "$COLD" = 1 ] && drop_caches
  if /usr/bin/time -f "%e %M" -o "$stats" "$@" "$out" >/dev/null 2>"$BENCH_DIR/stderr.txt"; then
    cat "$stats" | tail -1
  else
    echo "failed: $(head -c 200 "$BENCH_DIR/stderr.txt" | tr '\n' ' ')" >&2
    echo "failed"
  fi
  rm -f "$out"
}

# measure TOOL ARGS... -> prints "median_seconds max_rss_mib" or "failed"
measure() {
  [ "$COLD" = 0 ] && run_one "$@" >/dev/null
  local times=() peak=0 result
  for _ in $(seq "$RUNS"); do
    result=$(run_one "$@")
    [ "$result" = failed ] && { echo failed; return; }
    times+=("${result% *}")
    local kib=${result#* }
    (( kib > peak )) && peak=$kib
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$median $((peak / 1024))"
}

case_args() {
  case "$1" in
    raw-raw)        echo "-f raw -O raw $SRC_RAW" ;;
    raw-qcow2)      echo "-f raw -O qcow2 $SRC_RAW" ;;
    qcow2-raw)      echo "-f qcow2 -O raw $SRC_QCOW2" ;;
    raw-vpc)        echo "-f raw -O vpc $SRC_RAW" ;;
    zlib-qcow2-raw) echo "-f qcow2 -O raw $SRC_ZLIB" ;;
    qcow2-vpcfixed) echo "-f qcow2 -O vpc -o subformat=fixed $SRC_QCOW2" ;;
    *) echo "bench: unknown case $1" >&2; exit 1 ;;
  esac
}

case_name() {
  case "$1" in
    raw-raw) echo "raw → raw (baseline)" ;;
    raw-qcow2) echo "raw → qcow2" ;;
    qcow2-raw) echo "qcow2 → raw" ;;
    raw-vpc) echo "raw → VHD dynamic" ;;
    zlib-qcow2-raw) echo "zlib qcow2 → raw" ;;
    qcow2-vpcfixed) echo "qcow2 → VHD fixed" ;;
  esac
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# Like for like, twice. qemu-img convert's default cache mode for the target is "unsafe": it never flushes.
# imago flushes (fsync) before renaming the output into place unless given -t unsafe. So each row compares
# imago -t unsafe with plain qemu-img, and default imago with qemu-img followed by `sync OUT`.
table="| case | imago -t unsafe (s) | qemu-img (s) | ratio | imago, flushed (s) | qemu-img + sync (s) | ratio | imago peak RSS (MiB) | qemu-img peak RSS (MiB) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $CASES; do
  read -r -a args <<<"$(case_args "$c")"
  echo "bench: $c" >&2
  fast=$(measure "$IMAGO" img convert -t unsafe "${args[@]}")
  theirs=$(measure qemu-img convert "${args[@]}")
  ours=$(measure "$IMAGO" img convert "${args[@]}")
  synced=$(measure bench/qemu-img-sync.sh "${args[@]}")
  if [ "$fast" = failed ] || [ "$ours" = failed ] || [ "$theirs" = failed ] || [ "$synced" = failed ]; then
    table+=$'\n'"| $(case_name "$c") | ${fast%% *} | ${theirs%% *} | - | ${ours%% *} | ${synced%% *} | - | - | - |"
    continue
  fi
  peak_ours=$(( ${fast#* } > ${ours#* } ? ${fast#* } : ${ours#* } ))
  table+=$'\n'"| $(case_name "$c") | ${fast% *} | ${theirs% *} | $(ratio "${fast% *}" "${theirs% *}") | ${ours% *} | ${synced% *} | $(ratio "${ours% *}" "${synced% *}") | $peak_ours | ${theirs#* } |"
done

machine="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
report="## imago img convert vs qemu-img convert ($(date -u +%Y-%m-%dT%H:%MZ))

Machine: $machine. $(qemu-img --version | head -1). Page cache: $CACHE. Median of $RUNS runs.
Disk: $((SIZE >> 30)) GiB virtual, $((DATA >> 20)) MiB of data in scattered runs (bench/make-disk.py, seeded).

$table"
echo "$report"
echo "$report" > "bench/results/convert-$(date -u +%Y%m%dT%H%M%SZ).md"
