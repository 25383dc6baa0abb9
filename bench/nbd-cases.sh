# Shared by bench/nbd.sh and bench/storage.sh (sourced, not run): the NBD client cases both compare against
# qemu-nbd, so that the two scripts measure exactly the same I/O. Needs SIZE (disk bytes), RANDOPS and BENCH_DIR.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Random-I/O command lists in BENCH_DIR: the same seeded offsets for every server. qd1 uses qemu-io's
# synchronous read/write (one request at a time); qd16 issues aio batches of 16 and waits for each batch.
make_rand_commands() {
  local op depth
  for op in read write; do
    for depth in 1 16; do
      python3 - "$op" "$depth" "$SIZE" "$RANDOPS" > "$BENCH_DIR/rand-$op-qd$depth.cmds" <<'PY'
import random, sys
op, depth, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(42)
verb = ("aio_" if depth > 1 else "") + op
for i in range(count):
    off = rng.randrange(size // 4096) * 4096
    print(f"{verb} {off} 4k" if op == "read" else f"{verb} -P {i % 251} {off} 4k")
    if depth > 1 and i % depth == depth - 1:
        print("aio_flush")
if depth > 1:
    print("aio_flush")
PY
    done
  done
}

# run_case CASE URL -> prints microseconds. Cases: seq-read, seq-write (qemu-img bench, 64 KiB at depth 16 over
# the whole disk), rand-{read,write}-qd{1,16} (qemu-io over the command lists above).
run_case() {
  local case=$1 url=$2 start end count=$((SIZE / 65536)) out
  local -a cmds=()
  case $case in
    rand-*)
      mapfile -t lines < "$BENCH_DIR/$case.cmds"
      for l in "${lines[@]}"; do cmds+=(-c "$l"); done ;;
  esac
  start=$(date +%s%N)
  case $case in
    seq-read)   qemu-img bench -q -f raw -c "$count" -d 16 -s 64k "$url" >/dev/null ;;
    seq-write)  qemu-img bench -q -f raw -w -c "$count" -d 16 -s 64k --pattern=0x5a "$url" >/dev/null ;;
    rand-*)
      out=$(qemu-io -f raw "${cmds[@]}" "$url")
      if grep -qi failed <<<"$out"; then echo "bench: qemu-io reported a failure on $url" >&2; exit 1; fi ;;
  esac
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 ))"
}

# Bytes one run of CASE moves.
bytes_of() { case $1 in seq-*) echo "$SIZE" ;; *) echo $((RANDOPS * 4096)) ;; esac; }

# MiB/s row for a case from the two medians (microseconds): | case | ours | theirs | ratio |
throughput_row() { # case ours_us theirs_us
  awk -v c="$1" -v b="$(bytes_of "$1")" -v o="$2" -v t="$3" 'BEGIN {
    mo = b / 1048576 / (o / 1e6); mt = b / 1048576 / (t / 1e6);
    printf "| %s | %.1f | %.1f | %.2f |\n", c, mo, mt, mo / mt }'
}
