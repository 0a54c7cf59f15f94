// Track detail: identity and Remote ID / DroneID / ADS-B fields, class with its reason, the
// sensors that see it, height and speed over time (two small canvas plots), pilot and home
// positions, and the alerts on it. Server text is written with textContent only.
import { clock } from "./alerts.js";

const $ = (id) => document.getElementById(id);

export function speedOf(t) { return Math.hypot(t.vel_enu_mps[0], t.vel_enu_mps[1]); }
export function headingOf(t) {
  return (Math.atan2(t.vel_enu_mps[0], t.vel_enu_mps[1]) * 180 / Math.PI + 360) % 360;
}

function classReason(t) {
  const parts = [];
  if (t.identity) parts.push(`cooperative identity (${t.identity.scheme})`);
  const votes = Object.entries(t.class_votes || {}).sort((a, b) => b[1] - a[1]);
  if (votes.length) parts.push("sensor votes " + votes.map(([c, v]) => `${c} ${v.toFixed(1)}`).join(", "));
  if (t.rcs_dbsm !== null && t.rcs_dbsm !== undefined) parts.push(`RCS ${t.rcs_dbsm.toFixed(1)} dBsm`);
  parts.push(`speed ${speedOf(t).toFixed(1)} m/s at ${t.alt_m.toFixed(0)} m`);
  return parts.join("; ");
}

function where(g) {
  if (!g) return "unknown";
  const alt = g.alt_m === null || g.alt_m === undefined ? "" : `, ${g.alt_m.toFixed(0)} m`;
  return `${g.lat.toFixed(5)}, ${g.lon.toFixed(5)}${alt}`;
}

function plot(canvas, series, unit) {
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  g.fillStyle = "#151a20"; g.fillRect(0, 0, w, h);
  if (series.length < 2) return;
  const t0 = series[0][0], t1 = series[series.length - 1][0];
  let lo = Math.min(...series.map((p) => p[1])), hi = Math.max(...series.map((p) => p[1]));
  if (hi - lo < 1) { hi += 0.5; lo -= 0.5; }
  const X = (t) => 4 + (w - 8) * (t - t0) / Math.max(t1 - t0, 1e-6);
  const Y = (v) => h - 14 - (h - 22) * (v - lo) / (hi - lo);
  g.strokeStyle = "#4aa3df"; g.lineWidth = 1.5; g.beginPath();
  series.forEach(([t, v], i) => (i ? g.lineTo(X(t), Y(v)) : g.moveTo(X(t), Y(v))));
  g.stroke();
  g.fillStyle = "#9aa4af"; g.font = "10px sans-serif";
  g.fillText(`${hi.toFixed(0)} ${unit}`, 4, 10);
  g.fillText(`${lo.toFixed(0)} ${unit}`, 4, h - 3);
  g.fillText(`${Math.round(t1 - t0)} s`, w - 34, h - 3);
}

// history: [{at, lat, lon, alt_m}] oldest first -> height and ground speed series
export function series(history) {
  const height = history.map((p) => [p.at, p.alt_m]);
  const speed = [];
  const R = 6371000;
  for (let i = 1; i < history.length; i++) {
    const a = history[i - 1], b = history[i];
    const dt = b.at - a.at;
    if (dt <= 0) continue;
    const dn = (b.lat - a.lat) * Math.PI / 180 * R;
    const de = (b.lon - a.lon) * Math.PI / 180 * R * Math.cos(a.lat * Math.PI / 180);
    speed.push([b.at, Math.hypot(dn, de) / dt]);
  }
  return { height, speed };
}

export class TrackDetail {
  constructor({ onClose, onAlert }) {
    this.trackId = null;
    this.onAlert = onAlert;
    $("detail-close").addEventListener("click", () => { this.close(); onClose(); });
  }

  close() {
    this.trackId = null;
    $("detail").hidden = true;
  }

  show(t, history, alerts) {
    this.trackId = t.track_id;
    const panel = $("detail");
    panel.hidden = false;
    panel.dataset.trackId = String(t.track_id);
    const dl = $("detail-fields");
    dl.replaceChildren();
    const row = (k, v, testid) => {
      const dt = document.createElement("dt"); dt.textContent = k;
      const dd = document.createElement("dd"); dd.textContent = v;
      if (testid) dd.dataset.testid = testid;
      dl.append(dt, dd);
    };
    $("detail-title").textContent = `track ${t.track_id}`;
    row("status", `${t.status}, ${t.updates} updates, seen since ${clock(t.first_seen_at)}`);
    row("class", `${t.cls} ${(t.cls_confidence * 100).toFixed(0)}%`, "detail-class");
    row("why", classReason(t));
    if (t.identity) {
      const schemes = { serial: "Remote ID serial", session: "Remote ID session id", icao: "ICAO 24-bit address",
        dji: "DJI DroneID serial", registration: "registration" };
      row(schemes[t.identity.scheme] || t.identity.scheme, t.identity.value, "detail-identity");
      if (t.identity.callsign) row("callsign", t.identity.callsign);
      for (const a of t.aliases || []) row(`also ${schemes[a.scheme] || a.scheme}`, a.value);
    } else {
      row("identity", "none broadcast", "detail-identity");
    }
    if (t.broadcast_offset_m !== null && t.broadcast_offset_m !== undefined && (t.aliases || []).length)
      row("links apart", `${t.broadcast_offset_m.toFixed(0)} m between the positions its links broadcast`);
    if (t.identity_conflict) row("warning", "two identities claim this track");
    if (t.claimed) row("claims to be at", `${where(t.claimed)}${t.claimed_offset_m !== null && t.claimed_offset_m !== undefined ? ` (${t.claimed_offset_m.toFixed(0)} m from where it is seen)` : ""}`);
    row("position", `${t.lat.toFixed(5)}, ${t.lon.toFixed(5)} ± ${t.pos_sigma_m.toFixed(0)} m`);
    row("height", `${t.alt_m.toFixed(0)} m above the site`);
    row("speed", `${speedOf(t).toFixed(1)} m/s, heading ${headingOf(t).toFixed(0)}°, climb ${t.vel_enu_mps[2].toFixed(1)} m/s`);
    row("sensors", (t.sensors || []).join(", ") || "none", "detail-sensors");
    row("pilot", where(t.operator), "detail-pilot");
    row("home", where(t.home));
    const s = series(history);
    plot($("plot-height"), s.height, "m");
    plot($("plot-speed"), s.speed, "m/s");
    const list = $("detail-alerts");
    list.replaceChildren();
    for (const a of alerts) {
      const li = document.createElement("li");
      li.textContent = `${clock(a.raised_at)} ${a.severity} ${a.rule.replaceAll("_", " ")}${a.zone ? ` (${a.zone})` : ""}: ${a.state.replaceAll("_", " ")}`;
      li.addEventListener("click", () => this.onAlert(a));
      list.append(li);
    }
    if (!alerts.length) {
      const li = document.createElement("li");
      li.textContent = "none";
      list.append(li);
    }
  }
}
