//! Deserializing request objects strictly: serde also builds a struct from a JSON
//! array (field by field, in order), so `[null, null]` would pass where the
//! contract says object. Fields holding objects use these functions.

use serde::de::{DeserializeOwned, Error as _, Unexpected};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

pub fn from_object<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    if !value.is_object() {
        return Err(E::invalid_type(unexpected(&value), &"a JSON object"));
    }
    serde_json::from_value(value).map_err(E::custom)
}

/// A field holding an object.
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<T, D::Error> {
    from_object(Value::deserialize(deserializer)?)
}

/// An optional field holding an object or null.
pub fn optional_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        value => from_object(value).map(Some),
    }
}

/// A field of a change request: absent (None), null (Some(None)) or an object.
pub fn present_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    optional_object(deserializer).map(Some)
}

/// A field holding an array of objects.
pub fn objects<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().map(from_object).collect(),
        other => Err(D::Error::invalid_type(
            unexpected(&other),
            &"an array of objects",
        )),
    }
}

/// An optional field holding an array of objects.
pub fn optional_objects<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<Vec<T>>, D::Error> {
    match Value::deserialize(deserializer)? {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .into_iter()
            .map(from_object)
            .collect::<Result<_, _>>()
            .map(Some),
        other => Err(D::Error::invalid_type(
            unexpected(&other),
            &"an array of objects",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[serde(default)]
        a: Option<i64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        #[serde(default, deserialize_with = "optional_object")]
        inner: Option<Inner>,
        #[serde(default, deserialize_with = "objects")]
        list: Vec<Inner>,
    }

    #[test]
    fn nested_objects_must_be_objects_not_arrays() {
        let ok: Outer = serde_json::from_str(r#"{"inner": {"a": 1}, "list": [{}]}"#).unwrap();
        assert_eq!(ok.inner, Some(Inner { a: Some(1) }));
        assert_eq!(ok.list, [Inner { a: None }]);
        assert!(serde_json::from_str::<Outer>(r#"{"inner": [null]}"#).is_err());
        assert!(serde_json::from_str::<Outer>(r#"{"list": [[1]]}"#).is_err());
        let null: Outer = serde_json::from_str(r#"{"inner": null}"#).unwrap();
        assert_eq!(null.inner, None);
    }

    #[test]
    fn plain_serde_would_take_an_array_for_a_struct() {
        assert!(
            serde_json::from_str::<Inner>("[1]").is_ok(),
            "the reason this module exists"
        );
        assert!(from_object::<Inner, serde_json::Error>(serde_json::json!([1])).is_err());
    }
}
