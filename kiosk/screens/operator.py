"""Operator overlay: the PIN pad, then every metric with its target and live value,
speed figures and controls (manual shutter, pause auto shutter, preset, ranges, quit)."""

from __future__ import annotations

import pygame

from kiosk.render import Renderer
from kiosk.screens.views import Button, OperatorView, View
from kiosk.states import Event, Kind
from kiosk.theme import Theme


def _ev(data: str) -> Event:
    return Event(Kind.OPERATOR, data=data)


def draw(r: Renderer, v: View) -> list[Button]:
    op = v.operator
    assert op is not None
    if op.mode == "pin":
        return _pin_pad(r, op)
    if op.mode == "no_pin":
        return _no_pin(r)
    return _panel(r, op)


def _no_pin(r: Renderer) -> list[Button]:
    u = r.u
    r.shade(r.surface.get_rect(), 225)
    rect = r.draw_text("Operator mode needs a PIN", int(6.5 * u), Theme.FG,
                       center=(r.w // 2, int(r.h * 0.3)), max_w=int(r.w * 0.9))
    r.draw_text("Set one on this computer with:  headshot-kiosk set-pin --config FILE",
                int(3.6 * u), Theme.MUTED, bold=False, midtop=(r.w // 2, rect.bottom + int(4 * u)),
                max_w=int(r.w * 0.9), max_lines=2)
    btn = pygame.Rect(0, 0, int(40 * u), int(12 * u))
    btn.center = (r.w // 2, int(r.h * 0.7))
    r.button(btn, "Close", primary=True, focused=True)
    return [Button(btn, _ev("cancel"), "close")]


def _pin_pad(r: Renderer, op: OperatorView) -> list[Button]:
    u = r.u
    r.shade(r.surface.get_rect(), 230)
    buttons: list[Button] = []
    key = int(min(15 * u, r.h * 0.11))
    gap = int(2 * u)
    pad_w = 3 * key + 2 * gap
    top = int(r.h * 0.08)
    r.draw_text("Operator PIN", int(6 * u), Theme.FG, midtop=(r.w // 2, top))
    dots_y = top + int(11 * u)
    n = max(4, op.entered)
    for i in range(n):
        x = r.w // 2 + int((i - (n - 1) / 2) * 5 * u)
        filled = i < op.entered
        pygame.draw.circle(r.surface, Theme.FG, (x, dots_y), int(1.5 * u), 0 if filled else 2)
    if op.message:
        r.draw_text(op.message, int(3.6 * u), Theme.WARN, midtop=(r.w // 2, dots_y + int(3 * u)))
    x0 = r.w // 2 - pad_w // 2
    y0 = dots_y + int(9 * u)
    labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Del", "0", "OK"]
    for i, lab in enumerate(labels):
        row, col = divmod(i, 3)
        rect = pygame.Rect(x0 + col * (key + gap), y0 + row * (key + gap), key, key)
        data = {"Del": "del", "OK": "ok"}.get(lab, f"digit:{lab}")
        r.button(rect, lab, primary=(lab == "OK"), px=int(key * 0.4))
        buttons.append(Button(rect, _ev(data), lab))
    cancel = pygame.Rect(0, 0, pad_w, int(key * 0.7))
    cancel.midtop = (r.w // 2, y0 + 4 * (key + gap))
    r.button(cancel, "Cancel", primary=False)
    buttons.append(Button(cancel, _ev("cancel"), "cancel"))
    return buttons


def _panel(r: Renderer, op: OperatorView) -> list[Button]:
    u = r.u
    if r.portrait:
        panel = pygame.Rect(0, int(r.h * 0.3), r.w, int(r.h * 0.7))
    else:
        panel = pygame.Rect(0, 0, int(r.w * 0.62), r.h)
    r.shade(panel, 235)
    buttons: list[Button] = []
    pad = int(2.5 * u)
    x, y = panel.x + pad, panel.y + pad
    title = r.draw_text(f"Operator · {op.state}", int(4.4 * u), Theme.ACCENT, topleft=(x, y))
    stats = "   ".join(op.stats)
    stats_rect = r.draw_text(stats, int(2.5 * u), Theme.MUTED, bold=False,
                             topleft=(x, title.bottom + int(0.8 * u)), max_w=panel.w - 2 * pad,
                             max_lines=3)
    # Controls on a row at the bottom.
    bh = int(8 * u)
    by = panel.bottom - pad - bh
    controls = [
        ("shutter", "Take photo", True),
        ("toggle_auto", "Auto: paused" if op.auto_paused else "Auto: on", False),
        ("toggle_voice", "Voice: on" if op.voice_on else "Voice: off", False),
        ("toggle_theme", "Large text" if Theme.name == "standard" else "Normal text", False),
        ("preset_prev", "◀", False),
        ("preset_next", "▶", False),
        ("close", "Close", False),
        ("quit", "Quit kiosk", False),
    ]
    weights = [3, 3, 3, 3, 1, 1, 2, 3]
    # One row on a landscape screen; two on a narrow one (every button thumb-sized).
    split = len(controls) if r.w > r.h else 4
    rows = [(controls[:split], weights[:split]), (controls[split:], weights[split:])]
    rows = [row for row in rows if row[0]]
    by -= (len(rows) - 1) * (bh + int(1.2 * u))
    for i, (row_controls, row_weights) in enumerate(rows):
        total_w = panel.w - 2 * pad - (len(row_controls) - 1) * int(1.2 * u)
        bx, row_y = x, by + i * (bh + int(1.2 * u))
        for (data, label, primary), wgt in zip(row_controls, row_weights, strict=True):
            bw = int(total_w * wgt / sum(row_weights))
            rect = pygame.Rect(bx, row_y, bw, bh)
            r.button(rect, label, primary=primary, px=int(bh * 0.36))
            buttons.append(Button(rect, _ev(data), label))
            bx += bw + int(1.2 * u)
    r.draw_text(f"Preset: {op.preset}", int(3 * u), Theme.FG,
                topleft=(x, by - int(5 * u)), max_w=panel.w - 2 * pad)
    # Range adjusters for the selected row.
    adj_y = by - int(13.5 * u)
    adj = [("row_up", "▲"), ("row_down", "▼"), ("low_down", "Low −"), ("low_up", "Low +"),
           ("high_down", "High −"), ("high_up", "High +"), ("reset_ranges", "Reset")]
    aw = (panel.w - 2 * pad - (len(adj) - 1) * int(1.2 * u)) // len(adj)
    for i, (data, label) in enumerate(adj):
        rect = pygame.Rect(x + i * (aw + int(1.2 * u)), adj_y, aw, int(6.5 * u))
        r.button(rect, label, primary=False, px=int(2.6 * u))
        buttons.append(Button(rect, _ev(data), label))
    # The metric table.
    ty = stats_rect.bottom + int(2 * u)
    rows_h = adj_y - int(2 * u) - ty
    n = max(1, len(op.rows))
    rh = max(int(2.2 * u), min(int(4.2 * u), rows_h // (n + 1)))
    px = int(rh * 0.62)
    cols = (x, x + int((panel.w - 2 * pad) * 0.42), x + int((panel.w - 2 * pad) * 0.74))
    for c, head in zip(cols, ("Metric", "Target", "Now"), strict=True):
        r.draw_text(head, px, Theme.MUTED, topleft=(c, ty))
    for i, row in enumerate(op.rows):
        ry = ty + (i + 1) * rh
        rect = pygame.Rect(x - int(u), ry - int(0.3 * u), panel.w - 2 * pad + int(2 * u), rh)
        if i == op.row:
            pygame.draw.rect(r.surface, Theme.CARD_FOCUS, rect, border_radius=int(u))
        col = Theme.MUTED if row.ok is None else (Theme.GOOD if row.ok else Theme.BAD)
        r.draw_text(row.label, px, Theme.FG, bold=False, topleft=(cols[0], ry))
        r.draw_text(row.target, px, Theme.FG if row.adjustable else Theme.MUTED, bold=False,
                    topleft=(cols[1], ry))
        r.draw_text(row.value, px, col, topleft=(cols[2], ry))
        buttons.append(Button(rect, _ev(f"row:{i}"), row.label))
    return buttons
