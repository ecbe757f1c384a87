/**
 * The explorer's HTML shell. The build script fills in the inlined libraries and the bundled
 * page script; everything is in one file, so the page works from file:// with no network.
 * The Content-Security-Policy forbids every fetch (connect-src 'none', no remote sources):
 * scripts are inline, workers come from blob: URLs, and the engines compile their kernels
 * with `new Function` ('unsafe-eval').
 */
export interface PageParts {
  /** Inline <script> bodies, in order (libraries, then the page). Already safe to inline. */
  scripts: { comment: string; code: string }[];
  /** Page title (plain text). */
  title: string;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; worker-src blob:; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'";

const CSS = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 1rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin: 0.3rem 0; }
p.lede { margin: 0.2rem 0 0.8rem; color: #444; max-width: 90ch; }
#layout { display: grid; grid-template-columns: 290px minmax(0, 1fr); gap: 1.2rem; align-items: start; }
#sidebar { min-width: 0; }
#sidebar > label { display: block; font-size: 0.85rem; margin-bottom: 0.4rem; }
#preset { display: block; width: 100%; max-width: 100%; box-sizing: border-box; font: inherit; margin-top: 0.2rem; }
/* Plots keep their drawn width; a narrow window scrolls them inside their column, not the page. */
#plots { min-width: 0; }
.panel > div[id^="plot-"] { display: block; max-width: 100%; overflow-x: auto; }
@media (max-width: 760px) {
  #layout { grid-template-columns: minmax(0, 1fr); }
  #controls label { grid-template-columns: 1fr 45%; }
}
#controls label { display: grid; grid-template-columns: 1fr 120px; gap: 0.4rem; align-items: center; font-size: 0.85rem; margin: 0.25rem 0; }
#controls input, #controls select { width: 100%; box-sizing: border-box; font: inherit; }
#controls label.invalid input { outline: 2px solid #c00; }
#controls label[hidden] { display: none; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.6rem 0; }
button { font: inherit; font-size: 0.85rem; padding: 0.2rem 0.6rem; }
#message { min-height: 1.3em; color: #b00; font-size: 0.9rem; white-space: pre-line; }
#message:empty { display: none; }
.status { font-size: 0.85rem; margin: 0.2rem 0; display: flex; gap: 0.5rem; align-items: center; }
.status progress { width: 140px; }
.hint { font-size: 0.8rem; color: #555; margin: 0.3rem 0; }
.panel { margin-bottom: 1rem; }
.panel h2 { font-size: 1rem; margin: 0.3rem 0; display: flex; gap: 0.6rem; align-items: baseline; }
.panel h2 button { font-size: 0.75rem; }
#slider-row { display: flex; gap: 0.6rem; align-items: center; font-size: 0.85rem; }
#time-slider { flex: 1; }
`;

const BODY = `
<h1>tsdyn explorer</h1>
<p class="lede">Theory (the order-parameter ODEs) and online SGD for a two-layer network (erf, linear or ReLU units) learning from a teacher,
computed here in your browser by the same code as the <code>tsdyn</code> command line. Pick a preset or change a
setting; the link in the address bar reproduces it.</p>
<div id="layout">
<section id="sidebar">
<label>preset <select id="preset"></select></label>
<form id="controls" onsubmit="return false"></form>
<div class="buttons">
<button id="run" type="button">Run again</button>
<button id="stop" type="button">Stop SGD</button>
</div>
<div class="buttons">
<button id="download-ode" type="button">Download JSON (ode)</button>
<button id="download-sim" type="button">Download JSON (sim)</button>
</div>
<div class="status" id="status-ode"><span>ODE</span><progress max="1" value="0"></progress><span class="text">idle</span></div>
<div class="status" id="status-sgd"><span>SGD</span><progress max="1" value="0"></progress><span class="text">idle</span></div>
<p class="hint">SGD trains the student in this tab, one sample per step: tMax·N = <span id="sgd-steps">…</span> steps, about <span id="sgd-time">…</span> here (the theory curve takes under a second). Lower N or tMax for a quicker look.</p>
<div id="message" role="alert"></div>
</section>
<section id="plots">
<div class="panel"><h2>Generalization error <button type="button" data-svg="eg">Download SVG</button></h2><div id="plot-eg"></div></div>
<div class="panel" id="panel-tasks" hidden><h2>Generalization error on each task (several teachers) <button type="button" data-svg="tasks">Download SVG</button></h2><div id="plot-tasks"></div></div>
<div class="panel"><h2>Alignment of simulation and theory <button type="button" data-svg="align">Download SVG</button></h2><div id="plot-align"></div></div>
<div class="panel"><h2>Overlaps R and Q <button type="button" data-svg="heat">Download SVG</button></h2>
<div id="slider-row"><label for="time-slider">time</label><input id="time-slider" type="range" min="0" max="0" value="0"><span id="time-label">t = 0</span></div>
<div id="plot-heat"></div></div>
</section>
</div>
<noscript>This page computes everything with JavaScript; please enable it.</noscript>
`;

export function pageHtml(parts: PageParts): string {
  const out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">'];
  out.push(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${parts.title}</title>`, `<style>${CSS}</style>`, '</head>', '<body>', BODY.trim());
  for (const s of parts.scripts) out.push(`<script>/* ${s.comment} */\n${s.code}\n</script>`);
  out.push('</body>', '</html>', '');
  return out.join('\n');
}
