//! Validation of the `POST /orders` body. Missing (or null) fields take the
//! exercise's defaults (userId 1, "Unknown Product", amount 0), an empty body means
//! all defaults (as Express does); anything invalid is rejected with a message
//! naming the field.

use serde_json::{Map, Number, Value};

use crate::store::NewOrder;

/// Longest accepted product name, in characters.
const MAX_PRODUCT_CHARS: usize = 256;
const DEFAULT_USER_ID: u64 = 1;
const DEFAULT_PRODUCT: &str = "Unknown Product";

/// Parses and validates a `POST /orders` body.
pub(crate) fn parse_new_order(body: &[u8]) -> Result<NewOrder, String> {
    let fields = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return Err("body must be a JSON object".to_owned()),
            Err(error) => return Err(format!("invalid JSON body: {error}")),
        }
    };
    let user_id = match present(&fields, "userId") {
        None => DEFAULT_USER_ID,
        Some(value) => value
            .as_u64()
            .filter(|id| *id > 0)
            .ok_or("field 'userId' must be a positive integer")?,
    };
    let product = match present(&fields, "product") {
        None => DEFAULT_PRODUCT.to_owned(),
        Some(Value::String(text)) if text.trim().is_empty() => {
            return Err("field 'product' must not be empty".to_owned());
        }
        Some(Value::String(text)) if text.chars().count() > MAX_PRODUCT_CHARS => {
            return Err(format!(
                "field 'product' must be at most {MAX_PRODUCT_CHARS} characters"
            ));
        }
        Some(Value::String(text)) => text.clone(),
        Some(_) => return Err("field 'product' must be a string".to_owned()),
    };
    let amount = match present(&fields, "amount") {
        None => Number::from(0),
        Some(Value::Number(number)) if number.as_f64().is_some_and(|amount| amount >= 0.0) => {
            number.clone()
        }
        Some(Value::Number(_)) => return Err("field 'amount' must not be negative".to_owned()),
        Some(_) => return Err("field 'amount' must be a number".to_owned()),
    };
    Ok(NewOrder {
        user_id,
        product,
        amount,
    })
}

fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_the_exercise_defaults() {
        let expected = NewOrder {
            user_id: 1,
            product: "Unknown Product".to_owned(),
            amount: Number::from(0),
        };
        assert_eq!(parse_new_order(b""), Ok(expected.clone()));
        assert_eq!(parse_new_order(b"{}"), Ok(expected.clone()));
        assert_eq!(parse_new_order(br#"{"userId":null}"#), Ok(expected));
    }

    #[test]
    fn the_exercise_request_is_accepted_as_sent() {
        let parsed = parse_new_order(br#"{"userId": 1, "product": "Monitor", "amount": 300}"#);
        assert_eq!(
            parsed,
            Ok(NewOrder {
                user_id: 1,
                product: "Monitor".to_owned(),
                amount: Number::from(300)
            })
        );
        let decimal = parse_new_order(br#"{"amount": 12.5}"#).expect("decimal amount");
        assert_eq!(decimal.amount.to_string(), "12.5");
    }

    #[test]
    fn bad_bodies_name_the_problem() {
        let cases: [(&[u8], &str); 9] = [
            (b"{\"userId\": 1,", "invalid JSON"),
            (b"[1, 2]", "JSON object"),
            (br#"{"userId": "1"}"#, "'userId' must be a positive integer"),
            (br#"{"userId": 0}"#, "'userId' must be a positive integer"),
            (br#"{"userId": 1.5}"#, "'userId' must be a positive integer"),
            (br#"{"product": ""}"#, "'product' must not be empty"),
            (br#"{"product": 7}"#, "'product' must be a string"),
            (br#"{"amount": -1}"#, "'amount' must not be negative"),
            (br#"{"amount": "300"}"#, "'amount' must be a number"),
        ];
        for (body, expected) in cases {
            let error = parse_new_order(body).expect_err("rejected");
            assert!(
                error.contains(expected),
                "{error} should contain {expected}"
            );
        }
    }
}
