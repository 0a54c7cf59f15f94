"""ASTERIX UAPs (user application profiles) for the categories dronewatch reads, as item-length
descriptors in FRN order; pure data.

Editions (EUROCONTROL), whose UAPs these are:

* CAT048 Monoradar Target Reports, edition 1.32 (the item layout is the same from 1.21 on;
  older files such as 1.23 decode with it)
* CAT062 SDPS Track Messages, edition 1.21 (layout unchanged since 1.16)
* CAT034 Monoradar Service Messages, edition 1.29 (unchanged since 1.27; 1.26 files decode)
* CAT065 SDPS Service Status Messages, edition 1.6 (unchanged since 1.4)

Descriptors: an ``int`` is a fixed length in bytes; ``FX`` a variable item (octets until one
with the FX bit clear); ``Rep(n)`` a 1-byte repetition count then ``n`` bytes each;
``RepFx(n)`` ``n``-byte elements until one with the FX bit clear; ``EXPLICIT`` a 1-byte length
that counts itself; ``Compound(...)`` primary subfield octets (7 presence bits + FX) followed
by the present subfields (``None``: a spare bit). ``None`` in a UAP is a spare FRN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Rep:
    size: int


@dataclass(frozen=True, slots=True)
class RepFx:
    size: int


@dataclass(frozen=True, slots=True)
class Compound:
    subfields: tuple[Desc | None, ...]


FX = "fx"
EXPLICIT = "explicit"
Desc = Union[int, str, Rep, RepFx, Compound]  # noqa: UP007 - a runtime alias, used before 3.12 syntax
Uap = tuple[tuple[str, Desc] | None, ...]

CAT048: Uap = (
    ("010", 2), ("140", 3), ("020", FX), ("040", 4), ("070", 2), ("090", 2),
    ("130", Compound((1, 1, 1, 1, 1, 1, 1))),
    ("220", 3), ("240", 6), ("250", Rep(8)), ("161", 2), ("042", 4), ("200", 4), ("170", FX),
    ("210", 4), ("030", RepFx(1)), ("080", 2), ("100", 4), ("110", 2), ("120", Compound((2, Rep(6)))), ("230", 2),
    ("260", 7), ("055", 1), ("050", 2), ("065", 1), ("060", 2), ("SP", EXPLICIT), ("RE", EXPLICIT),
)

CAT062: Uap = (
    ("010", 2), None, ("015", 1), ("070", 3), ("105", 8), ("100", 6), ("185", 4),
    ("210", 2), ("060", 2), ("245", 7),
    ("380", Compound((3, 6, 2, 2, 2, 2, 2, FX, Rep(15), 2, 2, 7, 2, 2, 2, 2, 2, 2, 1, 8, 1, 6, 2, 1, Rep(8), 2, 2,
                      2))),
    ("040", 2), ("080", FX), ("290", Compound((1, 1, 1, 1, 2, 1, 1, 1, 1, 1))),
    ("200", 1), ("295", Compound((1,) * 31)), ("136", 2), ("130", 2), ("135", 2), ("220", 2),
    ("390", Compound((2, 7, 4, 1, 4, 1, 4, 4, 3, 2, 2, Rep(4), 6, 1, 7, 7, 2, 7))),
    ("270", FX), ("300", 1), ("110", Compound((1, 4, 6, 2, 2, 1, 1))), ("120", 2), ("510", RepFx(3)),
    ("500", Compound((4, 2, 4, 1, 1, 2, 2, 1))), ("340", Compound((2, 4, 2, 2, 2, 1))),
    None, None, None, None, None, ("RE", EXPLICIT), ("SP", EXPLICIT),
)

CAT034: Uap = (
    ("010", 2), ("000", 1), ("030", 3), ("020", 1), ("041", 2),
    ("050", Compound((1, None, None, 1, 1, 2))), ("060", Compound((1, None, None, 1, 1, 1))),
    ("070", Rep(2)), ("100", 8), ("110", 1), ("120", 8), ("090", 2), ("RE", EXPLICIT), ("SP", EXPLICIT),
)

CAT065: Uap = (
    ("010", 2), ("000", 1), ("015", 1), ("030", 3), ("020", 1), ("040", 1), ("050", 1),
    None, None, None, None, None, ("RE", EXPLICIT), ("SP", EXPLICIT),
)

UAPS: dict[int, Uap] = {48: CAT048, 62: CAT062, 34: CAT034, 65: CAT065}
EDITIONS: dict[int, str] = {48: "1.32", 62: "1.21", 34: "1.29", 65: "1.6"}
