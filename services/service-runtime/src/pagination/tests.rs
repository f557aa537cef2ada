use super::*;

fn entries(count: usize) -> Vec<Entry> {
    (1..=count)
        .map(|id| Entry::new(format!("{{\"id\":{id}}}").as_bytes()))
        .collect()
}

#[test]
fn no_query_is_the_first_default_page() {
    assert_eq!(PageRequest::from_query(None), Ok(PageRequest::default()));
    assert_eq!(
        PageRequest::from_query(Some("")),
        Ok(PageRequest::default())
    );
    assert_eq!(
        PageRequest::from_query(Some("verbose=1&x")),
        Ok(PageRequest::default())
    );
    assert_eq!(PageRequest::default().limit, DEFAULT_LIMIT);
}

#[test]
fn limit_and_offset_are_read() {
    assert_eq!(
        PageRequest::from_query(Some("offset=20&limit=500")),
        Ok(PageRequest {
            offset: 20,
            limit: MAX_LIMIT
        })
    );
    assert_eq!(
        PageRequest::from_query(Some("limit=1&offset=18446744073709551615")),
        Ok(PageRequest {
            offset: usize::MAX,
            limit: 1
        })
    );
}

#[test]
fn bad_parameters_name_the_problem() {
    let cases = [
        ("limit=0", "'limit' must be a whole number from 1 to 500"),
        ("limit=501", "'limit'"),
        ("limit=", "'limit'"),
        ("limit", "'limit'"),
        ("limit=+5", "'limit'"),
        ("limit=05", "'limit'"),
        ("limit=1e2", "'limit'"),
        ("limit=%31", "'limit'"),
        ("limit=99999999999999999999999", "'limit'"),
        ("offset=-1", "'offset' must be a whole number"),
        ("offset=1.5", "'offset'"),
        ("limit=5&limit=6", "'limit' is given more than once"),
        ("offset=1&offset=1", "'offset' is given more than once"),
    ];
    for (query, expected) in cases {
        let error = PageRequest::from_query(Some(query)).expect_err(query);
        assert!(error.contains(expected), "{query}: {error}");
    }
}

#[test]
fn select_takes_the_window_and_never_overruns() {
    let all = entries(10);
    let page = |offset, limit| PageRequest { offset, limit }.select(&all);
    assert_eq!(page(0, 3), all[..3].to_vec());
    assert_eq!(page(8, 5), all[8..].to_vec());
    assert_eq!(page(10, 5), Vec::<Entry>::new());
    assert_eq!(page(usize::MAX, usize::MAX), Vec::<Entry>::new());
}

#[test]
fn the_page_has_the_exercise_shape() {
    let page = Page {
        entries: entries(2),
        total: 7,
        active: 3,
    };
    let json: serde_json::Value =
        serde_json::from_slice(&page.to_json("users")).expect("valid JSON");
    assert_eq!(
        json,
        serde_json::json!({"users": [{"id": 1}, {"id": 2}], "total": 7, "active": 3})
    );
    let empty = Page {
        entries: Vec::new(),
        total: 0,
        active: 0,
    };
    assert_eq!(
        &empty.to_json("orders")[..],
        br#"{"orders":[],"total":0,"active":0}"#
    );
}

#[test]
fn the_body_streams_the_stored_entries_with_an_exact_length() {
    let stored = entries(3);
    let page = Page {
        entries: stored.clone(),
        total: 3,
        active: 1,
    };
    let whole = page.to_json("users");
    let mut body = page.into_body("users");
    assert_eq!(body.size_hint().exact(), Some(whole.len() as u64));
    // The body never waits: every poll is ready.
    let mut context = Context::from_waker(std::task::Waker::noop());
    let mut frames = Vec::new();
    while let Poll::Ready(Some(frame)) = Pin::new(&mut body).poll_frame(&mut context) {
        let data = frame.expect("infallible").into_data().expect("data");
        frames.push(data);
    }
    assert!(body.is_end_stream());
    assert_eq!(frames.concat(), whole.to_vec());
    // Items after the first are the stored bytes, not copies.
    assert_eq!(frames[2].as_ptr(), stored[1].0.as_ptr());
    assert_eq!(frames.len(), 5);
}

#[test]
fn the_envelope_bound_covers_the_largest_counts() {
    let page = Page {
        entries: Vec::new(),
        total: usize::MAX,
        active: usize::MAX,
    };
    assert_eq!(page.to_json("orders").len(), envelope_bytes("orders"));
}
