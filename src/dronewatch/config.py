"""Site and scenario files (YAML) -> typed, validated ``Site`` / ``Scenario`` values.

Every error is a ``ConfigError`` that names the file, the line where one is known, the field
(as a ``$.path``) and what was expected, e.g.::

    site.yaml:12: $.zones[0].floor_m: Expected `float`, got `str`

Heights (``alt_m``, ``floor_m``, ``ceiling_m``) are metres above the site origin's ground,
except ``origin.alt_m``, which is that ground's height above the WGS84 ellipsoid.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import ssl
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import yaml
from msgspec import Meta, Struct

from dronewatch.model import Severity
from dronewatch.trackfile import TrackFileError, read_track_file

Lat = Annotated[float, Meta(ge=-90, le=90)]
Lon = Annotated[float, Meta(ge=-180, le=180)]
Positive = Annotated[float, Meta(gt=0)]
NonNeg = Annotated[float, Meta(ge=0)]
Prob = Annotated[float, Meta(ge=0, le=1)]
DEFAULT_RANGE_RATE_SIGMA_MPS = 1.0  # a radar's range-rate noise when its spec states none


class ConfigError(ValueError):
    """A site or scenario file is wrong. ``str()`` is the one line the user reads."""

    def __init__(self, file: str, field: str, expected: str, line: int | None = None) -> None:
        self.file, self.field, self.expected, self.line = file, field, expected, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {expected}")


class _Strict(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


# --- site -----------------------------------------------------------------------------------


class Origin(_Strict, frozen=True):
    lat: Lat
    lon: Lon
    alt_m: float = 0.0  # ground height above the WGS84 ellipsoid


class Circle(_Strict, frozen=True):
    lat: Lat
    lon: Lon
    radius_m: Positive


class Zone(_Strict, frozen=True):
    """A protected volume: polygon ([[lat, lon], ...], optionally with holes) or circle, between
    floor and ceiling."""

    name: str
    polygon: list[tuple[Lat, Lon]] | None = None
    circle: Circle | None = None
    holes: list[list[tuple[Lat, Lon]]] = []  # areas cut out of the polygon (a stand's pitch)
    floor_m: float = 0.0
    ceiling_m: float = 400.0
    severity: Severity = "warning"

    def __post_init__(self) -> None:
        if (self.polygon is None) == (self.circle is None):
            raise ValueError("exactly one of `polygon` or `circle` is required")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("`polygon` needs at least 3 [lat, lon] points")
        if self.holes and self.polygon is None:
            raise ValueError("`holes` only go with a `polygon`")
        if any(len(h) < 3 for h in self.holes):
            raise ValueError("each of `holes` needs at least 3 [lat, lon] points")
        if self.ceiling_m <= self.floor_m:
            raise ValueError("`ceiling_m` must be above `floor_m`")


class AllowEntry(_Strict, frozen=True):
    """An authorised identity: tracked and shown, never alerted."""

    name: str
    serial: str | None = None
    icao: str | None = None


class SystemRef(_Strict, frozen=True):
    """The system reference point of an ASTERIX SDPS: the centre of the (oblique) stereographic
    plane its CAT062 I100 Cartesian track positions are measured on."""

    lat: Annotated[float, Meta(ge=-89, le=89)]  # the projection has no polar form here
    lon: Lon


class SensorSpec(_Strict, frozen=True):
    """A sensor at the site. Figures describe the real sensor; the simulator obeys them."""

    id: str
    kind: Literal["radar", "remoteid", "adsb", "rf", "acoustic", "camera"]
    lat: Lat
    lon: Lon
    alt_m: float = 0.0  # above the origin's ground
    range_m: Positive = 1000.0
    scan_s: Positive = 1.0
    sigma_range_m: Positive = 5.0
    sigma_az_deg: Positive = 0.3
    sigma_el_deg: Positive = 0.6
    # radar: range-rate (Doppler) noise, m/s; None: not stated (the tracker then assumes its
    # ``range_rate_sigma_mps``, the simulator DEFAULT_RANGE_RATE_SIGMA_MPS; both 1.0 by default)
    sigma_range_rate_mps: Positive | None = None
    pd: Prob = 0.9
    false_alarms_per_scan: NonNeg = 0.0
    class_error_rate: Prob = 0.1  # radar: how often its class hint is wrong
    loss: Prob = 0.1  # remoteid / adsb: share of messages lost
    rate_hz: Positive = 1.0  # remoteid / adsb message rate per object
    min_range_m: NonNeg = 20.0  # radar blind range
    class_hints: bool = True  # radar: whether it reports a class hint at all
    # ASTERIX radar: System Area Code / System Identification Code its plots carry (I010).
    sac: Annotated[int, Meta(ge=0, le=255)] | None = None
    sic: Annotated[int, Meta(ge=0, le=255)] | None = None
    # ASTERIX SDPS (CAT062): its system reference point, for tracks that carry only the
    # Cartesian I100 position (no WGS-84 I105). See docs/feeds.md.
    system_ref: SystemRef | None = None


InputKind = Literal["beast", "sbs", "aircraft_json", "asterix", "sapient"]
#: Which URL forms each input kind takes (checked in InputSpec.__post_init__).
INPUT_URLS: dict[str, tuple[str, ...]] = {
    "beast": ("tcp://HOST:PORT",),
    "sbs": ("tcp://HOST:PORT",),
    "aircraft_json": ("http(s)://...", "FILE"),
    "asterix": ("udp://HOST:PORT", "udp://GROUP:PORT (multicast)", "tcp://HOST:PORT"),
    "sapient": ("tcp-listen://HOST:PORT",),
}


def _host_port(rest: str) -> bool:
    host, sep, port = rest.rpartition(":")
    return bool(sep and host.strip("[]") and port.isdigit() and 0 < int(port) < 65536)


class InputSpec(_Strict, frozen=True):
    """A live feed (site file ``inputs:``): ADS-B from readsb/dump1090, an ASTERIX radar, a
    SAPIENT listener. ``sensor`` names the site sensor it belongs to (its position, noise)."""

    kind: InputKind
    url: str
    sensor: str | None = None
    poll_s: Positive = 1.0  # aircraft_json: poll interval

    def __post_init__(self) -> None:
        scheme, sep, rest = self.url.partition("://")
        ok = False
        if self.kind in ("beast", "sbs"):
            ok = sep != "" and scheme == "tcp" and _host_port(rest)
        elif self.kind == "aircraft_json":
            ok = (scheme in ("http", "https") and bool(rest)) or (not sep and bool(self.url)) or scheme == "file"
        elif self.kind == "asterix":
            ok = sep != "" and scheme in ("udp", "tcp") and _host_port(rest)
        elif self.kind == "sapient":
            ok = sep != "" and scheme == "tcp-listen" and _host_port(rest)
        if not ok:
            forms = " or ".join(INPUT_URLS[self.kind])
            raise ValueError(f"`url` for kind {self.kind} must be {forms}, got {self.url!r}")

    @property
    def sensor_id(self) -> str:
        return self.sensor or f"{self.kind}-{self.url.partition('://')[2] or self.url}"


class Thresholds(_Strict, frozen=True):
    """Alert rule settings (site file ``thresholds:``)."""

    predict_horizon_s: Positive = 60.0  # predicted_zone_entry look-ahead
    hover_speed_mps: Positive = 2.0  # slower than this counts as hovering
    hover_s: Positive = 10.0  # hovering this long raises `hover`
    near_m: NonNeg = 150.0  # "near a zone" for hover
    loiter_s: Positive = 120.0  # minutes near a zone without entering
    loiter_near_m: NonNeg = 300.0
    swarm_min: Annotated[int, Meta(ge=2)] = 3
    swarm_window_s: Positive = 30.0
    swarm_horizon_s: Positive = 150.0  # how far ahead swarm arrivals are predicted
    mismatch_m: Positive = 150.0  # remote_id_mismatch distance
    mismatch_s: Positive = 5.0  # ...held this long
    min_track_age_s: NonNeg = 3.0  # a track must be confirmed this long before any alert
    no_remote_id_s: Positive = 10.0  # confirmed drone without identity this long
    clear_s: Positive = 10.0  # a condition false this long resolves its alert
    zone_margin_m: NonNeg = 25.0  # hysteresis: an alerted drone counts as inside this far out
    # An open warning/critical alert nobody acknowledged this long is escalated (null: never).
    escalate_after_s: Positive | None = 90.0
    # Unknown (unclassified) tracks inside a critical zone: rule `unidentified_object` at this
    # severity ("off": never). Never a drone alert.
    unidentified_severity: Literal["off", "info", "warning", "critical"] = "info"
    unidentified_s: NonNeg = 10.0  # ...after this long inside, unbroken


_URL_SCHEMES = {
    "cot": ("udp", "tcp", "tls"),
    "sapient": ("tcp",),
    "webhook": ("http", "https"),
    "mqtt": ("mqtt", "mqtts"),
}


class _OutputBase(_Strict, frozen=True, kw_only=True, tag_field="kind"):
    """One output (site file ``outputs:``): where tracks and alerts are sent. Secrets are named
    by environment variable (``*_env``), never written in the file."""

    url: str
    name: str | None = None  # shown in /api/health; default: kind + url
    queue: Annotated[int, Meta(ge=1)] = 10_000  # updates with alerts waiting before the oldest is dropped

    def __post_init__(self) -> None:
        kind = str(msgspec.inspect.type_info(type(self)).tag)  # type: ignore[attr-defined]
        scheme, sep, rest = self.url.partition("://")
        if not sep or scheme not in _URL_SCHEMES[kind] or not rest:
            raise ValueError(f"`url` must be {' or '.join(s + '://...' for s in _URL_SCHEMES[kind])}")


class CotOutput(_OutputBase, frozen=True, kw_only=True, tag="cot"):
    """Cursor-on-Target to TAK: udp:// (multicast SA mesh), tcp:// or tls:// (client cert)."""

    url: str = "udp://239.2.3.1:6969"
    cert: str | None = None  # tls: client certificate (PEM)
    key: str | None = None  # tls: its private key (PEM)
    ca: str | None = None  # tls: CA that signed the server's certificate
    password_env: str | None = None  # tls: env var holding the key's password
    interface: str | None = None  # udp multicast: local IPv4 address of the interface to send on
    rate_hz: Positive = 1.0  # at most this many events per track per second (hostile: at once)
    stale_s: Positive = 15.0  # how long TAK shows an event without an update

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.url.startswith("tls://") and (self.cert is None or self.ca is None):
            raise ValueError("a tls:// CoT output needs `cert` (and `key` unless inside it) and `ca`")
        if self.interface is not None:
            try:
                ipaddress.IPv4Address(self.interface)
            except ValueError:
                raise ValueError(f"`interface` must be the interface's IPv4 address, not {self.interface!r}") from None


class SapientOutput(_OutputBase, frozen=True, kw_only=True, tag="sapient"):
    """SAPIENT (BSI Flex 335 v2.0) to a parent node; dronewatch connects."""

    node_id: str | None = None  # UUID; default: derived from the site name
    status_s: Positive = 10.0  # StatusReport period


class WebhookOutput(_OutputBase, frozen=True, kw_only=True, tag="webhook"):
    """Alerts as signed JSON POSTs (Standard Webhooks) from a durable outbox."""

    secret_env: str  # env var with the whsec_... secret
    severity: list[Severity] = []  # only these severities (empty: all)
    zones: list[str] = []  # only alerts for these zones (empty: all)
    rules: list[str] = []  # only these rules (empty: all)
    timeout_s: Positive = 10.0
    # seconds before each retry; then the message is given up (kept in the outbox as "failed")
    retry_s: list[Positive] = msgspec.field(
        default_factory=lambda: [1, 2, 3, 5, 10, 30, 60, 300, 1800, 7200, 18000, 36000])
    ca: str | None = None  # https: CA file (PEM) that signed the receiver's certificate (default: the system's)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.ca is not None and not self.url.startswith("https://"):
            raise ValueError("`ca` only goes with an https:// url")


class MqttOutput(_OutputBase, frozen=True, kw_only=True, tag="mqtt"):
    """Tracks and alerts as JSON on dronewatch/v1/<site>/..., retained status with a last will."""

    url: str = "mqtt://127.0.0.1:1883"
    username: str | None = None
    password_env: str | None = None
    ca: str | None = None  # mqtts: CA file (default: the system's)
    cert: str | None = None  # mqtts: client certificate
    key: str | None = None
    tracks: bool = True  # also publish tracks (alerts always)
    track_rate_hz: Positive = 1.0  # per track

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.url.startswith("mqtts://") and (self.ca or self.cert or self.key):
            raise ValueError("`ca`, `cert` and `key` only go with an mqtts:// url")
        if self.password_env is not None and self.username is None:
            raise ValueError("`password_env` needs `username`")


OutputSpec = CotOutput | SapientOutput | WebhookOutput | MqttOutput


class Basemap(_Strict, frozen=True, kw_only=True):
    """The map under the picture (console). ``url``: a tile URL template (``.../{z}/{x}/{y}.png``,
    or ``pmtiles://https://...``), raster unless ``style`` is set; ``file``: a local ``.pmtiles``
    or ``.mbtiles`` file that dronewatch serves itself at /api/basemap/{z}/{x}/{y} (a path
    relative to the working directory, like certificate paths); ``style``: a MapLibre style JSON
    (URL or local file) for vector tiles. Without a basemap the console draws a plain grid."""

    url: str | None = None
    file: str | None = None
    style: str | None = None
    attribution: str = ""
    tile_size: Annotated[int, Meta(ge=64, le=1024)] = 256
    max_zoom: Annotated[int, Meta(ge=0, le=24)] = 19

    def __post_init__(self) -> None:
        if (self.url is None) == (self.file is None):
            raise ValueError("set exactly one of `url` (tile URL template) and `file` (.pmtiles/.mbtiles)")
        if self.file is not None and not self.file.lower().endswith((".pmtiles", ".mbtiles")):
            raise ValueError("`file` must be a .pmtiles or .mbtiles file")
        if self.url is not None and "://" not in self.url:
            raise ValueError("`url` must be a full URL template, e.g. https://tiles.example/{z}/{x}/{y}.png")


class Site(_Strict, frozen=True):
    name: str
    origin: Origin
    zones: list[Zone] = []
    allow: list[AllowEntry] = []
    sensors: list[SensorSpec] = []
    inputs: list[InputSpec] = []  # live feeds serve starts (ADS-B, ASTERIX, SAPIENT)
    thresholds: Thresholds = Thresholds()
    tile_url: str | None = None  # optional raster basemap, e.g. https://.../{z}/{x}/{y}.png
    basemap: Basemap | None = None  # streets under the picture (see Basemap)
    outputs: list[OutputSpec] = []  # TAK, SAPIENT, webhooks, MQTT (docs/outputs.md)

    def __post_init__(self) -> None:
        names = [z.name for z in self.zones]
        if len(set(names)) != len(names):
            raise ValueError("zone names must be unique")
        ids = [s.id for s in self.sensors]
        if len(set(ids)) != len(ids):
            raise ValueError("sensor ids must be unique")
        codes = [(s.sac, s.sic) for s in self.sensors if s.sac is not None or s.sic is not None]
        if any(sac is None or sic is None for sac, sic in codes):
            raise ValueError("a sensor with `sac` needs `sic` too (and the other way round)")
        if len(set(codes)) != len(codes):
            raise ValueError("sensor `sac`/`sic` pairs must be unique")
        for i, inp in enumerate(self.inputs):
            if inp.kind == "asterix" and inp.sensor is not None and inp.sensor not in ids:
                known = ", ".join(ids) or "none defined"
                raise ValueError(f"inputs[{i}].sensor {inp.sensor!r} is not one of the site's sensors ({known})")


# --- scenario -------------------------------------------------------------------------------


class Waypoint(_Strict, frozen=True):
    lat: Lat
    lon: Lon
    alt_m: float  # above the origin's ground
    t: NonNeg | None = None  # seconds from scenario start to be here (else: speed_mps)
    hold_s: NonNeg = 0.0  # stay here this long (hover / circle)


class LatLon(_Strict, frozen=True):
    lat: Lat
    lon: Lon


class RemoteIdSpec(_Strict, frozen=True):
    serial: str
    operator: LatLon | None = None
    session_id: str | None = None


class DjiSpec(_Strict, frozen=True):
    """DJI DroneID the object sends on its OcuSync link (heard by ``rf`` sensors)."""

    serial: str
    product_type: Annotated[int, Meta(ge=0, le=255)] = 58  # DroneID product type (58: Mavic Air 2)
    pilot: LatLon | None = None  # the pilot app's position
    home: LatLon | None = None  # default: the first waypoint


class OffsetM(_Strict, frozen=True):
    east: float = 0.0
    north: float = 0.0
    up: float = 0.0


class AdsbSpec(_Strict, frozen=True):
    icao: Annotated[str, Meta(pattern=r"^[0-9A-Fa-f]{6}$")]
    callsign: str | None = None


class Place(_Strict, frozen=True):
    """Where a recorded track is put: its first row at (lat, lon) at scenario time ``t0_s``,
    turned ``heading_deg`` clockwise about that point."""

    lat: Lat
    lon: Lon
    heading_deg: float = 0.0
    t0_s: NonNeg = 0.0


class ObjectSpec(_Strict, frozen=True):
    id: str
    kind: Literal["multirotor", "fixed_wing", "bird", "aircraft"]
    waypoints: list[Waypoint] = []
    track_file: str | None = None  # recorded t_s,lat,lon,alt_m CSV (relative to the scenario file)
    place: Place | None = None  # where the recording is put (with track_file)
    alt_m: float = 0.0  # with track_file: height of the recording's first row above origin ground
    count: Annotated[int, Meta(ge=1)] = 1
    speed_mps: Positive | None = None  # default by kind
    start_s: NonNeg = 0.0  # appears at this time (unless the first waypoint has t)
    remote_id: RemoteIdSpec | None = None
    remote_id_offset_m: OffsetM | None = None
    adsb: AdsbSpec | None = None
    dji: DjiSpec | None = None
    rcs_dbsm: float | None = None  # default by kind
    loop: bool = False  # fly the waypoints again and again until the end

    def __post_init__(self) -> None:
        if self.track_file is not None:
            if self.waypoints:
                raise ValueError("give either `waypoints` or `track_file`, not both")
            if self.place is None:
                raise ValueError("`track_file` needs `place: {lat, lon, heading_deg, t0_s}`")
            if self.loop:
                raise ValueError("`loop` only goes with `waypoints`")
        elif not self.waypoints:
            raise ValueError("`waypoints` needs at least one point (or give a `track_file`)")
        elif self.place is not None:
            raise ValueError("`place` only goes with `track_file`")


class Scenario(_Strict, frozen=True):
    name: str
    site: Site
    objects: list[ObjectSpec]
    seed: int = 0
    start: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    duration_s: Positive = 600.0
    step_s: Positive = 0.1  # simulation clock step

    @property
    def start_at(self) -> float:
        start = self.start if self.start.tzinfo else self.start.replace(tzinfo=dt.UTC)
        return start.timestamp()


# --- loading --------------------------------------------------------------------------------


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_index(text: str) -> dict[str, int]:
    """Map every ``$.a[0].b`` path in a YAML document to its 1-based line."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node | None, path: str) -> None:
        if node is None:
            return
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = f"{path}.{key.value}"
                lines[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    walk(root, "$")
    return lines


_PATH = re.compile(r" - at `(\$[^`]*)`$")
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _literal_choices(typ: type, path: str) -> list[str] | None:
    """The allowed values of the Literal field at ``path`` (for "Invalid enum value")."""
    info: Any = msgspec.inspect.type_info(typ)
    for name, _index in _SEGMENT.findall(path[1:]):
        while isinstance(info, msgspec.inspect.UnionType):
            info = next((t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)), None)
        if name:
            if not isinstance(info, msgspec.inspect.StructType):
                return None
            info = next((f.type for f in info.fields if f.encode_name == name), None)
        elif isinstance(info, msgspec.inspect.ListType | msgspec.inspect.TupleType):
            info = getattr(info, "item_type", None)
        if info is None:
            return None
    while isinstance(info, msgspec.inspect.UnionType):
        info = next((t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)), None)
    if isinstance(info, msgspec.inspect.LiteralType):
        return [str(v) for v in info.values]
    return None


def _convert(data: Any, typ: type, file: str, text: str, prefix: str = "$") -> Any:
    try:
        return msgspec.convert(data, typ)
    except msgspec.ValidationError as err:
        msg = str(err)
        m = _PATH.search(msg)
        path = m.group(1) if m else "$"
        if prefix != "$":
            path = prefix + path[1:]
        expected = _PATH.sub("", msg)
        if expected.startswith("Invalid enum value"):
            choices = _literal_choices(typ, path if prefix == "$" else "$")
            if choices:
                expected = f"{expected}; expected one of: {', '.join(choices)}"
        index = _line_index(text)
        line = None
        probe = path
        while probe and line is None:
            line = index.get(probe)
            probe = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe) if probe != "$" else ""
        raise ConfigError(file, path, expected, line) from None


def _read_yaml(path: Path) -> tuple[Any, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(str(path), "$", f"cannot read file ({err.strerror})") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)  # libyaml when present: 10x faster on big scenarios
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(str(path), "$", f"valid YAML ({problem})", line) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), "$", f"Expected a mapping, got {type(data).__name__}", 1)
    return data, text


def load_site(path: str | Path) -> Site:
    """Read and validate a site file."""
    p = Path(path)
    data, text = _read_yaml(p)
    site: Site = _convert(data, Site, str(p), text)
    return site


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; ``site:`` may be inline or a path relative to it."""
    p = Path(path)
    data, text = _read_yaml(p)
    site_field = data.get("site")
    if isinstance(site_field, str):
        data = dict(data)
        data["site"] = msgspec.to_builtins(load_site(p.parent / site_field))
    scenario: Scenario = _convert(data, Scenario, str(p), text)
    return _with_track_files(scenario, p, text)


def _with_track_files(scenario: Scenario, path: Path, text: str) -> Scenario:
    """Resolve each ``track_file`` against the scenario's folder and check the file now."""
    objects = list(scenario.objects)
    for i, spec in enumerate(objects):
        if spec.track_file is None:
            continue
        field = f"$.objects[{i}].track_file"
        resolved = (path.parent / spec.track_file).resolve()
        try:
            read_track_file(resolved)
        except TrackFileError as err:
            if not resolved.is_file():
                line = _line_index(text).get(field)
                raise ConfigError(str(path), field, f"{err.expected}: {resolved}", line) from None
            raise ConfigError(err.file, f"({field} of {path.name})", err.expected, err.line) from None
        objects[i] = msgspec.structs.replace(spec, track_file=str(resolved))
    return msgspec.structs.replace(scenario, objects=objects)


BUILTIN_DIR = Path(__file__).parent / "scenarios"


def resolve_scenario(name_or_file: str) -> Path:
    """A built-in scenario name (``stadium``) or a path to a scenario file."""
    builtin = BUILTIN_DIR / f"{name_or_file}.yaml"
    if builtin.is_file():
        return builtin
    p = Path(name_or_file)
    if p.is_file():
        return p
    known = ", ".join(sorted(f.stem for f in BUILTIN_DIR.glob("*.yaml")))
    raise ConfigError(name_or_file, "$", f"a scenario file or a built-in name ({known})")


def _file_problem(value: str, field: str) -> str | None:
    """What is wrong with a certificate, key or CA file an output names, or None."""
    p = Path(value)
    if not p.is_file():
        return f"an existing file (paths are relative to the working directory, {Path.cwd()}); {value} not found"
    try:
        data = p.read_bytes()
    except OSError as err:
        return f"a readable file; {value}: {err.strerror}"
    if field == "ca":
        try:
            ssl.create_default_context(cafile=str(p))
        except (ssl.SSLError, ValueError):
            return f"PEM CA certificate(s); {value} holds none"
    elif p.suffix.lower() not in (".p12", ".pfx") and b"-----BEGIN " not in data:
        return f"a PEM file (or .p12); {value} is not PEM"
    return None


def check_output_files(path: str | Path, site: Site) -> None:
    """For ``dronewatch check``: every ``ca``, ``cert`` and ``key`` file the outputs of ``site``
    (loaded from ``path``, a site file or a scenario) name exists and holds what it should."""
    p = Path(path)
    data, text = _read_yaml(p)
    prefix = "$"
    if "objects" in data:
        if isinstance(data.get("site"), str):
            p = p.parent / data["site"]
            text = p.read_text()
        else:
            prefix = "$.site"
    for i, spec in enumerate(site.outputs):
        for name in ("ca", "cert", "key"):
            value = getattr(spec, name, None)
            problem = None if value is None else _file_problem(value, name)
            if problem is not None:
                field = f"{prefix}.outputs[{i}].{name}"
                raise ConfigError(str(p), field, problem, _line_index(text).get(field))


def load_any(path: str | Path) -> Site | Scenario:
    """For ``dronewatch check``: a file with ``objects:`` is a scenario, else a site."""
    p = Path(path)
    data, _ = _read_yaml(p)
    return load_scenario(p) if "objects" in data else load_site(p)
