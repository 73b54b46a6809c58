"""The guest's pages as HTML (no template engine: a few pages, every value escaped).

Phone first: one column, big download buttons, the photos themselves as previews.
No script on the guest pages; styles come from ``/static/site.css`` (the CSP allows
nothing inline).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from delivery.handoff_files import HandoffFile

SITE_CSS = """
*{box-sizing:border-box}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#14161a;color:#eef0f3}
main{max-width:40rem;margin:0 auto;padding:1.2rem 1rem 3rem}
h1{font-size:1.6rem;margin:.4rem 0 .2rem}
h2{font-size:1.15rem;margin:1.4rem 0 .5rem}
.muted{color:#a3aab5;font-size:.95rem}
.files{list-style:none;margin:1rem 0;padding:0;display:grid;gap:1rem}
.files li{background:#1f232a;border-radius:14px;overflow:hidden}
.files img{display:block;width:100%;height:auto;background:#0c0d10}
.files .row{display:flex;align-items:center;justify-content:space-between;gap:.8rem;
padding:.75rem .9rem}
.files .size{color:#a3aab5;font-size:.85rem}
a.button,button{display:inline-block;background:#3fa7ff;color:#06121f;font-weight:700;
text-decoration:none;border:0;border-radius:10px;padding:.7rem 1.1rem;font-size:1rem;
cursor:pointer}
button.secondary,a.secondary{background:#2c323c;color:#eef0f3}
button:disabled{opacity:.45}
.doc{display:flex;align-items:center;justify-content:center;height:7rem;font-size:2rem;
background:#0c0d10}
.card{background:#1f232a;border-radius:14px;padding:1rem;margin:1rem 0}
.grid{display:grid;grid-template-columns:repeat(2,1fr);gap:.6rem}
.stat{background:#262b33;border-radius:10px;padding:.6rem .7rem}
.stat b{display:block;font-size:1.4rem}
.stat span{color:#a3aab5;font-size:.85rem}
.bad{color:#ff8a7a}.good{color:#7be38c}
.thumbs{display:grid;grid-template-columns:repeat(3,1fr);gap:.4rem}
.thumbs img{width:100%;border-radius:8px;display:block}
.controls{display:flex;flex-wrap:wrap;gap:.6rem}
input,select{font-size:1.1rem;padding:.6rem;border-radius:10px;border:1px solid #3a414c;
background:#0c0d10;color:#eef0f3;width:100%}
label{display:block;margin:.6rem 0 .3rem}
ol,ul.plain{padding-left:1.2rem}
"""


def page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"robots\" content=\"noindex, nofollow\">"
            f"<title>{escape(title)}</title><link rel=\"stylesheet\" href=\"/static/site.css\">"
            f"</head><body><main>{body}</main></body></html>")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{max(1, n // 1000)} kB"


def session_page(token: str, session: str, files: list[HandoffFile], expires: float) -> str:
    until = dt.datetime.fromtimestamp(expires).strftime("%H:%M")
    items = []
    for f in files:
        href = f"/s/{escape(token)}/f/{escape(f.name)}"
        preview = (f"<img src=\"{href}?view=1\" alt=\"{escape(f.label)}\" loading=\"lazy\">"
                   if f.is_image else "<div class=\"doc\">PDF</div>")
        items.append(f"<li>{preview}<div class=\"row\"><div>{escape(f.label)}<br>"
                     f"<span class=\"size\">{_size(f.size)}</span></div>"
                     f"<a class=\"button\" href=\"{href}\" download=\"{escape(f.name)}\">"
                     "Download</a></div></li>")
    body = (f"<h1>Your photos</h1><p class=\"muted\">Photo code {escape(session)}</p>"
            f"<ul class=\"files\">{''.join(items)}</ul>"
            f"<p class=\"muted\">This link works until {until} today. The photos come from "
            "the booth itself over its own network; nothing is uploaded anywhere.</p>")
    return page("Your photos", body)


def message_page(title: str, text: str) -> str:
    return page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>")


GONE = {
    "expired": ("This link has expired",
                "Links to the booth's photos work for a limited time. Please ask a member "
                "of staff if you still need your photo."),
    "deleted": ("These photos are no longer here",
                "The booth deletes photos after a while, to protect your privacy."),
    "unknown": ("Link not found",
                "Please scan the code on the booth's screen again."),
}
