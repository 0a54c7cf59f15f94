"""Acoustic drone detection: WAV/stream input (``wav``), level- and rate-independent features
(``features``), a small calibrated classifier shipped as numbers (``model``, ``model.json``,
trained by ``train`` with ``synth`` augmentation), 1 s window detection (``detector``),
detections -> Reports (``reports``) and the ``dronewatch listen`` command (``cli``)."""
