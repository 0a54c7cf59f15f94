// Sensor health: a pill in the top bar (the worst health and how many sensors and feeds are in
// each state) that opens a list of every sensor and feed with its health and the age of its last
// message, and the map's sensor points, which also show the sensors only the feeds know (SAPIENT
// edge nodes, radars placed by CAT034). Polls GET api/sensors (api/routers/sensors.py).
// Every string from the server is written with textContent.
import { api } from "./auth.js";

const POLL_MS = 2000;
const ORDER = ["down", "stale", "degraded", "ok"];  // worst first
const COLOUR = { ok: "#46a758", degraded: "#f0ad4e", down: "#e5484d", stale: "#8a939c" };

function age(s) {
  if (s === null || s === undefined) return "never heard";
  if (s < 90) return `${Math.max(0, Math.round(s))} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function short(id) { return id.length > 24 ? `${id.slice(0, 16)}…` : id; }

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

export class SensorPanel {
  constructor() {
    this.map = null;
    this.doc = null;
    this.drawn = "";
    this.pill = el("button", { type: "button", id: "sensor-health", class: "pill", "data-testid": "sensor-health",
      "data-state": "none", hidden: "" });
    this.panel = el("section", { id: "sensor-panel", "data-testid": "sensor-panel", hidden: "" });
    this.list = el("ul", { id: "sensor-list" });
    this.panel.append(el("h2", {}, "Sensors and feeds"), this.list);
    this.pill.addEventListener("click", () => { this.panel.hidden = !this.panel.hidden; });
    document.getElementById("bar").append(this.pill);
    document.body.append(this.panel);
    window.dronewatchSensors = this;  // for tests and debugging
    this.poll();
  }

  attach(map) {  // once the map's site layers exist: our own source and layers, under the tracks
    this.map = map;
    map.addSource("sensor-status", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    const below = map.getLayer("ellipses") ? "ellipses" : undefined;
    map.addLayer({ id: "sensor-status", type: "circle", source: "sensor-status", paint: {
      "circle-radius": 5, "circle-stroke-color": "#0b0d10", "circle-stroke-width": 1.5,
      "circle-color": ["match", ["get", "health"], "ok", COLOUR.ok, "degraded", COLOUR.degraded, "down", COLOUR.down,
        "stale", COLOUR.stale, "#f5f7fa"] } }, below);
    map.addLayer({ id: "sensor-status-label", type: "symbol", source: "sensor-status",
      filter: ["!=", ["get", "source"], "site"],  // the site's own sensors are labelled already
      layout: { "text-font": ["sans-serif"], "text-size": 11, "text-offset": [0, 1.2], "text-anchor": "top",
        "text-field": ["concat", ["get", "label"], " (", ["get", "kind"], ")"] },
      paint: { "text-color": "#c5ccd3", "text-halo-color": "#0b0d10", "text-halo-width": 1.5 } }, below);
    this.drawMap();
  }

  async poll() {
    try {
      const r = await api("api/sensors");
      if (r.status === 404) return;  // a server without sensor status (the hub): stop asking
      if (r.ok) { this.doc = await r.json(); this.render(); this.drawMap(); }
    } catch { /* the server is away: the status pill says so; try again */ }
    setTimeout(() => this.poll(), POLL_MS);
  }

  drawMap() {  // the sensors something reports on, coloured by health; redrawn only when that changes
    if (!this.map || !this.doc) return;
    const features = this.doc.geojson.features
      .filter((f) => f.properties.health !== null || f.properties.source !== "site")
      .map((f) => ({ ...f, properties: { ...f.properties, label: short(f.properties.id) } }));
    const key = JSON.stringify(features);
    if (key === this.drawn) return;
    this.drawn = key;
    this.map.getSource("sensor-status").setData({ type: "FeatureCollection", features });
  }

  rows() {
    const out = [];
    for (const s of this.doc.sensors) {
      if (s.health === null) continue;  // nothing reports on it (e.g. a simulated sensor)
      const what = s.state ? `${s.state}${s.last_message ? `, ${s.last_message}` : ""}` : "";
      out.push({ name: s.name ? `${s.name} (${short(s.id)})` : short(s.id), id: s.id, kind: s.category || s.kind,
        health: s.health, what, age: s.age_s, placed: s.lat !== null && s.lat !== undefined });
    }
    for (const f of this.doc.feeds) {
      out.push({ name: f.name, id: f.name, kind: "feed", health: f.health, what: f.last_error || (f.connected ? "connected" : "not connected"),
        age: f.age_s, placed: true });
    }
    out.sort((a, b) => ORDER.indexOf(a.health) - ORDER.indexOf(b.health) || a.name.localeCompare(b.name));
    return out;
  }

  render() {
    const rows = this.rows();
    this.pill.hidden = rows.length === 0;
    const counts = {};
    for (const r of rows) counts[r.health] = (counts[r.health] || 0) + 1;
    const worst = ORDER.find((h) => counts[h]) || "none";
    this.pill.dataset.state = worst;
    const text = `sensors ${ORDER.filter((h) => counts[h]).map((h) => `${counts[h]} ${h}`).join(", ")}`;
    if (this.pill.textContent !== text) this.pill.textContent = text;
    this.list.replaceChildren(...rows.map((r) => {
      const li = el("li", { "data-testid": "sensor-row", "data-health": r.health, "data-id": r.id, title: r.id });
      li.append(el("span", { class: "dot" }), el("b", {}, r.name), el("span", { class: "kind" }, r.kind),
        el("span", { class: "health" }, r.health), el("span", { class: "what" }, r.what),
        el("span", { class: "age" }, age(r.age)));
      if (!r.placed) li.title = `${r.id}: position unknown, not on the map`;
      return li;
    }));
  }
}
