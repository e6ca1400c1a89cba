//! Abuse against the real server over TCP: idle and slow connections, numbers at the edges of
//! their wire types. The emulator must answer every one (or close it) and keep serving.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use azure_databricks_emulator::Emulator;
use azure_databricks_sdk::{Client, RetryPolicy};
use serde_json::{Value, json};

/// A client that reports errors instead of retrying them.
fn once(ws: &Emulator) -> Client {
    ws.client_builder(ws.admin_token())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// POSTs `body` and returns the status and `error_code` of the refusal.
fn refused(client: &Client, path: &str, body: &Value) -> (u16, String) {
    let err = client
        .raw()
        .post(path, body)
        .expect_err(&format!("{path} {body} was accepted"));
    (
        err.status().unwrap_or_default(),
        err.error_code().unwrap_or_default().to_string(),
    )
}

fn invalid() -> (u16, String) {
    (400, "INVALID_PARAMETER_VALUE".to_string())
}

fn create_cluster(client: &Client) -> String {
    let created = client
        .raw()
        .post(
            "clusters/create",
            &json!({"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2", "num_workers": 1}),
        )
        .unwrap();
    created["cluster_id"].as_str().unwrap().to_string()
}

/// Opens a connection and sends nothing.
fn idle_connection(ws: &Emulator) -> TcpStream {
    TcpStream::connect(("127.0.0.1", ws.port())).unwrap()
}

#[test]
fn more_idle_connections_than_the_limit_do_not_lock_out_a_normal_client() {
    let limit = 16;
    let ws = Emulator::builder().max_connections(limit).start().unwrap();
    let idle: Vec<TcpStream> = (0..limit + 20).map(|_| idle_connection(&ws)).collect();
    // Give the accept loop time to take them all in, so the client comes after them.
    std::thread::sleep(Duration::from_millis(200));
    let client = once(&ws);
    assert!(client.clusters().list().unwrap().is_empty());
    assert_eq!(client.tokens().list().unwrap().len(), 1);
    drop(idle);
}

#[test]
fn huge_and_negative_token_lifetimes_are_invalid_parameter_values() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    for lifetime in [
        json!(i64::MAX),
        json!(63_072_001),
        json!(-1),
        json!(i64::MIN),
    ] {
        assert_eq!(
            refused(
                &client,
                "token/create",
                &json!({"lifetime_seconds": lifetime})
            ),
            invalid(),
            "{lifetime}"
        );
    }
    // Beyond 64 bits it is not a number of the wire type at all.
    assert_eq!(
        refused(
            &client,
            "token/create",
            &json!({"lifetime_seconds": 18_446_744_073_709_551_615u64})
        ),
        (400, "MALFORMED_REQUEST".to_string())
    );
    let longest = client
        .raw()
        .post("token/create", &json!({"lifetime_seconds": 63_072_000}))
        .unwrap();
    assert!(longest["token_value"].as_str().unwrap().starts_with("dapi"));
}

#[test]
fn the_overflowing_lifetime_sent_more_times_than_there_are_slots_leaves_the_server_serving() {
    // The original failure: each such request panicked and leaked its connection slot, so
    // after `limit` of them every client got 503.
    let limit = 8;
    let ws = Emulator::builder().max_connections(limit).start().unwrap();
    let client = once(&ws);
    for _ in 0..limit * 3 {
        let fresh = once(&ws);
        assert_eq!(
            refused(
                &fresh,
                "token/create",
                &json!({"lifetime_seconds": 9_223_372_036_854_775_807i64})
            ),
            invalid()
        );
    }
    assert_eq!(client.tokens().list().unwrap().len(), 1);
}

#[test]
fn worker_counts_beyond_the_maximum_are_refused_on_create_edit_and_resize() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let base = json!({"spark_version": "15.4.x-scala2.12", "node_type_id": "Standard_DS3_v2"});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for size in [
        json!({"num_workers": 2_147_483_647}),
        json!({"num_workers": 10_001}),
        json!({"num_workers": -2_147_483_648i64}),
        json!({"autoscale": {"min_workers": 0, "max_workers": 2_147_483_647}}),
        json!({"autoscale": {"min_workers": -1, "max_workers": 4}}),
        json!({"num_workers": 1, "autotermination_minutes": 2_147_483_647}),
        json!({"num_workers": 1, "autotermination_minutes": -2_147_483_648i64}),
    ] {
        assert_eq!(
            refused(&client, "clusters/create", &with(size.clone())),
            invalid(),
            "{size}"
        );
    }
    assert_eq!(
        refused(
            &client,
            "clusters/create",
            &with(json!({"num_workers": 2_147_483_648i64}))
        ),
        (400, "MALFORMED_REQUEST".to_string())
    );
    assert!(
        client.clusters().list().unwrap().is_empty(),
        "nothing created"
    );

    let id = create_cluster(&client);
    ws.advance(Duration::from_secs(180));
    let mut edit = with(json!({"num_workers": 2_147_483_647}));
    edit["cluster_id"] = json!(id);
    assert_eq!(refused(&client, "clusters/edit", &edit), invalid());
    for size in [
        json!({"num_workers": 2_147_483_647}),
        json!({"autoscale": {"min_workers": 1, "max_workers": 2_147_483_647}}),
    ] {
        let mut resize = size.clone();
        resize["cluster_id"] = json!(id);
        assert_eq!(
            refused(&client, "clusters/resize", &resize),
            invalid(),
            "{size}"
        );
    }
    // The largest accepted size really gets its executors.
    client
        .raw()
        .post(
            "clusters/resize",
            &json!({"cluster_id": id, "num_workers": 10_000}),
        )
        .unwrap();
    ws.advance(Duration::from_secs(120));
    let cluster = client.clusters().get(&id).unwrap();
    assert_eq!(cluster.executors.len(), 10_000);
}

#[test]
fn event_queries_with_extreme_offsets_limits_and_times_do_not_break_the_server() {
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    let id = create_cluster(&client);
    for query in [
        json!({"offset": i64::MAX, "order": "ASC"}),
        json!({"offset": i64::MAX, "limit": 500, "end_time": i64::MAX}),
        json!({"start_time": i64::MIN, "end_time": i64::MAX}),
        json!({"start_time": i64::MAX, "end_time": i64::MIN}),
        json!({"offset": 499, "limit": 500, "order": "ASC"}),
    ] {
        let mut body = query.clone();
        body["cluster_id"] = json!(id);
        let page = client.raw().post("clusters/events", &body).unwrap();
        assert!(page["total_count"].as_i64().is_some(), "{query}: {page}");
        assert!(page.get("next_page").is_none(), "{query}: {page}");
    }
    for query in [
        json!({"limit": i64::MAX}),
        json!({"limit": i64::MIN}),
        json!({"limit": 501}),
        json!({"offset": i64::MIN, "order": "ASC"}),
    ] {
        let mut body = query.clone();
        body["cluster_id"] = json!(id);
        assert_eq!(
            refused(&client, "clusters/events", &body),
            invalid(),
            "{query}"
        );
    }
    let all = client
        .raw()
        .post("clusters/events", &json!({"cluster_id": id}))
        .unwrap();
    assert_eq!(all["total_count"], 1, "{all}");
}

#[test]
fn a_request_trickling_in_is_answered_408_and_the_server_keeps_serving() {
    let ws = Emulator::builder()
        .request_timeout(Duration::from_millis(300))
        .max_connections(2)
        .start()
        .unwrap();
    let mut slow = idle_connection(&ws);
    slow.write_all(b"POST /api/2.0/token/create HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{")
        .unwrap();
    let started = Instant::now();
    let mut reader = slow.try_clone().unwrap();
    reader
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let reading = std::thread::spawn(move || {
        let mut answer = Vec::new();
        // A reset after the answer is an error, but the bytes before it are kept.
        let _ = reader.read_to_end(&mut answer);
        (
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    });
    // A body byte every 20 ms: every read is quick, the request never completes.
    while !reading.is_finished() && started.elapsed() < Duration::from_secs(3) {
        if slow.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (answer, answered_after) = reading.join().unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{answer}"
    );
    assert!(
        answered_after < Duration::from_secs(2),
        "{answered_after:?}"
    );
    assert!(once(&ws).clusters().list().unwrap().is_empty());
}

#[test]
fn a_json_body_past_the_memory_threshold_is_spooled_and_read_like_any_other() {
    use azure_databricks_sdk::SecretValue;
    use azure_databricks_sdk::models::CreateScopeRequest;
    let ws = Emulator::start().unwrap();
    let client = once(&ws);
    client
        .secrets()
        .scopes()
        .create(&CreateScopeRequest {
            scope: "big".into(),
            ..Default::default()
        })
        .unwrap();
    // 120 000 bytes are 160 000 characters of base64: past the 64 KiB kept in memory.
    let value: Vec<u8> = (0..120_000u32).map(|i| (i * 7 % 251) as u8).collect();
    client
        .secrets()
        .put("big", "blob", SecretValue::Bytes(value.clone()))
        .unwrap();
    assert_eq!(ws.secret_value("big", "blob"), Some(value));
}

/// Sends `head` (and no body) and returns the answer.
fn answer_to_head(ws: &Emulator, head: &str) -> String {
    let mut stream = idle_connection(ws);
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    // A reset after the answer is an error, but the bytes before it are kept.
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn a_json_body_over_the_service_limit_is_answered_413_unread() {
    let ws = Emulator::start().unwrap();
    let token = ws.admin_token();
    let declared = answer_to_head(
        &ws,
        &format!(
            "POST /api/2.0/secrets/put HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Length: 10551297\r\n\r\n"
        ),
    );
    assert!(
        declared.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{declared}"
    );
    assert!(
        declared.contains(r#""error_code":"RESOURCE_LIMIT_EXCEEDED""#),
        "{declared}"
    );
    // A chunked body is cut off as soon as it announces a chunk past the limit.
    let chunked = answer_to_head(
        &ws,
        &format!(
            "POST /api/2.0/secrets/put HTTP/1.1\r\nAuthorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\na10001\r\n"
        ),
    );
    assert!(
        chunked.starts_with("HTTP/1.1 413 Payload Too Large\r\n"),
        "{chunked}"
    );
    assert!(once(&ws).clusters().list().unwrap().is_empty());
}
