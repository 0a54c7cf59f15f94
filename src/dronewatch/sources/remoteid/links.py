"""Link types -> transport decoders, and the ``sources.frames`` registrations. Pure dispatch.

| link                 | bytes                                                         |
|----------------------|---------------------------------------------------------------|
| odid-wifi-radiotap   | radiotap + 802.11 frame (+ FCS if radiotap says so)           |
| odid-wifi-beacon     | plain 802.11 frame, no FCS (beacon or NAN action frame)       |
| odid-ble             | advertiser address (6, LE) + AdvData (as HCI reports give it) |
| odid-ble-nordic      | nRF Sniffer record (LINKTYPE_NORDIC_BLE)                      |
| odid-ble-ll-phdr     | LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR record                     |
| odid-ble-ll          | LINKTYPE_BLUETOOTH_LE_LL record (access address first)        |
| odid-pack            | a raw message pack or one 25-byte message (UDP, MAVLink)      |

All these links share one ``Aggregator`` (see ``assemble.py``) per ``FrameDecoder``, so a
Location gets the identity and operator position its aircraft sent in earlier frames.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from dronewatch.sources.dji.droneid_wifi import DJI_PREFIX, DjiReceived, decode_droneid_ie
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import bluetooth
from dronewatch.sources.remoteid.dot11 import SUBTYPE_ACTION, SUBTYPE_BEACON, parse_mgmt, strip_radiotap
from dronewatch.sources.remoteid.messages import decode_messages
from dronewatch.sources.remoteid.received import Received
from dronewatch.sources.remoteid.wifi_beacon import ODID_OUI, beacon_ies, decode_odid_ie
from dronewatch.sources.remoteid.wifi_nan import decode_nan

Decoded = Received | DjiReceived
LINKS = (
    "odid-wifi-radiotap",
    "odid-wifi-beacon",
    "odid-ble",
    "odid-ble-nordic",
    "odid-ble-ll-phdr",
    "odid-ble-ll",
    "odid-pack",
)


def decode_80211(frame: bytes) -> list[Decoded]:
    """ODID (beacon or NAN) and DJI DroneID content of one 802.11 frame; [] if it has none."""
    if len(frame) >= 1 and frame[0] & 0x0C != 0:
        return []  # control and data frames carry no Remote ID
    mgmt = parse_mgmt(frame)
    if mgmt.subtype == SUBTYPE_ACTION:
        return list(decode_nan(mgmt))
    if mgmt.subtype != SUBTYPE_BEACON:
        return []
    out: list[Decoded] = []
    for ie_id, body in beacon_ies(mgmt):
        if ie_id != 0xDD:
            continue
        if body[:3] == ODID_OUI and body[3:4] == b"\x0d":
            out.append(decode_odid_ie(body, mgmt.src_mac))
        elif body[:6] == DJI_PREFIX:
            out.append(DjiReceived(mac=mgmt.src_mac, record=decode_droneid_ie(body)))
    return out


def _pack(data: bytes) -> list[Decoded]:
    if not data:
        raise DecodeError("empty frame", "")
    return [
        Received(transport="pack", mac=None, counter=None, messages=tuple(decode_messages(data)), raw=data)
    ]


def _ll(data: bytes) -> list[Decoded]:
    return list(bluetooth.decode_ll(data))


_BY_LINK: dict[str, Callable[[bytes], list[Decoded]]] = {
    "odid-wifi-radiotap": lambda data: decode_80211(strip_radiotap(data)),
    "odid-wifi-beacon": decode_80211,
    "odid-ble": lambda data: list(bluetooth.decode_hci_payload(data)),
    "odid-ble-nordic": lambda data: list(bluetooth.decode_nordic(data)),
    "odid-ble-ll-phdr": lambda data: list(bluetooth.decode_ll_phdr(data)),
    "odid-ble-ll": _ll,
    "odid-pack": _pack,
}


def decode_link(link: str, data: bytes) -> list[Decoded]:
    """Everything Remote ID / DroneID in one frame of this link type. Raises only DecodeError."""
    fn = _BY_LINK.get(link)
    if fn is None:
        raise DecodeError("unknown link type", link)
    try:
        return fn(bytes(data))
    except DecodeError:
        raise
    except (IndexError, ValueError, KeyError, OverflowError, struct.error) as err:  # a bug: name it
        raise DecodeError("decoder fault", f"{type(err).__name__}: {err}") from None


def _register() -> None:
    from dronewatch.sources.frames import register_stateful
    from dronewatch.sources.remoteid.assemble import Aggregator

    register_stateful(LINKS, Aggregator)


_register()
