//! The operations table is complete and every operation is pinned: each one has a wire test
//! (its path, as a string literal, in a `tests/<service>.rs` file, whose tests match requests
//! with `common::get`/`common::post`) and is answered by the emulator.

mod common;

use azure_databricks_sdk::{BodyKind, HttpMethod, operations};

/// The wire test files, one per top-level service.
const WIRE_TESTS: &[&str] = &[
    "clusters.rs",
    "tokens.rs",
    "secrets.rs",
    "files.rs",
    "jobs.rs",
    "dbfs.rs",
    "workspace.rs",
    "permissions.rs",
    "token_management.rs",
    "scim.rs",
    "cluster_policies.rs",
    "instance_pools.rs",
    "libraries.rs",
];

/// The string literals of a source file that look like request paths (`"/api/..."`).
fn path_literals(source: &str) -> Vec<&str> {
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("/api/"))
        .collect()
}

#[test]
fn every_operation_has_a_wire_test_of_its_method_and_path() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let sources: Vec<String> = WIRE_TESTS
        .iter()
        .map(|f| std::fs::read_to_string(format!("{dir}/{f}")).unwrap())
        .collect();
    let mut missing = Vec::new();
    for op in operations::ALL {
        let helpers: &[&str] = match op.method {
            HttpMethod::Get => &["common::get("],
            // `common::call(` for a POST with a query (`fs/files{path}?action=...`) or a body
            // matched by the test (a field of the current time).
            HttpMethod::Post => &["common::post(", "common::call("],
            HttpMethod::Put => &["common::put(", "common::call(", "common::json("],
            HttpMethod::Patch => &["common::patch(", "common::call(", "common::json("],
            HttpMethod::Delete => &["common::delete(", "common::call(", "common::json("],
            _ => &["common::call(", "common::json("],
        };
        // The path itself, a literal of its start before the first parameter, or a concrete
        // path the template matches.
        let start = match op.path.split_once('{') {
            Some((start, _)) => format!("\"{start}"),
            None => format!("\"{}\"", op.path),
        };
        let pinned = sources.iter().any(|source| {
            helpers.iter().any(|h| source.contains(h))
                && (source.contains(&start)
                    || path_literals(source)
                        .iter()
                        .any(|p| *p == op.path || op.match_path(p).is_some()))
        });
        if !pinned {
            missing.push(format!("{} {} ({})", op.method, op.path, op.name));
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a wire test: {missing:#?}"
    );
}

#[cfg(emulator_tests)]
#[test]
fn every_operation_is_answered_by_the_emulator() {
    let ws = azure_databricks_emulator::Emulator::start().unwrap();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent();
    for op in operations::ALL {
        // Path parameters filled in: a rest-of-path parameter with one sample path (in the
        // table's order, the Files API's operations upload, read and delete it as a file, then
        // make, read and delete it as a directory), a segment with a made-up id (the route
        // must be found, whatever it answers).
        let path: String = op
            .path
            .split('/')
            .map(|segment| match segment.split_once('{') {
                Some(("", _)) => "1".to_string(),
                Some((start, _)) => format!("{start}/Volumes/main/default/files/a/b.txt"),
                None => segment.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let url = format!("{}{path}", ws.base_url());
        let token = format!("Bearer {}", ws.admin_token());
        let answer = match op.method {
            HttpMethod::Get => agent.get(&url).header("authorization", &token).call(),
            HttpMethod::Delete => agent.delete(&url).header("authorization", &token).call(),
            HttpMethod::Head => agent.head(&url).header("authorization", &token).call(),
            HttpMethod::Put if op.request_body != BodyKind::Json => {
                agent.put(&url).header("authorization", &token).send("{}")
            }
            HttpMethod::Put => agent
                .put(&url)
                .header("authorization", &token)
                .header("content-type", "application/json")
                .send("{}"),
            HttpMethod::Patch => agent
                .patch(&url)
                .header("authorization", &token)
                .header("content-type", "application/json")
                .send("{}"),
            _ => agent
                .post(&url)
                .header("authorization", &token)
                .header("content-type", "application/json")
                .send("{}"),
        }
        .unwrap();
        if op.method == HttpMethod::Head {
            assert_eq!(
                answer.status(),
                200,
                "HEAD {path} is not served by the emulator"
            );
            continue;
        }
        let body = answer.into_body().read_to_string().unwrap();
        assert!(
            !body.contains("ENDPOINT_NOT_FOUND"),
            "{} {} is not served by the emulator: {body}",
            op.method,
            op.path
        );
    }
}

#[test]
fn names_and_routes_are_unique() {
    let mut names: Vec<&str> = operations::ALL.iter().map(|op| op.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), operations::ALL.len());
    assert!(
        operations::ALL
            .iter()
            .all(|op| op.path.starts_with("/api/"))
    );
}
