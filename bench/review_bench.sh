#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/review_bench.sh: size and responsiveness of report.html's gate review on the 96-well
# plate of bench_run.sh (generated there once). Runs `apoflow run` on the plate, prints the
# size of report.html, then opens a copy with a small measuring script appended in headless
# Chromium (real time, no virtual time) and prints: the first (contentful) paint, the time the
# review section took to set up, and the time of one update of every sample's percentages,
# table cells and on-screen plots after a line moves (a pointer drag, then 20 setThreshold
# calls: mean and max). The measuring script runs as the page finishes parsing.
#
# usage: bench/review_bench.sh            env: as bench_run.sh (BENCH_BUILD_DIR, BENCH_PLATE_DIR)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
plate=${BENCH_PLATE_DIR:-$root/bench/data/plate}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -f "$plate/sheet.csv" ]]; then
  BENCH_RUNS=1 "$root/bench/bench_run.sh" 2 >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$build/cli/apoflow" run --sheet "$plate/sheet.csv" -o "$out/run" --jobs 2 -q
bytes=$(stat -c %s "$out/run/report.html")
echo "report.html: $bytes bytes ($(du -h "$out/run/report.html" | cut -f1)) for" \
  "$(ls "$out/run/plots/"*.preview.json | wc -l) samples with a preview"
head -c -15 "$out/run/report.html" > "$out/run/measure.html" # drop "</body></html>\n"
cat >> "$out/run/measure.html" <<'JS'
<pre id="measure">pending</pre><script>
(function () {
  var A = window.apoflowReport, o = [];
  performance.getEntriesByType('paint').forEach(function (p) {
    o.push(p.name + ' ' + p.startTime.toFixed(0) + ' ms'); });
  o.push('review-setup ' + A.timings().setup_ms.toFixed(1) + ' ms');
  var cv = document.querySelector('#review-grid canvas'), r = cv.getBoundingClientRect();
  var lo = +cv.dataset.scaleMin, hi = +cv.dataset.scaleMax;
  var x = r.left + (A.scaled('annexin') - lo) / (hi - lo) * r.width, y = r.top + 8;
  var t0 = performance.now();
  ['pointerdown', 'pointermove', 'pointerup'].forEach(function (t, i) {
    cv.dispatchEvent(new PointerEvent(t, {clientX: x + 20 * i, clientY: y, pointerId: 3,
      bubbles: true, buttons: t === 'pointerup' ? 0 : 1})); });
  A.setThreshold('annexin', A.threshold('annexin')); /* the update the drag scheduled */
  o.push('drag-update ' + (performance.now() - t0).toFixed(1) + ' ms');
  var t = A.threshold('annexin'), sum = 0, max = 0;
  for (var k = 0; k < 20; k++) {
    var t1 = performance.now();
    A.setThreshold('annexin', t * (1 + 0.05 * k));
    var dt = performance.now() - t1; sum += dt; max = Math.max(max, dt);
  }
  o.push('setThreshold-update mean ' + (sum / 20).toFixed(1) + ' ms, max ' + max.toFixed(1) +
    ' ms over ' + A.samples().length + ' samples');
  document.getElementById('measure').textContent = o.join('\n');
})();
</script></body></html>
JS
timeout 300 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-dev-shm-usage --user-data-dir="$out/profile" --window-size=1400,1000 \
  --dump-dom "file://$out/run/measure.html" 2>/dev/null |
  sed -n '/<pre id="measure">/,/<\/pre>/p' | sed 's/<[^>]*>//g'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine inflates these times)"
