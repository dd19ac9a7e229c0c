//! The one schema both backends share; migrations per backend create it.

diesel::table! {
    areas (id) {
        id -> Text,
        name -> Text,
        search_text -> Text,
        municipality_code -> Text,
        housing_organisation -> Text,
        plan_name -> Nullable<Text>,
        plan_starts_on -> Nullable<Date>,
        plan_ends_on -> Nullable<Date>,
        households -> Nullable<Integer>,
        residents -> Nullable<Integer>,
        families_with_children_share -> Nullable<Double>,
        single_parent_share -> Nullable<Double>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assessments (id) {
        id -> Text,
        area_id -> Text,
        status -> Text,
        period_starts_on -> Date,
        period_ends_on -> Date,
        summary -> Nullable<Text>,
        target_group -> Text,
        supersedes_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assessment_findings (id) {
        id -> Text,
        assessment_id -> Text,
        position -> Integer,
        problem_area -> Text,
        households -> Nullable<Integer>,
        share -> Nullable<Double>,
        severity -> Integer,
        evidence -> Text,
        contributed_by -> Text,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assessment_approvals (assessment_id, side) {
        assessment_id -> Text,
        side -> Text,
        approved_by -> Text,
        approved_at -> Timestamp,
    }
}

diesel::joinable!(assessments -> areas (area_id));
diesel::joinable!(assessment_findings -> assessments (assessment_id));
diesel::joinable!(assessment_approvals -> assessments (assessment_id));
diesel::allow_tables_to_appear_in_same_query!(
    areas,
    assessments,
    assessment_findings,
    assessment_approvals
);
