"""SAPIENT (BSI Flex 335 v2.0) shared by the SAPIENT input and output.

* ``generate``  builds the protobuf bindings from the standard's .proto files (run by the
  Makefile; ``python -m dronewatch.sapient.generate``), into ``_generated/`` (not in git).
* ``messages``  the generated message classes, re-exported; a clear error if not generated.
* ``framing``   4-byte little-endian length + one SapientMessage, over asyncio streams.
* ``validate``  the standard's own field options (mandatory, UUID, ULID) checked on a message.
* ``ids``       ULID object ids and UUID node ids.

This package imports nothing generated at import time, so the generator can run before the
bindings exist.
"""
