"""Classification: drone | bird | aircraft | unknown with a probability and a one-line reason.

Fuses cooperative identity, radar hints, RCS, physical bounds, flock behaviour and a kinematic
model fitted on real drone and bird recordings, over each track's life (``classifier``).
Modules: ``features`` (window features of a track's recent motion), ``kinematic`` (the fitted
drone-vs-bird model, ``params.json``), ``cues`` (the other evidence), ``classifier`` (fusion and
hysteresis), ``recordings`` (readers of the public recordings) and ``fit`` (the fitting script
that writes ``params.json``).
"""

from __future__ import annotations

from dronewatch.assess.classify.classifier import Classifier, Verdict

__all__ = ["Classifier", "Verdict"]
