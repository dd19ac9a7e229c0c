//! Finishing the OpenAPI document once every route has added its operations:
//! what holds for every operation is stated once here rather than in each
//! handler's annotation, so that generators get a complete, exact contract.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ArrayItems, Discriminator, OneOfBuilder, Schema};
use utoipa::openapi::server::Server;
use utoipa::openapi::{ObjectBuilder, OpenApi, Ref, RefOr, Response, Type};

/// The headers every response carries.
const REQUEST_ID: &str = "X-Request-Id";

pub fn finish(api: &mut OpenApi) {
    api.servers = Some(vec![Server::new("/")]);
    reference_page_items(api);
    discriminate(
        api,
        "NewReferral",
        "direction",
        &[
            ("to_municipality", "NewReferralToMunicipality"),
            ("to_initiative", "NewReferralToInitiative"),
        ],
    );
    let examples = schema_examples(api);
    let unions = union_firsts(api);
    for item in api.paths.paths.values_mut() {
        for operation in operations(item) {
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    describe(status, response);
                    add_request_id(response);
                }
            }
            copy_body_example(operation, &examples, &unions);
        }
    }
    let components = api.components.get_or_insert_with(Default::default);
    for (name, response) in components.responses.iter_mut() {
        if let RefOr::T(response) = response {
            add_request_id(response);
            if matches!(
                name.as_str(),
                "TooManyRequests" | "ServiceUnavailable" | "Conflict"
            ) {
                response.headers.insert(
                    "Retry-After".into(),
                    HeaderBuilder::new()
                        .schema(ObjectBuilder::new().schema_type(Type::Integer))
                        .description(Some(
                            "Seconds to wait before retrying (on 409 only while the same Idempotency-Key is in use).",
                        ))
                        .build(),
                );
            }
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.patch.as_mut(),
        item.delete.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// A response an annotation left undescribed gets the meaning of its status.
fn describe(status: &str, response: &mut Response) {
    if response.description.is_empty() {
        response.description = match status {
            "200" => "The resource as the caller may see it.",
            "201" => "Created; the body shows the new state as the caller may see it.",
            "204" => "Done; no content.",
            _ => "See the status code.",
        }
        .to_owned();
    }
}

fn add_request_id(response: &mut Response) {
    response.headers.insert(
        REQUEST_ID.into(),
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "The request's id: the client's own when it is 1–64 plain characters, else a new one; in every log line and problem body of the request.",
            ))
            .build(),
    );
}

/// The examples of named schemas.
fn schema_examples(api: &OpenApi) -> Vec<(String, serde_json::Value)> {
    let Some(components) = &api.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            #[allow(deprecated)]
            RefOr::T(Schema::Object(object)) => object
                .example
                .clone()
                .map(|example| (name.clone(), example)),
            _ => None,
        })
        .collect()
}

/// A request body whose schema has an example shows it as the body's example;
/// a union shows its first variant's.
fn copy_body_example(
    operation: &mut Operation,
    examples: &[(String, serde_json::Value)],
    unions: &[(String, String)],
) {
    let Some(body) = operation.request_body.as_mut() else {
        return;
    };
    for content in body.content.values_mut() {
        let Some(RefOr::Ref(reference)) = &content.schema else {
            continue;
        };
        let mut name = reference
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default();
        if let Some((_, first)) = unions.iter().find(|(union, _)| union == name) {
            name = first;
        }
        if let Some((_, example)) = examples.iter().find(|(schema, _)| schema == name) {
            content.example.get_or_insert_with(|| example.clone());
        }
    }
}

/// Unions of named schemas and their first variant.
fn union_firsts(api: &OpenApi) -> Vec<(String, String)> {
    let Some(components) = &api.components else {
        return Vec::new();
    };
    components
        .schemas
        .iter()
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::OneOf(one_of)) => match one_of.items.first() {
                Some(RefOr::Ref(first)) => Some((
                    name.clone(),
                    first.ref_location.rsplit('/').next()?.to_owned(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Page schemas (`Page_Area`, …) refer to their item schema instead of a copy.
fn reference_page_items(api: &mut OpenApi) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in &names {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !names.iter().any(|other| other == item) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(name) {
            if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
                items.items =
                    ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
            }
        }
    }
}

/// A union of request variants, told apart by `property`: each variant schema
/// names its value as a required one-value enum, and the union maps the values.
fn discriminate(api: &mut OpenApi, union: &str, property: &str, variants: &[(&str, &str)]) {
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for (value, schema) in variants {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) {
            object.properties.insert(
                property.into(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([*value]))
                    .into(),
            );
            if !object.required.iter().any(|required| required == property) {
                object.required.insert(0, property.into());
            }
        }
    }
    let mut discriminator = Discriminator::new(property);
    let mut one_of = OneOfBuilder::new();
    for (value, schema) in variants {
        discriminator
            .mapping
            .insert((*value).into(), format!("#/components/schemas/{schema}"));
        one_of = one_of.item(Ref::from_schema_name(*schema));
    }
    let mut one_of = one_of.build();
    one_of.discriminator = Some(discriminator);
    let description = match components.schemas.get(union) {
        Some(RefOr::T(Schema::OneOf(existing))) => existing.description.clone(),
        _ => None,
    };
    one_of.description = description;
    components
        .schemas
        .insert(union.into(), RefOr::T(Schema::OneOf(one_of)));
}
