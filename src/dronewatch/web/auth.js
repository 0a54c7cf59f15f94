// Login and the authenticated fetch: who am I (GET api/me), the login form (POST api/login),
// and api() which sends the session's CSRF token with every action.
const $ = (id) => document.getElementById(id);

export const me = { name: null, role: null, csrf: null, open: false };

const RANK = { viewer: 0, operator: 1, admin: 2 };
export const canAct = () => (RANK[me.role] ?? -1) >= RANK.operator;

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (me.csrf) headers["x-csrf-token"] = me.csrf;
  const r = await fetch(path, { ...options, headers, credentials: "same-origin" });
  if (r.status === 401 && !path.endsWith("api/login")) {
    showLogin("Your session has ended: log in again.");
  }
  return r;
}

async function whoAmI() {
  const r = await fetch("api/me", { credentials: "same-origin" });
  if (!r.ok) return false;
  Object.assign(me, await r.json());
  return true;
}

let loggedIn = null;  // resolves once someone is logged in

function showLogin(message) {
  const dlg = $("login");
  $("login-error").textContent = message || "";
  document.body.dataset.auth = "login";
  if (!dlg.open) dlg.showModal();
}

function showUser() {
  document.body.dataset.auth = me.open ? "open" : "user";
  document.body.dataset.role = me.role;
  $("user-name").textContent = me.open ? "local (no login)" : `${me.name} (${me.role})`;
  $("logout").hidden = me.open;
}

export function ensureLogin() {
  if (loggedIn) return loggedIn;
  loggedIn = new Promise((resolve) => {
    const form = $("login-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = JSON.stringify({ name: $("login-name").value.trim(), password: $("login-password").value });
      const r = await fetch("api/login", { method: "POST", body, credentials: "same-origin",
        headers: { "content-type": "application/json" } });
      if (r.ok) {
        Object.assign(me, await r.json());
        $("login-password").value = "";
        $("login").close();
        showUser();
        resolve(me);
      } else if (r.status === 429) {
        $("login-error").textContent = `Too many failed logins: wait ${r.headers.get("retry-after") || "a while"} s.`;
      } else {
        $("login-error").textContent = "Wrong name or password.";
      }
    });
    $("logout").addEventListener("click", async () => {
      await api("api/logout", { method: "POST" });
      location.reload();
    });
    whoAmI().then((ok) => {
      if (ok) { showUser(); resolve(me); } else showLogin("");
    });
  });
  return loggedIn;
}
