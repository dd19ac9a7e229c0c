//! Outcome goals, families' answers before and after, the results, and the
//! report a steering group reads (JSON, CSV and HTML saying the same).

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::*;

struct Course {
    app: TestApp,
    area: String,
    worker: String,
    course: String,
    families: Vec<String>,
    /// The last calendar quarter that has ended: what readers outside the team get.
    quarter: (NaiveDate, NaiveDate),
}

fn course_body(area: &str) -> Value {
    json!({
        "area_id": area,
        "type": "family_course",
        "title": "Forældre mellem to kulturer",
        "format": "closed",
        "capacity": 10,
        "schedule": {"starts_on": "2026-01-05", "ends_on": "2026-12-15"},
        "network_plan": "Fælles madklub efter kurset",
        "goals": [
            {"outcome": "knows_the_actors"},
            {"key": "cooks_together", "question": {"da": "Vi laver mad sammen med andre familier."},
             "scale": {"min": 0, "max": 3, "labels": [{"value": 0, "da": "aldrig"}, {"value": 3, "da": "hver uge"}]}}
        ],
        "follow_up_months": 3
    })
}

/// A family course with six enrolled families, started.
async fn course(backend: Backend) -> Course {
    let app = spawn_app(backend).await;
    let area = app.create_area("Nørrebakken", "101").await;
    let worker = worker(&[&area]);
    let course = app
        .create("/api/v1/initiatives", &worker, &course_body(&area))
        .await;
    let mut families = Vec::new();
    for index in 0..6 {
        let family = app
            .create(
                "/api/v1/families",
                &worker,
                &new_family(&area, &format!("Familie {index}")),
            )
            .await;
        let enrolled = app
            .post(
                &format!("/api/v1/initiatives/{course}/enrolments"),
                &worker,
                &json!({"family_id": family, "heavily_burdened": index % 2 == 0}),
            )
            .await;
        assert_eq!(enrolled.status(), 201);
        families.push(family);
    }
    let current = app
        .get(&format!("/api/v1/initiatives/{course}"), &worker)
        .await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let started = app
        .patch(
            &format!("/api/v1/initiatives/{course}"),
            &worker,
            Some(&etag),
            &json!({"status": "active"}),
        )
        .await;
    assert_eq!(started.status(), 200);
    let quarter =
        familiebro::domain::statistics::last_completed_quarter(chrono::Utc::now().date_naive())
            .unwrap();
    Course {
        app,
        area,
        worker,
        course,
        families,
        quarter,
    }
}

impl Course {
    async fn measure(
        &self,
        family: &str,
        phase: &str,
        on: NaiveDate,
        actors: i64,
        cooks: i64,
    ) -> reqwest::Response {
        self.app
            .post(
                &format!("/api/v1/initiatives/{}/measurements", self.course),
                &self.worker,
                &json!({
                    "family_id": family, "phase": phase, "measured_on": on.to_string(),
                    "answers": [{"goal": "knows_the_actors", "value": actors}, {"goal": "cooks_together", "value": cooks}]
                }),
            )
            .await
    }

    /// Six families answer at the start of the quarter, three of them again at the end.
    async fn measure_the_quarter(&self) {
        let (from, _) = self.quarter;
        for (index, family) in self.families.iter().enumerate() {
            let value = 1 + (index % 3) as i64;
            let response = self
                .measure(family, "start", from + Duration::days(5), value, 0)
                .await;
            assert_eq!(response.status(), 201);
        }
        for family in &self.families[..3] {
            let response = self
                .measure(family, "end", from + Duration::days(60), 4, 2)
                .await;
            assert_eq!(response.status(), 201);
        }
    }

    /// Two sessions in the quarter: three families at the first, six at the second.
    async fn meet_in_the_quarter(&self) {
        let (from, _) = self.quarter;
        for (days, attendees) in [(10, 3), (40, 6)] {
            self.app
                .create(
                    &format!("/api/v1/initiatives/{}/sessions", self.course),
                    &self.worker,
                    &json!({"held_on": (from + Duration::days(days)).to_string(), "theme": "Skolestart",
                            "attendee_family_ids": self.families[..attendees]}),
                )
                .await;
        }
    }

    async fn report(&self, token: &str, accept: &str) -> reqwest::Response {
        let (from, to) = self.quarter;
        self.app
            .client
            .get(self.app.url(&format!(
                "/api/v1/areas/{}/report?from={from}&to={to}",
                self.area
            )))
            .bearer_auth(token)
            .header("Accept", accept)
            .send()
            .await
            .unwrap()
    }
}

/// A table of the report: its title and rows (header first).
type Table = (String, Vec<Vec<String>>);

fn csv_tables(body: &str) -> Vec<Table> {
    let body = body
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 BOM for Excel");
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(b';')
                .has_headers(false)
                .flexible(true)
                .from_reader(block.as_bytes());
            let mut rows: Vec<Vec<String>> = reader
                .records()
                .map(|record| record.unwrap().iter().map(str::to_owned).collect())
                .collect();
            let title = rows.remove(0).remove(0);
            (title, rows)
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The tables of the HTML page, each cell's text.
fn html_tables(body: &str) -> Vec<Table> {
    let mut tables = Vec::new();
    for chunk in body.split("<table data-section=\"").skip(1) {
        let (title, rest) = chunk.split_once('"').unwrap();
        let table = rest.split("</table>").next().unwrap();
        let rows = table
            .split("<tr>")
            .skip(1)
            .map(|row| {
                row.split("<t")
                    .skip(1)
                    .filter(|cell| cell.starts_with('d') || cell.starts_with('h'))
                    .map(|cell| {
                        let text = cell.split_once('>').unwrap().1;
                        unescape(text.split("</t").next().unwrap())
                    })
                    .collect()
            })
            .collect();
        tables.push((unescape(title), rows));
    }
    tables
}

fn table<'a>(tables: &'a [Table], title: &str) -> &'a [Vec<String>] {
    &tables
        .iter()
        .find(|(name, _)| name == title)
        .unwrap_or_else(|| panic!("no table {title}"))
        .1
}

fn shown(count: &Value) -> String {
    if count["suppressed"] == true {
        "x".into()
    } else {
        count["value"].to_string()
    }
}

fn decimal(value: &Value) -> String {
    match value.as_f64() {
        Some(value) => value.to_string().replace('.', ","),
        None => "–".into(),
    }
}

/// The rows the JSON report implies for three sections, computed here from
/// the JSON alone.
fn expected_rows(report: &Value) -> Vec<(&'static str, Vec<Vec<String>>)> {
    let mut months: Vec<Vec<String>> = report["sessions"]["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|month| {
            vec![
                month["month"].as_str().unwrap().to_owned(),
                shown(&month["sessions"]),
                shown(&month["attendance"]),
            ]
        })
        .collect();
    months.push(vec![
        "I alt".into(),
        shown(&report["sessions"]["sessions_held"]),
        shown(&report["sessions"]["attendance"]),
    ]);
    let phase_name = |phase: &str| match phase {
        "start" => "start",
        "end" => "slut",
        _ => "opfølgning",
    };
    let mut phases = Vec::new();
    for initiative in report["outcomes"].as_array().unwrap() {
        for goal in initiative["goals"].as_array().unwrap() {
            for phase in goal["phases"].as_array().unwrap() {
                phases.push(vec![
                    initiative["title"].as_str().unwrap().to_owned(),
                    goal["goal"]["question"]["da"].as_str().unwrap().to_owned(),
                    phase_name(phase["phase"].as_str().unwrap()).to_owned(),
                    shown(&phase["families"]),
                    decimal(&phase["mean"]),
                    phase["withheld"].as_str().unwrap_or_default().to_owned(),
                ]);
            }
        }
    }
    let consents = &report["consents"];
    let consent_rows = [
        ("Givet", "given"),
        ("Heraf fornyet", "renewed"),
        ("Udløbet", "expired"),
        ("Tilbagekaldt", "withdrawn"),
    ]
    .iter()
    .map(|(label, field)| vec![(*label).to_owned(), shown(&consents[*field])])
    .collect();
    vec![
        ("Fremmøde pr. måned", months),
        ("Effekt: svar pr. fase", phases),
        ("Samtykker", consent_rows),
        (
            "Underretninger",
            vec![vec![
                "Modtaget i perioden".into(),
                shown(&report["concern_reports"]),
            ]],
        ),
    ]
}

async fn an_initiative_carries_catalogue_and_own_goals_and_refuses_bad_ones(backend: Backend) {
    let c = course(backend).await;
    let catalog: Value = c
        .app
        .get("/api/v1/catalog/outcomes", &analyst(None))
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = catalog["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"knows_the_actors") && codes.contains(&"network_across_families"));
    assert_eq!(catalog["items"][0]["scale"]["max"], 5);
    let plan: Value = c
        .app
        .get(
            &format!("/api/v1/initiatives/{}", c.course),
            &caseworker("101", "social_services"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["goals"][0]["key"], "knows_the_actors");
    assert_eq!(
        plan["goals"][0]["question"]["en"],
        "I know the adults around my child (school, club, SSP) and what they do."
    );
    assert_eq!(plan["goals"][1]["outcome"], Value::Null);
    assert_eq!(plan["goals"][1]["scale"]["max"], 3);
    assert_eq!(plan["follow_up_on"], "2027-03-15");

    let mut bad = course_body(&c.area);
    bad["goals"] = json!([{"outcome": "happiness"}, {"key": "Bad Key", "question": {"da": "Hvordan?"}, "scale": {"min": 1, "max": 40}}]);
    let problem = assert_problem(
        c.app.post("/api/v1/initiatives", &c.worker, &bad).await,
        422,
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["goals[0].outcome", "goals[1].key", "goals[1].scale.min"]
    );
    let mut cpr = course_body(&c.area);
    cpr["goals"][1]["question"]["da"] = json!("Spørg 010116-4123");
    assert_problem(
        c.app.post("/api/v1/initiatives", &c.worker, &cpr).await,
        422,
    )
    .await;
}

async fn answers_are_individual_data_recorded_once_per_phase_by_the_areas_workers(
    backend: Backend,
) {
    let c = course(backend).await;
    let today = chrono::Utc::now().date_naive();
    let path = format!("/api/v1/initiatives/{}/measurements", c.course);
    assert_eq!(
        c.measure(&c.families[0], "start", today, 2, 1)
            .await
            .status(),
        201
    );
    assert_problem(c.measure(&c.families[0], "start", today, 3, 1).await, 409).await;
    let off_scale =
        assert_problem(c.measure(&c.families[1], "start", today, 6, 4).await, 422).await;
    assert_eq!(off_scale["errors"][0]["field"], "answers[0].value");
    assert_eq!(off_scale["errors"][1]["field"], "answers[1].value");
    let future = assert_problem(
        c.measure(&c.families[1], "start", today + Duration::days(1), 2, 1)
            .await,
        422,
    )
    .await;
    assert_eq!(future["errors"][0]["field"], "measured_on");
    let outsider = c
        .app
        .create(
            "/api/v1/families",
            &c.worker,
            &new_family(&c.area, "Ikke tilmeldt"),
        )
        .await;
    let not_enrolled = assert_problem(c.measure(&outsider, "start", today, 2, 1).await, 422).await;
    assert_eq!(not_enrolled["errors"][0]["field"], "family_id");

    let list: Value = c.app.get(&path, &c.worker).await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list["items"][0]["answers"][0],
        json!({"goal": "knows_the_actors", "value": 2})
    );
    assert_eq!(
        list["items"][0]["recorded_by"],
        "test-housing_social_worker"
    );
    let audited: Value = c
        .app
        .get(
            "/api/v1/audit-events?resource_type=measurement",
            &data_protection_officer(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(audited["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|event| event["family_id"] == c.families[0].as_str()));

    for token in [caseworker("101", "social_services"), analyst(None), admin()] {
        assert_problem(c.app.get(&path, &token).await, 403).await;
    }
    let stranger = worker(&[&c.app.create_area("Åparken", "101").await]);
    assert_problem(c.app.get(&path, &stranger).await, 404).await;

    let export: Value = c
        .app
        .get(
            &format!("/api/v1/families/{}/export", c.families[0]),
            &c.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(export["measurements"][0]["phase"], "start");
    assert_eq!(
        export["measurements"][0]["answers"][1]["question"],
        "Vi laver mad sammen med andre familier."
    );

    // A goal with answers keeps its place and scale.
    let current = c
        .app
        .get(&format!("/api/v1/initiatives/{}", c.course), &c.worker)
        .await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let dropped = c
        .app
        .patch(
            &format!("/api/v1/initiatives/{}", c.course),
            &c.worker,
            Some(&etag),
            &json!({"goals": [{"outcome": "knows_the_actors"}]}),
        )
        .await;
    assert_problem(dropped, 409).await;
}

async fn results_pair_each_family_and_outside_the_team_small_results_are_withheld(
    backend: Backend,
) {
    let c = course(backend).await;
    c.measure_the_quarter().await;
    let (from, to) = c.quarter;
    let path = format!(
        "/api/v1/initiatives/{}/outcomes?from={from}&to={to}",
        c.course
    );
    let team: Value = c.app.get(&path, &c.worker).await.json().await.unwrap();
    let actors = &team["goals"][0];
    assert_eq!(actors["phases"][0]["families"]["value"], 6);
    assert_eq!(actors["phases"][0]["mean"], 2.0);
    assert_eq!(actors["phases"][1]["families"]["value"], 3);
    let change = &actors["changes"][0];
    assert_eq!(change["families"]["value"], 3);
    assert_eq!(change["improved"]["value"], 3);
    assert_eq!(change["median_change"], 2.0, "4−1, 4−2, 4−3");

    let outside: Value = c
        .app
        .get(&path, &caseworker("101", "social_services"))
        .await
        .json()
        .await
        .unwrap();
    let actors = &outside["goals"][0];
    assert_eq!(actors["phases"][0]["families"]["value"], 6);
    assert_eq!(actors["phases"][1]["families"]["suppressed"], true);
    assert!(actors["phases"][1]["withheld"]
        .as_str()
        .unwrap()
        .contains("fewer than 5"));
    assert_eq!(actors["phases"][1]["mean"], Value::Null);
    assert_eq!(actors["changes"][0]["median_change"], Value::Null);
    assert!(actors["phases"][1]["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .all(|point| point["families"]["suppressed"] == true));

    // Erasure keeps the answers, anonymous, for the results.
    let erased = c
        .app
        .delete(&format!("/api/v1/families/{}", c.families[0]), &c.worker)
        .await;
    assert_eq!(erased.status(), 204);
    let after: Value = c.app.get(&path, &c.worker).await.json().await.unwrap();
    assert_eq!(after["goals"], team["goals"]);
    let listed: Value = c
        .app
        .get(
            &format!("/api/v1/initiatives/{}/measurements?limit=200", c.course),
            &c.worker,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        7,
        "the erased family's two are not listed"
    );
    assert!(!listed.to_string().contains(&c.families[0]));
    assert_eq!(
        c.app
            .rows_containing("measurements", "family_id", &c.families[0]),
        0
    );
}

async fn the_report_says_the_same_in_json_csv_and_html(backend: Backend) {
    let c = course(backend).await;
    c.measure_the_quarter().await;
    c.meet_in_the_quarter().await;
    let json_response = c.report(&c.worker, "application/json").await;
    assert_eq!(json_response.status(), 200);
    let report: Value = json_response.json().await.unwrap();
    assert_eq!(report["sessions"]["attendance"]["value"], 9);
    assert_eq!(
        report["outcomes"][0]["goals"][0]["changes"][0]["improved"]["value"],
        3
    );
    assert_eq!(report["initiatives"][0]["partners"], json!([]));

    let csv_response = c.report(&c.worker, "text/csv").await;
    assert_eq!(csv_response.status(), 200);
    assert!(csv_response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv_tables(&csv_response.text().await.unwrap());
    let html_response = c.report(&c.worker, "text/html").await;
    assert!(html_response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = html_response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let page = html_response.text().await.unwrap();
    assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("href="));
    assert!(page.contains("<svg"), "charts are inline SVG");
    let html = html_tables(&page);
    assert_eq!(csv, html, "CSV and HTML hold the same tables");
    for (title, rows) in expected_rows(&report) {
        assert_eq!(&table(&csv, title)[1..], rows.as_slice(), "{title}");
    }
    assert_problem(c.report(&c.worker, "application/xml").await, 406).await;
}

async fn a_suppressed_figure_appears_in_no_representation_of_the_report(backend: Backend) {
    let c = course(backend).await;
    c.measure_the_quarter().await;
    c.meet_in_the_quarter().await;
    let outside = caseworker("101", "social_services");
    let report: Value = c
        .report(&outside, "application/json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["suppression_applied"], true);
    let months = report["sessions"]["by_month"].as_array().unwrap();
    assert!(months
        .iter()
        .all(|month| month["attendance"]["suppressed"] == true));
    assert_eq!(report["sessions"]["attendance"]["value"], 9);
    let csv_text = c.report(&outside, "text/csv").await.text().await.unwrap();
    let page = c.report(&outside, "text/html").await.text().await.unwrap();
    let (csv, html) = (csv_tables(&csv_text), html_tables(&page));
    assert_eq!(csv, html);
    for (title, rows) in expected_rows(&report) {
        assert_eq!(&table(&csv, title)[1..], rows.as_slice(), "{title}");
    }
    let attendance = table(&csv, "Fremmøde pr. måned");
    assert_eq!(attendance[1][2], "x");
    assert_eq!(attendance[2][2], "x");
    let phases = table(&csv, "Effekt: svar pr. fase");
    let end = phases.iter().find(|row| row[2] == "slut").unwrap();
    assert_eq!((end[3].as_str(), end[4].as_str()), ("x", "–"));
    // Neither the three families answering at the end nor the first session's
    // three show in any figure.
    let changes = table(&csv, "Effekt: ændring fra start");
    let figures = attendance
        .iter()
        .skip(1)
        .flat_map(|row| &row[1..])
        .chain(phases.iter().skip(1).map(|row| &row[3]))
        .chain(changes.iter().skip(1).flat_map(|row| &row[3..7]));
    for figure in figures {
        assert_ne!(figure, "3");
    }
    assert_eq!(c.report(&analyst(None), "text/html").await.status(), 200);
    let stranger = worker(&[&c.app.create_area("Åparken", "101").await]);
    assert_problem(c.report(&stranger, "text/html").await, 404).await;
    assert_problem(c.report(&admin(), "text/html").await, 403).await;
}

crate::on_both_backends!(
    an_initiative_carries_catalogue_and_own_goals_and_refuses_bad_ones,
    answers_are_individual_data_recorded_once_per_phase_by_the_areas_workers,
    results_pair_each_family_and_outside_the_team_small_results_are_withheld,
    the_report_says_the_same_in_json_csv_and_html,
    a_suppressed_figure_appears_in_no_representation_of_the_report,
);
