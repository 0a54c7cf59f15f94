// dronewatch console: draws the site, live tracks and alerts; acknowledges alerts.
// Uses only the API: GET /api/site, WebSocket /api/stream, POST /api/alerts/{id}/ack (body {by, note}).
// Every string from the server is written with textContent: Remote ID text is sent by strangers.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";
import { api, canAct, ensureLogin, me } from "./auth.js";

const TRAIL_POINTS = 30;          // positions kept per track for its trail
const ALERT_LIMIT = 300;          // rows kept in the alert list
const STALE_S = 60;               // drop a track not updated for this long (picture time)
const CLASS_COLOUR = { drone: "#e5484d", bird: "#46a758", aircraft: "#3e8ed0", unknown: "#9aa4af" };
const SEVERITY_COLOUR = { info: "#4aa3df", warning: "#f0ad4e", critical: "#e5484d" };

const $ = (id) => document.getElementById(id);
const tracks = new Map();         // track_id -> Track (as JSON)
const trails = new Map();         // track_id -> [[lon, lat], ...]
const alerts = new Map();         // alert_id -> Alert
const alertRows = new Map();      // alert_id -> <li>
let map = null;
let drawPending = false;
let pictureAt = null;

// --- the map -----------------------------------------------------------------------------------

function baseStyle(site) {
  const style = {
    version: 8,
    sources: {},
    layers: [{ id: "background", type: "background", paint: { "background-color": "#1b2026" } }],
  };
  if (site.tile_url) {
    style.sources.tiles = { type: "raster", tiles: [site.tile_url], tileSize: 256, attribution: "basemap" };
    style.layers.push({ id: "tiles", type: "raster", source: "tiles", paint: { "raster-opacity": 0.8 } });
  }
  return style;
}

// Track icons drawn once on a canvas per class: chevron (drone), wings (bird), plane (aircraft),
// diamond (unknown). They point north; the layer rotates them by heading.
function classIcon(cls) {
  const size = 32;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const g = canvas.getContext("2d");
  g.fillStyle = CLASS_COLOUR[cls];
  g.strokeStyle = "#0b0d10";
  g.lineWidth = 2;
  g.beginPath();
  if (cls === "drone") {
    g.moveTo(16, 2); g.lineTo(28, 28); g.lineTo(16, 21); g.lineTo(4, 28);
  } else if (cls === "bird") {
    g.moveTo(16, 8); g.lineTo(30, 20); g.lineTo(16, 15); g.lineTo(2, 20);
  } else if (cls === "aircraft") {
    g.moveTo(16, 1); g.lineTo(19, 12); g.lineTo(31, 18); g.lineTo(19, 18); g.lineTo(18, 27);
    g.lineTo(23, 31); g.lineTo(9, 31); g.lineTo(14, 27); g.lineTo(13, 18); g.lineTo(1, 18); g.lineTo(13, 12);
  } else {
    g.moveTo(16, 4); g.lineTo(28, 16); g.lineTo(16, 28); g.lineTo(4, 16);
  }
  g.closePath();
  g.fill();
  g.stroke();
  return g.getImageData(0, 0, size, size);
}

function addSiteLayers(site) {
  const gj = site.geojson;
  map.addSource("zones", { type: "geojson", data: gj.zones });
  map.addSource("rings", { type: "geojson", data: gj.rings });
  map.addSource("sensors", { type: "geojson", data: gj.sensors });
  map.addSource("trails", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addSource("tracks", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const sev = ["match", ["get", "severity"], "critical", SEVERITY_COLOUR.critical,
    "warning", SEVERITY_COLOUR.warning, SEVERITY_COLOUR.info];
  const text = { "text-font": ["sans-serif"], "text-size": 12 };
  const halo = { "text-halo-color": "#0b0d10", "text-halo-width": 1.5 };
  map.addLayer({ id: "zones-fill", type: "fill", source: "zones", paint: { "fill-color": sev, "fill-opacity": 0.18 } });
  map.addLayer({ id: "zones-line", type: "line", source: "zones", paint: { "line-color": sev, "line-width": 2 } });
  map.addLayer({ id: "zones-label", type: "symbol", source: "zones",
    layout: { ...text, "text-field": ["get", "name"] }, paint: { ...halo, "text-color": sev } });
  map.addLayer({ id: "rings", type: "line", source: "rings",
    paint: { "line-color": "#6c7a89", "line-width": 1, "line-dasharray": [4, 4] } });
  map.addLayer({ id: "sensors", type: "circle", source: "sensors",
    paint: { "circle-radius": 5, "circle-color": "#f5f7fa", "circle-stroke-color": "#0b0d10", "circle-stroke-width": 1.5 } });
  map.addLayer({ id: "sensors-label", type: "symbol", source: "sensors",
    layout: { ...text, "text-field": ["get", "id"], "text-offset": [0, 1.2], "text-anchor": "top", "text-size": 11 },
    paint: { ...halo, "text-color": "#c5ccd3" } });
  const byClass = ["match", ["get", "cls"], "drone", CLASS_COLOUR.drone, "bird", CLASS_COLOUR.bird,
    "aircraft", CLASS_COLOUR.aircraft, CLASS_COLOUR.unknown];
  map.addLayer({ id: "trails", type: "line", source: "trails",
    paint: { "line-color": byClass, "line-width": 1.5, "line-opacity": 0.7 } });
  for (const cls of Object.keys(CLASS_COLOUR)) map.addImage(`trk-${cls}`, classIcon(cls));
  map.addLayer({ id: "tracks", type: "symbol", source: "tracks",
    layout: {
      ...text,
      "icon-image": ["concat", "trk-", ["get", "cls"]],
      "icon-rotate": ["get", "heading_deg"],
      "icon-rotation-alignment": "map",
      "icon-allow-overlap": true,
      "icon-ignore-placement": true,
      "icon-size": 0.75,
      "text-field": ["get", "label"],
      "text-offset": [1.2, 0],
      "text-anchor": "left",
      "text-optional": true,
      "text-size": 11,
    },
    paint: { ...halo, "text-color": "#e6e9ed" } });
  map.on("click", "tracks", (e) => showTrack(e.features[0].properties.track_id, e.lngLat));
  map.on("mouseenter", "tracks", () => { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "tracks", () => { map.getCanvas().style.cursor = ""; });
}

function fitSite(site) {
  const [[w, s], [e, n]] = site.geojson.bounds;
  if (e - w < 1e-6 && n - s < 1e-6) {
    map.jumpTo({ center: [site.origin.lon, site.origin.lat], zoom: 14 });
  } else {
    map.fitBounds([[w, s], [e, n]], { padding: { top: 60, bottom: 40, left: 40, right: 380 }, animate: false });
  }
}

function trackLabel(t) {
  const id = t.identity ? ` ${t.identity.callsign || t.identity.value}` : "";
  return `${t.track_id}${id}`;
}

function headingDeg(t) {
  const [ve, vn] = t.vel_enu_mps;
  return (Math.atan2(ve, vn) * 180 / Math.PI + 360) % 360;
}

function draw() {
  drawPending = false;
  const points = [];
  const lines = [];
  for (const t of tracks.values()) {
    if (t.status === "tentative") continue; // not yet confirmed: clutter until proven otherwise
    points.push({ type: "Feature", geometry: { type: "Point", coordinates: [t.lon, t.lat] },
      properties: { track_id: t.track_id, cls: t.cls, label: trackLabel(t), heading_deg: headingDeg(t) } });
    const trail = trails.get(t.track_id);
    if (trail && trail.length > 1) {
      lines.push({ type: "Feature", geometry: { type: "LineString", coordinates: trail },
        properties: { track_id: t.track_id, cls: t.cls } });
    }
  }
  map.getSource("tracks").setData({ type: "FeatureCollection", features: points });
  map.getSource("trails").setData({ type: "FeatureCollection", features: lines });
  setText($("track-count"), String(points.length));
  setText($("picture-at"), pictureAt === null ? "-" : clock(pictureAt));
}

function scheduleDraw() {
  if (map && map.getSource("tracks") && !drawPending) {
    drawPending = true;
    requestAnimationFrame(draw);
  }
}

function showTrack(trackId, lngLat) {
  const t = tracks.get(Number(trackId));
  if (!t) return;
  const dl = document.createElement("dl");
  dl.className = "popup";
  const row = (k, v) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v;
    dl.append(dt, dd);
  };
  const speed = Math.hypot(t.vel_enu_mps[0], t.vel_enu_mps[1]);
  row("track", `${t.track_id} (${t.status})`);
  row("class", `${t.cls} ${(t.cls_confidence * 100).toFixed(0)}%`);
  row("identity", t.identity ? `${t.identity.scheme}:${t.identity.value}` : "none");
  row("altitude", `${t.alt_m.toFixed(0)} m`);
  row("speed", `${speed.toFixed(1)} m/s, heading ${headingDeg(t).toFixed(0)}°`);
  row("sensors", t.sensors.join(", "));
  new maplibregl.Popup({ closeButton: true }).setLngLat(lngLat).setDOMContent(dl).addTo(map);
}

// --- tracks ------------------------------------------------------------------------------------

function putTrack(t) {
  tracks.set(t.track_id, t);
  let trail = trails.get(t.track_id);
  if (!trail) trails.set(t.track_id, (trail = []));
  const last = trail[trail.length - 1];
  if (!last || last[0] !== t.lon || last[1] !== t.lat) trail.push([t.lon, t.lat]);
  if (trail.length > TRAIL_POINTS) trail.splice(0, trail.length - TRAIL_POINTS);
}

// A track that only moved: [track_id, at, lat, lon, alt_m, ve, vn, vu, pos_sigma_m] (api/delta.py).
function moveTrack(m) {
  const t = tracks.get(m[0]);
  if (!t) return;
  putTrack({ ...t, at: m[1], lat: m[2], lon: m[3], alt_m: m[4], vel_enu_mps: [m[5], m[6], m[7]], pos_sigma_m: m[8] });
}

function dropTrack(trackId) {
  tracks.delete(trackId);
  trails.delete(trackId);
}

// --- alerts ------------------------------------------------------------------------------------

function clock(at) {
  return new Date(at * 1000).toISOString().slice(11, 19) + "Z";
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function alertRow(a) {
  let li = alertRows.get(a.alert_id);
  if (!li) {
    li = $("alert-template").content.firstElementChild.cloneNode(true);
    li.dataset.alertId = a.alert_id;
    li.querySelector(".ack").addEventListener("click", () => ack(a.alert_id, li));
    alertRows.set(a.alert_id, li);
  }
  const f = (name) => li.querySelector(`[data-field="${name}"]`);
  li.dataset.severity = a.severity;
  li.dataset.state = a.state;
  setText(f("severity"), a.severity);
  setText(f("rule"), a.rule.replaceAll("_", " "));
  setText(f("zone"), a.zone || "");
  setText(f("time"), clock(a.raised_at));
  f("time").dateTime = new Date(a.raised_at * 1000).toISOString();
  setText(f("why"), a.why);
  setText(f("identity"), a.identity ? a.identity : `track ${a.track_id}`);
  const state = a.state.replaceAll("_", " ");
  let stateText = state;
  if (a.acked_by && a.state === "acknowledged") stateText = `acknowledged by ${a.acked_by}`;
  else if (a.acked_by && a.state === "escalated") stateText = `escalated, acknowledged by ${a.acked_by}`;
  setText(f("state"), stateText);
  // ack: open, or escalated by the system with nobody's acknowledgement yet (assess/lifecycle.py)
  li.querySelector(".ack").hidden = !canAct() || !(a.state === "open" || (a.state === "escalated" && !a.acked_by));
  return li;
}

function renderAlerts() {
  const list = $("alert-list");
  const newest = [...alerts.values()].sort((x, y) => y.raised_at - x.raised_at || (x.alert_id < y.alert_id ? -1 : 1));
  for (const a of newest.slice(ALERT_LIMIT)) {
    alerts.delete(a.alert_id);
    alertRows.get(a.alert_id)?.remove();
    alertRows.delete(a.alert_id);
  }
  let before = list.firstElementChild;
  for (const a of newest.slice(0, ALERT_LIMIT)) {
    const li = alertRow(a);
    if (li !== before) list.insertBefore(li, before);
    before = li.nextElementSibling;
  }
  const open = newest.filter((a) => a.state === "open" || a.state === "escalated").length;
  setText($("alert-open-count"), open ? `${open} open` : "");
}

function putAlerts(list) {
  for (const a of list) alerts.set(a.alert_id, a);
  renderAlerts();
}

async function ack(alertId, li) {
  const button = li.querySelector(".ack");
  const by = $("operator").value.trim() || "operator";
  button.disabled = true;
  try {
    const r = await api(`api/alerts/${encodeURIComponent(alertId)}/ack`, {
      method: "POST", body: JSON.stringify({ by: me.open ? by : me.name }),
    });
    if (!r.ok) throw new Error(`ack ${alertId}: HTTP ${r.status}`);
    putAlerts([await r.json()]);
  } catch (err) {
    console.error(err);
  } finally {
    button.disabled = false;
  }
}

// --- the live feed -----------------------------------------------------------------------------

function onMessage(msg) {
  if (msg.at !== null && msg.at !== undefined) pictureAt = Math.max(pictureAt ?? msg.at, msg.at);
  if (msg.type === "snapshot") {  // after a (re)connect: the server's picture replaces ours
    const alive = new Set(msg.tracks.map((t) => t.track_id));
    for (const id of [...tracks.keys()]) if (!alive.has(id)) dropTrack(id);
    const known = new Set(msg.alerts.map((a) => a.alert_id));
    for (const [id, li] of alertRows) {
      if (!known.has(id)) { li.remove(); alertRows.delete(id); }
    }
    alerts.clear();
    putAlerts(msg.alerts);
  } else {
    for (const id of msg.removed) dropTrack(id);
    putAlerts(msg.alerts);
    for (const m of msg.moves || []) moveTrack(m);
  }
  for (const t of msg.tracks) putTrack(t);
  if (pictureAt !== null) {
    for (const t of [...tracks.values()]) if (t.at < pictureAt - STALE_S) dropTrack(t.track_id);
  }
  scheduleDraw();
}

function setStatus(state) {
  const el = $("status");
  el.dataset.state = state;
  setText(el, state);
}

function connect(delayMs = 500) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/stream`;
  const ws = new WebSocket(url);
  let opened = false;
  ws.onopen = () => { opened = true; setStatus("connected"); };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = () => {
    setStatus("reconnecting");
    const next = opened ? 500 : Math.min(delayMs * 2, 10000);
    setTimeout(() => connect(next), (opened ? 500 : delayMs) * (0.75 + Math.random() * 0.5));
  };
}

async function main() {
  const operator = $("operator");
  operator.value = localStorage.getItem("dw.operator") || "";
  operator.addEventListener("change", () => localStorage.setItem("dw.operator", operator.value.trim()));
  await ensureLogin();
  operator.closest("label").hidden = !me.open;  // logged in, actions carry the user's own name
  const site = await (await api("api/site")).json();
  setText($("site-name"), site.name);
  document.title = `dronewatch - ${site.name}`;
  maplibregl.setWorkerUrl(new URL("vendor/maplibre-gl/maplibre-gl-worker.mjs", location.href).href);
  map = new maplibregl.Map({ container: "map", style: baseStyle(site), attributionControl: { compact: true },
    center: [site.origin.lon, site.origin.lat], zoom: 14 });
  map.addControl(new maplibregl.NavigationControl(), "bottom-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  window.dronewatchMap = map;  // for tests and debugging
  map.on("load", () => {
    addSiteLayers(site);
    fitSite(site);
    scheduleDraw();
  });
  connect();
}

main();
