DROP TABLE erased_attendance;
DROP TABLE erased_enrolments;
DROP TABLE erased_contacts;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
