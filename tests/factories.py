"""Builders for Track / Alert messages shared by the store and API tests."""

from __future__ import annotations

from dronewatch.model import Alert, Identity, Position, Track


def make_track(track_id: int = 7, at: float = 1000.0, e_m: float = 0.0, serial: str | None = None) -> Track:
    return Track(
        track_id=track_id,
        at=at,
        status="confirmed",
        enu_m=(e_m, 100.0, 50.0),
        vel_enu_mps=(10.0, 0.0, 0.0),
        pos_sigma_m=5.0,
        lat=52.0 + 1e-5 * e_m,
        lon=4.0,
        alt_m=50.0,
        first_seen_at=at - 10,
        last_update_at=at,
        updates=12,
        sensors=("radar-1",),
        identity=Identity(scheme="serial", value=serial) if serial else None,
        cls="drone",
        cls_confidence=0.8,
    )


def make_alert(alert_id: str = "zone_entry:7:stadium", at: float = 1000.0, **kw: object) -> Alert:
    fields: dict[str, object] = {
        "alert_id": alert_id,
        "rule": "zone_entry",
        "zone": "stadium",
        "severity": "critical",
        "track_id": 7,
        "track_ids": (7,),
        "raised_at": at,
        "updated_at": at,
        "position": Position(lat=52.0, lon=4.0, alt_m=50.0),
        "cls": "drone",
        "why": "drone inside stadium at 50 m",
    }
    fields.update(kw)
    return Alert(**fields)  # type: ignore[arg-type]
