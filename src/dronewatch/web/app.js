// dronewatch console: the map (basemap, zones, sensors, tracks on one WebGL layer, overlays),
// the alert desk, track detail, replay, login. Uses only the API: GET api/site, WebSocket
// api/stream (a snapshot, then changes), api/alerts/{id}/{action}, api/tracks/{id}, api/replay.
// Every string from the server is written with textContent: Remote ID text is sent by strangers.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";
import { api, ensureLogin, me } from "./auth.js";
import { AlertDesk, clock } from "./alerts.js";
import { TrackDetail, headingOf, speedOf } from "./detail.js";
import { Replay } from "./replay.js";
import { LineLayer, rgba } from "./linelayer.js";
import { SensorPanel } from "./sensors.js";
import { TrackLayer } from "./tracklayer.js";

const TRAIL_POINTS = 30;          // positions kept per track for its trail
const STALE_S = 60;               // drop a track not updated for this long (picture time)
const OVERLAY_MAX = 300;          // trails, ellipses, predictions drawn for at most this many
const LABEL_MAX = 100;            // labels offered for at most this many (the first by rank)
const OVERLAY_EVERY_MS = 1000;    // overlays (symbol/line layers) are rebuilt at most this often
const PREDICT_S = 30;             // predicted path length
const SEVERITY_COLOUR = { info: "#4aa3df", warning: "#f0ad4e", critical: "#e5484d" };
// affiliation: hostile (an active alert on it), suspect (a drone), friendly (allow-listed),
// neutral (bird, aircraft), unknown
const AFFILIATION_COLOUR = { hostile: "#e5484d", suspect: "#f0883e", friendly: "#46a7f5", neutral: "#46a758",
  unknown: "#e3c14c" };
const EMPTY = { type: "FeatureCollection", features: [] };

const $ = (id) => document.getElementById(id);
const live = { tracks: new Map(), trails: new Map() };   // the live picture
let view = live;                                         // what is drawn: live, or a replay picture
let map = null;
let layer = null;
let lines = null;      // trails, predicted paths, pilot/home lines, the measure line
let site = null;
let drawPending = false;
let lastOverlay = 0;
let pictureAt = null;              // the time of the picture drawn (live, or the replay's)
let liveAt = null;                 // the newest live picture's time
let selected = null;
const filters = { bird: false, aircraft: false, allowed: false };
const measure = { on: false, points: [], labels: [] };

const desk = new AlertDesk({ onSelect: (trackId, alert) => select(trackId, alert) });
const detail = new TrackDetail({ onClose: () => { selected = null; scheduleDraw(true); },
  onAlert: (a) => select(a.track_id, a) });
const replay = new Replay({
  onPicture: (pic, t) => {
    view = { tracks: pic.tracks, trails: pic.trails };
    desk.clear();
    desk.put(pic.alerts, { quiet: true });
    pictureAt = t;
    scheduleDraw(true);
    if (selected !== null) refreshDetail();
  },
  onEnter: () => {
    desk.readOnly = true;
    view = { tracks: new Map(), trails: new Map() };
    desk.clear();
    scheduleDraw(true);
  },
  onLeave: () => {
    desk.readOnly = false;
    view = live;
    pictureAt = liveAt;  // not the replay's time
    desk.clear();
    reconnect();
  },
});

function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

// --- the map -----------------------------------------------------------------------------------

function tileTemplate(path) {
  return `${location.origin}${location.pathname.replace(/[^/]*$/, "")}${path}`;
}

async function baseStyle(s) {
  // No background layer: the dark ground is the map element's CSS background, seen through the
  // transparent canvas, so no frame spends a full-window pass painting it.
  const style = { version: 8, sources: {}, layers: [] };
  const b = s.basemap;
  const attribution = (b && b.attribution) || "";
  if (b && b.style) {  // vector tiles with a MapLibre style (a URL, or the site's local file)
    const r = await api(b.style.startsWith("http") ? b.style : "api/basemap/style.json");
    if (r.ok) {
      const vs = await r.json();
      for (const src of Object.values(vs.sources || {})) {
        if (b.file && src.type === "vector" && !src.tiles) { delete src.url; src.tiles = [tileTemplate("api/basemap/{z}/{x}/{y}")]; }
      }
      vs.glyphs = vs.glyphs || undefined;
      return vs;
    }
  }
  let raster = null;
  if (b && b.file) raster = { tiles: [tileTemplate("api/basemap/{z}/{x}/{y}")], maxzoom: b.max_zoom };
  else if (b && b.url && b.url.startsWith("pmtiles://") && window.pmtiles) raster = { url: b.url };
  else if (b && b.url) raster = { tiles: [b.url], maxzoom: b.max_zoom };
  else if (s.tile_url) raster = { tiles: [s.tile_url] };
  if (raster) {
    style.sources.basemap = { type: "raster", tileSize: (b && b.tile_size) || 256, attribution, ...raster };
    style.layers.push({ id: "basemap", type: "raster", source: "basemap", paint: { "raster-opacity": 0.85 } });
  }
  return style;
}

// MapLibre (vendored 6.17) draws a full-window "sky" pass first in every frame, even when the
// style has no sky. The console keeps the camera straight down (maxPitch 0), so the horizon is
// never in view and that pass draws nothing, yet with a software GL (SwiftShader, a VM without a
// GPU) it cost most of each frame. Skip it while the pitch is 0.
function skipSky(m) {
  const painter = m.painter;
  const draw = painter?.drawFunctions?.sky;
  if (typeof draw !== "function" || draw.skipped) return;
  const sky = (...args) => { if (m.getPitch() > 0) draw(...args); };
  sky.skipped = true;
  painter.drawFunctions = { ...painter.drawFunctions, sky };
}

function grid(s) {  // the plain background's grid: lines every 0.005° (about 500 m) near the site
  const out = [];
  const { lat, lon } = s.origin;
  const step = 0.005;
  const lat0 = Math.floor(lat / step) * step, lon0 = Math.floor(lon / step) * step;
  for (let k = -20; k <= 20; k++) {
    out.push([[lon0 - 20 * step, lat0 + k * step], [lon0 + 20 * step, lat0 + k * step]]);
    out.push([[lon0 + k * step, lat0 - 20 * step], [lon0 + k * step, lat0 + 20 * step]]);
  }
  return out;
}

function counterClockwise(ring) {  // exterior rings counter-clockwise (RFC 7946), so a positive line-offset insets
  let a = 0;
  for (let i = 1; i < ring.length; i++) a += (ring[i - 1][0] * ring[i][1]) - (ring[i][0] * ring[i - 1][1]);
  return a >= 0 ? ring : [...ring].reverse();
}

// Cost per frame matters (a software GL draws every pixel on the CPU). MapLibre redraws a
// stencil mask over the whole window for each line/fill layer whose source differs from the
// previous one, and draws every layer once per tile. So: the thin lines (grid, range rings,
// trails, predicted paths, pilot/home, measure) are two WebGL layers of our own, one draw call
// each (linelayer.js); zones are one source ("site": zones, their labels, sensors) and the
// per-track points another ("overlay": ellipses, labels); no layer fills the whole window: a
// zone is an outline with a band of its colour inside the edge, coverage is its range ring.
function addSiteLayers() {
  const gj = site.geojson;
  const zones = gj.zones.features.map((f) => ({ ...f, properties: { ...f.properties, kind: "zone" },
    geometry: { ...f.geometry, coordinates: [counterClockwise(f.geometry.coordinates[0]), ...f.geometry.coordinates.slice(1)] } }));
  const sensors = gj.sensors.features.map((f) => ({ ...f, properties: { ...f.properties, sensor_kind: f.properties.kind, kind: "sensor" } }));
  // one label per zone, just inside its northernmost point (a polygon label would repeat in every tile)
  const zoneLabels = zones.map((f) => ({ type: "Feature", properties: { ...f.properties, kind: "zone-label" },
    geometry: { type: "Point", coordinates: f.geometry.coordinates[0].reduce((a, b) => (b[1] > a[1] ? b : a)) } }));
  const plain = !Object.keys(map.getStyle().sources).length;  // no basemap: draw the grid
  const fixed = new LineLayer("site-lines", [site.origin.lon, site.origin.lat]);
  map.addLayer(fixed);
  fixed.set([...(plain ? grid(site).map((coordinates) => ({ coordinates, colour: rgba("#28303a") })) : []),
    ...gj.rings.features.map((f) => ({ coordinates: f.geometry.coordinates, colour: rgba("#6c7a89"), dashed: true }))]);
  map.addSource("site", { type: "geojson", data: { type: "FeatureCollection",
    features: [...zones, ...zoneLabels, ...sensors] } });
  map.addSource("overlay", { type: "geojson", data: EMPTY });
  const kind = (k) => ["==", ["get", "kind"], k];
  const sev = ["match", ["get", "severity"], "critical", SEVERITY_COLOUR.critical,
    "warning", SEVERITY_COLOUR.warning, SEVERITY_COLOUR.info];
  const text = { "text-font": ["sans-serif"], "text-size": 12 };
  const halo = { "text-halo-color": "#0b0d10", "text-halo-width": 1.5 };
  const metres = ["to-string", ["round", ["coalesce", ["get", "floor_m"], 0]]];
  const ceiling = ["case", ["has", "ceiling_m"], ["case", ["==", ["get", "ceiling_m"], null], "∞",
    ["to-string", ["round", ["get", "ceiling_m"]]]], "∞"];
  map.addLayer({ id: "zones-band", type: "line", source: "site", filter: kind("zone"),
    paint: { "line-color": sev, "line-width": 10, "line-offset": 5, "line-opacity": 0.22 } });
  map.addLayer({ id: "zones-line", type: "line", source: "site", filter: kind("zone"),
    paint: { "line-color": sev, "line-width": 2 } });
  map.addLayer({ id: "zones-label", type: "symbol", source: "site", filter: kind("zone-label"),
    layout: { ...text, "text-anchor": "top", "text-offset": [0, 0.8], "text-allow-overlap": true, "text-field": ["concat", ["get", "name"], "\n", metres, "–", ceiling, " m"] },
    paint: { ...halo, "text-color": sev } });
  map.addLayer({ id: "sensors", type: "circle", source: "site", filter: kind("sensor"),
    paint: { "circle-radius": 5, "circle-color": "#f5f7fa", "circle-stroke-color": "#0b0d10", "circle-stroke-width": 1.5 } });
  map.addLayer({ id: "sensors-label", type: "symbol", source: "site", filter: kind("sensor"),
    layout: { ...text, "text-field": ["concat", ["get", "id"], " (", ["get", "sensor_kind"], ")"], "text-offset": [0, 1.2],
      "text-anchor": "top", "text-size": 11 }, paint: { ...halo, "text-color": "#c5ccd3" } });
  // uncertainty: a circle of 2 sigma, metres -> pixels at this latitude and zoom
  const mPerPx0 = 156543.03 * Math.cos(site.origin.lat * Math.PI / 180);
  map.addLayer({ id: "ellipses", type: "circle", source: "overlay", filter: kind("track"), paint: {
    "circle-radius": ["interpolate", ["exponential", 2], ["zoom"], 0, ["/", ["*", 2, ["get", "sigma"]], mPerPx0],
      22, ["/", ["*", 2, ["get", "sigma"]], mPerPx0 / 2 ** 22]],
    "circle-color": ["get", "colour"], "circle-opacity": 0.12, "circle-stroke-color": ["get", "colour"],
    "circle-stroke-width": 1, "circle-stroke-opacity": 0.5 } });
  lines = new LineLayer("lines", [site.origin.lon, site.origin.lat]);
  map.addLayer(lines);
  map.addLayer({ id: "tracks-halo", type: "circle", source: "overlay", filter: ["all", kind("track"), ["==", ["get", "selected"], true]],
    paint: { "circle-radius": 16, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
  layer = new TrackLayer([site.origin.lon, site.origin.lat]);
  map.addLayer(layer);
  map.addLayer({ id: "labels", type: "symbol", source: "overlay", filter: kind("track"), layout: {
    ...text, "text-field": ["get", "label"], "text-offset": [1.3, 0], "text-anchor": "left", "text-justify": "left",
    "text-size": 11, "text-optional": true, "text-allow-overlap": false },
    paint: { "text-color": "#eef0f3" } });  // no halo: a second text pass over every label doubled their cost
  map.addLayer({ id: "measure-label", type: "symbol", source: "overlay", filter: kind("measure-point"),
    layout: { ...text, "text-field": ["get", "label"], "text-offset": [0, -1.2] }, paint: { ...halo, "text-color": "#ffffff" } });
  map.on("click", onMapClick);
}

function fitSite() {
  const [[w, s], [e, n]] = site.geojson.bounds;
  if (e - w < 1e-6 && n - s < 1e-6) map.jumpTo({ center: [site.origin.lon, site.origin.lat], zoom: 14 });
  else map.fitBounds([[w, s], [e, n]], { padding: { top: 60, bottom: 60, left: 60, right: 400 }, animate: false });
}

// --- what a track looks like -------------------------------------------------------------------

function isAllowed(t) { return !!t.allowed; }  // decided by the server's assessment (serial, ICAO, same airframe on another link)

function activeAlertTracks() {
  const s = new Set();
  for (const a of desk.alerts.values()) {
    if (a.state === "open" || a.state === "escalated" || a.state === "acknowledged") {
      s.add(a.track_id);
      for (const id of a.track_ids || []) s.add(id);
    }
  }
  return s;
}

function affiliation(t, hostile) {
  if (isAllowed(t)) return "friendly";
  if (hostile.has(t.track_id)) return "hostile";
  if (t.cls === "drone") return "suspect";
  if (t.cls === "bird" || t.cls === "aircraft") return "neutral";
  return "unknown";
}

function visible(t) {
  if (t.status === "tentative") return false;  // not yet confirmed: clutter until proven otherwise
  if (filters.bird && t.cls === "bird") return false;
  if (filters.aircraft && t.cls === "aircraft") return false;
  if (filters.allowed && isAllowed(t)) return false;
  return true;
}

function label(t) {
  const who = t.identity ? ` ${t.identity.callsign || t.identity.value}` : "";
  return `${t.track_id}${who}\n${t.alt_m.toFixed(0)} m ${speedOf(t).toFixed(0)} m/s`;
}

function offset(t, seconds) {  // position after `seconds` at its velocity (flat earth, short range)
  const R = 6371000;
  const dn = t.vel_enu_mps[1] * seconds, de = t.vel_enu_mps[0] * seconds;
  return [t.lon + de / (R * Math.cos(t.lat * Math.PI / 180)) * 180 / Math.PI, t.lat + dn / R * 180 / Math.PI];
}

function draw() {
  drawPending = false;
  const hostile = activeAlertTracks();
  // symbols shrink when crowded (16 px up to 800 tracks, 10 px from about 2,000): fewer pixels
  // to draw, and less overlap where they would cover each other anyway
  const size = Math.max(10, Math.min(16, Math.round(16 * Math.sqrt(800 / Math.max(view.tracks.size, 1)))));
  const shown = [];
  for (const t of view.tracks.values()) {
    if (!visible(t)) continue;
    const aff = affiliation(t, hostile);
    shown.push({ t, aff, lon: t.lon, lat: t.lat, heading_deg: headingOf(t), cls: t.cls,
      colour: AFFILIATION_COLOUR[aff], size: t.track_id === selected ? 22 : size });
  }
  layer.set(shown);
  setText($("track-count"), String(shown.length));
  setText($("picture-at"), pictureAt === null ? "-" : clock(pictureAt));
  const now = performance.now();
  if (forceOverlay || now - lastOverlay >= OVERLAY_EVERY_MS) {
    forceOverlay = false;
    lastOverlay = now;
    drawOverlays(shown);
  }
}

function rank(s) {  // which tracks get labels, trails and ellipses first
  if (s.t.track_id === selected) return 0;
  if (s.aff === "hostile") return 1;
  if (s.aff === "suspect" || s.t.identity) return 2;
  return 3;
}

function drawOverlays(shown) {
  const bounds = map.getBounds();
  const inView = shown.filter((s) => bounds.contains([s.lon, s.lat]));
  inView.sort((a, b) => rank(a) - rank(b));
  const top = inView.slice(0, OVERLAY_MAX);
  const points = [], paths = [];
  for (const s of top) {
    const t = s.t;
    const p = [t.lon, t.lat];
    points.push({ type: "Feature", geometry: { type: "Point", coordinates: p }, properties: { kind: "track",
      track_id: t.track_id, label: points.length < LABEL_MAX ? label(t) : "", selected: t.track_id === selected,
      sigma: t.pos_sigma_m, colour: s.colour } });
    const trail = view.trails.get(t.track_id);
    if (trail && trail.length > 1) paths.push({ coordinates: trail, colour: rgba(s.colour, 0.7) });
    if (t.cls === "drone" || t.track_id === selected) paths.push({ coordinates: [p, offset(t, PREDICT_S)], colour: rgba(s.colour), dashed: true });
    if (t.operator) paths.push({ coordinates: [p, [t.operator.lon, t.operator.lat]], colour: rgba("#ff6bcb"), dashed: true });
    if (t.home) paths.push({ coordinates: [p, [t.home.lon, t.home.lat]], colour: rgba("#b78cff"), dashed: true });
  }
  if (measure.points.length === 2) paths.push({ coordinates: measure.points, colour: rgba("#ffffff") });
  points.push(...measure.labels);
  lines.set(paths);
  map.getSource("overlay").setData({ type: "FeatureCollection", features: points });
}

let forceOverlay = false;
function scheduleDraw(overlays = false) {
  forceOverlay ||= overlays;
  if (layer && !drawPending) {
    drawPending = true;
    requestAnimationFrame(draw);
  }
}

// --- selecting, searching, measuring -----------------------------------------------------------

function nearestTrack(point) {
  let best = null, bestD = 14;
  for (const t of view.tracks.values()) {
    if (!visible(t)) continue;
    const q = map.project([t.lon, t.lat]);
    const d = Math.hypot(q.x - point.x, q.y - point.y);
    if (d < bestD) { best = t; bestD = d; }
  }
  return best;
}

function onMapClick(e) {
  if (measure.on) { addMeasurePoint([e.lngLat.lng, e.lngLat.lat]); return; }
  const t = nearestTrack(e.point);
  if (t) select(t.track_id);
}

async function refreshDetail() {
  const t = view.tracks.get(selected);
  if (!t) return;
  let history = [];
  if (view === live) {
    const r = await api(`api/tracks/${t.track_id}?history_limit=300`);
    if (r.ok) history = (await r.json()).history;
  } else {
    history = replay.history(t.track_id, pictureAt);
  }
  if (selected === t.track_id) detail.show(view.tracks.get(selected) || t, history, desk.forTrack(t.track_id));
}

function select(trackId, alert) {
  const t = view.tracks.get(trackId);
  const at = t ? [t.lon, t.lat] : alert ? [alert.position.lon, alert.position.lat] : null;
  if (at) map.easeTo({ center: at, duration: 400 });
  selected = t ? trackId : null;
  if (t) refreshDetail(); else detail.close();
  scheduleDraw(true);
}

function search(q) {
  q = q.trim().toUpperCase();
  const out = $("search-result");
  if (!q) { setText(out, ""); return; }
  let hit = null;
  for (const t of view.tracks.values()) {
    const id = t.identity;
    const names = [String(t.track_id), id?.value, id?.callsign].filter(Boolean).map((s) => s.toUpperCase());
    if (names.includes(q)) { hit = t; break; }
    if (!hit && names.some((n) => n.includes(q))) hit = t;
  }
  if (hit) { setText(out, `track ${hit.track_id}`); select(hit.track_id); } else setText(out, "not found");
}

function distanceBearing(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const [l1, p1] = [a[0] * rad, a[1] * rad], [l2, p2] = [b[0] * rad, b[1] * rad];
  const h = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin((l2 - l1) / 2) ** 2;
  const d = 2 * R * Math.asin(Math.sqrt(h));
  const y = Math.sin(l2 - l1) * Math.cos(p2);
  const x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(l2 - l1);
  return [d, (Math.atan2(y, x) / rad + 360) % 360];
}

function addMeasurePoint(p) {
  if (measure.points.length >= 2) measure.points = [];
  measure.points.push(p);
  const f = measure.points.map((q) => ({ type: "Feature", geometry: { type: "Point", coordinates: q }, properties: { kind: "measure-point", label: "" } }));
  if (measure.points.length === 2) {
    const [d, brg] = distanceBearing(measure.points[0], measure.points[1]);
    const text = `${d >= 1000 ? (d / 1000).toFixed(2) + " km" : d.toFixed(0) + " m"}, ${brg.toFixed(0)}°`;
    f[1].properties.label = text;
    setText($("measure-result"), text);
  }
  measure.labels = f;
  scheduleDraw(true);
}

// --- the live feed -----------------------------------------------------------------------------

function putTrack(t, store = live) {
  store.tracks.set(t.track_id, t);
  let trail = store.trails.get(t.track_id);
  if (!trail) store.trails.set(t.track_id, (trail = []));
  const last = trail[trail.length - 1];
  if (!last || last[0] !== t.lon || last[1] !== t.lat) trail.push([t.lon, t.lat]);
  if (trail.length > TRAIL_POINTS) trail.splice(0, trail.length - TRAIL_POINTS);
}

// A track that only moved: [track_id, at, lat, lon, alt_m, ve, vn, vu, pos_sigma_m] (api/delta.py).
function moveTrack(m) {
  const t = live.tracks.get(m[0]);
  if (!t) return;
  t.at = m[1]; t.lat = m[2]; t.lon = m[3]; t.alt_m = m[4]; t.vel_enu_mps = [m[5], m[6], m[7]]; t.pos_sigma_m = m[8];
  putTrack(t);
}

function dropTrack(trackId) {
  live.tracks.delete(trackId);
  live.trails.delete(trackId);
}

function onMessage(msg) {
  const replaying = view !== live;
  if (msg.at !== null && msg.at !== undefined) liveAt = Math.max(liveAt ?? msg.at, msg.at);
  if (!replaying) pictureAt = liveAt;
  if (msg.type === "snapshot") {  // after a (re)connect: the server's picture replaces ours
    const alive = new Set(msg.tracks.map((t) => t.track_id));
    for (const id of [...live.tracks.keys()]) if (!alive.has(id)) dropTrack(id);
    if (!replaying) { desk.clear(); desk.put(msg.alerts, { quiet: !desk.primed }); }
  } else {
    for (const id of msg.removed) dropTrack(id);
    if (!replaying) desk.put(msg.alerts);
    for (const m of msg.moves || []) moveTrack(m);
  }
  for (const t of msg.tracks) putTrack(t);
  const newest = msg.at ?? 0;
  for (const t of [...live.tracks.values()]) if (t.at < newest - STALE_S) dropTrack(t.track_id);
  if (!replaying) {
    scheduleDraw(msg.alerts.length > 0);
    if (selected !== null && !live.tracks.has(selected)) { /* keep the panel: it shows the last state */ }
  }
}

function setStatus(state) {
  const el = $("status");
  el.dataset.state = state;
  setText(el, state);
}

let socket = null;
function connect(delayMs = 500) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${location.pathname.replace(/[^/]*$/, "")}api/stream`;
  const ws = new WebSocket(url);
  socket = ws;
  let opened = false;
  ws.onopen = () => { opened = true; setStatus("connected"); };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = () => {
    if (socket !== ws) return;
    setStatus("reconnecting");
    const next = opened ? 500 : Math.min(delayMs * 2, 10000);
    setTimeout(() => connect(next), (opened ? 500 : delayMs) * (0.75 + Math.random() * 0.5));
  };
}

function reconnect() {  // back from replay: a fresh snapshot
  const old = socket;
  socket = null;
  if (old) old.close();
  connect();
}

// --- start -------------------------------------------------------------------------------------

async function main() {
  document.body.dataset.mode = "live";
  const operator = $("operator");
  operator.value = localStorage.getItem("dw.operator") || "";
  operator.addEventListener("change", () => localStorage.setItem("dw.operator", operator.value.trim()));
  await ensureLogin();
  operator.closest("label").hidden = !me.open;  // logged in, actions carry the user's own name
  site = await (await api("api/site")).json();
  setText($("site-name"), site.name);
  document.title = `dronewatch - ${site.name}`;
  if (window.pmtiles) maplibregl.addProtocol("pmtiles", new window.pmtiles.Protocol().tile);
  maplibregl.setWorkerUrl(new URL("vendor/maplibre-gl/maplibre-gl-worker.mjs", location.href).href);
  map = new maplibregl.Map({ container: "map", style: await baseStyle(site), attributionControl: { compact: true },
    fadeDuration: 0,  // labels appear and hide at once: no fade animation keeping the map redrawing
    center: [site.origin.lon, site.origin.lat], zoom: 14, maxPitch: 0 });
  skipSky(map);
  map.on("webglcontextrestored", () => skipSky(map));
  map.addControl(new maplibregl.NavigationControl({ showCompass: true }), "bottom-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  const sensors = new SensorPanel();
  window.dronewatchMap = map;  // for tests, benches and debugging
  window.dronewatch = { get layer() { return layer; }, live, get view() { return view; }, desk, replay };
  map.on("load", () => {
    addSiteLayers();
    sensors.attach(map);
    fitSite();
    scheduleDraw(true);
  });
  map.on("moveend", () => scheduleDraw(true));
  for (const [key, id] of [["bird", "f-birds"], ["aircraft", "f-aircraft"], ["allowed", "f-allowed"]]) {
    $(id).addEventListener("change", (ev) => { filters[key] = ev.target.checked; scheduleDraw(true); });
  }
  $("search").addEventListener("change", (ev) => search(ev.target.value));
  $("measure").addEventListener("click", () => {
    measure.on = !measure.on;
    measure.points = [];
    measure.labels = [];
    scheduleDraw(true);
    $("measure").dataset.on = measure.on ? "1" : "0";
    map.getCanvas().style.cursor = measure.on ? "crosshair" : "";
    setText($("measure-result"), measure.on ? "click two points" : "");
  });
  setInterval(() => { if (selected !== null && view === live) refreshDetail(); }, 2000);
  connect();
}

main();
