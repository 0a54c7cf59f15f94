"""Evidence exports: one incident from the store as PDF, GeoJSON, KML or CSV
(``dronewatch export``; docs/evidence.md)."""
