//! Input rules both services apply the same way: ids in paths are plain decimal
//! numbers, and free-text fields (names, e-mails, products) are bounded in bytes
//! and free of control characters, so that every stored item has a known largest
//! JSON form (see [`crate::pagination`]).

/// Longest accepted text field, in bytes of its UTF-8 value as stored.
pub const MAX_TEXT_BYTES: usize = 256;

/// Longest JSON form of an accepted text field, quotes included. Control
/// characters are refused, so the only characters JSON escapes are `"` and `\`,
/// each written as two bytes: at most twice the value, plus the two quotes.
pub const MAX_TEXT_JSON_BYTES: usize = 2 * MAX_TEXT_BYTES + 2;

/// Longest decimal form of a `u64` (ids, counts).
pub const MAX_U64_DIGITS: usize = 20;

/// `text` as a plain decimal number: ASCII digits only, no sign, no leading zero
/// (except `0` itself), no exponent or spaces, and within `u64`. Anything else
/// (`+1`, `0500`, `1e2`, ` 1`) is `None`, so it can never alias another id.
pub fn plain_decimal(text: &str) -> Option<u64> {
    let digits_only = !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit());
    let leading_zero = text.len() > 1 && text.starts_with('0');
    if !digits_only || leading_zero {
        return None;
    }
    text.parse().ok()
}

/// Checks a free-text field named `field`: not blank, at most
/// [`MAX_TEXT_BYTES`] bytes, no control characters. The error names the field.
pub fn check_text(field: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("field '{field}' must not be empty"));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "field '{field}' must be at most {MAX_TEXT_BYTES} bytes (UTF-8), not {}",
            text.len()
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(format!(
            "field '{field}' must not contain control characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimals_are_ids() {
        assert_eq!(plain_decimal("1"), Some(1));
        assert_eq!(plain_decimal("0"), Some(0));
        assert_eq!(plain_decimal("500"), Some(500));
        assert_eq!(
            plain_decimal("18446744073709551615"),
            Some(u64::MAX),
            "u64::MAX"
        );
        for text in [
            "",
            "+1",
            "-1",
            "0500",
            "00",
            "1e2",
            " 1",
            "1 ",
            "1.0",
            "0x10",
            "١",
            "18446744073709551616",
        ] {
            assert_eq!(plain_decimal(text), None, "{text:?}");
        }
    }

    #[test]
    fn text_is_bounded_in_bytes_not_characters() {
        assert_eq!(check_text("name", &"a".repeat(MAX_TEXT_BYTES)), Ok(()));
        // 64 four-byte characters fill the limit; one more byte is too many.
        assert_eq!(check_text("name", &"😀".repeat(64)), Ok(()));
        let error = check_text("name", &format!("{}a", "😀".repeat(64))).expect_err("257 bytes");
        assert!(error.contains("at most 256 bytes"), "{error}");
    }

    #[test]
    fn control_characters_and_blank_text_are_refused() {
        for text in [
            "\u{1}",
            "a\u{1}b",
            "tab\there",
            "line\n",
            "\u{7f}",
            "\u{85}x",
        ] {
            let error = check_text("product", text).expect_err(text);
            assert!(
                error.contains("'product'") && error.contains("control characters"),
                "{text:?}: {error}"
            );
        }
        for text in ["", " ", "\t\n"] {
            let error = check_text("name", text).expect_err(text);
            assert!(error.contains("must not be empty"), "{text:?}: {error}");
        }
    }

    #[test]
    fn an_accepted_text_never_serialises_beyond_its_bound() {
        // The characters JSON escapes most (or would, were they accepted), each
        // repeated up to the byte limit: whatever passes stays within the bound.
        for unit in ["\"", "\\", "\u{1}", "\u{7f}", "é", "😀", "\u{2028}", "a"] {
            let text = unit.repeat(MAX_TEXT_BYTES / unit.len());
            if check_text("name", &text).is_ok() {
                let json = serde_json::to_string(&text).expect("a string serialises");
                assert!(
                    json.len() <= MAX_TEXT_JSON_BYTES,
                    "{unit:?}: {}",
                    json.len()
                );
            }
        }
    }
}
