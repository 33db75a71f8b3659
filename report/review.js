/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * review.js: the gate review of report.html (embedded verbatim by report/review.c; plain
 * JavaScript, no build step, no network). The user drags the Annexin V and dead-cell-dye
 * quadrant lines (or types a value, uses the sliders or the arrow keys); every sample's
 * quadrant percentages are previewed from the subsample embedded in the page; "Use these
 * gates" downloads the run's gating.xml with the moved dividers and a change record, and
 * shows the command that re-runs the analysis with it. window.apoflowReport is the page's
 * scripting API (docs/report.md).
 */
(function () {
  'use strict';
  var dataEl = document.getElementById('apoflow-review-data');
  if (!dataEl) {
    return;
  }
  var t0 = performance.now();
  var D = JSON.parse(dataEl.textContent);
  var GML = 'http://www.isac-net.org/std/Gating-ML/v2.0/gating';
  var DT = 'http://www.isac-net.org/std/Gating-ML/v2.0/datatypes';
  var REVIEW_NS = 'urn:apoflow:gate-review:1';
  var MARKERS = ['annexin', 'dead'];
  var NAMES = {annexin: 'Annexin V', dead: 'Dead-cell dye'};
  var QUAD = ['viable', 'early', 'late', 'necrotic'];
  var VMIN = -0.15, VMAX = 1.05; /* the plotted part of the gating scale */
  var SIZE = 220;                /* plot size in CSS pixels */
  var timings = {setup_ms: 0, last_update_ms: 0, updates: 0};

  /* ---- scales: gating scale <-> compensated data units (tables from the report writer) -- */
  function toData(m, y) {
    var t = D[m].data, step = (D.hi - D.lo) / (t.length - 1);
    var u = (y - D.lo) / step, i = Math.max(0, Math.min(t.length - 2, Math.floor(u)));
    var a = t[i], b = t[i + 1];
    if (a === null || b === null) {
      return a === null ? b : a;
    }
    return a + (b - a) * (u - i);
  }
  function toScale(m, x) {
    var t = D[m].data, step = (D.hi - D.lo) / (t.length - 1), lo = 0, hi = t.length - 1;
    while (lo < hi && t[lo] === null) {
      lo++;
    }
    if (!(x > t[lo])) {
      return D.lo + lo * step;
    }
    if (!(x < t[hi])) {
      return D.hi;
    }
    while (hi - lo > 1) {
      var mid = (lo + hi) >> 1;
      if (t[mid] !== null && t[mid] <= x) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return D.lo + (lo + (x - t[lo]) / (t[hi] - t[lo])) * step;
  }
  function fmt(v) {
    return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4);
  }

  /* ---- the preview subsample of each sample ---------------------------------------------- */
  function u16(s) {
    var bin = atob(s), n = bin.length >> 1, out = new Uint16Array(n);
    for (var i = 0; i < n; i++) {
      out[i] = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
    }
    return out;
  }
  var samples = D.samples.map(function (s) {
    var p = s.preview;
    return {name: s.name, exact: s.pct, flags: s.flags, detail: s.detail, failed: s.failed,
            singlets: s.singlets, time: p ? p.time : null, kept: p ? p.kept : 0,
            a: p ? u16(p.annexin) : new Uint16Array(0), d: p ? u16(p.dead) : new Uint16Array(0),
            lo: p ? p.lo : D.lo, hi: p ? p.hi : D.hi};
  });
  var byName = {};
  samples.forEach(function (s) { byName[s.name] = s; });
  var applied = {annexin: D.annexin.scaled, dead: D.dead.scaled};
  var cur = {annexin: applied.annexin, dead: applied.dead};
  var usable = D.annexin.divider !== null && D.dead.divider !== null && D.gating_xml !== null &&
               isFinite(applied.annexin) && isFinite(applied.dead);

  /* Quadrant percentages of the subsample (half-open, as Gating-ML: value >= line is
   * positive), on the 16-bit scale the preview is stored in. */
  function preview(s) {
    if (!s.kept) {
      return null;
    }
    var ta = (cur.annexin - s.lo) / (s.hi - s.lo) * 65535;
    var td = (cur.dead - s.lo) / (s.hi - s.lo) * 65535;
    var c = [0, 0, 0, 0];
    for (var i = 0; i < s.kept; i++) {
      var ap = s.a[i] >= ta, dp = s.d[i] >= td;
      c[ap ? (dp ? 2 : 1) : (dp ? 3 : 0)]++;
    }
    return c.map(function (k) { return 100 * k / s.kept; });
  }
  function moved() {
    return cur.annexin !== applied.annexin || cur.dead !== applied.dead;
  }

  /* ---- styles ------------------------------------------------------------------------------ */
  var css = document.createElement('style');
  css.textContent =
    '.review-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(' + (SIZE + 16) +
    'px,1fr));gap:8px}.review-grid figure{margin:0}.review-grid canvas{border:1px solid #ccc;' +
    'cursor:crosshair;touch-action:none}.review-grid canvas:focus{outline:3px solid #2563eb}' +
    '.review-grid figcaption{font-size:12px}#review-controls fieldset{display:inline-block;' +
    'margin:0 12px 8px 0}#review-controls input[type=number]{width:9em}' +
    'td.preview{background:#fff7d6;font-style:italic}#review-status{font-size:13px;' +
    'color:#92400e;min-height:1.3em}dialog#review-sample{max-width:95vw}' +
    '#review-sample img{max-width:100%}';
  document.head.appendChild(css);

  /* ---- controls -------------------------------------------------------------------------- */
  var controls = document.getElementById('review-controls');
  var inputs = {};
  MARKERS.forEach(function (m) {
    var fs = document.createElement('fieldset');
    var lg = document.createElement('legend');
    lg.textContent = NAMES[m] + ' line (' + D[m].channel + ')';
    fs.appendChild(lg);
    var num = document.createElement('input');
    num.type = 'number';
    num.step = 'any';
    num.id = 'review-' + m + '-value';
    var lab = document.createElement('label');
    lab.htmlFor = num.id;
    lab.textContent = 'compensated units ';
    var rng = document.createElement('input');
    rng.type = 'range';
    rng.min = String(VMIN);
    rng.max = String(VMAX);
    rng.step = '0.001';
    rng.setAttribute('aria-label', NAMES[m] + ' line on the gating scale');
    var was = document.createElement('small');
    was.textContent = ' applied: ' + fmt(D[m].value) + ' (' + D[m].method + ')';
    num.addEventListener('change', function () {
      var v = parseFloat(num.value);
      if (isFinite(v)) {
        api.setThreshold(m, v);
      }
    });
    rng.addEventListener('input', function () {
      setScaled(m, parseFloat(rng.value));
    });
    fs.appendChild(lab);
    fs.appendChild(num);
    fs.appendChild(document.createTextNode(' '));
    fs.appendChild(rng);
    fs.appendChild(was);
    controls.appendChild(fs);
    inputs[m] = {num: num, rng: rng};
  });
  var reset = document.createElement('button');
  reset.type = 'button';
  reset.textContent = 'Reset to the applied gates';
  reset.addEventListener('click', function () {
    cur.annexin = applied.annexin;
    cur.dead = applied.dead;
    update();
  });
  var use = document.createElement('button');
  use.type = 'button';
  use.id = 'review-use';
  use.textContent = 'Use these gates';
  use.disabled = !usable;
  use.addEventListener('click', exportGates);
  controls.appendChild(reset);
  controls.appendChild(document.createTextNode(' '));
  controls.appendChild(use);
  var status = document.getElementById('review-status');
  var kept = samples.map(function (s) { return s.kept; }).filter(function (k) { return k > 0; });
  document.getElementById('review-events').textContent = kept.length ?
    'at most ' + Math.max.apply(null, kept) + ' (every k-th) events' : 'no events';

  /* ---- plots ----------------------------------------------------------------------------- */
  var dpr = Math.min(window.devicePixelRatio || 1, 2), px = Math.round(SIZE * dpr);
  function sx(y) { return (y - VMIN) / (VMAX - VMIN) * px; }
  function sy(y) { return px - (y - VMIN) / (VMAX - VMIN) * px; }
  function dots(s) { /* the density of the subsample, drawn once */
    var c = document.createElement('canvas');
    c.width = c.height = px;
    var g = c.getContext('2d'), img = g.createImageData(px, px), cnt = new Uint16Array(px * px);
    var k = (s.hi - s.lo) / 65535, max = 1;
    for (var i = 0; i < s.kept; i++) {
      var x = Math.floor(sx(s.lo + s.a[i] * k)), y = Math.floor(sy(s.lo + s.d[i] * k));
      x = Math.max(0, Math.min(px - 1, x));
      y = Math.max(0, Math.min(px - 1, y));
      var j = y * px + x;
      if (cnt[j] < 65535) {
        cnt[j]++;
      }
      max = Math.max(max, cnt[j]);
    }
    for (var q = 0; q < cnt.length; q++) {
      if (cnt[q]) {
        var f = Math.log(1 + cnt[q]) / Math.log(1 + max);
        img.data[4 * q] = Math.round(40 + 200 * f);
        img.data[4 * q + 1] = Math.round(80 * (1 - f));
        img.data[4 * q + 2] = Math.round(200 * (1 - f) + 40);
        img.data[4 * q + 3] = 255;
      }
    }
    g.putImageData(img, 0, 0);
    return c;
  }
  var grid = document.getElementById('review-grid');
  var plots = [];
  samples.forEach(function (s, idx) {
    if (s.failed) {
      return;
    }
    var fig = document.createElement('figure');
    var cv = document.createElement('canvas');
    cv.width = cv.height = px;
    cv.style.width = cv.style.height = SIZE + 'px';
    cv.tabIndex = 0;
    cv.setAttribute('role', 'img');
    cv.dataset.sample = s.name;
    cv.dataset.scaleMin = String(VMIN); /* the plotted gating-scale range (for drivers) */
    cv.dataset.scaleMax = String(VMAX);
    var cap = document.createElement('figcaption');
    fig.appendChild(cv);
    fig.appendChild(cap);
    grid.appendChild(fig);
    var p = {s: s, cv: cv, cap: cap, bg: dots(s), idx: idx};
    plots.push(p);
    attachDrag(p);
  });
  function drawPlot(p, pct) {
    var g = p.cv.getContext('2d');
    g.clearRect(0, 0, px, px);
    g.drawImage(p.bg, 0, 0);
    var x = sx(cur.annexin), y = sy(cur.dead);
    g.lineWidth = 2 * dpr;
    g.strokeStyle = '#111';
    g.beginPath();
    g.moveTo(x, 0);
    g.lineTo(x, px);
    g.moveTo(0, y);
    g.lineTo(px, y);
    g.stroke();
    if (pct) {
      g.font = Math.round(11 * dpr) + 'px sans-serif';
      g.fillStyle = '#000';
      var pad = 4 * dpr;
      g.textAlign = 'left';
      g.fillText(pct[3].toFixed(1) + '%', pad, 12 * dpr);
      g.fillText(pct[0].toFixed(1) + '%', pad, px - pad);
      g.textAlign = 'right';
      g.fillText(pct[2].toFixed(1) + '%', px - pad, 12 * dpr);
      g.fillText(pct[1].toFixed(1) + '%', px - pad, px - pad);
    }
    var label = p.s.name + ': viable ' + (pct ? pct[0].toFixed(1) : '?') + ' %, early ' +
      (pct ? pct[1].toFixed(1) : '?') + ' %, late ' + (pct ? pct[2].toFixed(1) : '?') +
      ' %, necrotic ' + (pct ? pct[3].toFixed(1) : '?') + ' %' + (moved() ? ' (preview)' : '');
    p.cv.setAttribute('aria-label', label + '. Arrow keys move the lines; Enter opens the sample.');
    p.cap.textContent = label;
  }

  /* ---- dragging (pointer) and keys ------------------------------------------------------- */
  var pending = false;
  function schedule() {
    if (!pending) {
      pending = true;
      var run = function () {
        if (pending) {
          pending = false;
          update();
        }
      };
      requestAnimationFrame(run);
      setTimeout(run, 50); /* a hidden or background page gets no animation frames */
    }
  }
  function setScaled(m, y) {
    if (isFinite(y)) {
      cur[m] = Math.max(VMIN, Math.min(VMAX, y));
      schedule();
    }
  }
  function attachDrag(p) {
    var drag = null, downAt = null;
    function pos(ev) {
      var r = p.cv.getBoundingClientRect();
      return {x: (ev.clientX - r.left) / r.width * px, y: (ev.clientY - r.top) / r.height * px};
    }
    p.cv.addEventListener('pointerdown', function (ev) {
      var q = pos(ev), near = 8 * dpr;
      var dx = Math.abs(q.x - sx(cur.annexin)), dy = Math.abs(q.y - sy(cur.dead));
      downAt = q;
      drag = dx <= near && dx <= dy ? 'annexin' : dy <= near ? 'dead' : null;
      if (drag) {
        try {
          p.cv.setPointerCapture(ev.pointerId);
        } catch (e) { /* a synthetic pointer (scripted drag) cannot be captured */ }
        ev.preventDefault();
      }
    });
    p.cv.addEventListener('pointermove', function (ev) {
      if (!drag) {
        return;
      }
      var q = pos(ev);
      if (drag === 'annexin') {
        setScaled('annexin', VMIN + q.x / px * (VMAX - VMIN));
      } else {
        setScaled('dead', VMIN + (px - q.y) / px * (VMAX - VMIN));
      }
    });
    p.cv.addEventListener('pointerup', function (ev) {
      var q = pos(ev);
      if (!drag && downAt && Math.abs(q.x - downAt.x) < 4 && Math.abs(q.y - downAt.y) < 4) {
        showSample(p.s);
      }
      drag = null;
      downAt = null;
    });
    p.cv.addEventListener('keydown', function (ev) {
      var step = (ev.shiftKey ? 0.02 : 0.002), m = null, dir = 0;
      if (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') {
        m = 'annexin';
        dir = ev.key === 'ArrowRight' ? 1 : -1;
      } else if (ev.key === 'ArrowUp' || ev.key === 'ArrowDown') {
        m = 'dead';
        dir = ev.key === 'ArrowUp' ? 1 : -1;
      } else if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        showSample(p.s);
        return;
      }
      if (m) {
        ev.preventDefault();
        setScaled(m, cur[m] + dir * step);
      }
    });
  }

  /* ---- the samples table and the plate map ----------------------------------------------- */
  var rows = {};
  var table = document.getElementById('samples-table');
  if (table) {
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      rows[r.cells[0].textContent] = r;
    });
  }
  function setCell(td, v, isPreview) {
    if (td) {
      td.textContent = v === null || !isFinite(v) ? '\u2013' : v.toFixed(2);
      td.classList.toggle('preview', isPreview);
      td.title = isPreview ? 'preview from the embedded subsample' : '';
    }
  }
  function updateTable(s, pct) {
    var r = rows[s.name];
    if (!r || s.failed) {
      return;
    }
    var show = moved() && pct ? pct : s.exact;
    for (var q = 0; q < 4; q++) {
      setCell(r.cells[10 + q], show[q], moved() && !!pct);
    }
    var b = r.cells[14] && r.cells[14].querySelector('b');
    if (b) {
      b.textContent = isFinite(show[1] + show[2]) ? (show[1] + show[2]).toFixed(2) : '\u2013';
      r.cells[14].classList.toggle('preview', moved() && !!pct);
    }
  }

  function update() {
    var t = performance.now();
    var previews = samples.map(preview);
    samples.forEach(function (s, i) { updateTable(s, previews[i]); });
    plots.forEach(function (p) { drawPlot(p, previews[p.idx]); });
    MARKERS.forEach(function (m) {
      if (document.activeElement !== inputs[m].num) {
        inputs[m].num.value = fmt(toData(m, cur[m]));
      }
      inputs[m].rng.value = String(cur[m]);
      inputs[m].rng.setAttribute('aria-valuetext', fmt(toData(m, cur[m])) + ' compensated units');
    });
    status.textContent = moved() ?
      'Preview: ' + MARKERS.filter(function (m) { return cur[m] !== applied[m]; }).map(
        function (m) {
          return NAMES[m] + ' line ' + fmt(D[m].value) + ' \u2192 ' + fmt(toData(m, cur[m]));
        }).join('; ') + '. Percentages marked in yellow are previews, not results.' : '';
    timings.last_update_ms = performance.now() - t;
    timings.updates++;
  }

  /* ---- the per-sample view --------------------------------------------------------------- */
  function showSample(s) {
    var dlg = document.getElementById('review-sample');
    dlg.textContent = '';
    var h = document.createElement('h3');
    h.id = 'review-sample-title';
    h.textContent = s.name;
    dlg.appendChild(h);
    var fl = document.createElement('p');
    fl.textContent = 'QC flags: ' + (s.flags || 'none') + (s.detail ? ' (' + s.detail + ')' : '') +
      '; singlets: ' + s.singlets + '; preview events: ' + s.kept + '.';
    dlg.appendChild(fl);
    var imgs = document.querySelectorAll('#gating img');
    for (var i = 0; i < imgs.length; i++) {
      if (imgs[i].alt === s.name) {
        var im = document.createElement('img');
        im.src = imgs[i].src;
        im.alt = 'gating path of ' + s.name;
        dlg.appendChild(im);
      }
    }
    var th = document.createElement('h4');
    th.textContent = 'Events over Time (the displayed events; a steady rate means a steady flow)';
    dlg.appendChild(th);
    if (s.time && s.time.counts) {
      var c = document.createElement('canvas'), w = 600, hh = 160;
      c.width = w;
      c.height = hh;
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', 'event count per Time bin from ' + s.time.from + ' to ' +
        s.time.to);
      var g = c.getContext('2d'), n = s.time.counts.length;
      var max = Math.max.apply(null, s.time.counts) || 1;
      g.fillStyle = '#2563eb';
      for (var b = 0; b < n; b++) {
        var bh = s.time.counts[b] / max * (hh - 20);
        g.fillRect(b * w / n + 1, hh - 14 - bh, w / n - 2, bh);
      }
      g.fillStyle = '#000';
      g.font = '11px sans-serif';
      g.fillText('Time ' + s.time.from, 2, hh - 2);
      g.textAlign = 'right';
      g.fillText(String(s.time.to), w - 2, hh - 2);
      dlg.appendChild(c);
    } else {
      dlg.appendChild(document.createTextNode('No Time channel.'));
    }
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.addEventListener('click', function () { dlg.close(); });
    dlg.appendChild(document.createElement('p')).appendChild(close);
    if (dlg.showModal) {
      dlg.showModal();
    } else {
      dlg.setAttribute('open', '');
    }
    close.focus();
  }

  /* ---- export ---------------------------------------------------------------------------- */
  function gatingXml() {
    if (!usable) {
      return null;
    }
    var doc = new DOMParser().parseFromString(D.gating_xml, 'application/xml');
    var root = doc.documentElement;
    var changes = [];
    MARKERS.forEach(function (m) {
      var divs = root.getElementsByTagNameNS(GML, 'divider');
      for (var i = 0; i < divs.length; i++) {
        if (divs[i].getAttributeNS(GML, 'id') !== D[m].divider) {
          continue;
        }
        var val = divs[i].getElementsByTagNameNS(GML, 'value')[0];
        var old = parseFloat(val.textContent);
        if (cur[m] === applied[m]) {
          return;
        }
        val.textContent = String(cur[m]);
        var poss = root.getElementsByTagNameNS(GML, 'position');
        for (var k = 0; k < poss.length; k++) {
          if (poss[k].getAttributeNS(GML, 'divider_ref') === D[m].divider) {
            var loc = parseFloat(poss[k].getAttributeNS(GML, 'location'));
            poss[k].setAttributeNS(GML, 'gating:location', String(loc < old ? cur[m] - 1 : cur[m] + 1));
          }
        }
        changes.push({marker: m, divider: D[m].divider, from: D[m].value, to: toData(m, cur[m]),
                      from_scaled: old, to_scaled: cur[m]});
      }
    });
    if (changes.length) {
      var ci = doc.createElementNS(DT, 'data-type:custom_info');
      var rec = doc.createElementNS(REVIEW_NS, 'apoflow:adjustments');
      rec.setAttribute('source', D.outdir + '/report.html');
      rec.setAttribute('when', new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
      changes.forEach(function (c) {
        var a = doc.createElementNS(REVIEW_NS, 'apoflow:adjustment');
        ['marker', 'divider', 'from', 'to', 'from_scaled', 'to_scaled'].forEach(function (k) {
          a.setAttribute(k, String(c[k]));
        });
        rec.appendChild(a);
      });
      ci.appendChild(rec);
      root.insertBefore(ci, root.firstChild);
    }
    return '<?xml version="1.0" encoding="UTF-8"?>\n' +
      new XMLSerializer().serializeToString(root) + '\n';
  }
  function shq(w) {
    return /^[A-Za-z0-9+\-_.\/=:,@%]+$/.test(w) ? w : "'" + w.replace(/'/g, "'\\''") + "'";
  }
  function reproduceCommand(file) {
    return ['apoflow'].concat(D.command).concat(['--gating', file || 'gating_adjusted.xml',
      '-o', D.outdir.replace(/\/+$/, '') + '_adjusted']).map(shq).join(' ');
  }
  function exportGates() {
    var xml = gatingXml();
    var box = document.getElementById('review-export');
    box.textContent = '';
    var a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([xml], {type: 'application/xml'}));
    a.download = 'gating_adjusted.xml';
    a.textContent = 'gating_adjusted.xml';
    var p = document.createElement('p');
    p.appendChild(document.createTextNode('Downloaded '));
    p.appendChild(a);
    p.appendChild(document.createTextNode(
      ' (the run\'s gating with the lines as set here and a record of what moved). Re-run over ' +
      'every event with it (give the path of the downloaded file):'));
    var pre = document.createElement('pre');
    pre.id = 'review-command';
    pre.textContent = reproduceCommand();
    box.appendChild(p);
    box.appendChild(pre);
    a.click();
  }

  /* ---- the scripting API (docs/report.md) ------------------------------------------------ */
  function marker(m) {
    if (MARKERS.indexOf(m) < 0) {
      throw new Error('expected marker "annexin" or "dead", found ' + JSON.stringify(m));
    }
    return m;
  }
  var api = {
    samples: function () { return samples.map(function (s) { return s.name; }); },
    setThreshold: function (m, value) {
      m = marker(m);
      if (typeof value !== 'number' || !isFinite(value)) {
        throw new Error('expected a finite number of compensated units, found ' + value);
      }
      cur[m] = toScale(m, value);
      update();
    },
    threshold: function (m) { return toData(marker(m), cur[marker(m)]); },
    scaled: function (m) { return cur[marker(m)]; },
    percentages: function (name) {
      var s = byName[name];
      if (!s) {
        throw new Error('no sample named ' + JSON.stringify(name));
      }
      var p = preview(s);
      return p ? {viable: p[0], early: p[1], late: p[2], necrotic: p[3]} : null;
    },
    previewEvents: function (name) { return byName[name] ? byName[name].kept : 0; },
    gatingXml: gatingXml,
    command: reproduceCommand,
    timings: function () { return {setup_ms: timings.setup_ms, last_update_ms: timings.last_update_ms,
                                    updates: timings.updates}; }
  };
  window.apoflowReport = api;
  update();
  timings.setup_ms = performance.now() - t0;
})();
