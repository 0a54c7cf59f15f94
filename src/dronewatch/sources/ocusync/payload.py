"""DroneID payload carried over OcuSync: bytes after turbo decoding -> ``DroneIdFrame``. Pure.

The decoded block is 176 bytes: 173 bytes of frame and the CRC-24A. The frame starts with a
length byte (88 for flight telemetry: the bytes after it, less the 2-byte checksum), a
message type, then the same record DJI puts in its Wi-Fi beacons (parsed by
``sources.dji.droneid_wifi``): version, sequence, state, serial, positions (radians x 1e7),
altitude, height, velocities, yaw, GPS time, pilot app, home point, product type, UUID.
Bytes ``length + 1 .. length + 2`` hold a CRC-16 of everything before them (reflected
polynomial 0x8408, register preset 0x3692: the checksum DJI uses on its links). The product
type is named from a public list (``DEVICE_TYPES``).
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from dronewatch.sources.dji.droneid_wifi import DJI_PREFIX, SUB_TELEMETRY, DjiTelemetry, decode_droneid_ie
from dronewatch.sources.errors import DecodeError

# Product types as listed in public DroneID write-ups (Kismet, DroneSecurity, dji-firmware-tools).
DEVICE_TYPES: dict[int, str] = {
    1: "Inspire 1", 2: "Phantom 3 Advanced", 3: "Phantom 3 Pro", 4: "Phantom 3 Standard",
    5: "Matrice 100", 11: "Phantom 4", 14: "Matrice 600", 15: "Phantom 3 4K", 16: "Mavic Pro",
    17: "Inspire 2", 18: "Phantom 4 Pro", 20: "N3", 21: "Spark", 23: "Matrice 600 Pro",
    24: "Mavic Air", 25: "Matrice 200", 27: "Phantom 4 Advanced", 28: "Matrice 210",
    29: "Phantom 3 SE", 30: "Matrice 210 RTK", 35: "Phantom 4 RTK", 36: "Phantom 4 Pro V2.0",
    41: "Mavic 2", 44: "Matrice 200 V2", 51: "Mavic 2 Enterprise", 53: "Mavic Mini",
    58: "Mavic Air 2", 59: "Phantom 4 Multispectral", 60: "Matrice 300 RTK", 61: "DJI FPV",
    63: "Mini 2", 64: "Agras T10", 65: "Agras T30", 66: "Air 2S", 68: "Mavic 3",
    69: "Mavic 2 Enterprise Advanced", 77: "Mavic 3 Enterprise", 84: "Mavic 3 Pro",
    89: "Matrice 350 RTK", 93: "Mini 4 Pro", 94: "Avata 2",
}  # fmt: skip

FRAME_BYTES = 173
_CRC16_POLY = 0x8408
_CRC16_PRESET = 0x3692


def crc16(data: bytes) -> int:
    reg = _CRC16_PRESET
    for b in data:
        reg ^= b
        for _ in range(8):
            reg = (reg >> 1) ^ _CRC16_POLY if reg & 1 else reg >> 1
    return reg


def device_type(product: int) -> str:
    return DEVICE_TYPES.get(product, f"DJI product type {product}")


class DroneIdFrame(Struct, frozen=True, kw_only=True):
    """One decoded DroneID telemetry frame and where it was found in the recording."""

    telemetry: DjiTelemetry
    payload: bytes
    block: bytes  # the whole decoded block (176 bytes, CRC-24A last): what frames carry
    checksum_ok: bool
    sample_offset: int
    freq_offset_hz: float
    snr_db: float
    time_s: float

    def to_json(self) -> dict[str, Any]:
        t = self.telemetry
        vn, ve, vu = t.v_north_raw / 100, t.v_east_raw / 100, t.v_up_raw / 100
        return {
            "type": "droneid",
            "serial": t.serial,
            "sequence": t.sequence,
            "version": t.version,
            "lat": t.lat,
            "lon": t.lon,
            "height_m": t.height_m,
            "alt_m": t.altitude_m,
            "v_north": vn,
            "v_east": ve,
            "v_up": vu,
            "yaw_deg": t.yaw_deg,
            "home_lat": t.home_lat,
            "home_lon": t.home_lon,
            "pilot_lat": t.pilot_lat,
            "pilot_lon": t.pilot_lon,
            "device_type": device_type(t.product_type),
            "product_type": t.product_type,
            "uuid": t.uuid,
            "gps_time_ms": t.gps_time_raw,
            "state_info": t.state_info,
            "altitude_raw": t.altitude_raw,
            "height_raw": t.height_raw,
            "crc_ok": True,
            "checksum_ok": self.checksum_ok,
            "sample_offset": self.sample_offset,
            "time_s": round(self.time_s, 9),
            "freq_offset_hz": round(self.freq_offset_hz, 1),
            "snr_db": round(self.snr_db, 1),
            "payload_hex": self.payload.hex(),
        }


def parse_payload(frame: bytes) -> tuple[DjiTelemetry, bytes, bool]:
    """(telemetry, the payload bytes including its checksum, checksum holds). Raises
    ``DecodeError`` with a short stable reason for anything else."""
    if len(frame) < 3:
        raise DecodeError("truncated payload", f"{len(frame)} bytes")
    length, kind = frame[0], frame[1]
    if kind != SUB_TELEMETRY:
        raise DecodeError("not a telemetry message", f"type {kind:#04x}")
    if length + 3 > len(frame) or length < 2:
        raise DecodeError("bad payload length", f"{length} in {len(frame)} bytes")
    payload = bytes(frame[: length + 3])
    stored = int.from_bytes(payload[length + 1 : length + 3], "little")
    telemetry = decode_droneid_ie(DJI_PREFIX + payload[1 : length + 1])
    if not isinstance(telemetry, DjiTelemetry):  # pragma: no cover - kind is telemetry here
        raise DecodeError("not a telemetry message", f"type {kind:#04x}")
    return telemetry, payload, crc16(payload[: length + 1]) == stored
