"""DJI DroneID: the proprietary identity/telemetry element DJI aircraft put in Wi-Fi beacons."""
