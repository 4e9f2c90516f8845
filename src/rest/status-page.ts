// The status page a browser gets at `GET /` (API clients get Connect's JSON there). One self-contained document:
// no build step, no CDN, nothing fetched but this process's own `/connectors?expand=status`, so it works offline
// and behind any proxy that passes the REST API. It polls every two seconds and works out records per second
// from the difference between two polls.

/** Whether a request's Accept header asks for a page rather than JSON (browsers put text/html first). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dynamodb-kafka</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }
  h1 { font-size: 1.2rem; margin: 0 0 .25rem; }
  #updated { color: #57606a; font-size: .85rem; margin-bottom: 1rem; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
  th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  td.number { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { width: 10rem; height: .8rem; background: #eaeef2; border-radius: .4rem; overflow: hidden; display: inline-block; vertical-align: middle; }
  .bar > span { display: block; height: 100%; background: #2da44e; }
  .FAILED, .error { color: #cf222e; }
  .error { white-space: pre-wrap; font-size: .85rem; }
</style>
</head>
<body>
<h1>dynamodb-kafka</h1>
<div id="updated">loading…</div>
<table id="tables">
  <thead><tr><th>connector</th><th>table</th><th>task</th><th>phase</th><th>snapshot</th><th>records/s</th><th>ms behind source</th><th>last error</th></tr></thead>
  <tbody></tbody>
</table>
<table id="sinks">
  <thead><tr><th>sink connector</th><th>task</th><th>state</th><th>records written</th><th>records/s</th><th>dead letters</th><th>last error</th></tr></thead>
  <tbody></tbody>
</table>
<script>
"use strict";
const previous = new Map();
let previousAt = 0;

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === undefined || text === null ? "" : String(text);
  if (className) td.className = className;
  return td;
}

function rate(key, count, now) {
  const before = previous.get(key);
  previous.set(key, count);
  if (before === undefined || previousAt === 0 || now <= previousAt) return "";
  return Math.max(0, Math.round((count - before) / ((now - previousAt) / 1000)));
}

function progress(row, snapshot) {
  const td = row.insertCell();
  if (!snapshot) return;
  const goal = Math.max(snapshot.estimatedItems, snapshot.itemsRead, 1);
  const share = Math.min(100, Math.round((snapshot.itemsRead / goal) * 100));
  const bar = document.createElement("span");
  bar.className = "bar";
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuenow", String(share));
  const fill = document.createElement("span");
  fill.style.width = share + "%";
  bar.appendChild(fill);
  td.appendChild(bar);
  td.appendChild(document.createTextNode(" " + snapshot.itemsRead + " / ~" + snapshot.estimatedItems + " items, " +
    snapshot.segmentsCompleted + "/" + snapshot.totalSegments + (snapshot.export ? " exported files" : " segments")));
}

function render(statuses, now) {
  const tables = document.querySelector("#tables tbody");
  const sinks = document.querySelector("#sinks tbody");
  tables.replaceChildren();
  sinks.replaceChildren();
  for (const { status } of Object.values(statuses)) {
    for (const task of status.tasks) {
      if (status.type === "sink") {
        const row = sinks.insertRow();
        cell(row, status.name);
        cell(row, task.id);
        cell(row, task.state, task.state);
        cell(row, task.recordsWritten, "number");
        cell(row, rate("sink/" + status.name + "/" + task.id, task.recordsWritten || 0, now), "number");
        cell(row, task.recordsDeadLettered, "number");
        cell(row, task.trace || task.waitingFor, task.trace ? "error" : "");
        continue;
      }
      for (const table of task.tables || []) {
        const row = tables.insertRow();
        row.dataset.table = table.table;
        cell(row, status.name);
        cell(row, table.table);
        cell(row, task.id);
        cell(row, table.phase, table.phase);
        progress(row, table.snapshot);
        const written = (table.snapshot ? table.snapshot.itemsRead : 0) + (table.stream ? table.stream.recordsWritten : 0);
        cell(row, rate("source/" + status.name + "/" + table.table, written, now), "number");
        cell(row, table.stream ? table.stream.msBehindSource : "", "number");
        cell(row, table.error, "error");
      }
    }
  }
  previousAt = now;
}

async function refresh() {
  try {
    const answer = await fetch("connectors?expand=status", { headers: { accept: "application/json" } });
    if (!answer.ok) throw new Error("HTTP " + answer.status);
    const now = Date.now();
    render(await answer.json(), now);
    document.getElementById("updated").textContent = "updated " + new Date(now).toLocaleTimeString();
  } catch (error) {
    document.getElementById("updated").textContent = "cannot reach the worker: " + error.message;
  }
}

refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
