//! `events_iter`: follows `next_page` (posted back as received) or `next_page_token` lazily,
//! stops at the last page, refuses to loop.

mod common;

use azure_databricks_sdk::Error;
use azure_databricks_sdk::models::{ClusterEventRequest, ClusterEventType, ListOrder};
use httpmock::prelude::*;
use serde_json::{Value, json};

const ID: &str = "0923-164208-meows279";

fn event(n: i64) -> Value {
    json!({"cluster_id": ID, "timestamp": 1_727_000_000_000i64 + n, "type": "RUNNING", "details": {"current_num_workers": n}})
}

fn page_request(offset: i64) -> Value {
    json!({"cluster_id": ID, "order": "ASC", "offset": offset, "limit": 3})
}

#[test]
fn events_iter_follows_next_page_over_three_pages() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", json!({"cluster_id": ID, "order": "ASC", "limit": 3}));
        then.status(200).body(json!({"events": [event(0), event(1), event(2)], "next_page": page_request(3), "total_count": 7}).to_string());
    });
    let second = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", page_request(3));
        then.status(200).body(json!({"events": [event(3), event(4), event(5)], "next_page": page_request(6), "total_count": 7}).to_string());
    });
    let last = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", page_request(6));
        then.status(200)
            .body(json!({"events": [event(6)], "total_count": 7}).to_string());
    });
    let client = common::client(&server);
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        order: Some(ListOrder::Asc),
        limit: Some(3),
        ..Default::default()
    };
    let mut events = client.clusters().events_iter(&request);
    // Lazy: nothing is sent before the first `next`.
    first.assert_calls(0);
    let first_event = events.next().unwrap().unwrap();
    assert_eq!(first_event.type_, Some(ClusterEventType::Running));
    first.assert_calls(1);
    second.assert_calls(0);
    let rest: Vec<_> = events.map(Result::unwrap).collect();
    let workers: Vec<_> = rest
        .iter()
        .map(|e| e.details.as_ref().unwrap().current_num_workers.unwrap())
        .collect();
    assert_eq!(workers, [1, 2, 3, 4, 5, 6]);
    first.assert_calls(1);
    second.assert_calls(1);
    last.assert_calls(1);
}

#[test]
fn a_repeated_page_stops_with_an_error_instead_of_looping() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "limit": 2}),
        );
        // The service hands back the request it just answered.
        then.status(200).body(
            json!({"events": [event(0), event(1)], "next_page": {"cluster_id": ID, "limit": 2}})
                .to_string(),
        );
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        limit: Some(2),
        ..Default::default()
    };
    let items: Vec<_> = common::client(&server)
        .clusters()
        .events_iter(&request)
        .collect();
    mock.assert_calls(1);
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(
        matches!(items[2], Err(Error::RepeatedPage { .. })),
        "{:?}",
        items[2]
    );
}

#[test]
fn an_offset_going_backwards_is_a_repeated_page() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "offset": 4}),
        );
        then.status(200).body(
            json!({"events": [event(0)], "next_page": {"cluster_id": ID, "offset": 0}}).to_string(),
        );
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        offset: Some(4),
        ..Default::default()
    };
    let items: Vec<_> = common::client(&server)
        .clusters()
        .events_iter(&request)
        .collect();
    first.assert_calls(1);
    assert!(
        matches!(items.last(), Some(Err(Error::RepeatedPage { .. }))),
        "{items:?}"
    );
}

#[test]
fn an_error_on_a_later_page_is_yielded_then_the_iterator_ends() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", json!({"cluster_id": ID}));
        then.status(200).body(
            json!({"events": [event(0)], "next_page": {"cluster_id": ID, "offset": 1}}).to_string(),
        );
    });
    let failing = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "offset": 1}),
        );
        then.status(500)
            .body(json!({"error_code": "INTERNAL_ERROR", "message": "boom"}).to_string());
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        ..Default::default()
    };
    let client = common::client(&server);
    let mut events = client.clusters().events_iter(&request);
    assert!(events.next().unwrap().is_ok());
    assert_eq!(events.next().unwrap().unwrap_err().status(), Some(500));
    assert!(events.next().is_none());
    first.assert_calls(1);
    failing.assert_calls(1);
}

#[test]
fn an_empty_first_page_ends_at_once() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", json!({"cluster_id": ID}));
        then.status(200).body("{}");
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        ..Default::default()
    };
    assert_eq!(
        common::client(&server)
            .clusters()
            .events_iter(&request)
            .count(),
        0
    );
    mock.assert_calls(1);
}

#[test]
fn events_iter_follows_page_tokens_of_the_2_1_pagination() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "page_size": 2}),
        );
        then.status(200)
            .body(json!({"events": [event(0), event(1)], "next_page_token": "p2"}).to_string());
    });
    let second = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "page_size": 2, "page_token": "p2"}),
        );
        then.status(200)
            .body(json!({"events": [event(2)], "prev_page_token": "p1"}).to_string());
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        page_size: Some(2),
        ..Default::default()
    };
    let count = common::client(&server)
        .clusters()
        .events_iter(&request)
        .map(Result::unwrap)
        .count();
    assert_eq!(count, 3);
    first.assert();
    second.assert();
}

#[test]
fn next_page_is_posted_back_exactly_as_received_with_fields_the_sdk_does_not_know() {
    let server = MockServer::start();
    let next = json!({"cluster_id": ID, "offset": 2, "limit": 2, "cursor_hint": {"shard": 7}});
    let first = server.mock(|when, then| {
        common::post(
            when,
            "/api/2.1/clusters/events",
            json!({"cluster_id": ID, "limit": 2}),
        );
        then.status(200)
            .body(json!({"events": [event(0), event(1)], "next_page": next}).to_string());
    });
    let second = server.mock(|when, then| {
        common::post(when, "/api/2.1/clusters/events", next.clone());
        then.status(200)
            .body(json!({"events": [event(2)]}).to_string());
    });
    let request = ClusterEventRequest {
        cluster_id: ID.into(),
        limit: Some(2),
        ..Default::default()
    };
    let events: Vec<_> = common::client(&server)
        .clusters()
        .events_iter(&request)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(events.len(), 3);
    first.assert();
    second.assert();
}
