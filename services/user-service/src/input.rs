//! Validation of the optional `POST /users` body. The exercise's Flask app ignores
//! the body; lookout accepts an optional JSON object so callers can set fields, and
//! rejects anything else with a message naming the problem.

use serde_json::{Map, Value};
use service_runtime::fields::check_text;

use crate::store::NewUser;

/// Parses the body: empty means all defaults, otherwise a JSON object with
/// optional `name` and `email` (strings that `check_text` accepts: not blank, at
/// most 256 bytes, no control characters) and `active` (boolean).
pub(crate) fn parse_new_user(body: &[u8]) -> Result<NewUser, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(NewUser::default());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|error| format!("invalid JSON body: {error}"))?;
    let Value::Object(fields) = value else {
        return Err("body must be a JSON object".to_owned());
    };
    Ok(NewUser {
        name: text_field(&fields, "name")?,
        email: text_field(&fields, "email")?,
        active: match present(&fields, "active") {
            None => None,
            Some(Value::Bool(active)) => Some(*active),
            Some(_) => return Err("field 'active' must be a boolean".to_owned()),
        },
    })
}

fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|value| !value.is_null())
}

fn text_field(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match present(fields, name) {
        None => Ok(None),
        Some(Value::String(text)) => {
            check_text(name, text)?;
            Ok(Some(text.clone()))
        }
        Some(_) => Err(format!("field '{name}' must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_takes_every_default() {
        assert_eq!(parse_new_user(b""), Ok(NewUser::default()));
        assert_eq!(parse_new_user(b"  \n"), Ok(NewUser::default()));
        assert_eq!(parse_new_user(b"{}"), Ok(NewUser::default()));
    }

    #[test]
    fn given_fields_are_kept() {
        let parsed = parse_new_user(br#"{"name":"Dana","email":"dana@test.com","active":false}"#);
        assert_eq!(
            parsed,
            Ok(NewUser {
                name: Some("Dana".to_owned()),
                email: Some("dana@test.com".to_owned()),
                active: Some(false)
            })
        );
    }

    #[test]
    fn bad_bodies_name_the_problem() {
        let long = format!(r#"{{"name": "{}"}}"#, "é".repeat(129));
        let cases: [(&[u8], &str); 9] = [
            (b"{", "invalid JSON"),
            (b"[]", "JSON object"),
            (br#"{"name": 3}"#, "'name' must be a string"),
            (br#"{"name": "  "}"#, "'name' must not be empty"),
            (br#"{"email": ""}"#, "'email' must not be empty"),
            (br#"{"active": "yes"}"#, "'active' must be a boolean"),
            (
                br#"{"name": "\u0001\u0001"}"#,
                "'name' must not contain control",
            ),
            (
                br#"{"email": "a\nb@test.com"}"#,
                "'email' must not contain control",
            ),
            (long.as_bytes(), "'name' must be at most 256 bytes"),
        ];
        for (body, expected) in cases {
            let error = parse_new_user(body).expect_err("rejected");
            assert!(
                error.contains(expected),
                "{error} should contain {expected}"
            );
        }
    }
}
