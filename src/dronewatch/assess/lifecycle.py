"""What people (and the system) may do to an alert: the states and the allowed steps between them.

States: ``open`` -> ``acknowledged`` -> ``escalated`` -> ``resolved`` | ``false_alarm``.

| action        | from                                   | to                                  |
|---------------|----------------------------------------|-------------------------------------|
| ``ack``       | open, escalated (not yet acknowledged)  | acknowledged (escalated stays)      |
| ``escalate``  | open, acknowledged                     | escalated                           |
| ``resolve``   | open, acknowledged, escalated          | resolved                            |
| ``false_alarm`` | open, acknowledged, escalated, resolved | false_alarm                       |

Repeating an action that already holds (acknowledging an acknowledged alert, ...) changes
nothing and is not an error (two operators pressing the same button). Anything else is a
``LifecycleError`` naming the alert, its state and the action. Every step records who, when
and a note on the alert (``by``, ``updated_at``, ``note``, ``change``) so the store audits it.
"""

from __future__ import annotations

from typing import Literal, get_args

from msgspec import structs

from dronewatch.model import Alert, AlertState

Action = Literal["ack", "escalate", "resolve", "false_alarm"]
ACTIONS: tuple[Action, ...] = get_args(Action)
TERMINAL: tuple[AlertState, ...] = ("resolved", "false_alarm")
LIVE: tuple[AlertState, ...] = ("open", "acknowledged", "escalated")

_TARGET: dict[Action, AlertState] = {
    "ack": "acknowledged",
    "escalate": "escalated",
    "resolve": "resolved",
    "false_alarm": "false_alarm",
}
_FROM: dict[Action, tuple[AlertState, ...]] = {
    "ack": ("open", "escalated"),
    "escalate": ("open", "acknowledged"),
    "resolve": ("open", "acknowledged", "escalated"),
    "false_alarm": ("open", "acknowledged", "escalated", "resolved"),
}


class LifecycleError(ValueError):
    """An action the alert's state does not allow (the API answers 409)."""


def already(alert: Alert, action: Action) -> bool:
    """The action's effect already holds: doing it again changes nothing."""
    if action == "ack":
        return alert.acked_by is not None
    return alert.state == _TARGET[action]


def apply(alert: Alert, action: Action, by: str, note: str | None, at: float) -> Alert:
    """The alert after ``by`` does ``action`` at ``at`` (unchanged when it already holds)."""
    if action not in _TARGET:
        raise LifecycleError(f"unknown action {action!r}; expected one of: {', '.join(ACTIONS)}")
    if already(alert, action):
        return alert
    if alert.state not in _FROM[action]:
        raise LifecycleError(f"alert {alert.alert_id} is {alert.state}: cannot {action.replace('_', ' ')}")
    state = _TARGET[action]
    acked_by = alert.acked_by
    if action == "ack":
        acked_by = by
        if alert.state == "escalated":
            state = "escalated"
    return structs.replace(
        alert, state=state, acked_by=acked_by, by=by, note=note, change=action, updated_at=at
    )
