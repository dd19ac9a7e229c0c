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
        organisation_code -> Text,
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
        unit -> Nullable<Text>,
    }
}

diesel::table! {
    initiatives (id) {
        id -> Text,
        area_id -> Text,
        initiative_type -> Text,
        title -> Text,
        description -> Nullable<Text>,
        problem_areas -> Text,
        assessment_id -> Nullable<Text>,
        format -> Text,
        partners -> Text,
        languages -> Text,
        interpreter_present -> Integer,
        target_group -> Nullable<Text>,
        capacity -> Nullable<Integer>,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        recurrence -> Nullable<Text>,
        status -> Text,
        network_plan -> Nullable<Text>,
        job_centre_agreement -> Nullable<Text>,
        fathers_wanted -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        goals -> Text,
        follow_up_months -> Nullable<Integer>,
        partner_ids -> Text,
        cooperation_agreement_id -> Nullable<Text>,
    }
}

diesel::table! {
    prospects (id) {
        id -> Text,
        area_id -> Text,
        display_name -> Nullable<Text>,
        source_kind -> Text,
        status -> Text,
        fathers_targeted -> Integer,
        family_id -> Nullable<Text>,
        identified_on -> Date,
        engaged_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    prospect_steps (id) {
        id -> Text,
        prospect_id -> Text,
        occurred_on -> Date,
        kind -> Text,
        status_after -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    cooperation_agreements (id) {
        id -> Text,
        area_id -> Text,
        status -> Text,
        terms -> Text,
        supersedes_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_signatures (agreement_id, side) {
        agreement_id -> Text,
        side -> Text,
        unit -> Nullable<Text>,
        signed_by -> Text,
        signed_at -> Timestamp,
    }
}

diesel::table! {
    calendar_links (id) {
        id -> Text,
        token_digest -> Text,
        token_sealed -> Text,
        area_id -> Text,
        initiative_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        area_id -> Text,
        name -> Text,
        kind -> Text,
        role -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    measurements (id) {
        id -> Text,
        initiative_id -> Text,
        family_id -> Nullable<Text>,
        participant -> Text,
        phase -> Text,
        measured_on -> Date,
        answers -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    families (id) {
        id -> Text,
        area_id -> Text,
        display_name -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        adults -> Integer,
        children -> Integer,
        children_birth_years -> Text,
        languages -> Text,
        interpreter_needed -> Integer,
        notes -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    family_contacts (id) {
        id -> Text,
        family_id -> Text,
        occurred_on -> Date,
        kind -> Text,
        note -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        family_id -> Text,
        receiving_unit -> Text,
        purpose -> Text,
        data_categories -> Text,
        valid_from -> Date,
        valid_until -> Date,
        given_as -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        given_by_name -> Nullable<Text>,
        given_by_relation -> Nullable<Text>,
        document_reference -> Nullable<Text>,
    }
}

diesel::table! {
    enrolments (initiative_id, family_id) {
        initiative_id -> Text,
        family_id -> Text,
        heavily_burdened -> Integer,
        mothers -> Integer,
        fathers -> Integer,
        enrolled_by -> Text,
        enrolled_at -> Timestamp,
    }
}

diesel::table! {
    initiative_sessions (id) {
        id -> Text,
        initiative_id -> Text,
        held_on -> Date,
        theme -> Text,
        speaker -> Nullable<Text>,
        created_at -> Timestamp,
        headcount -> Integer,
        status -> Text,
        starts_at -> Nullable<Time>,
        ends_at -> Nullable<Time>,
        place -> Nullable<Text>,
        languages -> Text,
        interpreter_present -> Integer,
        sequence -> Integer,
    }
}

diesel::table! {
    session_attendance (session_id, family_id) {
        session_id -> Text,
        family_id -> Text,
    }
}

diesel::joinable!(assessments -> areas (area_id));
diesel::joinable!(initiatives -> areas (area_id));
diesel::joinable!(families -> areas (area_id));
diesel::joinable!(family_contacts -> families (family_id));
diesel::joinable!(consents -> families (family_id));
diesel::joinable!(enrolments -> families (family_id));
diesel::joinable!(enrolments -> initiatives (initiative_id));
diesel::joinable!(initiative_sessions -> initiatives (initiative_id));
diesel::joinable!(measurements -> initiatives (initiative_id));
diesel::joinable!(partners -> areas (area_id));
diesel::joinable!(agreement_signatures -> cooperation_agreements (agreement_id));
diesel::joinable!(prospects -> areas (area_id));
diesel::joinable!(prospect_steps -> prospects (prospect_id));
diesel::joinable!(session_attendance -> initiative_sessions (session_id));
diesel::joinable!(session_attendance -> families (family_id));
diesel::joinable!(assessment_findings -> assessments (assessment_id));
diesel::joinable!(assessment_approvals -> assessments (assessment_id));
diesel::table! {
    changes (seq) {
        seq -> BigInt,
        txid -> BigInt,
        change_type -> Text,
        resource_type -> Text,
        resource_id -> Text,
        area_id -> Nullable<Text>,
        housing_side -> Integer,
        municipality_code -> Nullable<Text>,
        unit -> Nullable<Text>,
        municipal_side -> Integer,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    change_feed_state (id) {
        id -> Integer,
        pruned_txid -> BigInt,
        pruned_seq -> BigInt,
        fanout_txid -> BigInt,
        fanout_seq -> BigInt,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Text,
        url -> Text,
        secret_sealed -> Text,
        change_types -> Text,
        scope_areas -> Nullable<Text>,
        scope_municipality -> Nullable<Text>,
        scope_unit -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        subscription_id -> Text,
        change_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));

diesel::allow_tables_to_appear_in_same_query!(
    areas,
    calendar_links,
    assessments,
    assessment_findings,
    assessment_approvals,
    initiatives,
    families,
    family_contacts,
    consents,
    enrolments,
    initiative_sessions,
    session_attendance,
    measurements,
    partners,
    cooperation_agreements,
    agreement_signatures,
    prospects,
    prospect_steps,
    referrals,
    referral_events,
    concern_reports,
    idempotency_keys,
    audit_events,
    erased_contacts,
    erased_enrolments,
    erased_attendance,
    changes,
    webhook_subscriptions,
    webhook_deliveries,
);

diesel::table! {
    referrals (id) {
        id -> Text,
        direction -> Text,
        status -> Text,
        resume_status -> Nullable<Text>,
        purpose -> Text,
        purpose_note -> Nullable<Text>,
        area_id -> Text,
        municipality_code -> Text,
        unit -> Text,
        family_id -> Nullable<Text>,
        consent_id -> Nullable<Text>,
        initiative_id -> Nullable<Text>,
        shared_categories -> Text,
        shared_data -> Nullable<Text>,
        consent_statement -> Nullable<Text>,
        consent_valid_until -> Nullable<Date>,
        outcome -> Nullable<Text>,
        outcome_note -> Nullable<Text>,
        created_by -> Text,
        requested_at -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        redacted_at -> Nullable<Timestamp>,
        redaction_reason -> Nullable<Text>,
    }
}

diesel::table! {
    referral_events (id) {
        id -> Text,
        referral_id -> Text,
        occurred_at -> Timestamp,
        actor -> Text,
        side -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Nullable<Text>,
        kind -> Text,
    }
}

diesel::table! {
    concern_reports (id) {
        id -> Text,
        family_id -> Nullable<Text>,
        area_id -> Text,
        municipality_code -> Text,
        child_birth_year -> Integer,
        child_description -> Nullable<Text>,
        observation -> Text,
        observed_on -> Date,
        urgent -> Integer,
        reported_by -> Text,
        received_at -> Timestamp,
        acknowledge_due_at -> Timestamp,
        urgency_assessment_due_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        acknowledged_by -> Nullable<Text>,
        updated_at -> Timestamp,
        child_name -> Nullable<Text>,
        child_cpr_encrypted -> Nullable<Text>,
        child_birth_date -> Nullable<Date>,
        child_address -> Nullable<Text>,
        parents -> Text,
        child_statement -> Nullable<Text>,
        parents_informed -> Integer,
        parents_not_informed_reason -> Nullable<Text>,
        reporter -> Text,
        receiving_unit -> Text,
        urgency_assessed_at -> Nullable<Timestamp>,
        urgency_assessed_by -> Nullable<Text>,
        assessed_urgent -> Nullable<Integer>,
        urgency_note -> Nullable<Text>,
        feedback -> Nullable<Text>,
    }
}

diesel::table! {
    municipality_settings (municipality_code) {
        municipality_code -> Text,
        concern_report_unit -> Text,
        signatory_units -> Text,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        outcome_status -> Nullable<Integer>,
        resource_id -> Nullable<Text>,
        resource_version -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(referral_events -> referrals (referral_id));
diesel::joinable!(erased_enrolments -> initiatives (initiative_id));
diesel::joinable!(erased_attendance -> initiative_sessions (session_id));

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor -> Text,
        role -> Text,
        organisation -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        family_id -> Nullable<Text>,
        outcome -> Text,
        request_id -> Nullable<Text>,
        area_id -> Nullable<Text>,
    }
}

diesel::table! {
    denied_attempts (minute, actor, action) {
        minute -> Timestamp,
        actor -> Text,
        action -> Text,
        attempts -> Integer,
    }
}

diesel::table! {
    erased_contacts (id) {
        id -> Text,
        pseudonym -> Text,
        area_id -> Text,
        occurred_on -> Date,
    }
}

diesel::table! {
    erased_enrolments (id) {
        id -> Text,
        pseudonym -> Text,
        initiative_id -> Text,
        enrolled_at -> Timestamp,
    }
}

diesel::table! {
    erased_attendance (id) {
        id -> Text,
        pseudonym -> Text,
        session_id -> Text,
    }
}
