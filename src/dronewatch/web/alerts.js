// The alert desk: active alerts first, then by severity and time; sound and flashing for a new
// critical alert (mutable, remembered); acknowledge / escalate / resolve / false alarm with a
// note, through the API; click an alert to centre its track; swarm alerts list their members.
import { api, canAct, me } from "./auth.js";

const ACTIVE = new Set(["open", "escalated"]);
const SEVERITY_RANK = { critical: 3, warning: 2, info: 1 };
const ALERT_LIMIT = 300;
const ACTIONS = [
  ["ack", "ACK", (a) => a.state === "open" || (a.state === "escalated" && !a.acked_by)],
  ["escalate", "escalate", (a) => a.state === "open" || a.state === "acknowledged"],
  ["resolve", "resolve", (a) => ACTIVE.has(a.state) || a.state === "acknowledged"],
  ["false-alarm", "false alarm", (a) => ACTIVE.has(a.state) || a.state === "acknowledged"],
];
const $ = (id) => document.getElementById(id);

function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
export function clock(at) { return new Date(at * 1000).toISOString().slice(11, 19) + "Z"; }

export class AlertDesk {
  constructor({ onSelect }) {
    this.alerts = new Map();
    this.rows = new Map();
    this.onSelect = onSelect;
    this.primed = false;       // the first snapshot makes no noise
    this.muted = localStorage.getItem("dw.muted") === "1";
    this.audio = null;
    // While the operator points at or types in the desk, rows keep their places (no jumping
    // under the cursor); the order catches up when they leave it.
    this.hold = { pointer: false, focus: false };
    const list = $("alert-list");
    const release = () => { if (!this.holding()) this.render(); };
    list.addEventListener("pointerenter", () => { this.hold.pointer = true; });
    list.addEventListener("pointerleave", () => { this.hold.pointer = false; release(); });
    list.addEventListener("focusin", () => { this.hold.focus = true; });
    list.addEventListener("focusout", (ev) => {
      if (!list.contains(ev.relatedTarget)) { this.hold.focus = false; release(); }
    });
    const mute = $("mute");
    const showMute = () => { mute.textContent = this.muted ? "sound off" : "sound on"; mute.dataset.muted = this.muted ? "1" : "0"; };
    showMute();
    mute.addEventListener("click", () => {
      this.muted = !this.muted;
      localStorage.setItem("dw.muted", this.muted ? "1" : "0");
      showMute();
    });
  }

  holding() { return this.hold.pointer || this.hold.focus; }

  clear() {
    for (const li of this.rows.values()) li.remove();
    this.rows.clear();
    this.alerts.clear();
  }

  put(list, { quiet = false } = {}) {
    let alarm = false;
    for (const a of list) {
      const before = this.alerts.get(a.alert_id);
      const newCritical = a.severity === "critical" && ACTIVE.has(a.state) &&
        (!before || before.severity !== "critical");
      if (newCritical && this.primed && !quiet) {
        alarm = true;
        this.row(a).classList.add("flash");
      }
      this.alerts.set(a.alert_id, a);
    }
    this.primed = true;
    this.render();
    if (alarm) this.beep();
  }

  beep() {
    if (this.muted) return;
    try {
      this.audio = this.audio || new AudioContext();
      const ctx = this.audio;
      for (let k = 0; k < 3; k++) {
        const o = ctx.createOscillator();
        const g = ctx.createGain();
        o.frequency.value = 880;
        g.gain.setValueAtTime(0.0001, ctx.currentTime + k * 0.25);
        g.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + k * 0.25 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + k * 0.25 + 0.18);
        o.connect(g).connect(ctx.destination);
        o.start(ctx.currentTime + k * 0.25);
        o.stop(ctx.currentTime + k * 0.25 + 0.2);
      }
    } catch (err) {
      console.warn("no sound:", err);
    }
  }

  ordered() {
    return [...this.alerts.values()].sort((x, y) =>
      (ACTIVE.has(y.state) - ACTIVE.has(x.state)) ||
      (SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity]) ||
      (y.raised_at - x.raised_at) || (x.alert_id < y.alert_id ? -1 : 1));
  }

  forTrack(trackId) {  // newest raised first
    return [...this.alerts.values()].filter((a) => a.track_id === trackId || (a.track_ids || []).includes(trackId))
      .sort((x, y) => (y.raised_at - x.raised_at) || (x.alert_id < y.alert_id ? -1 : 1));
  }

  row(a) {
    let li = this.rows.get(a.alert_id);
    if (li) return li;
    li = $("alert-template").content.firstElementChild.cloneNode(true);
    li.dataset.alertId = a.alert_id;
    li.addEventListener("click", (ev) => {
      if (ev.target.closest("button, input, .member")) return;
      li.classList.remove("flash");
      const cur = this.alerts.get(a.alert_id);
      this.onSelect(cur.track_id, cur);
    });
    const actions = li.querySelector(".actions");
    for (const [action, label] of ACTIONS) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = `act act-${action}`;
      b.dataset.action = action;
      b.dataset.testid = `action-${action}`;
      b.textContent = label;
      b.addEventListener("click", () => this.act(a.alert_id, action, li));
      actions.append(b);
    }
    this.rows.set(a.alert_id, li);
    return li;
  }

  fill(a) {
    const li = this.row(a);
    const f = (name) => li.querySelector(`[data-field="${name}"]`);
    li.dataset.severity = a.severity;
    li.dataset.state = a.state;
    if (!ACTIVE.has(a.state)) li.classList.remove("flash");
    setText(f("severity"), a.severity);
    setText(f("rule"), a.rule.replaceAll("_", " "));
    setText(f("zone"), a.zone || "");
    setText(f("time"), clock(a.raised_at));
    f("time").dateTime = new Date(a.raised_at * 1000).toISOString();
    setText(f("why"), a.why);
    setText(f("identity"), a.identity ? a.identity : `track ${a.track_id}`);
    let stateText = a.state.replaceAll("_", " ");
    if (a.acked_by && a.state === "acknowledged") stateText = `acknowledged by ${a.acked_by}`;
    else if (a.acked_by && a.state === "escalated") stateText = `escalated, acknowledged by ${a.acked_by}`;
    else if (a.by && a.by !== "system" && (a.state === "resolved" || a.state === "false_alarm")) stateText += ` by ${a.by}`;
    setText(f("state"), stateText);
    setText(f("note"), a.note ? `“${a.note}”` : "");
    const members = f("members");
    const ids = a.track_ids || [];
    if (ids.length > 1) {
      const key = ids.join(",");
      if (members.dataset.key !== key) {
        members.dataset.key = key;
        members.replaceChildren(document.createTextNode(`swarm of ${ids.length}: `));
        for (const id of ids) {
          const s = document.createElement("button");
          s.type = "button";
          s.className = "member";
          s.textContent = String(id);
          s.addEventListener("click", () => this.onSelect(id, this.alerts.get(a.alert_id)));
          members.append(s);
        }
      }
      members.hidden = false;
    } else {
      members.hidden = true;
    }
    const can = canAct() && !this.readOnly;
    let any = false;
    for (const [action, , allowed] of ACTIONS) {
      const ok = can && allowed(a);
      li.querySelector(`.act-${action}`).hidden = !ok;
      any ||= ok;
    }
    li.querySelector(".note-input").hidden = !any;
    return li;
  }

  render() {
    const list = $("alert-list");
    const ordered = this.ordered();
    for (const a of ordered.slice(ALERT_LIMIT)) {
      this.alerts.delete(a.alert_id);
      this.rows.get(a.alert_id)?.remove();
      this.rows.delete(a.alert_id);
    }
    if (this.holding()) {  // update in place; new rows wait at the end
      for (const a of ordered.slice(0, ALERT_LIMIT)) {
        const li = this.fill(a);
        if (!li.isConnected) list.append(li);
      }
    } else {
      let before = list.firstElementChild;
      for (const a of ordered.slice(0, ALERT_LIMIT)) {
        const li = this.fill(a);
        if (li !== before) list.insertBefore(li, before);
        before = li.nextElementSibling;
      }
    }
    const open = ordered.filter((a) => ACTIVE.has(a.state)).length;
    setText($("alert-open-count"), open ? `${open} active` : "");
  }

  async act(alertId, action, li) {
    const note = li.querySelector(".note-input").value.trim() || null;
    const err = li.querySelector(".act-error");
    const by = me.open ? ($("operator").value.trim() || "operator") : me.name;
    li.querySelectorAll(".act").forEach((b) => { b.disabled = true; });
    try {
      const r = await api(`api/alerts/${encodeURIComponent(alertId)}/${action}`, {
        method: "POST", body: JSON.stringify({ by, note }),
      });
      if (!r.ok) {
        const detail = (await r.json().catch(() => ({}))).detail;
        throw new Error(`${action}: ${typeof detail === "string" ? detail : `HTTP ${r.status}`}`);
      }
      li.querySelector(".note-input").value = "";
      setText(err, "");
      li.classList.remove("flash");
      this.put([await r.json()], { quiet: true });
    } catch (e) {
      setText(err, String(e.message || e));
    } finally {
      li.querySelectorAll(".act").forEach((b) => { b.disabled = false; });
    }
  }
}
