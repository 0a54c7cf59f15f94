"""Linux HCI: the LE advertising report events a Bluetooth controller sends, and the commands
that start a PASSIVE scan (the radio only listens: no scan requests go out). Pure.

HCI event: ``04 | 3E (LE meta) | length | subevent | ...``.
Subevent 0x02 LE Advertising Report: count, then per report event type (1), address type (1),
address (6, LE), data length (1), data, RSSI (1). Subevent 0x0D LE Extended Advertising Report:
count, then event type (2), address type, address (6), primary PHY, secondary PHY, SID, TX power,
RSSI, periodic interval (2), direct address type, direct address (6), data length (1), data.
"""

from __future__ import annotations

import struct

from dronewatch.sources.errors import DecodeError

HCI_EVENT_PKT = 0x04
HCI_COMMAND_PKT = 0x01
EVT_LE_META = 0x3E
LE_ADV_REPORT = 0x02
LE_EXT_ADV_REPORT = 0x0D


def adv_reports(event: bytes) -> list[bytes]:
    """Address (6, LE) + AdvData of every advertising report in one HCI event (link ``odid-ble``)."""
    if len(event) < 4 or event[0] != HCI_EVENT_PKT or event[1] != EVT_LE_META:
        return []
    body = event[3 : 3 + event[2]]
    if len(body) < 2:
        raise DecodeError("truncated HCI event", f"{len(event)} bytes")
    sub, count, pos = body[0], body[1], 2
    out: list[bytes] = []
    for _ in range(count):
        if sub == LE_ADV_REPORT:
            if pos + 9 > len(body):
                raise DecodeError("truncated HCI event", "advertising report")
            addr, dlen = body[pos + 2 : pos + 8], body[pos + 8]
            data_at = pos + 9
            pos = data_at + dlen + 1
        elif sub == LE_EXT_ADV_REPORT:
            if pos + 24 > len(body):
                raise DecodeError("truncated HCI event", "extended advertising report")
            addr, dlen = body[pos + 3 : pos + 9], body[pos + 23]
            data_at = pos + 24
            pos = data_at + dlen
        else:
            return out
        if data_at + dlen > len(body):
            raise DecodeError("truncated HCI event", f"report data {dlen} bytes")
        out.append(bytes(addr) + bytes(body[data_at : data_at + dlen]))
    return out


def command(ogf: int, ocf: int, params: bytes) -> bytes:
    return struct.pack("<BHB", HCI_COMMAND_PKT, ogf << 10 | ocf, len(params)) + params


def passive_scan_commands(extended: bool = False) -> list[bytes]:
    """Commands that start a passive LE scan (legacy, or extended on 1M + Coded PHY for BT5 LR)."""
    if not extended:
        return [
            command(0x08, 0x000B, struct.pack("<BHHBB", 0, 0x0010, 0x0010, 0, 0)),  # passive, 10 ms
            command(0x08, 0x000C, bytes([1, 0])),
        ]  # enable, keep duplicates
    per_phy = struct.pack("<BHH", 0, 0x0010, 0x0010)  # passive
    return [
        command(0x08, 0x0041, bytes([0, 0, 0x05]) + per_phy + per_phy),  # 1M and Coded PHY
        command(0x08, 0x0042, struct.pack("<BBHH", 1, 0, 0, 0)),
    ]
