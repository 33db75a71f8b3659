#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/bench_run.sh: end-to-end `apoflow run` on a 96-well plate of 50,000-event files
# (issue 6 target: under 10 s on 2 cores with plots and report.html). Builds apoflow and
# apoflow_simulate (Release) in build-bench/, generates bench/data/plate/ once (6 simulated
# SH-SY5Y experiments with different seeds, 96 of their files, one sample sheet with a plate
# well per file), then runs apoflow run --jobs N --timings and prints the stage split.
#
# usage: bench/bench_run.sh [jobs]      (default 2)
# env:   BENCH_BUILD_DIR (default <repo>/build-bench), BENCH_PLATE_DIR (default
#        <repo>/bench/data/plate), BENCH_EVENTS (default 50000), BENCH_RUNS (default 3)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${1:-2}
build=${BENCH_BUILD_DIR:-$root/build-bench}
plate=${BENCH_PLATE_DIR:-$root/bench/data/plate}
events=${BENCH_EVENTS:-50000}
runs=${BENCH_RUNS:-3}

generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DAPOFLOW_WERROR=OFF >/dev/null
fi
cmake --build "$build" -j 2 --target apoflow apoflow_simulate >/dev/null
apoflow=$build/cli/apoflow
simulate=$build/samples/apoflow_simulate

if [[ ! -f "$plate/sheet.csv" ]]; then
  echo "generating $plate (96 files x $events events)"
  tmp=$(mktemp -d)
  rm -rf "$plate"
  mkdir -p "$plate"
  rows=ABCDEFGH
  n=0
  header=
  body=
  for seed in 1 2 3 4 5 6; do
    "$simulate" --preset shsy5y --seed "$seed" --events "$events" --no-event-truth \
      "$tmp/s$seed" >/dev/null
    header=$(head -n 1 "$tmp/s$seed/sheet.csv")
    while IFS= read -r line; do
      [[ $n -ge 96 ]] && break
      file=${line%%,*}
      rest=${line#*,}
      sample=${rest%%,*}
      rest=${rest#*,}
      well=${rows:$((n / 12)):1}$(printf '%02d' $((n % 12 + 1)))
      cp "$tmp/s$seed/$file" "$plate/s${seed}_$file"
      # the sheet's well column is the last one
      body+="s${seed}_$file,s${seed}_$sample,${rest%,*},$well"$'\n'
      n=$((n + 1))
    done < <(tail -n +2 "$tmp/s$seed/sheet.csv")
  done
  printf '%s\n%s' "$header" "$body" > "$plate/sheet.csv"
  rm -rf "$tmp"
fi
echo "plate: $(ls "$plate"/*.fcs | wc -l) files, $(du -sh "$plate" | cut -f1)"

out=$(mktemp -d)
best=
for r in $(seq "$runs"); do
  rm -rf "$out/run"
  start=$(date +%s.%N)
  TIMEFORMAT='%U %S'
  { time "$apoflow" run --sheet "$plate/sheet.csv" -o "$out/run" --jobs "$jobs" --timings -q \
    2> "$out/err" || { cat "$out/err"; exit 1; }; } 2> "$out/cpu"
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc)
  read -r user sys < "$out/cpu"
  echo "run $r: wall ${wall} s, CPU user ${user} s + sys ${sys} s;" \
    "$(grep timings "$out/err" | sed 's/apoflow: //')"
  if [[ -z $best ]] || (( $(echo "$wall < $best" | bc) )); then
    best=$wall
  fi
done
echo "report.html: $(du -h "$out/run/report.html" | cut -f1); plots: $(ls "$out/run/plots" | wc -l) files"
echo "best wall time with --jobs $jobs: ${best} s (target < 10 s on 2 cores);" \
  "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine inflates wall times)"
rm -rf "$out"
