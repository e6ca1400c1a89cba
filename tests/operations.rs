//! The operations table is complete and every operation is pinned: each one has a wire test
//! (its path, as a string literal, in a `tests/<service>.rs` file, whose tests match requests
//! with `common::get`/`common::post`) and is answered by the emulator.

mod common;

use azure_databricks_sdk::{HttpMethod, operations};

/// The wire test files, one per top-level service.
const WIRE_TESTS: &[&str] = &[
    "clusters.rs",
    "tokens.rs",
    "secrets.rs",
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

/// A request path of `op` with `x` for each path parameter.
fn sample_path(op: &azure_databricks_sdk::Operation) -> String {
    let mut path = String::new();
    let mut rest = op.path;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        path.push('x');
        rest = rest[start..].split_once('}').map_or("", |(_, after)| after);
    }
    path + rest
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
        let helper = match op.method {
            HttpMethod::Get => "common::get(",
            HttpMethod::Put => "common::put(",
            HttpMethod::Patch => "common::patch(",
            HttpMethod::Delete => "common::delete(",
            _ => "common::post(",
        };
        // The path itself, or (a template) a concrete path it matches.
        let pinned = sources.iter().any(|source| {
            source.contains(helper)
                && path_literals(source)
                    .iter()
                    .any(|p| *p == op.path || op.match_path(p).is_some())
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

#[test]
fn every_operation_is_answered_by_the_emulator() {
    let ws = azure_databricks_emulator::Emulator::start().unwrap();
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .new_agent();
    for op in operations::ALL {
        let url = format!("{}{}", ws.base_url(), sample_path(op));
        let token = format!("Bearer {}", ws.admin_token());
        let answer = match op.method {
            HttpMethod::Get => agent.get(&url).header("authorization", &token).call(),
            HttpMethod::Delete => agent.delete(&url).header("authorization", &token).call(),
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
