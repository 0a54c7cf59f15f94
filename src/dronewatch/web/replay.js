// Replay: pick a time range from the store (GET api/replay), play it at 1-60x with a time
// slider. The picture at time T is the newest snapshot of each track in the few seconds up to T.
import { api } from "./auth.js";
import { clock } from "./alerts.js";

const $ = (id) => document.getElementById(id);
const HOLD_S = 3;   // a track is shown this long after its last snapshot
const TRAIL_S = 30;

function localInput(at) {  // epoch s -> value for <input type="datetime-local"> in UTC
  return new Date(at * 1000).toISOString().slice(0, 19);
}
function fromInput(v) { return Date.parse(`${v}Z`) / 1000; }

function lastAtOrBefore(steps, t) {
  let lo = 0, hi = steps.length - 1, best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid].at <= t) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}

export class Replay {
  constructor({ onPicture, onEnter, onLeave }) {
    this.onPicture = onPicture;
    this.data = null;
    this.t = null;
    this.playing = false;
    this.timer = null;
    $("replay-toggle").addEventListener("click", async () => {
      if (document.body.dataset.mode === "replay") { this.stop(); onLeave(); return; }
      document.body.dataset.mode = "replay";
      onEnter();
      await this.suggest();
    });
    $("replay-load").addEventListener("click", () => this.load());
    $("replay-play").addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    $("replay-slider").addEventListener("input", (ev) => this.seek(Number(ev.target.value)));
  }

  async suggest() {
    const r = await api("api/replay/range");
    if (!r.ok) return;
    const range = await r.json();
    if (range.to === null) { $("replay-time").textContent = "nothing recorded yet"; return; }
    $("replay-from").value = localInput(Math.max(range.from, range.to - 300));
    $("replay-to").value = localInput(range.to + 1);
  }

  async load(from = fromInput($("replay-from").value), to = fromInput($("replay-to").value)) {
    this.pause();
    if (!(to > from)) { $("replay-time").textContent = "pick a range"; return; }
    $("replay-time").textContent = "loading…";
    const r = await api(`api/replay?from=${from}&to=${to}`);
    if (!r.ok) {
      $("replay-time").textContent = `cannot load: HTTP ${r.status}`;
      return;
    }
    this.data = await r.json();
    const slider = $("replay-slider");
    slider.min = String(from); slider.max = String(to); slider.step = "0.5";
    document.body.dataset.replay = this.data.steps.length ? "loaded" : "empty";
    $("replay-steps").textContent = `${this.data.steps.length} steps${this.data.truncated ? " (cut)" : ""}`;
    this.seek(this.data.steps.length ? this.data.steps[0].at : from);
  }

  picture(t) {
    const steps = this.data.steps;
    const tracks = new Map();
    const trails = new Map();
    let i = lastAtOrBefore(steps, t);
    for (; i >= 0 && steps[i].at >= t - TRAIL_S; i--) {
      for (const tr of steps[i].tracks) {
        if (steps[i].at >= t - HOLD_S && !tracks.has(tr.track_id)) tracks.set(tr.track_id, tr);
        let trail = trails.get(tr.track_id);
        if (!trail) trails.set(tr.track_id, (trail = []));
        trail.push([tr.lon, tr.lat]);
      }
    }
    for (const trail of trails.values()) trail.reverse();
    const alerts = new Map();
    for (const c of this.data.alerts) {
      if (c.at > t) break;
      alerts.set(c.alert.alert_id, c.alert);
    }
    return { tracks, trails, alerts: [...alerts.values()] };
  }

  history(trackId, t) {  // the track's snapshots up to t, for the detail plots
    const out = [];
    for (const s of this.data?.steps || []) {
      if (s.at > t) break;
      for (const tr of s.tracks) if (tr.track_id === trackId) out.push(tr);
    }
    return out;
  }

  seek(t) {
    if (!this.data) return;
    this.t = t;
    $("replay-slider").value = String(t);
    $("replay-time").textContent = clock(t);
    $("replay-time").dataset.at = String(t);
    this.onPicture(this.picture(t), t);
  }

  play() {
    if (!this.data) return;
    this.playing = true;
    $("replay-play").textContent = "pause";
    let last = performance.now();
    const tick = () => {
      const now = performance.now();
      const speed = Number($("replay-speed").value);
      const end = Number($("replay-slider").max);
      const t = Math.min(this.t + (now - last) / 1000 * speed, end);
      last = now;
      this.seek(t);
      if (t >= end) { this.pause(); return; }
      this.timer = setTimeout(tick, 100);
    };
    this.timer = setTimeout(tick, 100);
  }

  pause() {
    this.playing = false;
    clearTimeout(this.timer);
    $("replay-play").textContent = "play";
  }

  stop() {
    this.pause();
    this.data = null;
    document.body.dataset.mode = "live";
    delete document.body.dataset.replay;
  }
}
