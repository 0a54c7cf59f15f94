"""An incident as a PDF report (reportlab, BSD): summary, a map picture of the zones, the
tracks' paths, pilot and home positions and the alert's positions, a timeline picture, the
tracks, every change of the alert with who, when and the note, and the chain hashes.

The map is drawn with reportlab's own vector graphics in a local flat projection (metres east
and north of the picture's centre), with a scale bar and a north arrow; no map tiles, so the
report needs no network and shows only what the store holds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from dronewatch.api.geojson import site_geojson
from dronewatch.evidence.incident import Incident
from dronewatch.sinks.jsonl import iso

_M_PER_DEG = 111_320.0
_SEVERITY_RGB = {"info": (0.23, 0.63, 0.85), "warning": (0.96, 0.65, 0.06), "critical": (0.90, 0.21, 0.21)}
_TRACK_RGB = [(0.55, 0.18, 0.75), (0.05, 0.55, 0.35), (0.10, 0.35, 0.80), (0.85, 0.40, 0.05),
              (0.45, 0.45, 0.45), (0.75, 0.10, 0.45)]


def _reportlab() -> Any:
    try:
        import reportlab  # noqa: F401
    except ImportError:  # pragma: no cover - the test extra installs it
        raise RuntimeError("PDF export needs reportlab: pip install 'dronewatch[evidence]'") from None
    from reportlab import platypus
    return platypus


class _Projection:
    """lon/lat -> picture points: local flat metres, fitted into width x height."""

    def __init__(self, lonlats: list[tuple[float, float]], width: float, height: float, pad: float = 14.0) -> None:
        lons = [p[0] for p in lonlats]
        lats = [p[1] for p in lonlats]
        self.lon0, self.lat0 = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
        self.k = math.cos(math.radians(self.lat0))
        xs = [(lon - self.lon0) * self.k * _M_PER_DEG for lon in lons]
        ys = [(lat - self.lat0) * _M_PER_DEG for lat in lats]
        span_x = max(max(xs) - min(xs), 50.0)
        span_y = max(max(ys) - min(ys), 50.0)
        self.scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)  # points per metre
        self.cx, self.cy = width / 2, height / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.lon0) * self.k * _M_PER_DEG
        y = (lat - self.lat0) * _M_PER_DEG
        return self.cx + x * self.scale, self.cy + y * self.scale


def _map(inc: Incident, width: float, height: float) -> Any:
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
    from reportlab.lib import colors

    zones = site_geojson(inc.site)["zones"]["features"] if inc.site is not None else []
    points: list[tuple[float, float]] = [(p.lon, p.lat) for t in inc.tracks.values() for p in t.points]
    points += [(f.lon, f.lat) for f in (*inc.pilots, *inc.homes)]
    points += [(v.alert.position.lon, v.alert.position.lat) for v in inc.versions]
    points += [(c[0], c[1]) for z in zones for c in z["geometry"]["coordinates"][0]]
    points = points or [(inc.alert.position.lon, inc.alert.position.lat)]
    proj = _Projection(points, width, height)
    d = Drawing(width, height)
    d.add(Rect(0, 0, width, height, fillColor=colors.Color(0.97, 0.97, 0.95), strokeColor=colors.grey))
    for z in zones:
        rgb = _SEVERITY_RGB[z["properties"]["severity"]]
        for i, ring in enumerate(z["geometry"]["coordinates"]):
            xy = [v for lon, lat in ring for v in proj(lon, lat)]
            fill = colors.Color(*rgb, alpha=0.18) if i == 0 else colors.Color(0.97, 0.97, 0.95)
            d.add(Polygon(xy, fillColor=fill, strokeColor=colors.Color(*rgb), strokeWidth=0.8))
        x, y = proj(*z["geometry"]["coordinates"][0][0])
        d.add(String(x + 2, y + 2, z["properties"]["name"], fontSize=6, fillColor=colors.Color(*rgb)))
    for s in inc.sensors:
        x, y = proj(s.lon, s.lat)
        d.add(Rect(x - 2, y - 2, 4, 4, fillColor=colors.black, strokeColor=None))
        d.add(String(x + 3, y - 6, s.id, fontSize=5))
    for n, t in enumerate(inc.tracks.values()):
        if not t.points:
            continue
        color = colors.Color(*_TRACK_RGB[n % len(_TRACK_RGB)])
        xy = [v for p in t.points for v in proj(p.lon, p.lat)]
        if len(t.points) > 1:
            d.add(PolyLine(xy, strokeColor=color, strokeWidth=1.2))
        d.add(Circle(xy[0], xy[1], 2, fillColor=colors.white, strokeColor=color))
        d.add(Circle(xy[-2], xy[-1], 2, fillColor=color, strokeColor=color))
        d.add(String(xy[0] + 3, xy[1] + 3, f"T{t.track_id}", fontSize=6, fillColor=color))
    for label, fixes in (("P", inc.pilots), ("H", inc.homes)):
        for f in fixes:
            x, y = proj(f.lon, f.lat)
            d.add(Polygon([x, y + 4, x - 3.5, y - 2, x + 3.5, y - 2], fillColor=colors.darkgreen, strokeColor=None))
            d.add(String(x + 4, y - 2, f"{label}{f.track_id}", fontSize=6, fillColor=colors.darkgreen))
    for v in inc.versions:
        x, y = proj(v.alert.position.lon, v.alert.position.lat)
        raised = v.change == "raised"
        d.add(Circle(x, y, 3.5 if raised else 2, fillColor=colors.red if raised else None, strokeColor=colors.red))
    # scale bar: a round number of metres about a fifth of the width
    target_m = width / 5 / proj.scale
    bar_m = 10 ** math.floor(math.log10(target_m))
    for step in (5, 2):
        if bar_m * step <= target_m:
            bar_m *= step
            break
    d.add(Line(10, 10, 10 + bar_m * proj.scale, 10, strokeWidth=2))
    d.add(String(10, 14, f"{bar_m:g} m", fontSize=6))
    d.add(Line(width - 14, 10, width - 14, 26, strokeWidth=1))
    d.add(Polygon([width - 17, 22, width - 14, 28, width - 11, 22], fillColor=colors.black))
    d.add(String(width - 16, 30, "N", fontSize=7))
    return d


def _timeline(inc: Incident, width: float) -> Any:
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    start = min([inc.alert.raised_at, *(p.at for t in inc.tracks.values() for p in t.points[:1])])
    end = max([inc.alert.updated_at, *(v.at for v in inc.versions),
               *(t.points[-1].at for t in inc.tracks.values() if t.points)])
    span = max(end - start, 1.0)
    left, right = 46.0, width - 10.0
    rows = len(inc.tracks)
    height = 50 + 10 * rows
    d = Drawing(width, height)

    def x(at: float) -> float:
        return left + (at - start) / span * (right - left)

    axis_y = 16.0
    d.add(Line(left, axis_y, right, axis_y, strokeWidth=0.8))
    for k in range(5):
        at = start + span * k / 4
        d.add(Line(x(at), axis_y - 2, x(at), axis_y + 2))
        d.add(String(x(at) - 14, axis_y - 10, iso(at)[11:19], fontSize=6))
    for n, t in enumerate(inc.tracks.values()):
        y = axis_y + 8 + 10 * n
        d.add(String(2, y, f"track {t.track_id}", fontSize=6))
        if t.points:
            color = colors.Color(*_TRACK_RGB[n % len(_TRACK_RGB)])
            d.add(Rect(x(t.points[0].at), y, max(x(t.points[-1].at) - x(t.points[0].at), 1.0), 5,
                       fillColor=color, strokeColor=None))
    top = axis_y + 10 + 10 * rows
    d.add(String(2, top + 10, "alert", fontSize=6))
    for i, v in enumerate(inc.versions):
        operator = v.by != "system"
        color = colors.blue if operator else colors.Color(0.35, 0.35, 0.35)
        d.add(Line(x(v.at), axis_y, x(v.at), top + 8, strokeColor=color, strokeWidth=1.2 if operator else 0.5))
        d.add(String(x(v.at) + 1, top + 2 + 8 * (i % 3), v.change, fontSize=5, fillColor=color))
    d.height = top + 30
    return d


def write_pdf(inc: Incident, path: Path) -> None:
    platypus = _reportlab()
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    mono = styles["BodyText"].clone("mono", fontName="Courier", fontSize=6, leading=7.5)
    para = platypus.Paragraph
    a = inc.alert
    width = A4[0] - 30 * mm

    def table(rows: list[list[Any]], widths: list[float], header: bool = True) -> Any:
        t = platypus.Table(rows, colWidths=widths, repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONTSIZE", (0, 0), (-1, -1), 7)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
        t.setStyle(platypus.TableStyle(style))
        return t

    def esc(text: object) -> str:
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story: list[Any] = [
        para(esc(f"Incident {a.alert_id}: {a.rule.replace('_', ' ')}, {a.zone or 'no zone'} ({a.severity})"),
             styles["Title"]),
        para(esc(f"Exported {iso(inc.exported_at)} from the dronewatch store. Evidence window "
                 f"{iso(inc.window[0])} to {iso(inc.window[1])}."), small),
        platypus.Spacer(1, 4 * mm),
    ]
    pilots = "; ".join(f"track {f.track_id}: {f.lat:.6f}, {f.lon:.6f}" for f in inc.pilots) or "none broadcast"
    homes = "; ".join(f"track {f.track_id}: {f.lat:.6f}, {f.lon:.6f}" for f in inc.homes) or "none broadcast"
    summary = [
        ["alert", a.alert_id], ["rule", a.rule], ["zone, severity", f"{a.zone or '-'}, {a.severity}"],
        ["state now", a.state + (f" (acknowledged by {a.acked_by})" if a.acked_by else "")],
        ["raised", iso(a.raised_at)], ["last change", iso(a.updated_at)], ["why", a.why],
        ["tracks", ", ".join(map(str, sorted(inc.tracks)))], ["identities", ", ".join(inc.identities) or "none"],
        ["pilot positions", pilots], ["home positions", homes],
        ["sensors", ", ".join(inc.sensor_ids) or "none recorded"],
    ]
    story.append(table([[k, para(esc(v), small)] for k, v in summary], [32 * mm, width - 32 * mm], header=False))
    story += [platypus.Spacer(1, 4 * mm), para("Map", styles["Heading2"]), _map(inc, width, 110 * mm),
              para(esc("Zones shaded by severity (blue info, amber warning, red critical); tracks T<id> from an "
                       "open circle (first stored position) to a filled one (last); P pilot and H home positions "
                       "as broadcast; red circles: the alert's position at each change (filled: raised); black "
                       "squares: sensors."), small),
              para("Timeline", styles["Heading2"]), _timeline(inc, width),
              para("Bars: when each track was stored; lines: the alert's changes (blue: people, grey: system).",
                   small)]
    story.append(para("Tracks", styles["Heading2"]))
    rows = [["track", "first seen", "last seen", "positions", "identities", "classes", "sensors"]]
    for t in inc.tracks.values():
        first = iso(t.points[0].at) if t.points else "-"
        last = iso(t.points[-1].at) if t.points else "-"
        rows.append([str(t.track_id), first, last, str(len(t.points)), para(esc(", ".join(t.identities) or "-"), small),
                     ", ".join(t.classes), para(esc(", ".join(t.sensors)), small)])
    story.append(table(rows, [w * mm for w in (12, 32, 32, 14, 40, 20, 30)]))
    story.append(para("Operator actions", styles["Heading2"]))
    actions = [[iso(v.at), v.by, v.change, f"{v.from_state} -> {v.to_state}", para(esc(v.note or ""), small)]
               for v in inc.actions]
    story.append(table([["time", "by", "action", "state", "note"], *actions], [w * mm for w in (34, 30, 18, 36, 62)])
                 if actions else para("No operator acted on this alert.", small))
    story.append(para("Every change (audit trail)", styles["Heading2"]))
    changes = [["time", "change", "by", "state", "note / why", "audit row"]]
    for v in inc.versions:
        note = v.note or ""
        changes.append([iso(v.at), v.change, para(esc(v.by), small), v.to_state,
                        para(esc(f"{note}{' | ' if note else ''}{v.alert.why}"), small), f"id {v.id}"])
    story.append(table(changes, [w * mm for w in (34, 18, 24, 20, 68, 16)]))
    story.append(para("Chain hashes", styles["Heading2"]))
    story.append(para(esc("Each audit row's hash (sha256 of the previous row's hash and its content), and each "
                          "evidence chain's tip when exported. `dronewatch verify --db STORE` recomputes them; "
                          "keep this page apart from the store."), small))
    hashes = [["audit row", "row_hash"]] + [[f"id {v.id}", para(v.row_hash or "none", mono)] for v in inc.versions]
    hashes += [[f"tip: {name}", para(f"{h['row_hash']} ({h['rows']} rows)", mono)]
               for name, h in inc.chain_heads.items()]
    story.append(table(hashes, [30 * mm, width - 30 * mm]))
    doc = platypus.SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                     topMargin=15 * mm, bottomMargin=15 * mm,
                                     title=f"dronewatch incident {a.alert_id}", author="dronewatch")
    doc.build(story)
