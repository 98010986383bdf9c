// tensorgate playground: the page. Plain JavaScript, no libraries, no network beyond this server.
// The server trains; this file sends the learner's choices over one WebSocket and draws the frames it gets.
"use strict";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)"];
const FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1x2": "x₁x₂",
                        "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"};
const GRID = 64;
const COLOR0 = [245, 147, 34], COLOR1 = [8, 119, 189], WHITE = [255, 255, 255];
const LAYER_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d"];

// What the page knows; tests read it (window.playground).
const state = {
  config: null, limits: null, token: null, playing: false, data: null, frame: null, frames: 0,
  history: {train: [], test: [], grads: []}, errors: [], socket: null, threshold: 0.5,
};
window.playground = state;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- the URL holds the set-up
const NUMBER_KEYS = ["points", "noise", "train_ratio", "seed", "degree", "lr", "batch_size", "reg_rate", "dropout"];

function configToHash(c) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(c)) {
    if (Array.isArray(v)) p.set(k, v.join(","));
    else p.set(k, String(v));
  }
  return "#" + p.toString();
}

function configFromHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const c = {};
  for (const [k, v] of p.entries()) {
    if (k === "layers") c.layers = v === "" ? [] : v.split(",").map(Number);
    else if (k === "features") c.features = v === "" ? [] : v.split(",");
    else if (k === "batchnorm") c.batchnorm = v === "true";
    else if (NUMBER_KEYS.includes(k)) c[k] = Number(v);
    else c[k] = v;
  }
  return c;
}

function updateUrl() {
  const hash = configToHash(state.config);
  history.replaceState(null, "", hash);
  $("share-url").value = location.href;
}

// ---------------------------------------------------------------- the socket
function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws`);
  state.socket = ws;
  ws.onmessage = (event) => receive(JSON.parse(event.data));
  ws.onclose = () => { state.playing = false; showPlay(); showError("The connection to the server closed; reload the page to start again."); };
}

function send(message) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(message));
}

function receive(msg) {
  switch (msg.type) {
    case "hello": return onHello(msg);
    case "data": state.data = msg; drawSurface(); $("data-status").textContent =
      `${msg.train.length} training and ${msg.test.length} test points`; return;
    case "config": state.config = msg.config; showConfig(); return updateUrl();
    case "frame": return onFrame(msg);
    case "metrics": return showMetrics(msg.metrics);
    case "state": state.playing = msg.playing; return showPlay();
    case "error": return showError(msg.message);
    default: return;
  }
}

function showError(text) {
  state.errors.push(text);
  const box = $("error");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 8000);
}

function onHello(msg) {
  state.token = msg.session;
  state.limits = msg.limits;
  for (const kind of ["model", "onnx", "csv", "script"]) $("export-" + kind).href = `/export/${msg.session}/${kind}`;
  $("export-onnx").hidden = !msg.onnx;
  const wanted = configFromHash();
  state.defaults = msg.config;
  state.config = Object.assign({}, msg.config, wanted);
  showConfig();
  if (Object.keys(wanted).length) sendConfig(); else updateUrl();
}

function sendConfig() {
  updateUrl();
  resetHistory();
  send({type: "config", config: state.config});
}

function resetHistory() {
  state.history = {train: [], test: [], grads: []};
}

// ---------------------------------------------------------------- controls
function showConfig() {
  const c = state.config;
  $("dataset").value = c.dataset;
  $("noise").value = c.noise; $("noise-value").textContent = c.noise;
  $("train-ratio").value = c.train_ratio; $("train-ratio-value").textContent = Math.round(c.train_ratio * 100) + "%";
  $("points").value = c.points; $("points-value").textContent = c.points;
  $("seed").value = c.seed;
  for (const f of FEATURES) $("feature-" + f).checked = c.features.includes(f);
  $("degree").value = String(c.degree);
  for (const k of ["activation", "init", "loss", "optimizer", "regularization"]) $(k).value = c[k];
  selectNumber("lr", c.lr); selectNumber("reg-rate", c.reg_rate); selectNumber("dropout", c.dropout);
  $("batch-size").value = c.batch_size;
  $("batchnorm").checked = c.batchnorm;
  $("layer-count").textContent = c.layers.length === 0 ? "no hidden layer (logistic regression)"
    : `${c.layers.length} hidden layer${c.layers.length > 1 ? "s" : ""}`;
  buildNetwork();
}

function selectNumber(id, value) {
  const select = $(id);
  let option = Array.from(select.options).find((o) => Number(o.value) === value);
  if (!option) { option = new Option(String(value)); select.add(option); }
  select.value = option.value;
}

function change(key, value) {
  state.config[key] = value;
  showConfig();
  sendConfig();
}

function setUpControls() {
  const features = $("features");
  for (const f of FEATURES) {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" id="feature-${f}"> ${FEATURE_LABELS[f]}`;
    features.appendChild(label);
    label.firstChild.addEventListener("change", () => {
      const chosen = FEATURES.filter((g) => $("feature-" + g).checked);
      change("features", chosen);
    });
  }
  $("dataset").addEventListener("change", (e) => change("dataset", e.target.value));
  $("noise").addEventListener("change", (e) => change("noise", Number(e.target.value)));
  $("noise").addEventListener("input", (e) => { $("noise-value").textContent = e.target.value; });
  $("train-ratio").addEventListener("change", (e) => change("train_ratio", Number(e.target.value)));
  $("points").addEventListener("change", (e) => change("points", Number(e.target.value)));
  $("seed").addEventListener("change", (e) => change("seed", Math.max(0, Math.round(Number(e.target.value) || 0))));
  $("degree").addEventListener("change", (e) => change("degree", Number(e.target.value)));
  for (const k of ["activation", "init", "loss", "optimizer", "regularization"]) {
    $(k).addEventListener("change", (e) => change(k, e.target.value));
  }
  $("lr").addEventListener("change", (e) => change("lr", Number(e.target.value)));
  $("reg-rate").addEventListener("change", (e) => change("reg_rate", Number(e.target.value)));
  $("dropout").addEventListener("change", (e) => change("dropout", Number(e.target.value)));
  $("batch-size").addEventListener("change", (e) => change("batch_size", Math.max(1, Math.round(Number(e.target.value) || 1))));
  $("batchnorm").addEventListener("change", (e) => change("batchnorm", e.target.checked));
  $("add-layer").addEventListener("click", () => {
    if (state.config.layers.length >= state.limits.layers) return showError(`at most ${state.limits.layers} hidden layers`);
    change("layers", state.config.layers.concat([2]));
  });
  $("remove-layer").addEventListener("click", () => {
    if (state.config.layers.length > 0) change("layers", state.config.layers.slice(0, -1));
  });
  $("play").addEventListener("click", () => send({type: state.playing ? "pause" : "play"}));
  $("step").addEventListener("click", () => send({type: "step"}));
  $("reset").addEventListener("click", () => { resetHistory(); send({type: "reset"}); });
  $("threshold").addEventListener("input", (e) => {
    state.threshold = Number(e.target.value);
    $("threshold-value").textContent = state.threshold.toFixed(2);
    send({type: "threshold", value: state.threshold});
  });
  $("surface").addEventListener("click", addPoint);
  $("csv").addEventListener("change", uploadCsv);
  $("share-url").addEventListener("focus", (e) => e.target.select());
}

function neurons(layer, delta) {
  const layers = state.config.layers.slice();
  const n = layers[layer] + delta;
  if (n < 1) return;
  if (n > state.limits.neurons) return showError(`at most ${state.limits.neurons} neurons per layer`);
  layers[layer] = n;
  change("layers", layers);
}

function showPlay() {
  $("play").innerHTML = state.playing ? "&#10074;&#10074; pause" : "&#x25b6; play";
}

function uploadCsv(event) {
  const file = event.target.files[0];
  if (!file) return;
  if (file.size > state.limits.csv_bytes) {
    event.target.value = "";
    return showError(`${file.name} has ${file.size} bytes; the limit is ${state.limits.csv_bytes}`);
  }
  file.text().then((text) => { resetHistory(); send({type: "upload_csv", text}); });
  event.target.value = "";
}

// ---------------------------------------------------------------- the network picture
function buildNetwork() {
  const c = state.config;
  const columns = $("columns");
  columns.innerHTML = "";
  const sizes = [c.features.length + polynomialTerms(c).length].concat(c.layers, [1]);
  const names = c.features.map((f) => FEATURE_LABELS[f]).concat(polynomialTerms(c));
  sizes.forEach((n, layer) => {
    const column = document.createElement("div");
    column.className = layer === 0 ? "column features" : "column";
    const head = document.createElement("div");
    head.className = "head";
    if (layer === 0) head.textContent = "features";
    else if (layer === sizes.length - 1) head.textContent = "output";
    else {
      head.innerHTML = `<button data-l="${layer - 1}" data-d="1">+</button><button data-l="${layer - 1}" data-d="-1">&minus;</button><br>` +
        `${n} neuron${n > 1 ? "s" : ""}<br><span class="dead" id="dead-${layer - 1}"></span>`;
      head.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => neurons(Number(b.dataset.l), Number(b.dataset.d))));
    }
    column.appendChild(head);
    for (let u = 0; u < n; u++) {
      const wrap = document.createElement("div");
      wrap.className = "neuron-wrap";
      const canvas = document.createElement("canvas");
      canvas.width = GRID; canvas.height = GRID;
      canvas.className = "neuron";
      canvas.id = `neuron-${layer}-${u}`;
      wrap.appendChild(canvas);
      if (layer === 0) { const s = document.createElement("span"); s.textContent = names[u]; wrap.appendChild(s); }
      column.appendChild(wrap);
    }
    columns.appendChild(column);
  });
  if (state.frame) drawNetwork(state.frame);
}

function polynomialTerms(c) {
  const terms = [];
  for (let d = 2; d <= c.degree; d++) {
    for (let i = d; i >= 0; i--) {
      const j = d - i;
      const name = (i > 1 ? `x1^${i}` : i === 1 ? "x1" : "") + (j > 1 ? `x2^${j}` : j === 1 ? "x2" : "");
      if (!c.features.includes(name) && !terms.includes(name)) terms.push(name);
    }
  }
  return terms;
}

function colorOf(t) {  // t in [-1, 1]: class-0 orange, white, class-1 blue
  const [a, w] = t < 0 ? [COLOR0, -t] : [COLOR1, t];
  return [0, 1, 2].map((k) => WHITE[k] + (a[k] - WHITE[k]) * w);
}

function decode(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function paintMap(canvas, bytes, alpha) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(GRID, GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    const [r, g, b] = colorOf(bytes[i] / 127.5 - 1);
    image.data.set([r, g, b, alpha], 4 * i);
  }
  ctx.putImageData(image, 0, 0);
}

function drawNetwork(frame) {
  frame.neurons.forEach((maps, layer) => maps.forEach((b64, u) => {
    const canvas = $(`neuron-${layer}-${u}`);
    if (canvas) paintMap(canvas, decode(b64), 255);
  }));
  const out = $(`neuron-${frame.neurons.length}-0`);
  if (out) paintMap(out, state.surfaceBytes, 255);
  drawWires(frame);
  (frame.dead || []).forEach((d, k) => {
    const span = $(`dead-${k}`);
    if (span) span.textContent = d === null ? "" : `dead ${(100 * d).toFixed(0)}%`;
  });
}

function drawWires(frame) {
  const network = $("network"), wires = $("wires");
  const box = network.getBoundingClientRect();
  wires.width = box.width; wires.height = box.height;
  const ctx = wires.getContext("2d");
  ctx.clearRect(0, 0, wires.width, wires.height);
  const centre = (layer, u) => {
    const el = $(`neuron-${layer}-${u}`);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return [r.left - box.left, r.top - box.top + r.height / 2, r.right - box.left];
  };
  let largest = 1e-6;
  for (const W of frame.weights) for (const row of W) for (const w of row) largest = Math.max(largest, Math.abs(w));
  frame.weights.forEach((W, layer) => W.forEach((row, j) => row.forEach((w, i) => {
    const a = centre(layer, i), b = centre(layer + 1, j);
    if (!a || !b) return;
    const [r, g, bl] = colorOf(Math.max(-1, Math.min(1, w / largest)));
    ctx.strokeStyle = `rgb(${r | 0},${g | 0},${bl | 0})`;
    ctx.lineWidth = 0.5 + 5 * Math.abs(w) / largest;
    ctx.beginPath(); ctx.moveTo(a[2], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
  })));
}

// ---------------------------------------------------------------- the decision surface and the points
function toPixel(x, y, canvas) {
  const [x0, x1, y0, y1] = state.data.bounds;
  return [(x - x0) / (x1 - x0) * canvas.width, (y1 - y) / (y1 - y0) * canvas.height];
}

function drawSurface() {
  const canvas = $("surface");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (state.surfaceBytes) {
    const tmp = document.createElement("canvas");
    tmp.width = GRID; tmp.height = GRID;
    paintMap(tmp, state.surfaceBytes, 200);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
  }
  if (!state.data) return;
  const dot = (p, outline) => {
    const [px, py] = toPixel(p[0], p[1], canvas);
    ctx.beginPath(); ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = p[2] === 1 ? "rgb(8,119,189)" : "rgb(245,147,34)";
    ctx.fill();
    ctx.lineWidth = outline ? 1.4 : 0.8;
    ctx.strokeStyle = outline ? "#000" : "#fff";
    ctx.stroke();
  };
  state.data.train.forEach((p) => dot(p, false));
  state.data.test.forEach((p) => dot(p, true));
}

function addPoint(event) {
  if (!state.data) return;
  const canvas = $("surface");
  const r = canvas.getBoundingClientRect();
  const [x0, x1, y0, y1] = state.data.bounds;
  const x = x0 + (event.clientX - r.left) / r.width * (x1 - x0);
  const y = y1 - (event.clientY - r.top) / r.height * (y1 - y0);
  const label = Number(document.querySelector("input[name=click-class]:checked").value);
  send({type: "add_point", x, y, label});
}

// ---------------------------------------------------------------- frames
function onFrame(frame) {
  state.frame = frame;
  state.frames += 1;
  state.surfaceBytes = decode(frame.surface);
  if (frame.epoch === 0) resetHistory();
  const h = state.history;
  if (frame.epoch === 0 || frame.epoch > h.train.length - 1) {  // one point per epoch, from the untrained start
    h.train.push(frame.train_loss);
    h.test.push(frame.test_loss);
    if (frame.grad_norms) h.grads.push(frame.grad_norms);
  }
  if (!onFrame.pending) {  // draw at most once per animation frame however fast frames arrive
    onFrame.pending = true;
    requestAnimationFrame(() => { onFrame.pending = false; render(state.frame); });
  }
}

function fmt(x, digits = 3) { return x === null || x === undefined ? "–" : Number(x).toFixed(digits); }

function render(frame) {
  $("epoch").textContent = frame.epoch;
  $("steps").textContent = frame.step;
  $("train-loss").textContent = fmt(frame.train_loss);
  $("test-loss").textContent = fmt(frame.test_loss);
  drawSurface();
  drawNetwork(frame);
  drawLossChart();
  drawGradChart();
  showMetrics(frame.metrics);
  $("findings").innerHTML = "";
  for (const text of frame.findings) {
    const li = document.createElement("li"); li.textContent = text; $("findings").appendChild(li);
  }
  $("dead").textContent = (frame.dead || []).length
    ? "dead units (zero for every training example), per hidden layer: " +
      frame.dead.map((d, k) => `${k + 1}: ${d === null ? "–" : (100 * d).toFixed(0) + "%"}`).join(", ")
    : "";
}

function chartFrame(ctx, canvas) {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#ddd"; ctx.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
}

function drawSeries(ctx, canvas, values, lo, hi, color, width, transform) {
  const n = values.length;
  if (n < 1) return;
  ctx.strokeStyle = color; ctx.lineWidth = width; ctx.beginPath();
  let started = false;
  values.forEach((v, i) => {
    if (v === null || !isFinite(v)) { started = false; return; }
    const t = transform ? transform(v) : v;
    const x = n === 1 ? 0 : i / (n - 1) * (canvas.width - 4) + 2;
    const y = canvas.height - 3 - (t - lo) / Math.max(hi - lo, 1e-9) * (canvas.height - 6);
    if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
  });
  ctx.stroke();
}

function drawLossChart() {
  const canvas = $("loss-chart"), ctx = canvas.getContext("2d");
  chartFrame(ctx, canvas);
  const all = state.history.train.concat(state.history.test).filter((v) => v !== null && isFinite(v));
  if (!all.length) return;
  const hi = Math.max(...all) * 1.05;
  drawSeries(ctx, canvas, state.history.train, 0, hi, "#888", 1.5);
  drawSeries(ctx, canvas, state.history.test, 0, hi, "#111", 1.5);
  ctx.fillStyle = "#777"; ctx.fillText(hi.toFixed(2), 4, 11);
}

function drawGradChart() {
  const canvas = $("grad-chart"), ctx = canvas.getContext("2d");
  chartFrame(ctx, canvas);
  const grads = state.history.grads;
  if (!grads.length) return;
  const logs = grads.flat().filter((v) => v !== null && v > 0).map(Math.log10);
  if (!logs.length) return;
  const lo = Math.min(...logs) - 0.1, hi = Math.max(...logs) + 0.1;
  const layers = grads[grads.length - 1].length;
  for (let k = 0; k < layers; k++) {
    const color = LAYER_COLORS[k % LAYER_COLORS.length];
    drawSeries(ctx, canvas, grads.map((g) => (g[k] > 0 ? g[k] : null)), lo, hi, color, 1.5, Math.log10);
    ctx.fillStyle = color;
    ctx.fillText(k === layers - 1 ? "output" : `layer ${k + 1}`, canvas.width - 60, 12 + 11 * k);
  }
  ctx.fillStyle = "#777";
  ctx.fillText(`1e${hi.toFixed(1)}`, 4, 11); ctx.fillText(`1e${lo.toFixed(1)}`, 4, canvas.height - 4);
}

function showMetrics(m) {
  if (!m) return;
  const [[tn, fp], [fn, tp]] = m.confusion;
  $("cm-tn").textContent = tn; $("cm-fp").textContent = fp; $("cm-fn").textContent = fn; $("cm-tp").textContent = tp;
  $("precision").textContent = fmt(m.precision); $("recall").textContent = fmt(m.recall);
  $("fpr").textContent = fmt(m.fpr); $("accuracy").textContent = fmt(m.accuracy); $("auc").textContent = fmt(m.auc);
  $("metrics-on").textContent = `on the ${m.on} points`;
  const canvas = $("roc"), ctx = canvas.getContext("2d");
  chartFrame(ctx, canvas);
  const W = canvas.width, H = canvas.height;
  ctx.setLineDash([3, 3]); ctx.strokeStyle = "#bbb"; ctx.beginPath(); ctx.moveTo(0, H); ctx.lineTo(W, 0); ctx.stroke();
  ctx.setLineDash([]);
  if (m.roc) {
    const [fpr, tpr] = m.roc;
    ctx.strokeStyle = "#183d4e"; ctx.lineWidth = 1.5; ctx.beginPath();
    fpr.forEach((f, i) => { const x = f * (W - 2) + 1, y = H - 1 - tpr[i] * (H - 2); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
    ctx.stroke();
  }
  if (m.fpr !== null && m.recall !== null) {
    ctx.fillStyle = "#d62728"; ctx.beginPath();
    ctx.arc(m.fpr * (W - 2) + 1, H - 1 - m.recall * (H - 2), 4, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.fillStyle = "#777"; ctx.fillText("FPR →", W - 34, H - 4); ctx.fillText("TPR", 3, 10);
}

// a shared link pasted into this tab: the defaults and the link's settings
window.addEventListener("hashchange", () => {
  if (!state.defaults || location.hash === configToHash(state.config)) return;
  state.config = Object.assign({}, state.defaults, configFromHash());
  showConfig();
  sendConfig();
});

setUpControls();
connect();
