#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/accuracy.sh: the accuracy matrix. For each scenario of apoflow_simulate (or the ones
# named), generate the experiment into a temporary folder, analyse it with
# `apoflow run DIR --sheet DIR/sheet.csv -o OUT --no-plots`, and score OUT against the per-event
# truth with apoflow_accuracy_score: worst quadrant error over the stained samples (points),
# worst relative-reduction error (points), the QC flags raised, PASS/FAIL against the bar
# (quadrants within 1.5 points, reductions within 3; a scenario beyond any method passes only
# when every stained sample is flagged). Exit status 1 when a scenario fails. bench/README.md.
#
# usage: bench/accuracy.sh [--build DIR] [--seed N] [--events N] [--plots] [--keep DIR]
#                          [--markdown] [--skip-large] [SCENARIO ...]
#   --build DIR   the build folder with the programs (default <repo>/build)
#   --seed N      simulator seed (default the simulator's)
#   --events N    events per file instead of each scenario's own
#   --plots       let apoflow run draw its plots too (default --no-plots)
#   --keep DIR    keep every experiment, result and score log in DIR/<scenario>/
#   --markdown    print the result table as Markdown rows (for docs/validation.md)
#   --skip-large  leave out scenarios with more than 100,000 events per file
# env: APOFLOW, APOFLOW_SIMULATE, APOFLOW_SCORE override the program paths.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build
seed=()
events=()
plots=(--no-plots)
keep=""
markdown=0
skip_large=0
names=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seed) seed=(--seed "$2"); shift 2 ;;
    --events) events=(--events "$2"); shift 2 ;;
    --plots) plots=(); shift ;;
    --keep) keep=$2; shift 2 ;;
    --markdown) markdown=1; shift ;;
    --skip-large) skip_large=1; shift ;;
    -h|--help) sed -n '3,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "accuracy.sh: unknown option $1" >&2; exit 64 ;;
    *) names+=("$1"); shift ;;
  esac
done
apoflow=${APOFLOW:-$build/cli/apoflow}
simulate=${APOFLOW_SIMULATE:-$build/samples/apoflow_simulate}
score=${APOFLOW_SCORE:-$build/bench/accuracy/apoflow_accuracy_score}
for exe in "$apoflow" "$simulate" "$score"; do
  if [[ ! -x $exe ]]; then
    echo "accuracy.sh: $exe not found: build first (cmake --build $build)" >&2
    exit 66
  fi
done

list=$("$simulate" --list) || exit 70
if [[ ${#names[@]} -eq 0 ]]; then
  mapfile -t names < <(cut -f1 <<<"$list")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/apoflow-accuracy.XXXXXX") || exit 73
trap 'rm -rf "$work"' EXIT
if [[ -n $keep ]]; then
  mkdir -p "$keep" || exit 73
fi

if [[ $markdown -eq 1 ]]; then
  echo "| scenario | family | events | worst quadrant error (points) | worst reduction error (points) | QC flags | result |"
  echo "|---|---|---:|---:|---:|---|---|"
else
  printf '%-28s %-9s %8s %9s %9s  %-6s %s\n' scenario family events quadrant reduction result flags
fi
failed=0
for name in "${names[@]}"; do
  row=$(awk -F'\t' -v n="$name" '$1 == n' <<<"$list")
  if [[ -z $row ]]; then
    echo "accuracy.sh: unknown scenario $name (apoflow_simulate --list)" >&2
    failed=1
    continue
  fi
  IFS=$'\t' read -r _ family n_events beyond _ <<<"$row"
  if [[ ${#events[@]} -gt 0 ]]; then
    n_events=${events[1]}
  fi
  if [[ $skip_large -eq 1 && $n_events -gt 100000 ]]; then
    continue
  fi
  dir=$work/$name
  if [[ -n $keep ]]; then
    dir=$keep/$name
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  beyond_arg=()
  if [[ $beyond == beyond ]]; then
    beyond_arg=(--beyond)
  fi
  result=FAIL
  summary=""
  if ! "$simulate" --scenario "$name" "${seed[@]}" "${events[@]}" "$dir/data" >"$dir/simulate.log" 2>&1; then
    summary="simulator failed (see $dir/simulate.log)"
  else
    "$apoflow" run "$dir/data" --sheet "$dir/data/sheet.csv" -o "$dir/out" "${plots[@]}" -q \
      >"$dir/run.log" 2>&1
    rc=$?
    if [[ ! -f $dir/out/samples.csv ]]; then
      summary="apoflow run exit $rc: $(grep -m1 'error' "$dir/run.log" | cut -c1-160)"
    else
      "$score" "${beyond_arg[@]}" "$dir/data" "$dir/out" >"$dir/score.log" 2>&1
      summary=$(grep '^summary ' "$dir/score.log")
      if grep -q 'result=PASS' <<<"$summary"; then
        result=PASS
      fi
    fi
  fi
  quad=$(sed -n 's/.*quadrant_error=\([^ ]*\).*/\1/p' <<<"$summary")
  red=$(sed -n 's/.*reduction_error=\([^ ]*\).*/\1/p' <<<"$summary")
  flags=$(sed -n 's/.* flags=\([^ ]*\).*/\1/p' <<<"$summary")
  note=""
  if [[ -z $quad ]]; then
    note=$summary
  fi
  [[ $result == PASS ]] || failed=1
  if [[ $markdown -eq 1 ]]; then
    echo "| $name | $family | $n_events | ${quad:--} | ${red:--} | ${flags:-${note:--}} | $result |"
  else
    printf '%-28s %-9s %8s %9s %9s  %-6s %s\n' "$name" "$family" "$n_events" "${quad:--}" \
      "${red:--}" "$result" "${flags:-$note}"
  fi
  if [[ -z $keep ]]; then
    rm -rf "$dir"
  fi
done
exit $failed
