// The step-through page: the forward pass, then the backward pass, one op at a time.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var steps = data.steps, k = 0;
  var box = document.getElementById('diagram');
  var svg = box.querySelector('svg');
  var zoom = null, gradText = {}, ops = data.order;
  var firstBackward = steps.findIndex(function (s) { return s.phase === 'backward'; });

  // ------------------------------------------------------------------ the diagram
  function setUpDiagram() {
    if (!svg) { return; }
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.querySelectorAll('g.edge').forEach(function (e) {
      var t = e.querySelector('text');
      if (!t) { return; }
      t.classList.add('value-text');
      var g = t.cloneNode(false);
      g.setAttribute('class', 'grad-text');
      g.setAttribute('y', String(parseFloat(t.getAttribute('y')) + 1.25 * parseFloat(t.getAttribute('font-size') || 14)));
      g.textContent = '';
      t.parentNode.appendChild(g);
      gradText[e.id] = g;
    });
    if (window.svgPanZoom) {
      zoom = window.svgPanZoom(svg, {zoomEnabled: true, panEnabled: true, controlIconsEnabled: false,
        dblClickZoomEnabled: false, fit: true, center: true, minZoom: 0.05, maxZoom: 40,
        zoomScaleSensitivity: 0.3});
    }
  }

  function fitAll() { if (zoom) { zoom.resize(); zoom.fit(); zoom.center(); } }

  // A node's box in the coordinates of the pan-zoom viewport (not yet panned or zoomed). The
  // library applies its pan and zoom in the next animation frame, so the DOM's screen positions
  // may be stale; this box, with the library's own (current) pan and zoom, is not.
  function boxOf(el, viewport) {
    var m = viewport.getCTM().inverse().multiply(el.getCTM()), b = el.getBBox();
    var p = svg.createSVGPoint(), xs = [], ys = [];
    [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
      .forEach(function (c) { p.x = c[0]; p.y = c[1]; var q = p.matrixTransform(m); xs.push(q.x); ys.push(q.y); });
    return {l: Math.min.apply(null, xs), t: Math.min.apply(null, ys),
            r: Math.max.apply(null, xs), b: Math.max.apply(null, ys)};
  }

  // Zoom and pan so that the given nodes (the current op and its inputs) fill most of the view,
  // never closer than 1.25 screen pixels per diagram point (the text stays a readable size).
  function follow(ids) {
    var viewport = svg && svg.querySelector('.svg-pan-zoom_viewport');
    if (!zoom || !viewport) { return; }
    var r = null;
    ids.forEach(function (id) {
      var el = id && document.getElementById(id);
      if (!el) { return; }
      var b = boxOf(el, viewport);
      r = r ? {l: Math.min(r.l, b.l), t: Math.min(r.t, b.t), r: Math.max(r.r, b.r), b: Math.max(r.b, b.b)} : b;
    });
    if (!r) { return; }
    var view = box.getBoundingClientRect(), sizes = zoom.getSizes();
    var w = Math.max(r.r - r.l, 1), h = Math.max(r.b - r.t, 1);
    var real = Math.min(0.85 * view.width / w, 0.85 * view.height / h, 1.25);
    var perZoom = sizes.realZoom / zoom.getZoom();          // real zoom at zoom level 1 (the fit)
    zoom.zoom(Math.max(real / perZoom, 0.05));
    real = zoom.getSizes().realZoom;
    zoom.pan({x: view.width / 2 - real * (r.l + r.r) / 2, y: view.height / 2 - real * (r.t + r.b) / 2});
  }

  // A dot that carries the gradient from the op back along the edge to the input.
  function carry(edgeId, text) {
    var e = document.getElementById(edgeId), path = e && e.querySelector('path');
    function arrive() { if (gradText[edgeId]) { gradText[edgeId].textContent = text; } }
    if (!path || !path.getTotalLength ||
        window.matchMedia('(prefers-reduced-motion: reduce)').matches) { arrive(); return; }
    var c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
    c.setAttribute('r', '6');
    c.setAttribute('class', 'carrier');
    e.appendChild(c);
    var L = path.getTotalLength(), t0 = null, ms = 900;
    function frame(t) {
      t0 = t0 || t;
      var f = Math.min(1, (t - t0) / ms), p = path.getPointAtLength(L * (1 - f));
      c.setAttribute('cx', p.x);
      c.setAttribute('cy', p.y);
      if (f < 1) { window.requestAnimationFrame(frame); } else { c.remove(); arrive(); }
    }
    window.requestAnimationFrame(frame);
  }

  // ------------------------------------------------------------------ the table
  var body = document.getElementById('grads'), rows = {};
  data.rows.forEach(function (r) {
    var tr = document.createElement('tr');
    tr.id = 'row-' + r.id;
    tr.className = r.kind;
    tr.innerHTML = '<td class="name"></td><td class="shape"></td><td class="grad"></td>';
    tr.children[0].textContent = r.name;
    tr.children[1].textContent = r.shape;
    tr.children[2].textContent = '(none yet)';
    tr.children[2].setAttribute('data-tensor', r.id);
    body.appendChild(tr);
    rows[r.id] = tr;
  });

  function table() {
    var totals = {}, here = steps[k].updates;
    for (var i = firstBackward; i >= 0 && i <= k; i++) {
      for (var id in steps[i].updates) { totals[id] = steps[i].updates[id]; }
    }
    Object.keys(rows).forEach(function (id) {
      var cell = rows[id].children[2], t = totals[id];
      cell.textContent = t ? t.text : '(none yet)';
      if (t && t.values) { cell.setAttribute('data-values', JSON.stringify(t.values)); }
      else { cell.removeAttribute('data-values'); }
      rows[id].classList.toggle('updated', id in here);
    });
  }

  // ------------------------------------------------------------------ one step
  function mark(id, cls) {
    var el = id && document.getElementById(id);
    if (el) { el.classList.add(cls); }
  }

  function diagramState(s, animate) {
    ['current', 'current-in', 'current-out', 'current-edge', 'pending'].forEach(function (c) {
      box.querySelectorAll('.' + c).forEach(function (el) { el.classList.remove(c); });
    });
    var done = s.phase === 'forward' ? ops.indexOf(s.op) : ops.length;
    ops.forEach(function (id, i) {
      if (i <= done) { return; }
      mark(id, 'pending');
      box.querySelectorAll('g.edge[id^="e_' + id + '_"]').forEach(function (e) { e.classList.add('pending'); });
    });
    Object.keys(gradText).forEach(function (id) { gradText[id].textContent = ''; });
    var last = animate ? k - 1 : k;   // this step's gradients appear when their dots arrive
    for (var i = firstBackward; i >= 0 && i <= last; i++) {
      for (var e in steps[i].sent) { if (gradText[e]) { gradText[e].textContent = steps[i].sent[e]; } }
    }
    if (s.phase === 'start') { mark(s.op, 'current-out'); return; }
    mark(s.op, 'current');
    s.ins.forEach(function (id) { mark(id, s.phase === 'forward' ? 'current-in' : 'current-out'); });
    s.edges.forEach(function (id) { mark(id, 'current-edge'); });
  }

  function show(animate) {
    var s = steps[k];
    animate = animate && s.phase === 'backward';
    if (svg) { diagramState(s, animate); }
    table();
    document.getElementById('title').textContent = s.title;
    document.getElementById('narration').textContent = s.text;
    document.getElementById('counter').textContent = 'step ' + k + ' of ' + (steps.length - 1) +
      (s.phase === 'start' ? ' (start)' : ' (' + s.phase + ')');
    document.getElementById('prev').disabled = (k === 0);
    document.getElementById('next').disabled = (k === steps.length - 1);
    document.body.setAttribute('data-step', String(k));
    document.body.setAttribute('data-phase', s.phase);
    if (svg) {
      if (s.phase === 'start') { fitAll(); } else { follow([s.op].concat(s.ins)); }
      if (animate) { Object.keys(s.sent).forEach(function (e) { carry(e, s.sent[e]); }); }
    }
  }

  function go(to) {
    var next = Math.max(0, Math.min(steps.length - 1, to));
    var forward = next === k + 1;
    k = next;
    show(forward);
  }

  setUpDiagram();
  document.getElementById('next').addEventListener('click', function () { go(k + 1); });
  document.getElementById('prev').addEventListener('click', function () { go(k - 1); });
  document.getElementById('to-forward').addEventListener('click', function () { go(1); });
  document.getElementById('to-backward').addEventListener('click', function () { go(firstBackward); });
  document.getElementById('fit').addEventListener('click', fitAll);
  document.addEventListener('keydown', function (e) {
    var key = e.key;
    if (key === 'ArrowRight' || key === 'ArrowDown') { go(k + 1); }
    else if (key === 'ArrowLeft' || key === 'ArrowUp') { go(k - 1); }
    else if (key === 'Home') { go(0); }
    else if (key === 'End') { go(steps.length - 1); }
    else if (key === 'f' || key === 'F') { fitAll(); }
    else if ((key === '+' || key === '=') && zoom) { zoom.zoomIn(); }
    else if (key === '-' && zoom) { zoom.zoomOut(); }
    else { return; }
    e.preventDefault();
  });
  window.addEventListener('resize', function () { if (zoom) { zoom.resize(); } });
  show(false);
})();
