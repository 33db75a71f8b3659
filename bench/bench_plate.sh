#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/bench_plate.sh: the speed goals of the plate analysis, each printed as a ratio measured
# within one run of this script (so they hold on a busy machine):
#   1. `apoflow run` on the 96-file plate (plots and report.html, --jobs 2) against a plain
#      Python pipeline doing less (bench/plate_numpy.py: FlowIO, numpy, matplotlib, 2
#      processes), runs alternating, medians; needs Debian's python3-numpy and
#      python3-matplotlib and a FlowIO source tree in FLOWIO_SRC (bench/README.md);
#   2. the per-stage times of the apoflow run (--timings);
#   3. gating + statistics in ns of CPU per event (--jobs 1 --no-plots, so the stage's wall
#      time is its CPU time);
#   4. the logicle transform on arrays in ns per value (bench/limit_logicle.c, one thread);
#   5. `apoflow info --stats` on the 10M-event file against the mmap-and-sum limit of the same
#      file (bench/limit_sum.c), as a fraction of the limit's throughput; when
#      bench/data/10000000/synth_f32_le.fcs exists (bench/run makes it);
#   6. `apoflow run` (plots and report) on that one file against `info --stats` on it, and
#      its peak RSS (/usr/bin/time). The synthetic file has no controls: the run takes its
#      thresholds from the density valley.
#   7. what the rest of goal 1 costs: the plate run again with the options that leave out
#      work (--no-plots: no figures; --sample-events 10000: estimates from at most 10,000
#      events per sample, which moves gates and so counts; both), each as a ratio to the
#      Python median of item 1 (docs/performance.md, "What is left").
#
# usage: bench/bench_plate.sh [runs]          (default 3)
# env:   BENCH_BUILD_DIR (default <repo>/build-bench), BENCH_PLATE_DIR (default
#        <repo>/bench/data/plate), BENCH_EVENTS (events per plate file, default 50000),
#        BENCH_BIG_FILE (default <repo>/bench/data/10000000/synth_f32_le.fcs),
#        FLOWIO_SRC (a FlowIO source tree: its src/flowio is imported), PYTHON (default
#        /usr/bin/python3, Debian's, which has python3-numpy and python3-matplotlib),
#        APOFLOW_BIN (default: the one built here; e.g. an older build, to compare)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
build=${BENCH_BUILD_DIR:-$root/build-bench}
plate=${BENCH_PLATE_DIR:-$root/bench/data/plate}
events=${BENCH_EVENTS:-50000}
big=${BENCH_BIG_FILE:-$root/bench/data/10000000/synth_f32_le.fcs}
python=${PYTHON:-/usr/bin/python3}

generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DAPOFLOW_BENCH=ON -DAPOFLOW_WERROR=OFF >/dev/null
fi
cmake --build "$build" -j 2 --target apoflow apoflow_simulate limit_sum limit_logicle >/dev/null
apoflow=${APOFLOW_BIN:-$build/cli/apoflow}

if [[ ! -f "$plate/sheet.csv" ]]; then # bench_run.sh makes the plate (and times one run)
  BENCH_RUNS=1 BENCH_BUILD_DIR=$build BENCH_PLATE_DIR=$plate BENCH_EVENTS=$events \
    "$root/bench/bench_run.sh" 2 >/dev/null
fi
n_files=$(ls "$plate"/*.fcs | wc -l)
total_events=$((n_files * events))
echo "plate: $n_files files x $events events ($total_events events), $(du -sh "$plate" | cut -f1)"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Median of the numbers on standard input.
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# Wall seconds of a command (its output discarded).
wall() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>>"$out/stderr"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

have_python=false
if [[ -n ${FLOWIO_SRC:-} && -f ${FLOWIO_SRC}/src/flowio/__init__.py ]] &&
  "$python" -c 'import numpy, matplotlib' 2>/dev/null; then
  have_python=true
fi

# 1 + 2: the plate, apoflow and the Python pipeline alternating
: > "$out/apo"
: > "$out/py"
for r in $(seq "$runs"); do
  rm -rf "$out/run"
  wall "$apoflow" run --sheet "$plate/sheet.csv" -o "$out/run" --jobs 2 --timings -q >> "$out/apo"
  { grep 'timings: parse' "$out/stderr" | tail -n 1
    grep 'timings of the steps' "$out/stderr" | tail -n 1 || true; } |  # (older builds: no steps)
    sed 's/apoflow: //' > "$out/timings.$r"
  if $have_python; then
    rm -rf "$out/py_out"
    FLOWIO_SRC=$FLOWIO_SRC wall "$python" "$root/bench/plate_numpy.py" "$plate" "$out/py_out" 2 >> "$out/py"
  fi
done
apo=$(median < "$out/apo")
echo
echo "1. plate, apoflow run --jobs 2 with plots and report: median ${apo} s of $runs runs" \
  "($(tr '\n' ' ' < "$out/apo")s)"
if $have_python; then
  py=$(median < "$out/py")
  echo "   Python pipeline (FlowIO + numpy + matplotlib, 2 processes): median ${py} s" \
    "($(tr '\n' ' ' < "$out/py")s)"
  echo "   ratio Python / apoflow: $(echo "scale=2; $py / $apo" | bc)x  (goal: at least 15x)"
else
  echo "   (no Python yardstick: set FLOWIO_SRC to a FlowIO source tree and install Debian's"
  echo "   python3-numpy and python3-matplotlib; see bench/README.md)"
fi
echo "2. stage times of each run:"
for r in $(seq "$runs"); do
  echo "   run $r:"
  sed 's/^/     /' "$out/timings.$r"
done

# 3: gating + statistics, one thread, no plots; with /usr/bin/time also the CPU time of the
# whole run (user + sys), which a loaded machine inflates much less than the wall time
rm -rf "$out/run1"
cpu_cmd=()
if [[ -x /usr/bin/time ]]; then
  cpu_cmd=(/usr/bin/time -f 'cpu %U %S' -o "$out/cpu1")
fi
"${cpu_cmd[@]}" "$apoflow" run --sheet "$plate/sheet.csv" -o "$out/run1" --jobs 1 --no-plots \
  --timings -q 2> "$out/t1" || { cat "$out/t1"; exit 1; }
gating=$(sed -n 's/.*timings: parse .*gating+statistics \([0-9.]*\) s.*/\1/p' "$out/t1")
echo "3. gating+statistics on one thread: ${gating} s for $total_events events =" \
  "$(echo "scale=1; $gating * 1000000000 / $total_events" | bc) ns per event (goal: under 20)"
if [[ -f $out/cpu1 ]]; then
  cpu=$(awk '/^cpu/ {print $2 + $3}' "$out/cpu1")
  echo "   CPU time of that whole run (parse, estimation, statistics, tables, report): ${cpu} s" \
    "= $(echo "scale=1; $cpu * 1000000000 / $total_events" | bc) ns of CPU per event"
fi

steps=$(sed -n 's/.*timings of the steps: //p' "$out/t1")
if [[ -n $steps ]]; then
  stat=$(echo "$steps" | sed -n 's/.*, statistics \([0-9.]*\) s.*/\1/p')
  echo "   its steps: $steps"
  echo "   the statistics step alone (every event decoded, compensated, gated, counted; medians):" \
    "$(echo "scale=1; $stat * 1000000000 / $total_events" | bc) ns per event"
fi

# 4: logicle on arrays
echo "4. logicle on arrays, one thread: $("$build/bench/limit_logicle" -r 3 | cut -d' ' -f1-2)" \
  "(goal: under 10 ns per value)"

# 5: a whole-file pass against the mmap-and-sum limit
if [[ -f $big ]]; then
  "$apoflow" info --stats "$big" >/dev/null # page cache warm
  limit=$("$build/bench/limit_sum" -r 3 "$big" | cut -d' ' -f1)
  : > "$out/info"
  for r in $(seq "$runs"); do
    wall "$apoflow" info --stats "$big" >> "$out/info"
  done
  info=$(median < "$out/info")
  echo "5. info --stats on $(basename "$big"): median ${info} s; mmap-and-sum limit ${limit} s;" \
    "throughput $(echo "scale=3; $limit / $info" | bc)x the limit (goal: at least 0.3x)"
  if [[ -x /usr/bin/time ]]; then
    mkdir -p "$out/big"
    ln -sf "$big" "$out/big/$(basename "$big")"
    : > "$out/bigrun"
    for r in $(seq "$runs"); do
      rm -rf "$out/bigrun_out"
      /usr/bin/time -f '%e %M' -o "$out/t" "$apoflow" run "$out/big" -o "$out/bigrun_out" -q \
        --jobs 2 >/dev/null 2>>"$out/stderr" || true
      cat "$out/t" >> "$out/bigrun"
    done
    brun=$(cut -d' ' -f1 "$out/bigrun" | median)
    rss=$(cut -d' ' -f2 "$out/bigrun" | sort -n | tail -n 1)
    echo "6. run on that file (plots, report): median ${brun} s =" \
      "$(echo "scale=2; $brun / $info" | bc)x the info --stats time (goal: within 3x);" \
      "peak RSS $((rss / 1000)) MB (goal: under 300 MB)"
  fi
else
  echo "5. (no $big: run bench/run to make the 10M-event files)"
fi
# 7: the plate with less work, against the Python median of item 1
if $have_python; then
  echo "7. the plate with options that leave out work (median of $runs runs each, ratio to the" \
    "Python median of item 1):"
  for opts in "--no-plots" "--sample-events 10000" "--no-plots --sample-events 10000"; do
    : > "$out/opt"
    for r in $(seq "$runs"); do
      rm -rf "$out/run"
      # shellcheck disable=SC2086 # the options are words
      wall "$apoflow" run --sheet "$plate/sheet.csv" -o "$out/run" --jobs 2 -q $opts >> "$out/opt"
    done
    t=$(median < "$out/opt")
    echo "   $opts: ${t} s, $(echo "scale=2; $py / $t" | bc)x"
  done
fi
echo
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (a shared machine" \
  "inflates every time; the ratios compare runs made side by side)"
