#!/usr/bin/env bash
# Runs the SharpFuzz/AFL++ harness: fuzz/run.sh TARGET|all [SECONDS]
#   TARGET: inspect qcow2 vhd qcow2-check vhd-check options (default: all), SECONDS per target (default 60).
# Builds fuzz/Imago.Fuzz, instruments Imago.Formats.dll with sharpfuzz, writes a seed corpus from the hostile
# generator plus tiny qemu-img images, and runs afl-fuzz. Everything lands in fuzz/findings/ (gitignored):
#   fuzz/findings/TARGET/default/crashes/   inputs that crashed (commit them under tests/.../Hostile/Regressions/)
# Needs: afl-fuzz (Debian's afl++), qemu-img, and the SharpFuzz.CommandLine tool (installed on first run).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(inspect qcow2 vhd qcow2-check vhd-check options)
target=${1:-all}
seconds=${2:-60}
if [ "$target" = all ]; then targets=("${all_targets[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "run.sh: unknown target '$t' (known: ${all_targets[*]})" >&2; exit 2; }
done

command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work=fuzz/findings
build=$work/build
tools=$work/tools
mkdir -p "$work"

if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

# Two copies: "plain" writes the seeds and replays crashes (instrumented code only runs under afl-fuzz's
# shared memory), "afl" has Imago.Formats.dll instrumented by sharpfuzz.
rm -rf "$build"
dotnet publish fuzz/Imago.Fuzz -c Release -o "$build/plain" -nologo -clp:ErrorsOnly >/dev/null
cp -r "$build/plain" "$build/afl"
"$tools/sharpfuzz" "$build/afl/Imago.Formats.dll" >/dev/null
rm -rf "$work/seeds"
dotnet "$build/plain/Imago.Fuzz.dll" seeds "$work/seeds"

# Containers: no CPU governor to query, core dumps may go to a pipe, affinity may be restricted.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
       AFL_NO_UI=1 AFL_FAST_CAL=1 AFL_QUIET=1

status=0
for t in "${targets[@]}"; do
  out=$work/$t
  rm -rf "$out"
  echo "== $t: ${seconds}s"
  afl-fuzz -V "$seconds" -i "$work/seeds/$t" -o "$out" -t 10000 -m none -- dotnet "$build/afl/Imago.Fuzz.dll" "$t" >"$work/$t.log" 2>&1 || {
    echo "afl-fuzz failed for $t; see $work/$t.log" >&2; tail -20 "$work/$t.log" >&2; status=1; continue; }
  stats=$out/default/fuzzer_stats
  execs=$(sed -n 's/^execs_done *: *//p' "$stats" 2>/dev/null || echo "?")
  paths=$(sed -n 's/^corpus_count *: *//p' "$stats" 2>/dev/null || echo "?")
  crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
  hangs=$(find "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
  echo "   execs=$execs corpus=$paths crashes=$crashes hangs=$hangs"
  if [ "$crashes" -gt 0 ]; then
    status=1
    dotnet "$build/plain/Imago.Fuzz.dll" replay "$t" "$out"/default/crashes/id:* | head -20 || true
  fi
done
exit $status
