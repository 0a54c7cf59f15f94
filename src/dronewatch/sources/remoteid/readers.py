"""Live readers: monitor-mode Wi-Fi, Linux Bluetooth (raw HCI), UDP message packs. They only
move bytes into ``Frame``s; decoding is ``sources.frames.decode_frame``. The clock is a
parameter (``now``), read at the edge when bytes arrive. Linux only (AF_PACKET, AF_BLUETOOTH);
set-up for a Raspberry Pi class receiver is in docs/remoteid.md.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

from dronewatch.model import Frame
from dronewatch.sources.dji.droneid_wifi import DJI_PREFIX
from dronewatch.sources.remoteid.hci import adv_reports, passive_scan_commands
from dronewatch.sources.remoteid.wifi_nan import ODID_SERVICE_ID

ETH_P_ALL = 0x0003
_WIFI_MARKERS = (b"\xfa\x0b\xbc\x0d", ODID_SERVICE_ID, DJI_PREFIX)
Clock = Callable[[], float]


def wifi_monitor_frames(
    interface: str, sensor_id: str, now: Clock = time.time, keep_all: bool = False
) -> Iterator[Frame]:
    """Frames from a monitor-mode interface (radiotap + 802.11), link ``odid-wifi-radiotap``.

    Only frames holding an ODID, NAN-ODID or DJI marker are kept unless ``keep_all``."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((interface, 0))
    try:
        while True:
            data = sock.recv(65535)
            if keep_all or any(m in data for m in _WIFI_MARKERS):
                yield Frame(sensor_id=sensor_id, received_at=now(), link="odid-wifi-radiotap", data=data)
    finally:
        sock.close()


def hci_frames(
    dev_id: int, sensor_id: str, now: Clock = time.time, extended: bool = False, start_scan: bool = True
) -> Iterator[Frame]:
    """Advertising reports from a Linux Bluetooth controller, link ``odid-ble``.

    With ``start_scan`` it sends the passive-scan commands (needs CAP_NET_RAW/CAP_NET_ADMIN)."""
    sock = socket.socket(socket.AF_BLUETOOTH, socket.SOCK_RAW, socket.BTPROTO_HCI)
    sock.bind((dev_id,))
    # HCI filter: event packets, LE meta events only (struct hci_filter: type mask, event mask x2, opcode)
    flt = (
        (1 << 4).to_bytes(4, "little") + (0).to_bytes(4, "little") + (1 << (0x3E - 32)).to_bytes(4, "little")
    )
    sock.setsockopt(socket.SOL_HCI, socket.HCI_FILTER, flt + b"\0\0")
    if start_scan:
        for cmd in passive_scan_commands(extended):
            sock.send(cmd)
    try:
        while True:
            event = sock.recv(1024)
            at = now()
            for report in adv_reports(event):
                if b"\x16\xfa\xff\x0d" in report:
                    yield Frame(sensor_id=sensor_id, received_at=at, link="odid-ble", data=report)
    finally:
        sock.close()


def udp_frames(sock: socket.socket, sensor_id: str, now: Clock = time.time) -> Iterator[Frame]:
    """Datagrams of raw message packs (or single 25-byte messages), link ``odid-pack``.

    Pass a bound UDP socket: ``s = socket.socket(AF_INET, SOCK_DGRAM); s.bind(("0.0.0.0", 4000))``."""
    while True:
        data, _addr = sock.recvfrom(4096)
        yield Frame(sensor_id=sensor_id, received_at=now(), link="odid-pack", data=data)
