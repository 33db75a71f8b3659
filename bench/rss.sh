#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/rss.sh: peak resident memory (and wall time) of every command that reads events, on
# one large synthetic file (default bench/data/10000000/synth_f32_le.fcs: 10 million events x
# 12 float32 channels, 480 MB; made by bench/run or gen_fcs). Each figure comes from
# /usr/bin/time's maximum resident set size of that process. The first row is the size of
# the events as doubles, the memory a command would need to hold them all.
#
# usage: bench/rss.sh [file.fcs]
# env:   BENCH_BUILD_DIR (default <repo>/build-bench)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
file=${1:-$root/bench/data/10000000/synth_f32_le.fcs}
[[ -f "$file" ]] || { echo "rss.sh: $file not found: run bench/run first" >&2; exit 66; }
[[ -x /usr/bin/time ]] || { echo "rss.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 69; }

generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DAPOFLOW_WERROR=OFF >/dev/null
fi
cmake --build "$build" -j 2 --target apoflow >/dev/null
apoflow=$build/cli/apoflow

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/in"
ln -s "$(cd "$(dirname "$file")" && pwd)/$(basename "$file")" "$tmp/in/"
json=$("$apoflow" info --json "$file")
names=$(grep -o '"name": *"[^"]*"' <<<"$json" | sed 's/.*"\([^"]*\)"$/\1/')
x=$(sed -n 1p <<<"$names")
y=$(sed -n 2p <<<"$names")
cat > "$tmp/g.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<gating:Gating-ML xmlns:gating="http://www.isac-net.org/std/Gating-ML/v2.0/gating"
  xmlns:data-type="http://www.isac-net.org/std/Gating-ML/v2.0/datatypes">
  <gating:RectangleGate gating:id="Cells">
    <gating:dimension gating:min="10000"><data-type:fcs-dimension data-type:name="$x"/></gating:dimension>
  </gating:RectangleGate>
</gating:Gating-ML>
XML

events=$(grep -o '"events": *[0-9]*' <<<"$json" | head -1 | grep -o '[0-9]*$')
params=$(grep -c . <<<"$names")
printf '%-58s %10s %9s\n' "command" "peak RSS" "wall"
printf '%-58s %7d MB %9s\n' "(all events as doubles: $events x $params x 8 B)" \
  $(( events * params * 8 / 1000000 )) "-"
measure() {
  local label=$1
  shift
  /usr/bin/time -f '%M %e' -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || {
    echo "rss.sh: '$label' failed:" >&2
    cat "$tmp/err" >&2
    return 1
  }
  read -r kb secs < "$tmp/t"
  printf '%-58s %7d MB %8ss\n' "$label" $(( kb / 1000 )) "$secs"
}
measure "info --stats" "$apoflow" info --stats "$file"
measure "export -o x.csv" "$apoflow" export "$file" -o "$tmp/x.csv"
rm -f "$tmp/x.csv"
measure "export --format fcs -o x.fcs" "$apoflow" export "$file" --format fcs -o "$tmp/x.fcs"
rm -f "$tmp/x.fcs"
measure "gate --gating (one rectangle gate)" "$apoflow" gate "$file" --gating "$tmp/g.xml"
measure "plot -x $x -y $y (pseudocolor)" "$apoflow" plot "$file" -x "$x" -y "$y" -o "$tmp/p.png"
measure "run --no-plots" "$apoflow" run "$tmp/in" -o "$tmp/r1" --no-plots -q
measure "run (with plots and report)" "$apoflow" run "$tmp/in" -o "$tmp/r2" -q
measure "run --sample-events 0 --no-plots (every event in memory)" \
  "$apoflow" run "$tmp/in" -o "$tmp/r3" --no-plots -q --sample-events 0
