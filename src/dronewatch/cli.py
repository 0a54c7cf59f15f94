"""The command line: ``dronewatch demo | serve | run | check | decode | listen | replay | users | tokens``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dronewatch.auth.cli import tokens_app, users_app
from dronewatch.config import (
    ConfigError,
    InputSpec,
    Scenario,
    Site,
    check_output_files,
    load_any,
    load_scenario,
    load_site,
    resolve_scenario,
)
from dronewatch.model import Alert, Update
from dronewatch.sources.threaded import ThreadedReader, parse_input

if TYPE_CHECKING:
    from dronewatch.edge import EdgePublisher

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
console = Console(stderr=True)
out = Console()


def _fail(err: Exception) -> typer.Exit:
    console.print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _scenario(name: str) -> Scenario:
    try:
        return load_scenario(resolve_scenario(name))
    except ConfigError as err:
        raise _fail(err) from None


@app.command()
def check(file: Annotated[Path, typer.Argument(help="site or scenario YAML file")]) -> None:
    """Validate a site or scenario file; print what it holds, or the first error."""
    try:
        loaded = load_any(file)
        site = loaded.site if isinstance(loaded, Scenario) else loaded
        check_output_files(file, site)
    except ConfigError as err:
        raise _fail(err) from None
    kind = "scenario" if isinstance(loaded, Scenario) else "site"
    out.print(f"{file}: valid {kind} [bold]{loaded.name}[/]", highlight=False, soft_wrap=True)
    out.print(f"  zones: {len(site.zones)}  sensors: {len(site.sensors)}  allow-listed: {len(site.allow)}")
    for spec in site.outputs:
        env = [v for v in (getattr(spec, "secret_env", None), getattr(spec, "password_env", None)) if v]
        missing = [v for v in env if v not in os.environ]
        note = f"  [yellow](environment variable {', '.join(missing)} not set)[/]" if missing else ""
        out.print(f"  output: {type(spec).__name__.removesuffix('Output').lower()} {spec.url}{note}",
                  highlight=False, soft_wrap=True)
    if isinstance(loaded, Scenario):
        out.print(f"  objects: {len(loaded.objects)}  duration: {loaded.duration_s:.0f} s  seed: {loaded.seed}")


@app.command()
def run(
    scenario: Annotated[str, typer.Option(help="built-in scenario name or a scenario file")] = "stadium",
    out_dir: Annotated[Path, typer.Option("--out", help="directory for alerts/tracks/truth .jsonl")] = Path("out"),
    fast: Annotated[bool, typer.Option("--fast", help="as fast as the CPU allows (else real time)")] = False,
    speed: Annotated[float, typer.Option(help="pace without --fast: multiple of real time")] = 1.0,
    db: Annotated[str | None, typer.Option(help="also record to this database URL (sqlite:///x.db)")] = None,
) -> None:
    """Run a scenario with no server and write alerts.jsonl, tracks.jsonl, truth.jsonl."""
    from dronewatch.runner import run_fast

    scen = _scenario(scenario)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(f"{scen.name}", total=1.0)
        summary = run_fast(scen, out_dir, db_url=db, speed=None if fast else speed,
                           on_progress=lambda f: progress.update(task, completed=f))
    table = Table(title=f"dronewatch run: {summary.scenario}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("simulated", f"{summary.sim_seconds:.0f} s")
    table.add_row("wall clock", f"{summary.wall_seconds:.2f} s ({summary.speedup:.0f}x real time)")
    table.add_row("frames / reports", f"{summary.frames} / {summary.reports}")
    table.add_row("rejected frames", str(sum(summary.rejected.values())))
    table.add_row("confirmed tracks", str(summary.tracks_seen))
    for rule, n in summary.alerts_by_rule.items():
        table.add_row(f"alerts: {rule}", str(n))
    out.print(table)
    out.print(f"files in {out_dir}/: alerts.jsonl tracks.jsonl truth.jsonl")


def _readers(wifi: list[str], bluetooth: list[str], mavlink: list[str]) -> list[ThreadedReader]:
    """Live Remote ID inputs, each in its own thread (they block on their device)."""
    from functools import partial

    from dronewatch.sources.remoteid import mavlink as mav
    from dronewatch.sources.remoteid import readers as rd

    out = []
    for spec in wifi:
        dev, sensor = parse_input(spec, "rid-wifi")
        out.append(ThreadedReader(f"wifi:{dev}", partial(rd.wifi_monitor_frames, dev, sensor)))
    for spec in bluetooth:
        dev, sensor = parse_input(spec, "rid-bt")
        index = int(dev.removeprefix("hci"))
        out.append(ThreadedReader(f"bt:{dev}", partial(rd.hci_frames, index, sensor, extended=True)))
    for spec in mavlink:
        dev, sensor = parse_input(spec, "rid-mavlink")
        out.append(ThreadedReader(f"mavlink:{dev}", partial(mav.mavlink_frames, dev, sensor)))
    return out


def _edge_publisher(bus_url: str | None, site: Site, db: Path) -> EdgePublisher | None:
    """With ``--bus``: publish what the local store records to NATS JetStream (the store buffers)."""
    if bus_url is None:
        return None
    from dronewatch.edge import EdgePublisher, StoreTail

    return EdgePublisher(bus_url, site, StoreTail(db))


async def _start_from_file(path: Path, publisher: EdgePublisher | None, state: dict[str, str]) -> dt.datetime:
    """``--start-file``: once this edge can run (console up, bus connected), say so (``scenario:
    ready`` in /api/health) and wait for ``path``; it holds the scenario's start instant (epoch s)."""
    while publisher is not None and not publisher.connected:
        await asyncio.sleep(0.05)
    state["scenario"] = "ready"
    while True:
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = ""
        if text:
            state["scenario"] = "running"
            return dt.datetime.fromtimestamp(float(text), dt.UTC)
        await asyncio.sleep(0.05)


def _serve(site_or_scenario: Scenario | Path, host: str, port: int, db: Path, speed: float,
           udp: str | None, loop: bool, udp_link: str = "dw-report",
           readers: list[ThreadedReader] | None = None, bus_url: str | None = None,
           tls: tuple[Path, Path] | None = None, inputs: list[InputSpec] | None = None,
           start_file: Path | None = None) -> None:
    import uvicorn

    from dronewatch.api import LiveState, create_app
    from dronewatch.api.serving import guard_bind, uvicorn_options
    from dronewatch.assess.lifecycle import Action
    from dronewatch.bus import InProcessBus
    from dronewatch.pipeline import Pipeline
    from dronewatch.runner import run_live
    from dronewatch.sources.sim import Simulation
    from dronewatch.store import Store

    scen = site_or_scenario if isinstance(site_or_scenario, Scenario) else None
    site = scen.site if scen is not None else load_site(site_or_scenario)  # type: ignore[arg-type]
    db.parent.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{db}")
    try:
        security = guard_bind(store, host, db, tls)
    except ValueError as err:
        store.close()
        raise _fail(err) from None
    bus = InProcessBus()
    live = LiveState(site)
    try:
        app_ = create_app(site, store, live, bus, security=security)
    except ValueError as err:  # e.g. the site's basemap file
        store.close()
        raise _fail(err) from None
    clock = {"now": time.time()}
    holder: dict[str, Pipeline] = {}

    def act(alert_id: str, action: Action, by: str, note: str | None) -> Alert | None:
        return holder["p"].act(alert_id, action, by, note, clock["now"])

    live.set_action_handler(act)
    publisher = _edge_publisher(bus_url, site, db)
    from dronewatch.sources.inputs import open_feeds, sensor_health
    from dronewatch.sources.sensorhealth import with_health

    feeds = open_feeds(list(site.inputs) + list(inputs or []), site)

    start_state = {"scenario": "starting"}

    def stats() -> dict[str, Any]:
        figures = holder["p"].stats() if "p" in holder else {}
        if start_file is not None:
            figures = figures | start_state
        if feeds:
            statuses = with_health([f.status() for f in feeds], time.time())
            figures = figures | {"inputs": statuses, "sensors": sensor_health(statuses)}
        return figures | ({"bus": publisher.stats()} if publisher is not None else {})

    live.set_stats_source(stats)
    from dronewatch.sinks.process import start_outputs

    outputs = start_outputs(site, store)
    live.set_outputs_source(outputs.stats)

    async def main() -> None:
        server = uvicorn.Server(uvicorn.Config(app_, host=host, port=port, log_level="warning",
                                               **uvicorn_options(tls)))
        tasks = [asyncio.create_task(server.serve())]
        ev_loop = asyncio.get_running_loop()
        # a SAPIENT parent's AlertAck acknowledges here too
        outputs.set_ack_handler(lambda alert_id, by: ev_loop.call_soon_threadsafe(act, alert_id, "ack", by, None))
        if outputs:
            async def feed_outputs() -> None:  # off the pipeline: outputs queue and send on their threads
                async with bus.subscribe(live.subject) as updates:
                    async for update in updates:
                        outputs.offer(update)
            tasks.append(asyncio.create_task(feed_outputs()))
        if publisher is not None:  # on its own thread: pipeline steps hold this loop
            publisher.start_thread()

        def on_update(update: Update) -> None:
            clock["now"] = update.at
            live.apply(update)
            if publisher is not None:  # the step's rows are in the store: publish them now
                publisher.poke(update.at, holder["p"].last_step)

        if scen is not None:
            async def drive() -> None:
                while not server.started:  # the console first: a busy CPU must not starve its start
                    await asyncio.sleep(0.05)
                first = None if start_file is None else await _start_from_file(start_file, publisher, start_state)
                while True:
                    # Live, the scenario starts now (or at --start-file's instant): times on screen
                    # and in the store are real, and each pass gets its own alert ids in the store.
                    started = first or dt.datetime.now(dt.UTC)  # to the microsecond: scenario time = wall time
                    first = None
                    sim = Simulation(msgspec.structs.replace(scen, start=started))
                    prefix = started.strftime("%Y%m%dT%H%M%S-")
                    holder["p"] = Pipeline(site, sim.frame, store=store, bus=bus, alert_id_prefix=prefix)
                    await asyncio.sleep(max(0.0, started.timestamp() - time.time()))
                    await run_live(holder["p"], sim, on_update, speed=speed)
                    console.print(f"scenario {scen.name} finished" + (", starting again" if loop else ""))
                    if not loop:
                        return
                    gone = [t.track_id for t in live.tracks()]
                    live.apply_and_publish(Update(at=sim.end_at, tracks=[], alerts=[], removed=gone), bus)
            tasks.append(asyncio.create_task(drive()))
        if udp is not None:
            from dronewatch.sources.udp import listen

            h, _, p = udp.rpartition(":")
            holder["p"] = Pipeline(site, store=store, bus=bus)
            _, proto = await listen(h or "127.0.0.1", int(p), "udp", udp_link)

            live_readers = [r.start() for r in readers or []]
            tasks.extend(f.start() for f in feeds)

            async def pump() -> None:
                while True:
                    await asyncio.sleep(0.5)
                    now = time.time()
                    frames = proto.drain()
                    for reader in live_readers:
                        frames.extend(reader.drain())
                    for feed in feeds:
                        frames.extend(feed.drain())
                    frames.sort(key=lambda f: f.received_at)
                    on_update(holder["p"].step(frames, now))
            tasks.append(asyncio.create_task(pump()))
        while not server.started:
            await asyncio.sleep(0.05)
        scheme = "https" if tls else "http"
        console.print(f"[bold green]dronewatch console on {scheme}://{host}:{port}[/]  (API docs: /docs; Ctrl-C stops)")
        await tasks[0]
        for t in tasks[1:]:
            t.cancel()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        if publisher is not None:
            publisher.stop_thread()
        outputs.close(drain_timeout=10.0)
        store.close()


TlsCert = Annotated[Path | None, typer.Option("--tls-cert", help="PEM certificate: serve HTTPS")]
TlsKey = Annotated[Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert")]


def _tls(cert: Path | None, key: Path | None) -> tuple[Path, Path] | None:
    if (cert is None) != (key is None):
        raise _fail(ValueError("--tls-cert and --tls-key go together"))
    for p in (cert, key):
        if p is not None and not p.is_file():
            raise _fail(ValueError(f"{p}: no such file"))
    return (cert, key) if cert is not None and key is not None else None


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="address to serve the console on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to serve the console on")] = 8080,
    scenario: Annotated[str, typer.Option(help="built-in scenario name or a scenario file")] = "stadium",
    speed: Annotated[float, typer.Option(help="multiple of real time")] = 1.0,
    db: Annotated[Path, typer.Option(help="SQLite file for evidence and history")] = Path("run/demo.db"),
    loop: Annotated[bool, typer.Option(help="start the scenario again when it ends")] = True,
    bus: Annotated[str | None, typer.Option(help="also publish frames, tracks, alerts and audit rows to NATS "
                                                 "JetStream, e.g. nats://HOST:4222 (buffered in --db while "
                                                 "the broker is away)")] = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    start_file: Annotated[Path | None, typer.Option(
        help="set up, report `scenario: ready` in /api/health, then wait for this file; it holds the "
             "scenario's start instant (epoch seconds): starts several edges together (bench/scale.py)")] = None,
) -> None:
    """The simulator, the whole pipeline, SQLite and the live console in one process."""
    _serve(_scenario(scenario), host, port, db, speed, None, loop, bus_url=bus, tls=_tls(tls_cert, tls_key),
           start_file=start_file)


@app.command()
def serve(
    site: Annotated[Path, typer.Option(help="site file")],
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8080,
    db: Annotated[Path, typer.Option(help="SQLite file")] = Path("run/dronewatch.db"),
    udp: Annotated[str, typer.Option(help="receive frames as UDP datagrams on HOST:PORT")] = "127.0.0.1:4100",
    udp_link: Annotated[str, typer.Option(help="what the datagrams hold: dw-report (JSON Reports), odid-pack "
                                               "(ASTM F3411 message packs), odid-wifi-beacon, ...")] = "dw-report",
    wifi: Annotated[list[str] | None, typer.Option(
        help="monitor-mode interface for Remote ID / DJI DroneID beacons: IFACE or IFACE@SENSOR_ID "
             "(repeatable; needs root)")] = None,
    bluetooth: Annotated[list[str] | None, typer.Option(help="Bluetooth controller scanned passively for "
                                                             "Remote ID: hciN or hciN@SENSOR_ID (repeatable)")] = None,
    mavlink: Annotated[list[str] | None, typer.Option(help="MAVLink OPEN_DRONE_ID_* source, e.g. "
                                                           "udpin:0.0.0.0:14550@rid-2 (needs the "
                                                           "'mavlink' extra)")] = None,
    sdr: Annotated[list[str] | None, typer.Option(
        help="DJI DroneID over OcuSync: SoapySDR device args (hops the DroneID channels of both "
             "bands, or one with ?band=2.4 / ?band=5.8; needs SoapySDR's Python module) or a "
             "recording (file:PATH or X.sigmf-meta), each optionally @SENSOR_ID (repeatable)")] = None,
    bus: Annotated[str | None, typer.Option(help="also publish frames, tracks, alerts and audit rows to NATS "
                                                 "JetStream, e.g. nats://HOST:4222 (buffered in --db while "
                                                 "the broker is away)")] = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
    beast: Annotated[list[str] | None, typer.Option(help="readsb/dump1090 Beast output to connect to: "
                                                         "HOST:PORT[@SENSOR_ID] (port 30005; repeatable)")] = None,
    sbs: Annotated[list[str] | None, typer.Option(help="SBS-1/BaseStation output to connect to: "
                                                       "HOST:PORT[@SENSOR_ID] (port 30003; repeatable)")] = None,
    aircraft_json: Annotated[list[str] | None, typer.Option(
        "--aircraft-json", help="readsb/dump1090 aircraft.json to poll each second: URL or FILE")] = None,
    asterix: Annotated[list[str] | None, typer.Option(help="ASTERIX radar feed: udp://HOST:PORT (multicast "
                                                           "group or unicast)[@SENSOR_ID] (repeatable)")] = None,
    sapient_listen: Annotated[list[str] | None, typer.Option(
        "--sapient-listen", help="listen for SAPIENT edge nodes (BSI Flex 335 v2.0) on HOST:PORT")] = None,
) -> None:
    """Serve a site: pipeline fed from the network and local receivers, store and live console."""
    from dronewatch.sources.inputs import from_shortcut

    shortcuts = [("beast", beast), ("sbs", sbs), ("aircraft-json", aircraft_json), ("asterix", asterix),
                 ("sapient-listen", sapient_listen)]
    from dronewatch.sources.ocusync.live import readers as sdr_readers

    try:
        load_site(site)
        specs = [from_shortcut(opt, v) for opt, values in shortcuts for v in values or []]
        sdr_live = sdr_readers(sdr or [])
    except ValueError as err:  # ConfigError, or a bad --sdr spec
        raise _fail(err) from None
    live_readers = _readers(wifi or [], bluetooth or [], mavlink or []) + sdr_live
    _serve(site, host, port, db, 1.0, udp, False, udp_link, live_readers, bus_url=bus, tls=_tls(tls_cert, tls_key),
           inputs=specs)


@app.command()
def decode(
    file: Annotated[Path, typer.Argument(help="capture or recording: pcap/pcapng (Remote ID, ASTERIX), ASTERIX "
                                              "blocks, Beast, SBS-1, Mode S hex, aircraft.json, or an IQ "
                                              "recording (.sigmf-meta, or raw with --rate) for DJI DroneID")],
    json_out: Annotated[bool, typer.Option("--json", help="one JSON object per message")] = False,
    rate: Annotated[float | None, typer.Option(help="raw IQ file: sample rate in Hz (>= 15.36e6)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto, a recorded format (asterix, asterix-pcap, beast, "
                                                      "sbs, modes-hex, aircraft-json, remoteid; docs/feeds.md) "
                                                      "or, for a raw IQ file, cf32 / ci16")] = "auto",
) -> None:
    """Decode a capture or recording: Remote ID / DJI DroneID, ASTERIX, Beast, SBS-1, aircraft.json,
    or DroneID from an OcuSync IQ recording."""
    if rate is not None or fmt in ("cf32", "ci16") or file.suffix in (".sigmf-meta", ".sigmf-data"):
        from dronewatch.sources.ocusync.cli import decode_command as decode_iq

        raise typer.Exit(decode_iq(file, rate, None if fmt == "auto" else fmt, json_out, sys.stdout, sys.stderr))
    from dronewatch.sources.recorded import decode_file

    raise typer.Exit(decode_file(file, fmt, json_out, sys.stdout, sys.stderr))


@app.command()
def replay(
    file: Annotated[Path, typer.Argument(help="recorded ASTERIX (raw or pcap), Beast, SBS-1 or Mode S hex file")],
    to: Annotated[str, typer.Option(help="udp://HOST:PORT (send datagrams) or tcp-listen:PORT "
                                         "(serve it like readsb to whoever connects)")],
    speed: Annotated[float, typer.Option(help="multiple of the recording's own timing")] = 1.0,
    fmt: Annotated[str, typer.Option("--format", help="auto, or the file's format")] = "auto",
    loop: Annotated[bool, typer.Option(help="start again at the end")] = False,
) -> None:
    """Send a recording with its original timing, for tests and demos (test traffic stays local)."""
    from dronewatch.sources.replay import replay_command

    raise typer.Exit(replay_command(file, to, speed, fmt, loop, sys.stderr))


@app.command()
def hub(
    bus: Annotated[str, typer.Option(help="NATS server the edges publish to, nats://HOST:4222")],
    db: Annotated[str, typer.Option(help="PostgreSQL with PostGIS available: postgresql://USER@HOST:PORT/DB")],
    host: Annotated[str, typer.Option(help="address to serve the all-sites API and console on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to serve on")] = 8090,
    ack_wait: Annotated[float, typer.Option(help="seconds before a message a dead hub held is sent again "
                                                 "(at most 30)", min=1.0, max=30.0)] = 30.0,
) -> None:
    """Persist every site's messages from NATS JetStream into PostgreSQL/PostGIS; serve all sites."""
    from dronewatch.hub.service import run_hub

    try:
        asyncio.run(run_hub(bus, db, host, port, ack_wait_s=ack_wait,
                            ready=lambda m: console.print(f"[bold green]{m}[/]", highlight=False)))
    except KeyboardInterrupt:
        pass
    except ValueError as err:
        raise _fail(err) from None


@app.command()
def listen(
    recording: Annotated[str | None, typer.Argument(help="WAV file, or - for a WAV stream on stdin")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON lines: one per 1 s window, then a summary")] = False,
    udp: Annotated[str | None, typer.Option(help="raw int16 mono PCM datagrams on HOST:PORT (at --rate)")] = None,
    device: Annotated[str | None, typer.Option(help="sound card (name or index; needs the 'audio' extra)")] = None,
    rate: Annotated[int, typer.Option(help="sample rate of --udp / --device input, Hz")] = 16000,
    seconds: Annotated[float | None, typer.Option(help="stop live input after this long")] = None,
    site: Annotated[Path | None, typer.Option(help="site file naming the microphone (to send Reports)")] = None,
    sensor: Annotated[str | None, typer.Option(help="the microphone's sensor id in --site (kind acoustic)")] = None,
    send: Annotated[str | None, typer.Option(help="send detections as Reports to serve's UDP input HOST:PORT")] = None,
) -> None:
    """Acoustic drone detector: is there a drone (or a helicopter) in this recording or stream?"""
    from dronewatch.sources.acoustic.cli import listen_command

    raise typer.Exit(listen_command(recording, json_out, udp=udp, device=device, rate=rate, seconds=seconds,
                                    site=site, sensor=sensor, send=send))


@app.command()
def verify(db: Annotated[str, typer.Option(help="the store: a SQLite file or a database URL")]) -> None:
    """Check the store's evidence hash chains; exit 1 naming the first bad row of each table."""
    from dronewatch.hub.verify import is_hub_database, verify_hub_command
    from dronewatch.store.verify import verify_command

    if is_hub_database(db):  # a hub's PostgreSQL: every site's chains as the edges made them
        raise typer.Exit(verify_hub_command(db, sys.stdout, sys.stderr))
    raise typer.Exit(verify_command(db, sys.stdout, sys.stderr))


@app.command()
def export(
    db: Annotated[str, typer.Option(help="the store: a SQLite file or a database URL")],
    alert: Annotated[str, typer.Option(help="the alert id")],
    format: Annotated[str, typer.Option(help="pdf, geojson, kml or csv")],
    out: Annotated[Path, typer.Option(help="file to write")],
) -> None:
    """Export one incident (alert, tracks, zones, pilot, actions, chain hashes) as evidence."""
    from dronewatch.evidence.export import WRITERS, export_command

    if format not in WRITERS:
        raise _fail(ValueError(f"--format {format!r}: expected one of {', '.join(WRITERS)}"))
    raise typer.Exit(export_command(db, alert, format, out, sys.stdout, sys.stderr))  # type: ignore[arg-type]


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
