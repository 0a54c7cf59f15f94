"""``dronewatch export --db FILE --alert ID --format pdf|geojson|kml|csv --out PATH``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal, TextIO

from dronewatch.evidence.csvfile import write_csv
from dronewatch.evidence.geojson import write_geojson
from dronewatch.evidence.incident import Incident, IncidentNotFound, gather
from dronewatch.evidence.kml import write_kml
from dronewatch.evidence.pdf import write_pdf
from dronewatch.store import Store

Format = Literal["pdf", "geojson", "kml", "csv"]
WRITERS: dict[str, Callable[[Incident, Path], None]] = {
    "pdf": write_pdf, "geojson": write_geojson, "kml": write_kml, "csv": write_csv,
}


def export(store: Store, alert_id: str, fmt: Format, out: Path) -> Incident:
    """Write one incident to ``out`` in ``fmt``; returns what was exported."""
    incident = gather(store, alert_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    WRITERS[fmt](incident, out)
    return incident


def export_command(db: str, alert_id: str, fmt: Format, out: Path, stdout: TextIO, stderr: TextIO) -> int:
    """0 written, 1 no such alert, 2 no such store."""
    url = db if "://" in db else f"sqlite:///{db}"
    if "://" not in db and not Path(db).is_file():
        stderr.write(f"error: {db}: no such store file\n")
        return 2
    with Store(url) as store:
        try:
            incident = export(store, alert_id, fmt, out)
        except IncidentNotFound as err:
            stderr.write(f"error: {db}: {err}\n")
            return 1
    points = sum(len(t.points) for t in incident.tracks.values())
    stdout.write(f"{out}: incident {alert_id} ({fmt}): {len(incident.versions)} changes, "
                 f"{len(incident.actions)} operator actions, {len(incident.tracks)} tracks, {points} positions\n")
    return 0
