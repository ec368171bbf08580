// The step-through page: the forward pass, then the backward pass, one op at a time.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var steps = data.steps, k = 0;
  var box = document.getElementById('diagram');
  var svg = box.querySelector('svg');
  var zoom = null, gradText = {}, ops = data.order;
  var firstBackward = steps.findIndex(function (s) { return s.phase === 'backward'; });
  var MIN_PX = 12;                 // the current op's text is never drawn smaller than this
  var running = [], generation = 0; // the dots in flight, and which step they belong to

  // ------------------------------------------------------------------ the diagram
  // Each edge's label holds two lines that Graphviz laid out clear of the boxes: the value going
  // in, and under it the gradient that comes back (hidden until it arrives).
  function setUpDiagram() {
    if (!svg) { return; }
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.querySelectorAll('g.edge').forEach(function (e) {
      var texts = e.querySelectorAll('text');
      if (!texts.length) { return; }
      texts[0].classList.add('value-text');
      if (texts.length > 1 && e.id in sentAnywhere) {
        texts[1].classList.add('grad-text');
        gradText[e.id] = texts[1];
      }
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

  function union(a, b) {
    return a ? {l: Math.min(a.l, b.l), t: Math.min(a.t, b.t), r: Math.max(a.r, b.r), b: Math.max(a.b, b.b)} : b;
  }

  // The smallest font size (in diagram points) of the texts of a node.
  function fontOf(el) {
    var sizes = Array.prototype.map.call(el.querySelectorAll('text'), function (t) {
      return parseFloat(t.getAttribute('font-size') || 14);
    });
    return sizes.length ? Math.min.apply(null, sizes) : 14;
  }

  // Zoom and pan so that the current op and its inputs fill most of the view, never closer than
  // 1.25 screen pixels per diagram point and never so far out that the op's text is below MIN_PX:
  // then the view centres on the op, and an arrow at the border points to each input out of view.
  function follow(opId, ins) {
    var viewport = svg && svg.querySelector('.svg-pan-zoom_viewport');
    var op = opId && document.getElementById(opId);
    if (!zoom || !viewport || !op) { return; }
    var own = boxOf(op, viewport), r = own, others = [];
    ins.forEach(function (id) {
      var el = id && document.getElementById(id);
      if (el) { var b = boxOf(el, viewport); others.push({id: id, el: el, box: b}); r = union(r, b); }
    });
    var view = box.getBoundingClientRect(), sizes = zoom.getSizes();
    var w = Math.max(r.r - r.l, 1), h = Math.max(r.b - r.t, 1);
    var least = MIN_PX / fontOf(op);
    var real = Math.max(Math.min(0.85 * view.width / w, 0.85 * view.height / h, 1.25), least);
    var perZoom = sizes.realZoom / zoom.getZoom();          // real zoom at zoom level 1 (the fit)
    zoom.zoom(real / perZoom);
    real = zoom.getSizes().realZoom;
    var fits = real * w <= view.width && real * h <= view.height;
    var c = fits ? r : own;
    var cx = (c.l + c.r) / 2, cy = (c.t + c.b) / 2;
    if (!fits && real * (own.b - own.t) > view.height) { cy = own.t + 0.45 * view.height / real; }
    if (!fits && real * (own.r - own.l) > view.width) { cx = own.l + 0.45 * view.width / real; }
    zoom.pan({x: view.width / 2 - real * cx, y: view.height / 2 - real * cy});
    pointers(others, real, view.width / 2 - real * cx, view.height / 2 - real * cy, view);
  }

  // Arrows at the border of the view towards the inputs that are out of it (click: go there).
  function pointers(others, real, px, py, view) {
    box.querySelectorAll('.offscreen').forEach(function (a) { a.remove(); });
    others.forEach(function (o) {
      var l = px + real * o.box.l, r = px + real * o.box.r, t = py + real * o.box.t, b = py + real * o.box.b;
      if (r > 0 && l < view.width && b > 0 && t < view.height) { return; }
      var x = (l + r) / 2, y = (t + b) / 2, cx = view.width / 2, cy = view.height / 2;
      var dx = x - cx, dy = y - cy, k = Math.min(Math.abs((cx - 28) / (dx || 1e-9)), Math.abs((cy - 18) / (dy || 1e-9)));
      var a = document.createElement('button');
      a.className = 'offscreen';
      var name = o.el.querySelector('text') ? o.el.querySelector('text').textContent : o.id;
      var arrows = ['\u2192', '\u2198', '\u2193', '\u2199', '\u2190', '\u2196', '\u2191', '\u2197'];
      var turn = Math.round(Math.atan2(dy, dx) / (Math.PI / 4));
      a.textContent = arrows[(turn + 8) % 8] + ' ' + name;
      a.title = 'an input of the current op, out of view: click to go there';
      a.setAttribute('aria-label', 'input ' + name + ', out of view');
      a.style.left = (cx + k * dx) + 'px';
      a.style.top = (cy + k * dy) + 'px';
      a.addEventListener('click', function () { follow(o.id, []); });
      box.appendChild(a);
    });
  }

  // A dot that carries the gradient from the op back along the edge to the input. Changing the
  // step cancels it (stop()): the gradient of an undone step never appears.
  function carry(edgeId) {
    var e = document.getElementById(edgeId), path = e && e.querySelector('path'), mine = generation;
    function arrive() { if (mine === generation && gradText[edgeId]) { gradText[edgeId].classList.add('arrived'); } }
    if (!path || !path.getTotalLength ||
        window.matchMedia('(prefers-reduced-motion: reduce)').matches) { arrive(); return; }
    var c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
    c.setAttribute('r', '6');
    c.setAttribute('class', 'carrier');
    e.appendChild(c);
    var L = path.getTotalLength(), t0 = null, ms = 900, job = {circle: c, frame: 0};
    function frame(t) {
      if (mine !== generation) { return; }
      t0 = t0 || t;
      var f = Math.min(1, (t - t0) / ms), p = path.getPointAtLength(L * (1 - f));
      c.setAttribute('cx', p.x);
      c.setAttribute('cy', p.y);
      if (f < 1) { job.frame = window.requestAnimationFrame(frame); } else { c.remove(); arrive(); }
    }
    job.frame = window.requestAnimationFrame(frame);
    running.push(job);
  }

  function stop() {
    generation += 1;
    running.forEach(function (job) { window.cancelAnimationFrame(job.frame); job.circle.remove(); });
    running = [];
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

  // The step in words: a line that holds numbers ([...]) is kept whole, so a matrix stays a block
  // (the panel scrolls sideways); a line of prose wraps, under its own indent.
  function narrate(text) {
    var box = document.getElementById('narration');
    box.textContent = '';
    text.split('\n').forEach(function (line) {
      var div = document.createElement('div');
      div.className = line.indexOf('[') >= 0 ? 'line numbers' : 'line prose';
      div.textContent = line || '\u00a0';
      box.appendChild(div);
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
    Object.keys(gradText).forEach(function (id) { gradText[id].classList.remove('arrived'); });
    var last = animate ? k - 1 : k;   // this step's gradients appear when their dots arrive
    for (var i = firstBackward; i >= 0 && i <= last; i++) {
      for (var e in steps[i].sent) { if (gradText[e]) { gradText[e].classList.add('arrived'); } }
    }
    if (s.phase === 'start') { mark(s.op, 'current-out'); return; }
    mark(s.op, 'current');
    if (s.phase === 'forward') { s.ins.forEach(function (id) { mark(id, 'current-in'); }); }
    else { s.gets.forEach(function (id) { mark(id, 'current-out'); }); }   // constants get nothing
    s.edges.forEach(function (id) { mark(id, 'current-edge'); });
  }

  function show(animate) {
    var s = steps[k];
    stop();
    animate = animate && s.phase === 'backward';
    if (svg) { diagramState(s, animate); }
    table();
    document.getElementById('title').textContent = s.title;
    narrate(s.text);
    document.getElementById('counter').textContent = 'step ' + k + ' of ' + (steps.length - 1) +
      (s.phase === 'start' ? ' (start)' : ' (' + s.phase + ')');
    document.getElementById('prev').disabled = (k === 0);
    document.getElementById('next').disabled = (k === steps.length - 1);
    document.body.setAttribute('data-step', String(k));
    document.body.setAttribute('data-phase', s.phase);
    if (svg) {
      if (s.phase === 'start') { fitAll(); box.querySelectorAll('.offscreen').forEach(function (a) { a.remove(); }); }
      else { follow(s.op, s.ins); }
      if (animate) { Object.keys(s.sent).forEach(function (e) { carry(e); }); }
    }
  }

  function go(to) {
    var next = Math.max(0, Math.min(steps.length - 1, to));
    var forward = next === k + 1;
    k = next;
    show(forward);
  }

  var sentAnywhere = {};
  steps.forEach(function (s) { for (var e in s.sent) { sentAnywhere[e] = true; } });
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
