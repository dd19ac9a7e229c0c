DROP TABLE session_attendance;
DROP TABLE initiative_sessions;
DROP TABLE enrolments;
DROP TABLE consents;
DROP TABLE family_contacts;
DROP TABLE families;
DROP TABLE initiatives;
