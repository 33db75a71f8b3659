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
# usage: bench/accuracy.sh [--build DIR] [--seed N | --seeds N,N,...] [--events N] [--plots]
#                          [--keep DIR] [--markdown] [--skip-large] [SCENARIO ...]
#   --build DIR   the build folder with the programs (default <repo>/build)
#   --seed N      simulator seed (default the simulator's)
#   --seeds LIST  run each scenario with every seed: the worst errors, PASS only if all pass
#   --events N    events per file instead of each scenario's own
#   --plots       let apoflow run draw its plots too (default --no-plots)
#   --keep DIR    keep every experiment, result and score log in DIR/<scenario>/
#   --markdown    print the result table as Markdown rows (for docs/validation.md)
#   --skip-large  leave out scenarios with more than 100,000 events per file
# env: APOFLOW, APOFLOW_SIMULATE, APOFLOW_SCORE override the program paths.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build
seeds=("")
events=()
plots=(--no-plots)
keep=""
markdown=0
skip_large=0
names=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seed) seeds=("$2"); shift 2 ;;
    --seeds) IFS=, read -r -a seeds <<<"$2"; shift 2 ;;
    --events) events=(--events "$2"); shift 2 ;;
    --plots) plots=(); shift ;;
    --keep) keep=$2; shift 2 ;;
    --markdown) markdown=1; shift ;;
    --skip-large) skip_large=1; shift ;;
    -h|--help) sed -n '3,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# Simulates, runs and scores scenario $1 with seed $2 ("" = the simulator's) in folder $3;
# sets r_result (PASS/FAIL), r_quad, r_red, r_flags (empty when not scored), r_note.
score_one() {
  local name=$1 seed=$2 dir=$3 rc summary msg
  local seed_arg=() beyond_arg=()
  [[ -n $seed ]] && seed_arg=(--seed "$seed")
  [[ $beyond == beyond ]] && beyond_arg=(--beyond)
  r_result=FAIL r_quad="" r_red="" r_flags="" r_note=""
  mkdir -p "$dir"
  if ! "$simulate" --scenario "$name" "${seed_arg[@]}" "${events[@]}" "$dir/data" \
    >"$dir/simulate.log" 2>&1; then
    r_note="simulator failed (see $dir/simulate.log)"
    return
  fi
  "$apoflow" run "$dir/data" --sheet "$dir/data/sheet.csv" -o "$dir/out" "${plots[@]}" -q \
    >"$dir/run.log" 2>&1
  rc=$?
  if [[ ! -f $dir/out/samples.csv ]]; then
    msg=$(grep -m1 'error' "$dir/run.log" | sed 's/^apoflow: error: //; s/|/\//g' | cut -c1-100)
    r_note="run failed (exit $rc): $msg"
    return
  fi
  "$score" "${beyond_arg[@]}" "$dir/data" "$dir/out" >"$dir/score.log" 2>&1
  summary=$(grep '^summary ' "$dir/score.log")
  r_quad=$(sed -n 's/.*quadrant_error=\([^ ]*\).*/\1/p' <<<"$summary")
  r_red=$(sed -n 's/.*reduction_error=\([^ ]*\).*/\1/p' <<<"$summary")
  r_flags=$(sed -n 's/.* flags=\([^ ]*\).*/\1/p' <<<"$summary")
  [[ -z $r_quad ]] && r_note="scorer failed (see $dir/score.log)"
  grep -q 'result=PASS' <<<"$summary" && r_result=PASS
}

# The larger of two errors ("" = not scored = worst).
worst() {
  if [[ -z $1 || -z $2 ]]; then
    echo ""
  else
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "inf" || b == "inf") print "inf"; else print (a + 0 > b + 0 ? a : b) }'
  fi
}

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
  result=PASS quad=0 red=0 flags="" note=""
  for seed in "${seeds[@]}"; do
    dir=$work/$name${seed:+-$seed}
    if [[ -n $keep ]]; then
      dir=$keep/$name${seed:+-$seed}
      rm -rf "$dir"
    fi
    score_one "$name" "$seed" "$dir"
    [[ $r_result == PASS ]] || result=FAIL
    quad=$(worst "$quad" "$r_quad")
    red=$(worst "$red" "$r_red")
    for f in ${r_flags//,/ }; do
      [[ $f == - || ,$flags, == *,$f,* ]] || flags=${flags:+$flags,}$f
    done
    [[ -n $r_note && -z $note ]] && note=$r_note
    [[ -z $keep ]] && rm -rf "$dir"
  done
  [[ $result == PASS ]] || failed=1
  shown=${flags:-${note:--}}
  if [[ $markdown -eq 1 ]]; then
    echo "| $name | $family | $n_events | ${quad:--} | ${red:--} | $shown | $result |"
  else
    printf '%-28s %-9s %8s %9s %9s  %-6s %s\n' "$name" "$family" "$n_events" "${quad:--}" \
      "${red:--}" "$result" "$shown"
  fi
done
exit $failed
