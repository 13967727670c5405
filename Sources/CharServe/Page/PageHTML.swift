/// The page `charnn serve` shows at `/`: one self-contained HTML file (no CDN, no web font, no build step), so the
/// binary serves it with nothing beside it.
///
/// - Typing: each keystroke asks `/v1/predict` (aborting the request before it) and shows the completions as
///   buttons (a click or Tab accepts the first: the word is finished and a space added) and the next graphemes'
///   probabilities as a bar chart.
/// - Sampling: a prime, a temperature slider, a length and an optional seed; the text streams in as the server
///   draws it (Server-Sent Events read with `fetch` and a `ReadableStream`), and Stop aborts it, which stops the
///   generation on the server.
///
/// One column that fits a phone's width. Elements carry ids (`text`, `suggestions`, `chart`, `prime`, `temperature`,
/// `length`, `seed`, `start`, `stop`, `output`, `sample-status`) and state in `data-` attributes (`suggestions`'
/// `data-for` is the text its buttons answer; `output`'s `data-state` and `data-pieces`), which the browser test reads.
enum PageHTML {
    static let text = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>charnn</title>
<style>
  :root { --ink: #1d2330; --muted: #5d6678; --line: #d5d9e2; --accent: #2f5fd0; --paper: #fbfbfd; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--paper); }
  main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
  p.models { margin: 0; color: var(--muted); font-size: .85rem; }
  textarea, input[type=text], input[type=number] { width: 100%; font: inherit; padding: .5rem; border: 1px solid var(--line); border-radius: .4rem; background: #fff; }
  textarea { min-height: 6rem; resize: vertical; }
  #suggestions { display: flex; flex-wrap: wrap; gap: .4rem; min-height: 2.6rem; margin: .5rem 0; }
  #suggestions button { font: inherit; padding: .4rem .8rem; border: 1px solid var(--accent); border-radius: 1.2rem; background: #fff; color: var(--accent); cursor: pointer; }
  #suggestions button:first-child { background: var(--accent); color: #fff; }
  #chart { display: grid; grid-template-columns: 2.2rem 1fr 3.6rem; gap: .2rem .5rem; align-items: center; font-size: .85rem; }
  #chart .g { font-family: ui-monospace, monospace; text-align: center; background: #eef1f7; border-radius: .25rem; }
  #chart .bar { height: .8rem; background: var(--accent); border-radius: .2rem; min-width: 1px; }
  #chart .p { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
  .row { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; margin: .5rem 0; }
  .row label { display: flex; align-items: center; gap: .4rem; }
  .row input[type=number] { width: 6.5rem; }
  .row input[type=range] { width: 9rem; }
  button.action { font: inherit; padding: .45rem 1rem; border: 0; border-radius: .4rem; background: var(--accent); color: #fff; cursor: pointer; }
  button.action:disabled { background: #a9b4cc; cursor: default; }
  pre#output { white-space: pre-wrap; word-break: break-word; min-height: 6rem; padding: .6rem; margin: .5rem 0; border: 1px solid var(--line); border-radius: .4rem; background: #fff; font: .95rem/1.4 ui-monospace, monospace; }
  .status { color: var(--muted); font-size: .85rem; min-height: 1.2rem; }
  .error { color: #b3261e; }
  @media (max-width: 30rem) { main { padding: .6rem; } .row input[type=range] { width: 100%; } }
</style>
</head>
<body>
<main>
  <h1>charnn</h1>
  <p class="models" id="models">&nbsp;</p>

  <h2>Type</h2>
  <textarea id="text" placeholder="Start typing; Tab or a click accepts a suggestion" autocomplete="off" autocapitalize="off" spellcheck="false"></textarea>
  <div id="suggestions" data-for=""></div>
  <div id="chart" aria-label="next grapheme probabilities"></div>
  <div class="status" id="predict-status"></div>

  <h2>Sample</h2>
  <input type="text" id="prime" placeholder="Prime text (optional)" autocomplete="off">
  <div class="row">
    <label>temperature <input type="range" id="temperature" min="0" max="2" step="0.05" value="0.8"> <output id="temperature-value">0.8</output></label>
    <label>length <input type="number" id="length" min="0" value="300"></label>
    <label>seed <input type="number" id="seed" min="0" placeholder="random"></label>
  </div>
  <div class="row">
    <button class="action" id="start">Start</button>
    <button class="action" id="stop" disabled>Stop</button>
    <span class="status" id="sample-status"></span>
  </div>
  <pre id="output" data-state="idle" data-pieces="0"></pre>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const text = $("text"), suggestions = $("suggestions"), chart = $("chart"), predictStatus = $("predict-status");
const K = 6, SHOWN = 3;

// How a grapheme is drawn where it would otherwise be invisible.
function visible(g) {
  return g === " " ? "\u2423" : g === "\n" ? "\u21b5" : g === "\t" ? "\u21e5" : g;
}

// The server's JSON error, as one line: "field: message".
async function errorLine(response) {
  try {
    const body = await response.json();
    return (body.error.field ? body.error.field + ": " : "") + body.error.message;
  } catch (e) {
    return "HTTP " + response.status;
  }
}

fetch("/v1/models").then((r) => r.json()).then((body) => {
  $("models").textContent = body.models.map((m) => m.name + " (" + m.file + ", H=" + m.config.hiddenSize + ", " + m.vocabularySize + " ids)").join(" \u00b7 ")
    + " \u00b7 ICU " + body.versions.icuVersion + ", Unicode " + body.versions.unicodeVersion;
}).catch(() => {});

// Typing: one /v1/predict per keystroke; an answer that arrives after a newer keystroke is dropped.
let predicting = null, completions = [];
async function predict() {
  if (predicting) predicting.abort();
  const controller = new AbortController();
  predicting = controller;
  const asked = text.value;
  try {
    const response = await fetch("/v1/predict", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({text: asked, k: K}), signal: controller.signal,
    });
    if (predicting !== controller) return;
    if (!response.ok) {
      predictStatus.textContent = await errorLine(response);
      predictStatus.className = "status error";
      return;
    }
    const answer = await response.json();
    if (predicting !== controller) return;
    predictStatus.textContent = "";
    show(answer, asked);
  } catch (e) {
    if (e.name !== "AbortError") { predictStatus.textContent = String(e); predictStatus.className = "status error"; }
  }
}

function show(answer, asked) {
  completions = answer.completions.slice(0, SHOWN);
  suggestions.replaceChildren(...completions.map((c) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = c.word;
    button.title = (c.probability * 100).toFixed(1) + "%";
    button.addEventListener("click", () => accept(c));
    return button;
  }));
  suggestions.dataset.for = asked;
  const top = answer.next.length ? answer.next[0].probability : 1;
  chart.replaceChildren(...answer.next.flatMap((n) => {
    const g = document.createElement("span"); g.className = "g"; g.textContent = visible(n.grapheme);
    const track = document.createElement("span");
    const bar = document.createElement("div"); bar.className = "bar"; bar.style.width = (100 * n.probability / top).toFixed(1) + "%";
    track.append(bar);
    const p = document.createElement("span"); p.className = "p"; p.textContent = (n.probability * 100).toFixed(1) + "%";
    return [g, track, p];
  }));
}

// Accepting finishes the word at the end of the text and adds a space.
function accept(completion) {
  text.value = text.value + completion.suffix + " ";
  text.focus();
  text.setSelectionRange(text.value.length, text.value.length);
  predict();
}

text.addEventListener("input", predict);
text.addEventListener("keydown", (event) => {
  if (event.key === "Tab" && !event.shiftKey && completions.length && suggestions.dataset.for === text.value) {
    event.preventDefault();
    accept(completions[0]);
  }
});
predict();

// Sampling: Server-Sent Events over fetch, so that Stop can abort the request (and the server stops drawing).
const output = $("output"), sampleStatus = $("sample-status"), start = $("start"), stop = $("stop");
const temperature = $("temperature");
temperature.addEventListener("input", () => { $("temperature-value").textContent = temperature.value; });
let sampling = null;

start.addEventListener("click", async () => {
  const controller = new AbortController();
  sampling = controller;
  const request = {prime: $("prime").value, temperature: Number(temperature.value), length: Number($("length").value), stream: true};
  if ($("seed").value !== "") request.seed = Number($("seed").value);
  output.textContent = "";
  output.dataset.state = "streaming";
  output.dataset.pieces = "0";
  sampleStatus.textContent = "streaming\u2026";
  sampleStatus.className = "status";
  start.disabled = true;
  stop.disabled = false;
  let pieces = 0;
  try {
    const response = await fetch("/v1/sample", {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(request), signal: controller.signal,
    });
    if (!response.ok) throw new Error(await errorLine(response));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message", data = "";
        for (const line of event.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        const body = JSON.parse(data);
        if (name === "done") {
          output.dataset.state = "done";
          sampleStatus.textContent = body.graphemes + " graphemes, seed " + body.seed + (body.finish === "stop" ? ", stopped at the stop text" : "");
        } else {
          output.append(body.text);
          output.dataset.pieces = String(++pieces);
        }
      }
    }
    if (output.dataset.state !== "done") throw new Error("the stream ended early");
  } catch (e) {
    output.dataset.state = e.name === "AbortError" ? "stopped" : "failed";
    sampleStatus.textContent = e.name === "AbortError" ? "stopped" : String(e.message || e);
    sampleStatus.className = e.name === "AbortError" ? "status" : "status error";
  } finally {
    if (sampling === controller) { start.disabled = false; stop.disabled = true; sampling = null; }
  }
});

stop.addEventListener("click", () => { if (sampling) sampling.abort(); });
</script>
</body>
</html>
"""#
}
