"""DJI DroneID over OcuSync: a clean-room decoder of the OFDM bursts in IQ recordings and live SDRs."""
