"""The track table: ids grow, rows compact on delete, history ring stays bounded."""

from __future__ import annotations

import numpy as np

from dronewatch.tracking.state import HISTORY_LEN, TrackTable


def test_add_remove_and_bounded_history() -> None:
    table = TrackTable()
    ids = table.add(np.zeros((3, 6)), np.stack([np.eye(6)] * 3), np.zeros(3))
    assert ids.tolist() == [1, 2, 3]
    for k in range(100):
        table.t_at[:] = k
        table.x[:, 0] = k
        table.record(np.arange(3))
    hist = table.history(table.row(2))  # type: ignore[arg-type]
    assert hist.shape == (HISTORY_LEN, 4)
    assert hist[:, 0].tolist() == list(range(100 - HISTORY_LEN, 100))
    assert table.remove(np.array([1])) == [2]
    assert table.ids.tolist() == [1, 3] and table.row(3) == 1 and table.row(2) is None
    assert set(table.facts) == {1, 3} and table.hist.shape == (2, HISTORY_LEN, 4)
    assert table.add(np.zeros((1, 6)), np.eye(6)[None], np.zeros(1)).tolist() == [4]  # ids never reused
