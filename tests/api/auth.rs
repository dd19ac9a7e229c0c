//! Token verification: what is accepted, and that everything else is a 401 problem.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::*;

const PROBE: &str = "/api/v1/catalog/problem-areas";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "someone", "role": "analyst",
        "iat": now(), "exp": now() + 600
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

fn hs256(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

fn signed(algorithm: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    encode(&header, claims, key).unwrap()
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&fixture_bytes("rsa_private.pem")).unwrap()
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_pem(&fixture_bytes("ec_private.pem")).unwrap()
}

fn ed_key() -> EncodingKey {
    EncodingKey::from_ed_pem(&fixture_bytes("ed_private.pem")).unwrap()
}

/// A token with the given header and claims, signed with nothing (`alg: none`).
fn unsigned(header: Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// HS256 with the RSA public key as the HMAC secret: the classic key-confusion attack.
fn hs256_with_rsa_public_key(claims: &Value) -> String {
    let public_pem = fixture_bytes("rsa_public.pem");
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(&public_pem),
    )
    .unwrap()
}

async fn status_with(app: &TestApp, token: &str) -> reqwest::Response {
    app.get(PROBE, token).await
}

async fn accepted_tokens_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let tokens = [
        ("HS256", hs256(&claims())),
        (
            "RS256",
            signed(Algorithm::RS256, None, &rsa_key(), &claims()),
        ),
        (
            "ES256",
            signed(Algorithm::ES256, None, &ec_key(), &claims()),
        ),
        (
            "EdDSA from JWKS by kid",
            signed(Algorithm::EdDSA, Some("ed-1"), &ed_key(), &claims()),
        ),
        (
            "audience as an array",
            hs256(&with(claims(), "aud", json!(["other", AUDIENCE]))),
        ),
    ];
    for (name, token) in tokens {
        let response = status_with(&app, &token).await;
        assert_eq!(response.status(), 200, "{name} should be accepted");
    }
}

async fn rejected_tokens_get_401_problems_with_www_authenticate(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut tampered = hs256(&claims());
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let cases: Vec<(&str, String)> = vec![
        (
            "alg none",
            unsigned(json!({"alg": "none", "typ": "JWT"}), &claims()),
        ),
        (
            "HS256 signed with the RSA public key",
            hs256_with_rsa_public_key(&claims()),
        ),
        (
            "an algorithm not configured (HS512)",
            encode(
                &Header::new(Algorithm::HS512),
                &claims(),
                &EncodingKey::from_secret(SECRET),
            )
            .unwrap(),
        ),
        ("ES256 token claiming RS256", {
            let es = signed(Algorithm::ES256, None, &ec_key(), &claims());
            let (_, rest) = es.split_once('.').unwrap();
            format!(
                "{}.{rest}",
                URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#)
            )
        }),
        ("bad signature", tampered),
        (
            "expired",
            hs256(&with(claims(), "exp", json!(now() - 3600))),
        ),
        (
            "nbf in the future",
            hs256(&with(claims(), "nbf", json!(now() + 3600))),
        ),
        (
            "wrong iss",
            hs256(&with(claims(), "iss", json!("someone-else"))),
        ),
        ("missing iss", hs256(&without(claims(), "iss"))),
        (
            "wrong aud",
            hs256(&with(claims(), "aud", json!("another-service"))),
        ),
        ("missing aud", hs256(&without(claims(), "aud"))),
        ("missing exp", hs256(&without(claims(), "exp"))),
        (
            "unknown kid",
            signed(Algorithm::EdDSA, Some("ed-unknown"), &ed_key(), &claims()),
        ),
        (
            "unknown role",
            hs256(&with(claims(), "role", json!("superuser"))),
        ),
        ("missing role", hs256(&without(claims(), "role"))),
        ("missing sub", hs256(&without(claims(), "sub"))),
        ("empty sub", hs256(&with(claims(), "sub", json!(" ")))),
        (
            "lifetime above the maximum",
            hs256(&with(
                claims(),
                "exp",
                json!(now() + MAX_TTL.as_secs() as i64 + 3600),
            )),
        ),
        (
            "worker without areas claim",
            hs256(&with(claims(), "role", json!("housing_social_worker"))),
        ),
        (
            "caseworker with an unknown unit",
            hs256(&with(
                with(
                    with(claims(), "role", json!("municipal_caseworker")),
                    "municipality",
                    json!("101"),
                ),
                "unit",
                json!("police"),
            )),
        ),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (name, token) in cases {
        let response = status_with(&app, &token).await;
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(response.status(), 401, "{name} should be rejected");
        assert_eq!(
            challenge.as_deref(),
            Some(r#"Bearer error="invalid_token""#),
            "{name}"
        );
        assert_problem(response, 401).await;
    }
}

async fn requests_without_a_bearer_token_get_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.client.get(app.url(PROBE)).send().await.unwrap();
    assert!(response.headers().contains_key("www-authenticate"));
    assert_problem(response, 401).await;
    let basic = app
        .client
        .get(app.url(PROBE))
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_problem(basic, 401).await;
}

async fn the_bearer_scheme_is_read_in_any_case_and_nothing_else_passes(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = hs256(&claims());
    let with_header = |value: String| {
        app.client
            .get(app.url(PROBE))
            .header("Authorization", value)
            .send()
    };
    for accepted in [
        format!("Bearer {token}"),
        format!("bearer {token}"),
        format!("BEARER  {token} "),
    ] {
        let response = with_header(accepted.clone()).await.unwrap();
        assert_eq!(response.status(), 200, "{accepted:?}");
    }
    for refused in [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        format!("Bearer{token}"),
        format!("Bearer\t{token}"),
        format!("Token {token}"),
        format!("Bearer {token}\u{e6}"),
        format!("Bearer {token}.x"),
    ] {
        let response = with_header(refused.clone()).await.unwrap();
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{refused:?}"
        );
        assert_problem(response, 401).await;
    }
    // A token that verified once, followed by a byte that is not UTF-8.
    let not_utf8 = [format!("Bearer {token}").as_bytes(), b"\xff"].concat();
    let response = app
        .client
        .get(app.url(PROBE))
        .header(
            "Authorization",
            reqwest::header::HeaderValue::from_bytes(&not_utf8).unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_problem(response, 401).await;
}

crate::on_both_backends!(
    accepted_tokens_are_served,
    rejected_tokens_get_401_problems_with_www_authenticate,
    requests_without_a_bearer_token_get_401,
    the_bearer_scheme_is_read_in_any_case_and_nothing_else_passes,
);
