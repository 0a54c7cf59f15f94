"""Reference values for the OcuSync tests (manifest of ../shared/data/rf)."""

from __future__ import annotations

# Burst 3 of the capture: the payload the manifest gives (struct "<BBBHH16siihhhhhhQiiiiBB20sH").
REFERENCE_HEX = (
    "5810024f02f71f31574e4248333930303230314e310000915a13008b0289008d002a00feff02001a0011cc129e"
    "f84b80010000750289007d5a1300a95a13007e0289003a13313134333633353533323137313533343333360048b0"
)
RATE = 50e6
