"""Check a SAPIENT message against the standard's own field options (proto_options.proto).

The .proto files mark fields ``is_mandatory``, ``is_uuid`` and ``is_ulid`` (and mandatory
oneofs). ``problems(msg)`` walks a message and every sub-message that is set and returns one
readable line per violation, e.g. ``detection_report.object_id: mandatory field missing``.
The rules are read from the descriptors once per message type and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from dronewatch.sapient.ids import is_ulid, is_uuid
from dronewatch.sapient.messages import proto_options_pb2

_FIELD_OPTS = proto_options_pb2.field_options
_ONEOF_OPTS = proto_options_pb2.oneof_options


@dataclass(frozen=True, slots=True)
class _FieldRule:
    name: str
    repeated: bool
    is_message: bool
    mandatory: bool
    uuid: bool
    ulid: bool


@dataclass(frozen=True, slots=True)
class _Rules:
    fields: tuple[_FieldRule, ...]
    mandatory_oneofs: tuple[str, ...]


def _is_repeated(fd: FieldDescriptor) -> bool:
    if hasattr(fd, "is_repeated"):  # protobuf >= 6
        return bool(fd.is_repeated)
    return bool(fd.label == FieldDescriptor.LABEL_REPEATED)  # pragma: no cover - older protobuf


@cache
def _rules(desc: Descriptor) -> _Rules:
    fields = []
    for fd in desc.fields:
        opts = fd.GetOptions()
        v = opts.Extensions[_FIELD_OPTS] if opts.HasExtension(_FIELD_OPTS) else None
        fields.append(
            _FieldRule(
                name=fd.name,
                repeated=_is_repeated(fd),
                is_message=fd.type == FieldDescriptor.TYPE_MESSAGE,
                mandatory=bool(v and v.is_mandatory),
                uuid=bool(v and v.is_uuid),
                ulid=bool(v and v.is_ulid),
            )
        )
    oneofs = []
    for od in desc.oneofs:
        opts = od.GetOptions()
        if opts.HasExtension(_ONEOF_OPTS) and opts.Extensions[_ONEOF_OPTS].is_mandatory:
            oneofs.append(od.name)
    return _Rules(tuple(fields), tuple(oneofs))


def problems(msg: Message, path: str = "") -> list[str]:
    """Every violation of the standard's field options in ``msg`` and its set sub-messages."""
    out: list[str] = []
    rules = _rules(msg.DESCRIPTOR)
    prefix = f"{path}." if path else ""
    for oneof in rules.mandatory_oneofs:
        if msg.WhichOneof(oneof) is None:
            out.append(f"{prefix}{oneof}: one of its fields must be set")
    for r in rules.fields:
        where = prefix + r.name
        if r.repeated:
            values = getattr(msg, r.name)
            if r.mandatory and len(values) == 0:
                out.append(f"{where}: mandatory field missing")
            for i, v in enumerate(values):
                if r.is_message:
                    out.extend(problems(v, f"{where}[{i}]"))
                else:
                    out.extend(_check_id(r, f"{where}[{i}]", v))
            continue
        present = msg.HasField(r.name) if _has_presence(msg, r.name) else True
        if not present:
            if r.mandatory:
                out.append(f"{where}: mandatory field missing")
            continue
        value = getattr(msg, r.name)
        if r.is_message:
            out.extend(problems(value, where))
        else:
            out.extend(_check_id(r, where, value))
    return out


def _has_presence(msg: Message, name: str) -> bool:
    fd = msg.DESCRIPTOR.fields_by_name[name]
    return bool(fd.has_presence)


def _check_id(rule: _FieldRule, where: str, value: object) -> list[str]:
    if rule.uuid and isinstance(value, str) and not is_uuid(value):
        return [f"{where}: {value!r} is not a UUID"]
    if rule.ulid and isinstance(value, str) and not is_ulid(value):
        return [f"{where}: {value!r} is not a ULID"]
    return []
