"""Sources: turn bytes from sensors (or the simulator) into Reports. One module per input."""
