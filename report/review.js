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
            bits: p ? atob(p.singlet) : '', lo: p ? p.lo : D.lo, hi: p ? p.hi : D.hi,
            scatter: p ? p.scatter.map(function (c) {
              return {name: c.name, lo: c.lo, hi: c.hi, v: u16(c.v)};
            }) : [], member: null, members: 0, memberVersion: -1};
  });
  var byName = {};
  samples.forEach(function (s) { byName[s.name] = s; });
  var applied = {annexin: D.annexin.scaled, dead: D.dead.scaled};
  var cur = {annexin: applied.annexin, dead: applied.dead};
  var usable = D.annexin.divider !== null && D.dead.divider !== null && D.gating_xml !== null &&
               isFinite(applied.annexin) && isFinite(applied.dead);

  /* ---- pre-gates (the gates above the quadrants): movable when they are rectangles and
   * polygons on plain channels every preview has ------------------------------------------ */
  var preg = D.pregates.map(function (g) {
    return {id: g.id, kind: g.kind, dims: g.dims.map(function (d) { return d.name; }),
            plain: g.dims.every(function (d) { return d.plain; }),
            min: g.min ? g.min.slice() : null, max: g.max ? g.max.slice() : null,
            vertices: g.vertices ? g.vertices.slice() : null};
  });
  var pregApplied = JSON.stringify(preg.map(function (g) { return [g.min, g.max, g.vertices]; }));
  var pregVersion = 0;
  var pregEditable = preg.length > 0 && preg.every(function (g) {
    return (g.kind === 'rectangle' || g.kind === 'polygon') && g.plain && g.dims.every(
      function (n) {
        return samples.every(function (s) {
          return s.failed || !s.kept || s.scatter.some(function (c) { return c.name === n; });
        });
      });
  });
  function pregMoved() {
    return pregEditable && JSON.stringify(preg.map(function (g) {
      return [g.min, g.max, g.vertices];
    })) !== pregApplied;
  }
  /* A pre-gate channel of a sample, its values decoded to data units on first use. */
  function column(s, name) {
    for (var k = 0; k < s.scatter.length; k++) {
      var c = s.scatter[k];
      if (c.name === name) {
        if (!c.f) {
          c.f = new Float64Array(c.v.length);
          for (var i = 0; i < c.v.length; i++) {
            c.f[i] = c.lo + c.v[i] * (c.hi - c.lo) / 65535;
          }
        }
        return c;
      }
    }
    return null;
  }
  function value(c, i) {
    return c.f[i];
  }
  /* Gating-ML membership: rectangles half-open (min <= x < max), polygons even-odd. */
  function inGate(g, s, i) {
    if (g.kind === 'rectangle') {
      for (var d = 0; d < g.dims.length; d++) {
        var x = value(column(s, g.dims[d]), i);
        if ((g.min[d] !== null && !(x >= g.min[d])) || (g.max[d] !== null && !(x < g.max[d]))) {
          return false;
        }
      }
      return true;
    }
    var px = value(column(s, g.dims[0]), i), py = value(column(s, g.dims[1]), i);
    var v = g.vertices, n = v.length / 2, inside = false;
    for (var a = 0, b = n - 1; a < n; b = a++) {
      var xa = v[2 * a], ya = v[2 * a + 1], xb = v[2 * b], yb = v[2 * b + 1];
      if ((ya > py) !== (yb > py) && px < (xb - xa) * (py - ya) / (yb - ya) + xa) {
        inside = !inside;
      }
    }
    return inside;
  }
  /* The events the quadrants see: as the run found them, or through the moved pre-gates. */
  function members(s) {
    if (s.memberVersion === pregVersion) {
      return s.member;
    }
    var m = new Uint8Array(s.kept), moved = pregMoved(), k = 0;
    for (var i = 0; i < s.kept; i++) {
      var ok = true;
      if (moved) {
        for (var q = 0; q < preg.length && ok; q++) {
          ok = inGate(preg[q], s, i);
        }
      } else {
        ok = (s.bits.charCodeAt(i >> 3) >> (i & 7)) & 1;
      }
      m[i] = ok ? 1 : 0;
      k += m[i];
    }
    s.member = m;
    s.members = k;
    s.memberVersion = pregVersion;
    return m;
  }

  /* Quadrant percentages of the subsample (half-open, as Gating-ML: value >= line is
   * positive), on the 16-bit scale the preview is stored in. */
  function preview(s) {
    var member = members(s);
    if (!s.kept || !s.members) {
      return null;
    }
    var ta = (cur.annexin - s.lo) / (s.hi - s.lo) * 65535;
    var td = (cur.dead - s.lo) / (s.hi - s.lo) * 65535;
    var c = [0, 0, 0, 0];
    for (var i = 0; i < s.kept; i++) {
      if (member[i]) {
        var ap = s.a[i] >= ta, dp = s.d[i] >= td;
        c[ap ? (dp ? 2 : 1) : (dp ? 3 : 0)]++;
      }
    }
    return c.map(function (k) { return 100 * k / s.members; });
  }
  function moved() {
    return cur.annexin !== applied.annexin || cur.dead !== applied.dead || pregMoved();
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
    D.pregates.forEach(function (g, k) {
      preg[k].min = g.min ? g.min.slice() : null;
      preg[k].max = g.max ? g.max.slice() : null;
      preg[k].vertices = g.vertices ? g.vertices.slice() : null;
    });
    pregChanged();
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
    'at most ' + Math.max.apply(null, kept) + ' (every k-th) events' :
    'no events (this report has no preview data: the run was made with --no-plots, or the ' +
    'report by apoflow merge)';

  /* ---- plots ----------------------------------------------------------------------------- */
  var dpr = Math.min(window.devicePixelRatio || 1, 2), px = Math.round(SIZE * dpr);
  function sx(y) { return (y - VMIN) / (VMAX - VMIN) * px; }
  function sy(y) { return px - (y - VMIN) / (VMAX - VMIN) * px; }
  function dots(s) { /* the density of the subsample, drawn once */
    var c = document.createElement('canvas');
    c.width = c.height = px;
    var g = c.getContext('2d'), img = g.createImageData(px, px), cnt = new Uint16Array(px * px);
    var k = (s.hi - s.lo) / 65535, max = 1, member = members(s);
    for (var i = 0; i < s.kept; i++) {
      if (!member[i]) {
        continue;
      }
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
  /* Only plots on (or near) the screen are drawn; the others when they scroll into view. */
  var seen = typeof IntersectionObserver === 'function' ? new IntersectionObserver(
    function (entries) {
      entries.forEach(function (e) {
        var p = e.target.apoflowPlot;
        p.visible = e.isIntersecting;
        if (p.visible && p.dirty) {
          drawPlot(p, preview(p.s));
        }
      });
    }, {rootMargin: '300px'}) : null;
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
    var p = {s: s, cv: cv, cap: cap, bg: null, idx: idx, visible: !seen, dirty: true};
    cv.apoflowPlot = p;
    if (seen) {
      seen.observe(cv);
    }
    plots.push(p);
    attachDrag(p);
  });
  function drawPlot(p, pct) {
    if (!p.bg) {
      p.bg = dots(p.s);
    }
    p.dirty = false;
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

  /* ---- the pre-gate panels: one plot per pre-gate of a chosen sample, its lines or
   * vertices draggable, every coordinate also a number field -------------------------------- */
  var PSIZE = 300, ppx = Math.round(PSIZE * dpr), pregPanels = [], pregSample = null;
  var bgTimer = null;
  function pregChanged() {
    pregVersion++;
    if (bgTimer) {
      clearTimeout(bgTimer);
    }
    bgTimer = setTimeout(function () { /* the quadrant plots' dots follow once a drag pauses */
      bgTimer = null;
      plots.forEach(function (p) {
        p.bg = null;
        p.dirty = true;
      });
      schedule();
    }, 250);
  }
  function axes(g, s) {
    var x = column(s, g.dims[0]), y = g.dims[1] ? column(s, g.dims[1]) : null;
    for (var k = 0; !y && k < s.scatter.length; k++) {
      if (s.scatter[k].name !== g.dims[0]) {
        y = column(s, s.scatter[k].name);
      }
    }
    return {x: x, y: y};
  }
  function handles(g) {
    var h = [];
    if (g.kind === 'rectangle') {
      g.dims.forEach(function (n, d) {
        ['min', 'max'].forEach(function (f) {
          if (g[f][d] !== null) {
            h.push({field: f, index: d, axis: d, label: n + ' ' + f});
          }
        });
      });
    } else {
      for (var j = 0; j < g.vertices.length / 2; j++) {
        h.push({field: 'vertices', index: 2 * j, vertex: j,
                label: 'vertex ' + (j + 1) + ' (' + g.dims[0] + ', ' + g.dims[1] + ')'});
      }
    }
    return h;
  }
  function geometry(P) {
    var ax = axes(P.g, pregSample);
    var xr = [ax.x.lo, ax.x.hi], yr = ax.y ? [ax.y.lo, ax.y.hi] : [0, 1];
    return {ax: ax,
            X: function (v) { return (v - xr[0]) / (xr[1] - xr[0]) * ppx; },
            Y: function (v) { return ppx - (v - yr[0]) / (yr[1] - yr[0]) * ppx; },
            iX: function (p) { return xr[0] + p / ppx * (xr[1] - xr[0]); },
            iY: function (p) { return yr[0] + (ppx - p) / ppx * (yr[1] - yr[0]); }};
  }
  /* The events of the panel's sample that reach its gate, blue inside it, grey outside;
   * drawn again only when the sample or a pre-gate changed. */
  function pregLayer(P, G) {
    var s = pregSample, g = P.g, key = s.name + '/' + pregVersion;
    if (P.layerKey === key) {
      return P.layer;
    }
    var layer = P.layer || document.createElement('canvas');
    layer.width = layer.height = ppx;
    var c = layer.getContext('2d'), img = c.createImageData(ppx, ppx), px4 = img.data;
    var above = preg.slice(0, preg.indexOf(g));
    for (var i = 0; i < s.kept; i++) {
      var ok = true;
      for (var q = 0; q < above.length && ok; q++) {
        ok = inGate(above[q], s, i);
      }
      if (!ok) {
        continue;
      }
      var x = Math.floor(G.X(value(G.ax.x, i)));
      var y = Math.floor(G.ax.y ? G.Y(value(G.ax.y, i)) : ppx * (0.1 + 0.8 * ((i * 0.618034) % 1)));
      if (x < 0 || y < 0 || x >= ppx || y >= ppx) {
        continue;
      }
      var j = 4 * (y * ppx + x), inside = inGate(g, s, i);
      px4[j] = inside ? 37 : 150;
      px4[j + 1] = inside ? 99 : 150;
      px4[j + 2] = inside ? 235 : 150;
      px4[j + 3] = 255;
    }
    c.putImageData(img, 0, 0);
    P.layer = layer;
    P.layerKey = key;
    return layer;
  }
  function drawPregate(P) {
    var g = P.g, G = geometry(P), c = P.cv.getContext('2d');
    c.clearRect(0, 0, ppx, ppx);
    c.drawImage(pregLayer(P, G), 0, 0);
    c.strokeStyle = '#b91c1c';
    c.lineWidth = 2 * dpr;
    c.beginPath();
    if (g.kind === 'rectangle') {
      handles(g).forEach(function (h) {
        var v = g[h.field][h.index];
        if (h.axis === 0) {
          c.moveTo(G.X(v), 0);
          c.lineTo(G.X(v), ppx);
        } else {
          c.moveTo(0, G.Y(v));
          c.lineTo(ppx, G.Y(v));
        }
      });
    } else {
      var v = g.vertices, n = v.length / 2;
      for (var j = 0; j <= n; j++) {
        var k = j % n;
        c[j ? 'lineTo' : 'moveTo'](G.X(v[2 * k]), G.Y(v[2 * k + 1]));
      }
    }
    c.stroke();
    c.fillStyle = '#000';
    c.font = Math.round(11 * dpr) + 'px sans-serif';
    c.fillText(G.ax.x.name + ' \u2192', 4 * dpr, ppx - 4 * dpr);
    if (G.ax.y) {
      c.fillText('\u2191 ' + G.ax.y.name, 4 * dpr, 12 * dpr);
    }
    P.fields.forEach(function (f) {
      if (document.activeElement !== f.input) {
        f.input.value = fmt(g[f.field][f.index]);
      }
    });
  }
  /* The handle under a pointer: a rectangle's line, a polygon's vertex in view, or (for a
   * vertex far outside the plot, such as the singlet wedge's) its ray from the origin. */
  function hit(P, q) {
    var g = P.g, G = geometry(P), best = null, bd = 8 * dpr;
    handles(g).forEach(function (h) {
      var d;
      if (g.kind === 'rectangle') {
        d = h.axis === 0 ? Math.abs(q.x - G.X(g[h.field][h.index])) :
          Math.abs(q.y - G.Y(g[h.field][h.index]));
      } else {
        var vx = G.X(g.vertices[h.index]), vy = G.Y(g.vertices[h.index + 1]);
        if (vx >= 0 && vx <= ppx && vy >= 0 && vy <= ppx) {
          d = Math.hypot(q.x - vx, q.y - vy);
        } else {
          var ox = G.X(0), oy = G.Y(0), dx = vx - ox, dy = vy - oy, L = Math.hypot(dx, dy);
          var t = ((q.x - ox) * dx + (q.y - oy) * dy) / (L * L);
          d = t > 0 ? Math.abs((q.x - ox) * dy - (q.y - oy) * dx) / L : Infinity;
          h.ray = true;
        }
      }
      if (d <= bd) {
        bd = d;
        best = h;
      }
    });
    return best;
  }
  function dragTo(P, h, q) {
    var g = P.g, G = geometry(P);
    if (g.kind === 'rectangle') {
      g[h.field][h.index] = h.axis === 0 ? G.iX(q.x) : G.iY(q.y);
    } else if (h.ray) { /* keep the vertex's distance from the origin, turn it to the pointer */
      var x = G.iX(q.x), y = G.iY(q.y), r = Math.hypot(x, y);
      var R = Math.hypot(g.vertices[h.index], g.vertices[h.index + 1]);
      if (r > 0) {
        g.vertices[h.index] = x / r * R;
        g.vertices[h.index + 1] = y / r * R;
      }
    } else {
      g.vertices[h.index] = G.iX(q.x);
      g.vertices[h.index + 1] = G.iY(q.y);
    }
    pregChanged();
    schedule();
  }
  function buildPregates() {
    var box = document.createElement('div');
    box.id = 'review-pregates';
    grid.parentNode.insertBefore(box, grid);
    if (!pregEditable) {
      box.textContent = preg.length ? 'The pre-gates of this gating cannot be moved here ' +
        '(only rectangles and polygons on uncompensated, untransformed channels).' : '';
      return;
    }
    var h = document.createElement('h3');
    h.textContent = 'Pre-gates (debris and doublet exclusion)';
    box.appendChild(h);
    var sel = document.createElement('select'), lab = document.createElement('label');
    sel.id = 'review-pregate-sample';
    lab.htmlFor = sel.id;
    lab.textContent = 'Show the sample ';
    samples.forEach(function (s) {
      if (!s.failed && s.kept) {
        var o = document.createElement('option');
        o.value = o.textContent = s.name;
        sel.appendChild(o);
      }
    });
    sel.addEventListener('change', function () {
      pregSample = byName[sel.value];
      schedule();
    });
    box.appendChild(lab);
    box.appendChild(sel);
    pregSample = byName[sel.value];
    var row = document.createElement('div');
    row.className = 'review-grid';
    box.appendChild(row);
    preg.forEach(function (g) {
      var fig = document.createElement('figure'), cv = document.createElement('canvas');
      cv.width = cv.height = ppx;
      cv.style.width = cv.style.height = PSIZE + 'px';
      cv.setAttribute('role', 'img');
      cv.setAttribute('aria-label', 'pre-gate ' + g.id + ' on ' + g.dims.join(' and ') +
        ' (move it with the fields below the plot)');
      cv.dataset.gate = g.id;
      var cap = document.createElement('figcaption');
      cap.textContent = g.id + ' (' + g.kind + ' on ' + g.dims.join(', ') + ')';
      fig.appendChild(cv);
      fig.appendChild(cap);
      var P = {g: g, cv: cv, fields: []};
      var hs = handles(g), holder = fig;
      if (hs.length > 4) { /* a long list of vertices: folded */
        holder = document.createElement('details');
        var sum = document.createElement('summary');
        sum.textContent = 'coordinates (' + hs.length + ' vertices)';
        holder.appendChild(sum);
        fig.appendChild(holder);
      }
      hs.forEach(function (hd) {
        var coords = g.kind === 'polygon' ? [0, 1] : [null];
        coords.forEach(function (c) {
          var inp = document.createElement('input'), l = document.createElement('label');
          inp.type = 'number';
          inp.step = 'any';
          inp.id = 'review-pregate-' + g.id + '-' + hd.field + '-' + (hd.index + (c || 0));
          l.htmlFor = inp.id;
          l.textContent = ' ' + (c === null ? hd.label : 'vertex ' + (hd.vertex + 1) + ' ' +
            g.dims[c]) + ' ';
          var idx = hd.index + (c || 0);
          inp.addEventListener('change', function () {
            var v = parseFloat(inp.value);
            if (isFinite(v)) {
              api.setPregate(g.id, hd.field, idx, v);
            }
          });
          var d = document.createElement('div');
          d.appendChild(l);
          d.appendChild(inp);
          holder.appendChild(d);
          P.fields.push({input: inp, field: hd.field, index: idx});
        });
      });
      var drag = null;
      function pos(ev) {
        var r = cv.getBoundingClientRect();
        return {x: (ev.clientX - r.left) / r.width * ppx, y: (ev.clientY - r.top) / r.height * ppx};
      }
      cv.addEventListener('pointerdown', function (ev) {
        drag = hit(P, pos(ev));
        if (drag) {
          try {
            cv.setPointerCapture(ev.pointerId);
          } catch (e) { /* a synthetic pointer cannot be captured */ }
          ev.preventDefault();
        }
      });
      cv.addEventListener('pointermove', function (ev) {
        if (drag) {
          dragTo(P, drag, pos(ev));
        }
      });
      cv.addEventListener('pointerup', function () { drag = null; });
      row.appendChild(fig);
      pregPanels.push(P);
    });
  }
  buildPregates();

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
    plots.forEach(function (p) {
      if (p.visible) {
        drawPlot(p, previews[p.idx]);
      } else {
        p.dirty = true;
      }
    });
    pregPanels.forEach(drawPregate);
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
        }).concat(pregChanges().map(function (c) {
          return c.gate + ' ' + c.what + ' ' + fmt(c.from) + ' \u2192 ' + fmt(c.to);
        })).join('; ') + '. Percentages marked in yellow are previews, not results.' : '';
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
      '; singlets: ' + s.singlets + '; preview: ' + s.members + ' of ' + s.kept +
      ' events pass the pre-gates.';
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
    pregChanges().forEach(function (c) {
      var tag = c.kind === 'rectangle' ? 'RectangleGate' : 'PolygonGate';
      var gs = root.getElementsByTagNameNS(GML, tag);
      for (var i = 0; i < gs.length; i++) {
        if (gs[i].getAttributeNS(GML, 'id') !== c.gate) {
          continue;
        }
        if (c.kind === 'rectangle') {
          var dim = gs[i].getElementsByTagNameNS(GML, 'dimension')[c.index];
          dim.setAttributeNS(GML, 'gating:' + c.field, String(c.to));
        } else {
          var vx = gs[i].getElementsByTagNameNS(GML, 'vertex')[c.index >> 1];
          vx.getElementsByTagNameNS(GML, 'coordinate')[c.index & 1].setAttributeNS(
            DT, 'data-type:value', String(c.to));
        }
      }
      changes.push({marker: 'pregate', gate: c.gate, what: c.what, from: c.from, to: c.to});
    });
    if (changes.length) {
      var ci = doc.createElementNS(DT, 'data-type:custom_info');
      var rec = doc.createElementNS(REVIEW_NS, 'apoflow:adjustments');
      rec.setAttribute('source', D.outdir + '/report.html');
      rec.setAttribute('when', new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
      changes.forEach(function (c) {
        var a = doc.createElementNS(REVIEW_NS, 'apoflow:adjustment');
        ['marker', 'divider', 'gate', 'what', 'from', 'to', 'from_scaled', 'to_scaled'].forEach(
          function (k) {
            if (c[k] !== undefined) {
              a.setAttribute(k, String(c[k]));
            }
          });
        rec.appendChild(a);
      });
      ci.appendChild(rec);
      root.insertBefore(ci, root.firstChild);
    }
    return '<?xml version="1.0" encoding="UTF-8"?>\n' +
      new XMLSerializer().serializeToString(root) + '\n';
  }
  /* Every pre-gate number that differs from the applied gating. */
  function pregChanges() {
    var out = [];
    preg.forEach(function (g, k) {
      var o = D.pregates[k];
      ['min', 'max', 'vertices'].forEach(function (f) {
        (g[f] || []).forEach(function (v, i) {
          if (v !== o[f][i]) {
            out.push({gate: g.id, kind: g.kind, field: f, index: i, from: o[f][i], to: v,
                      what: f === 'vertices' ? 'vertex ' + ((i >> 1) + 1) + ' ' + g.dims[i & 1] :
                        g.dims[i] + ' ' + f});
          }
        });
      });
    });
    return out;
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
    previewEvents: function (name) {
      var s = byName[name];
      return s ? (members(s), s.members) : 0;
    },
    pregates: function () {
      return preg.map(function (g) {
        return {id: g.id, kind: g.kind, dims: g.dims.slice(), min: g.min && g.min.slice(),
                max: g.max && g.max.slice(), vertices: g.vertices && g.vertices.slice()};
      });
    },
    setPregate: function (id, field, index, v) {
      var g = preg.filter(function (q) { return q.id === id; })[0];
      if (!pregEditable || !g || !g[field] || !(index >= 0 && index < g[field].length) ||
          typeof v !== 'number' || !isFinite(v)) {
        throw new Error('expected a movable pre-gate id, field (min, max, vertices), index ' +
                        'and finite value');
      }
      g[field][index] = v;
      pregChanged();
      update();
    },
    gatingXml: gatingXml,
    command: reproduceCommand,
    timings: function () { return {setup_ms: timings.setup_ms, last_update_ms: timings.last_update_ms,
                                    updates: timings.updates}; }
  };
  window.apoflowReport = api;
  update();
  timings.setup_ms = performance.now() - t0;
})();
