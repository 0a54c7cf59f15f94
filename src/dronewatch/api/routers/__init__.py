"""One APIRouter per noun: health, site, tracks, alerts, stream."""
