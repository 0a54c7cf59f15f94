"""The hub: many sites' edges in, one picture out. Consumes every site's frames, tracks, alerts
and audit rows from NATS JetStream (``consumer``), persists them into PostgreSQL/PostGIS
(``db``, ``ingest``), links one object's tracks across sites (``handoff``) and serves the API
and console for all sites (``app``); ``service.run_hub`` runs it all."""
