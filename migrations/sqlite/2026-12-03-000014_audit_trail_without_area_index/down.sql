CREATE INDEX audit_events_area_id ON audit_events (area_id);
