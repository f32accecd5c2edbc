// The drawing page of `hcr serve`. It prepares nothing itself: it sends the canvas (a PNG) or the chosen file to
// POST api/predict and shows what the server answers, including the 28x28 image the model read.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const pad = $('pad'), ctx = pad.getContext('2d');
  const SIZE = pad.width;               // drawing pixels; CSS scales the canvas to the screen
  const PEN = Math.round(SIZE * 0.07);  // about a finger wide at any screen size
  const LABELS = {mnist: 'Digits', emnist: 'Letters'};
  const state = {
    strokes: [], current: null, pointer: null, upload: null, background: null, url: null, unshown: false,
    version: 0, shown: 0, inFlight: false, timer: null, dataset: null, models: [], maxBody: 2 * 1024 * 1024,
  };

  // ---- drawing ----
  function hasContent() { return state.strokes.length > 0 || state.upload !== null; }

  function drawStroke(s) {
    ctx.strokeStyle = ctx.fillStyle = '#000';
    ctx.lineWidth = PEN; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    ctx.beginPath();
    if (s.length === 1) { ctx.arc(s[0][0], s[0][1], PEN / 2, 0, 2 * Math.PI); ctx.fill(); return; }
    ctx.moveTo(s[0][0], s[0][1]);
    for (let i = 1; i < s.length; i++) ctx.lineTo(s[i][0], s[i][1]);
    ctx.stroke();
  }

  function redraw() {
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, SIZE, SIZE);
    const img = state.background;
    if (img) {
      const k = Math.min(SIZE / img.naturalWidth, SIZE / img.naturalHeight);
      const w = img.naturalWidth * k, h = img.naturalHeight * k;
      ctx.drawImage(img, (SIZE - w) / 2, (SIZE - h) / 2, w, h);
    }
    state.strokes.forEach(drawStroke);
    $('drop').classList.toggle('drawn', hasContent());
    // a file the browser cannot show (TIFF) would leave the drawing area blank; the note is a live region, empty when unused
    const unshown = state.unshown && !state.strokes.length;
    $('unshown').textContent = unshown ? `${state.upload.name}: this browser cannot show it; it is sent to the server as it is` : '';
  }

  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * SIZE / r.width, (e.clientY - r.top) * SIZE / r.height];
  }

  pad.addEventListener('pointerdown', (e) => {
    if (state.current || (e.pointerType === 'mouse' && e.button !== 0)) return;  // one pointer at a time
    e.preventDefault();
    pad.setPointerCapture(e.pointerId);
    state.pointer = e.pointerId;
    state.current = [point(e)];
    state.strokes.push(state.current);
    $('unshown').textContent = '';  // the drawing replaces the file the note named
    $('drop').classList.add('drawn');
    drawStroke(state.current);
    changed(true);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!state.current || e.pointerId !== state.pointer) return;
    const events = (e.getCoalescedEvents && e.getCoalescedEvents().length) ? e.getCoalescedEvents() : [e];
    for (const ev of events) {
      const p = point(ev), last = state.current[state.current.length - 1];
      drawStroke([last, p]);
      state.current.push(p);
    }
    changed(true);
  });
  const endStroke = (e) => {
    if (!state.current || e.pointerId !== state.pointer) return;
    state.current = null; state.pointer = null;
    redraw();  // the whole drawing at once: the image sent depends only on the strokes, not on how they arrived
    changed(false);
  };
  ['pointerup', 'pointercancel', 'lostpointercapture'].forEach((t) => pad.addEventListener(t, endStroke));

  function undo() {
    if (state.current) return;
    if (state.strokes.length) state.strokes.pop();
    else if (state.upload) dropUpload();
    else return;
    redraw(); changed(false);
  }
  function clear() {
    if (state.current) return;
    state.strokes = []; dropUpload(); redraw(); changed(false);
  }
  function dropUpload() {
    if (state.url) URL.revokeObjectURL(state.url);
    state.upload = state.background = state.url = null;
    state.unshown = false;
  }
  $('undo').addEventListener('click', undo);
  $('clear').addEventListener('click', clear);
  document.addEventListener('keydown', (e) => {
    // Ctrl+Z undoes a stroke wherever the focus is (a model's radio button, say), except in a field one types into
    const typing = e.target.isContentEditable || e.target.tagName === 'TEXTAREA' ||
                   (e.target.tagName === 'INPUT' && !['radio', 'checkbox', 'file', 'button'].includes(e.target.type));
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z' && !typing) {
      e.preventDefault(); undo();
    }
  });

  // ---- image files: chooser and drag and drop ----
  function useFile(file) {
    if (!file) return;
    state.strokes = []; dropUpload();
    state.upload = file;
    state.url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => { if (state.upload === file) { state.background = img; redraw(); } };
    img.onerror = () => { if (state.upload === file) { state.unshown = true; redraw(); } };
    img.src = state.url;  // a format the browser cannot show (TIFF) is still sent to the server
    redraw(); changed(false);
  }
  $('file').addEventListener('change', (e) => { useFile(e.target.files[0]); e.target.value = ''; });
  const drop = $('drop');
  ['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add('over'); }));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault(); drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) useFile(e.dataTransfer.files[0]);
  });
  // a file dropped beside the drawing area must not make the browser leave the page
  ['dragover', 'drop'].forEach((t) => window.addEventListener(t, (e) => e.preventDefault()));

  // ---- asking the server, while drawing (at most every 250 ms) and just after ----
  function changed(drawing) {
    state.version += 1;
    pad.dataset.version = String(state.version);
    if (drawing && state.timer) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => { state.timer = null; send(); }, drawing ? 250 : 60);
  }

  const canvasPng = () => new Promise((resolve) => pad.toBlob(resolve, 'image/png'));

  async function send() {
    if (state.inFlight) return;  // sent again when the answer in flight arrives
    const version = state.version;
    if (!hasContent()) { showNothing(version); return; }
    state.inFlight = true;
    try {
      const blob = (state.upload && !state.strokes.length) ? state.upload : await canvasPng();
      if (blob.size > state.maxBody) {
        showError(`The file is ${(blob.size / 1e6).toFixed(1)} MB; the server reads at most ${(state.maxBody / 1e6).toFixed(1)} MB.`, version);
        return;
      }
      const form = new FormData();
      form.append('image', blob, blob.name || 'drawing.png');
      if (state.dataset) form.append('dataset', state.dataset);
      let answer, ok = false;
      try {
        const response = await fetch('api/predict', {method: 'POST', body: form});
        ok = response.ok;
        answer = await response.json().catch(() => ({error: `The server answered ${response.status}.`}));
      } catch (err) {
        answer = {error: 'Could not reach the server.'};
      }
      if (version < state.shown) return;  // an older answer arriving late
      if (ok) show(answer, version); else showError(answer.error || 'The server could not read this image.', version);
    } finally {
      state.inFlight = false;
      if (state.version !== version && !state.timer) send();
    }
  }

  const percent = (p) => `${(100 * p).toFixed(1)}%`;

  function done(version) {  // the answer on screen is for drawing `version` (tests wait for this)
    state.shown = version;
    $('verdict').dataset.version = String(version);
  }

  function showNothing(version) {
    $('prepared').hidden = true; $('placeholder').hidden = false;
    $('verdict').textContent = ''; $('verdict').classList.remove('unsure');
    $('top').replaceChildren(); $('error').hidden = true;
    done(version);
  }

  function showError(message, version) {
    showNothing(version);
    $('error').textContent = message; $('error').hidden = false;
    done(version);
  }

  function show(answer, version) {
    const img = $('prepared');
    img.src = answer.prepared; img.hidden = false; $('placeholder').hidden = true;
    $('error').hidden = true;
    const best = answer.top[0], verdict = $('verdict');
    const strong = document.createElement('strong');
    strong.textContent = best.character;
    if (answer.sure) verdict.replaceChildren('Reads ', strong, ` (${percent(best.probability)})`);
    else verdict.replaceChildren('Not sure; perhaps ', strong, ` (${percent(best.probability)})`);
    verdict.classList.toggle('unsure', !answer.sure);
    $('top').replaceChildren(...answer.top.map((t, i) => {
      const li = document.createElement('li');
      if (i === 0 && !answer.sure) li.className = 'unsure';
      const ch = document.createElement('span'); ch.className = 'char'; ch.textContent = t.character;
      const track = document.createElement('span'); track.className = 'track';
      const bar = document.createElement('span'); bar.className = 'bar'; bar.style.width = percent(t.probability);
      track.append(bar);
      const pct = document.createElement('span'); pct.className = 'pct'; pct.textContent = percent(t.probability);
      li.append(ch, track, pct);
      li.setAttribute('aria-label', `${t.character}: ${percent(t.probability)}`);
      return li;
    }));
    done(version);
  }

  // ---- the models ----
  function describe() {
    const m = state.models.find((x) => x.dataset === state.dataset);
    $('model-info').textContent = m ? `Model: ${m.description}` : '';
  }

  async function loadModels() {
    try {
      const health = await (await fetch('api/health')).json();
      state.models = health.models; state.maxBody = health.max_body_bytes; state.dataset = health.default;
      const box = $('models');
      $('models-loading').remove();
      for (const m of state.models) {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'radio'; input.name = 'model'; input.value = m.dataset; input.checked = m.dataset === state.dataset;
        input.addEventListener('change', () => { state.dataset = m.dataset; describe(); if (hasContent()) changed(false); });
        const text = document.createElement('span');
        const name = document.createElement('strong'); name.textContent = LABELS[m.dataset] || m.dataset;
        const run = document.createElement('span'); run.className = 'small'; run.textContent = `${m.dataset}: ${m.name}`;
        text.append(name, run);
        label.append(input, text);
        box.append(label);
      }
      describe();
    } catch (err) {
      $('models-loading').textContent = 'Could not load the models from the server.';
    }
  }

  redraw();
  loadModels();
})();
