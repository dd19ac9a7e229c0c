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
