"""The operator dashboard's HTML and script (served as a file: the CSP forbids inline
script). The page is a skeleton; the script fills it from the server-sent events of
``/operator/events`` and posts commands to ``/operator/command``."""

from __future__ import annotations

from html import escape

from delivery.handoff_pages import page


def login_page(message: str = "") -> str:
    note = f"<p class=\"bad\" id=\"message\">{escape(message)}</p>" if message else ""
    return page("Operator", "<h1>Operator</h1><p class=\"muted\">The booth's operator PIN.</p>"
                f"{note}<form method=\"post\" action=\"/operator/login\" class=\"card\">"
                "<label for=\"pin\">PIN</label><input id=\"pin\" name=\"pin\" type=\"password\" "
                "inputmode=\"numeric\" autocomplete=\"current-password\" maxlength=\"12\" "
                "required><p><button type=\"submit\" id=\"login\">Unlock</button></p></form>")


def dashboard_page() -> str:
    stats = "".join(f"<div class=\"stat\"><b id=\"t-{k}\">–</b><span>{label}</span></div>"
                    for k, label in (("sessions", "sessions"), ("photos", "photos"),
                                     ("kept", "kept"), ("retakes", "retakes"),
                                     ("prints", "prints"), ("first", "to first photo")))
    live = "".join(f"<div class=\"stat\"><b id=\"l-{k}\">–</b><span>{label}</span></div>"
                   for k, label in (("state", "screen"), ("camera", "camera"),
                                    ("fps", "coach fps"), ("disk", "disk free")))
    body = (
        "<h1>Booth</h1><p class=\"muted\" id=\"updated\">connecting…</p>"
        f"<div class=\"card\"><div class=\"grid\">{live}</div>"
        "<p class=\"bad\" id=\"l-error\"></p></div>"
        "<div class=\"card\"><h2>Controls</h2><div class=\"controls\">"
        "<button id=\"shutter\">Take photo</button>"
        "<button id=\"auto\" class=\"secondary\">Auto shutter</button></div>"
        "<label for=\"preset\">Preset</label><select id=\"preset\"></select>"
        "<p class=\"muted\" id=\"command-result\"></p></div>"
        f"<div class=\"card\"><h2>Today</h2><div class=\"grid\">{stats}</div>"
        "<h2>Stuck on longest</h2><ol id=\"stuck\"></ol></div>"
        "<div class=\"card\"><h2>Last photos</h2><div class=\"thumbs\" id=\"photos\"></div></div>"
        "<div class=\"card\"><h2>Printing</h2><p id=\"printer\" class=\"muted\"></p>"
        "<ul class=\"plain\" id=\"jobs\"></ul></div>"
        "<form method=\"post\" action=\"/operator/logout\"><button class=\"secondary\">"
        "Lock</button></form><script src=\"/static/dashboard.js\"></script>")
    return page("Booth dashboard", body)


DASHBOARD_JS = r"""
"use strict";
const $ = (id) => document.getElementById(id);
const set = (id, v) => { $(id).textContent = (v === null || v === undefined) ? "–" : v; };
let live = {};
function render(s) {
  live = s.live || {};
  set("l-state", live.state); set("l-camera", live.camera);
  set("l-fps", live.coach_fps);
  set("l-disk", live.disk && live.disk.free_gb !== null ? live.disk.free_gb + " GB" : null);
  $("l-error").textContent = live.last_error || "";
  $("auto").textContent = "Auto shutter: " + (live.auto_shutter ? "on" : "off");
  $("shutter").disabled = live.state !== "coaching";
  const sel = $("preset");
  const names = live.presets || [];
  if (sel.options.length !== names.length) {
    sel.replaceChildren(...names.map((n) => new Option(n, n)));
  }
  if (document.activeElement !== sel && live.preset) { sel.value = live.preset; }
  const t = s.today || {};
  for (const k of ["sessions", "photos", "kept", "retakes", "prints"]) { set("t-" + k, t[k]); }
  set("t-first", t.median_first_photo_s === null ? null : t.median_first_photo_s + " s");
  $("stuck").replaceChildren(...(t.stuck_prompts || []).map((p) => {
    const li = document.createElement("li");
    li.textContent = p.text + " — " + p.longest_s + " s";
    return li;
  }));
  $("photos").replaceChildren(...(s.photos || []).map((p) => {
    const img = document.createElement("img");
    img.src = "/operator/photo/" + encodeURIComponent(p.session) + "/" + encodeURIComponent(p.name);
    img.alt = p.session + " " + p.name + (p.kept ? " (kept)" : "");
    return img;
  }));
  const pr = s.printing || {};
  $("printer").textContent = pr.printer ? (pr.printer.name + ": " + pr.printer.detail)
                                        : "printing is off";
  $("jobs").replaceChildren(...(pr.jobs || []).map((j) => {
    const li = document.createElement("li");
    li.textContent = j.file + " ×" + j.copies + " — " + j.status
                     + (j.reason ? " (" + j.reason + ")" : "");
    return li;
  }));
  set("updated", "updated " + new Date().toLocaleTimeString());
}
async function command(action, value) {
  const r = await fetch("/operator/command", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({action, value})});
  $("command-result").textContent = r.ok ? "sent: " + action + (value ? " " + value : "")
                                         : "refused (" + r.status + ")";
}
$("shutter").addEventListener("click", () => command("shutter", ""));
$("auto").addEventListener("click", () => command("auto", live.auto_shutter ? "off" : "on"));
$("preset").addEventListener("change", (e) => command("preset", e.target.value));
const events = new EventSource("/operator/events");
events.onmessage = (e) => render(JSON.parse(e.data));
events.onerror = () => set("updated", "reconnecting…");
"""
