-- Every committed write to a table statistics are computed from is announced on
-- the channel familiebro_writes (once per transaction: PostgreSQL folds equal
-- notifications), so every instance's cached figures end when any instance writes.
CREATE FUNCTION familiebro_announce_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('familiebro_writes', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER families_announce_write AFTER INSERT OR UPDATE OR DELETE ON families
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER family_contacts_announce_write AFTER INSERT OR UPDATE OR DELETE ON family_contacts
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER enrolments_announce_write AFTER INSERT OR UPDATE OR DELETE ON enrolments
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER initiatives_announce_write AFTER INSERT OR UPDATE OR DELETE ON initiatives
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER initiative_sessions_announce_write AFTER INSERT OR UPDATE OR DELETE ON initiative_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER session_attendance_announce_write AFTER INSERT OR UPDATE OR DELETE ON session_attendance
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER referrals_announce_write AFTER INSERT OR UPDATE OR DELETE ON referrals
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER concern_reports_announce_write AFTER INSERT OR UPDATE OR DELETE ON concern_reports
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER erased_attendance_announce_write AFTER INSERT OR UPDATE OR DELETE ON erased_attendance
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER erased_contacts_announce_write AFTER INSERT OR UPDATE OR DELETE ON erased_contacts
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
CREATE TRIGGER erased_enrolments_announce_write AFTER INSERT OR UPDATE OR DELETE ON erased_enrolments
    FOR EACH STATEMENT EXECUTE FUNCTION familiebro_announce_write();
