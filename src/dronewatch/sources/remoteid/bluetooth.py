"""ODID over Bluetooth LE (ASTM F3411-22a 5.4.5): legacy (BT4) and extended (BT5) advertising. Pure.

AdvData AD structure: ``len | 0x16 (service data, 16-bit UUID) | FA FF (UUID 0xFFFA, LE) | 0D
(app code) | counter | one 25-byte message (BT4) or a message pack (BT5)``.

Link layer (as sniffers write it): access address (4) [coding indicator (1), LE Coded PHY
only] | header (2: PDU type in bits 0-3; length) | payload | CRC (3). Legacy ADV_IND (0),
ADV_NONCONN_IND (2), ADV_SCAN_IND (6): AdvA (6, LE) + AdvData. AUX_ADV_IND (7): extended
header length (bits 0-5) + mode, flags (AdvA b0, TargetA b1, CTEInfo b2, ADI b3, AuxPtr b4,
SyncInfo b5, TxPower b6), the fields flagged, then AdvData.

nRF Sniffer pseudo-header (LINKTYPE_NORDIC_BLE 272, protocol 2/3): board (1), payload length
(2), protocol version (1), packet counter (2), packet id (1), header length (1), flags (1: b0 =
CRC OK, b4-6 = PHY, 2 = coded), channel, RSSI, event counter (2), timestamp (4).
LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (256): channel, signal, noise, AA offenses, reference AA
(4), flags (u16: 0x0400 CRC checked, 0x0800 CRC valid), then the link layer.
"""

from __future__ import annotations

from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid.messages import MESSAGE_SIZE, decode_message, decode_pack
from dronewatch.sources.remoteid.received import Received

ODID_UUID = b"\xfa\xff"
ODID_APP_CODE = 0x0D
ADV_ACCESS_ADDRESS = b"\xd6\xbe\x89\x8e"
LEGACY_ADV = {0, 2, 6}
AUX_ADV_IND = 7
_EXT_FIELDS = ((0, 6), (1, 6), (2, 1), (3, 2), (4, 3), (5, 18), (6, 1))


def _mac_le(raw: bytes) -> str:
    return raw[::-1].hex(":")


def decode_service_data(data: bytes, mac: str | None, extended: bool) -> Received | None:
    """One service-data AD body (after its type byte); None if it is not ODID."""
    if len(data) < 2 or data[:2] != ODID_UUID:
        return None
    if len(data) < 4 or data[2] != ODID_APP_CODE:
        raise DecodeError("bad ODID app code", bytes(data[:4]).hex())
    payload = bytes(data[4:])
    if payload[:1] and payload[0] >> 4 == 15:
        messages = tuple(decode_pack(payload))
    else:
        messages = (decode_message(payload[:MESSAGE_SIZE]),)
        payload = payload[:MESSAGE_SIZE]
    transport = "bt5" if extended else "bt4"
    return Received(transport=transport, mac=mac, counter=data[3], messages=messages, raw=payload)


def decode_adv_data(adv: bytes, mac: str | None, extended: bool = False) -> list[Received]:
    """Every ODID service-data structure in an AdvData block."""
    out: list[Received] = []
    pos = 0
    while pos < len(adv):
        length = adv[pos]
        if length == 0:  # early terminator / padding
            break
        if pos + 1 + length > len(adv):
            raise DecodeError("truncated AD structure", f"len {length} at {pos}")
        if adv[pos + 1] == 0x16:
            got = decode_service_data(adv[pos + 2 : pos + 1 + length], mac, extended)
            if got is not None:
                out.append(got)
        pos += 1 + length
    return out


def decode_adv_pdu(pdu_type: int, payload: bytes) -> list[Received]:
    """An advertising PDU payload by its type (legacy or AUX_ADV_IND)."""
    if pdu_type in LEGACY_ADV:
        if len(payload) < 6:
            raise DecodeError("truncated advertising PDU", f"{len(payload)} bytes")
        return decode_adv_data(payload[6:], _mac_le(payload[:6]))
    if pdu_type != AUX_ADV_IND:
        return []
    if not payload:
        raise DecodeError("truncated advertising PDU", "empty extended PDU")
    ext_len = payload[0] & 0x3F
    if 1 + ext_len > len(payload):
        raise DecodeError("truncated advertising PDU", f"extended header {ext_len}")
    mac = None
    if ext_len:
        flags = payload[1]
        pos = 2
        for bit, size in _EXT_FIELDS:
            if flags >> bit & 1:
                if bit == 0 and pos + 6 <= 1 + ext_len:
                    mac = _mac_le(payload[pos : pos + 6])
                pos += size
        if pos > 1 + ext_len:
            raise DecodeError("bad extended header", f"fields need {pos - 2} of {ext_len - 1} bytes")
    return decode_adv_data(payload[1 + ext_len :], mac, extended=True)


def decode_ll(ll: bytes, coded: bool = False) -> list[Received]:
    """A link-layer advertising packet: access address, [CI], header, payload, CRC."""
    pos = 5 if coded else 4
    if len(ll) < pos + 2:
        raise DecodeError("truncated BLE packet", f"{len(ll)} bytes")
    if ll[:4] != ADV_ACCESS_ADDRESS:
        return []  # a data-channel packet
    pdu_type, length = ll[pos] & 0x0F, ll[pos + 1]
    if pos + 2 + length + 3 > len(ll):
        raise DecodeError("truncated BLE packet", f"PDU length {length}, {len(ll)} bytes")
    return decode_adv_pdu(pdu_type, ll[pos + 2 : pos + 2 + length])


def decode_nordic(data: bytes) -> list[Received]:
    """A LINKTYPE_NORDIC_BLE record (nRF Sniffer for Bluetooth LE, protocol 2 or 3)."""
    if len(data) < 8:
        raise DecodeError("truncated nRF sniffer header", f"{len(data)} bytes")
    if data[3] not in (2, 3):
        raise DecodeError("unsupported nRF sniffer protocol", str(data[3]))
    if data[6] not in (2, 6):
        return []  # sniffer control/status record
    hlen = data[7]
    if hlen < 2 or 7 + hlen > len(data):
        raise DecodeError("truncated nRF sniffer header", f"header length {hlen}")
    flags = data[8]
    if not flags & 1:
        raise DecodeError("bad CRC", "nRF sniffer flag")
    return decode_ll(data[7 + hlen :], coded=(flags >> 4 & 7) == 2)


def decode_ll_phdr(data: bytes) -> list[Received]:
    """A LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR record."""
    if len(data) < 10:
        raise DecodeError("truncated BLE pseudo-header", f"{len(data)} bytes")
    flags = int.from_bytes(data[8:10], "little")
    if flags & 0x0400 and not flags & 0x0800:
        raise DecodeError("bad CRC", "pseudo-header flag")
    return decode_ll(data[10:], coded=(flags >> 14) == 2)


def decode_hci_payload(data: bytes) -> list[Received]:
    """What link ``odid-ble`` carries: advertiser address (6, LE) + AdvData, as HCI reports give."""
    if len(data) < 6:
        raise DecodeError("truncated advertising PDU", f"{len(data)} bytes")
    return decode_adv_data(data[6:], _mac_le(data[:6]), extended=len(data) > 37)


def encode_service_data(payload: bytes, counter: int) -> bytes:
    """The ODID AD structure around one message (BT4) or a pack (BT5)."""
    body = bytes([0x16]) + ODID_UUID + bytes([ODID_APP_CODE, counter & 0xFF]) + payload
    if len(body) > 255:
        raise ValueError(f"AD structure too long: {len(body)} bytes")
    return bytes([len(body)]) + body


def encode_hci_payload(payload: bytes, counter: int, mac: bytes) -> bytes:
    """Link ``odid-ble`` bytes: address (as written, MSB first) + AdvData."""
    return mac[::-1] + encode_service_data(payload, counter)
