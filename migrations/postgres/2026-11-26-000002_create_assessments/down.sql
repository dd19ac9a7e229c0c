DROP TABLE assessment_approvals;
DROP TABLE assessment_findings;
DROP TABLE assessments;
