//! Validation of the `POST /orders` body. Missing (or null) fields take the
//! exercise's defaults (userId 1, "Unknown Product", amount 0), an empty body means
//! all defaults (as Express does); anything invalid is rejected with a message
//! naming the field.

use serde_json::{Map, Number, Value};
use service_runtime::fields::check_text;

use crate::store::{MAX_AMOUNT, NewOrder};

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
        Some(Value::String(text)) => {
            check_text("product", text)?;
            text.clone()
        }
        Some(_) => return Err("field 'product' must be a string".to_owned()),
    };
    let amount = match present(&fields, "amount") {
        None => Number::from(0),
        Some(Value::Number(number)) => amount(number)?,
        Some(_) => return Err("field 'amount' must be a number".to_owned()),
    };
    Ok(NewOrder {
        user_id,
        product,
        amount,
    })
}

/// A sent amount: more than 0 and at most [`MAX_AMOUNT`]. It is stored as parsed
/// (an integer as an integer, a decimal as the nearest 64-bit float: serde_json's
/// `float_roundtrip` feature makes that exact) and always written back the same
/// way, so every answer about the order shows the stored value, and a decimal of
/// up to 15 significant digits comes back as sent.
fn amount(number: &Number) -> Result<Number, String> {
    // JSON has no NaN or infinity, and serde_json refuses numbers out of the
    // float range, so every number here is finite.
    let value = number
        .as_f64()
        .filter(|value| *value > 0.0)
        .ok_or("field 'amount' must be more than 0")?;
    if value > MAX_AMOUNT as f64 {
        return Err(format!("field 'amount' must be at most {MAX_AMOUNT}"));
    }
    Ok(number.clone())
}

fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MAX_AMOUNT_JSON_BYTES;

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
    fn amounts_are_stored_and_written_back_unchanged_up_to_the_maximum() {
        let cases = [
            ("1000000000", "1000000000"),
            ("1e9", "1000000000.0"),
            ("0.1", "0.1"),
            ("19.99", "19.99"),
            ("5e-324", "5e-324"),
            ("1.23456789012345e-300", "1.23456789012345e-300"),
            // More than 15 significant digits: the nearest float, 23 bytes.
            ("1.2345678901234567e-300", "1.2345678901234568e-300"),
            ("0.000012345678901234567", "0.000012345678901234568"),
            ("0.000123456789012345", "0.000123456789012345"),
        ];
        for (sent, stored) in cases {
            let body = format!(r#"{{"amount": {sent}}}"#);
            let parsed = parse_new_order(body.as_bytes()).expect(sent);
            let written = parsed.amount.to_string();
            assert_eq!(written, stored, "{sent}");
            assert!(written.len() <= MAX_AMOUNT_JSON_BYTES, "{sent}");
            let read_back: Number = serde_json::from_str(&written).expect("JSON number");
            assert_eq!(read_back, parsed.amount, "{sent} reads back as stored");
        }
    }

    #[test]
    fn amounts_out_of_range_are_refused() {
        let cases = [
            ("0", "more than 0"),
            ("0.0", "more than 0"),
            ("-0", "more than 0"),
            ("-1", "more than 0"),
            ("-1e-300", "more than 0"),
            ("1000000000.001", "at most 1000000000"),
            ("1000000001", "at most 1000000000"),
            ("12345678901234567890123", "at most 1000000000"),
            ("18446744073709551615", "at most 1000000000"),
            ("1e400", "invalid JSON"),
        ];
        for (sent, expected) in cases {
            let body = format!(r#"{{"amount": {sent}}}"#);
            let error = parse_new_order(body.as_bytes()).expect_err(sent);
            assert!(error.contains(expected), "{sent}: {error}");
        }
    }

    #[test]
    fn bad_bodies_name_the_problem() {
        let long = format!(r#"{{"product": "{}"}}"#, "€".repeat(86));
        let cases: [(&[u8], &str); 12] = [
            (b"{\"userId\": 1,", "invalid JSON"),
            (b"[1, 2]", "JSON object"),
            (br#"{"userId": "1"}"#, "'userId' must be a positive integer"),
            (br#"{"userId": 0}"#, "'userId' must be a positive integer"),
            (br#"{"userId": 1.5}"#, "'userId' must be a positive integer"),
            (br#"{"product": ""}"#, "'product' must not be empty"),
            (br#"{"product": 7}"#, "'product' must be a string"),
            (br#"{"amount": -1}"#, "'amount' must be more than 0"),
            (br#"{"amount": "300"}"#, "'amount' must be a number"),
            (
                br#"{"product": "\u0001\u0002"}"#,
                "'product' must not contain control",
            ),
            (
                br#"{"product": "Mon\titor"}"#,
                "'product' must not contain control",
            ),
            (long.as_bytes(), "'product' must be at most 256 bytes"),
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
