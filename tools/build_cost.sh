#!/bin/sh
# What the SDK costs a user's build, against plain ureq + serde_json: the "Build cost"
# numbers of docs/performance.md. Each build starts from an empty target directory (crates
# come from the local cargo registry cache or crates.io). Usage: tools/build_cost.sh (about 10
# minutes on 2 cores)
#
#   1. `cargo run --example quickstart` on a clean target: crates compiled, CPU and wall time;
#   2. a one-call application in three forms (plain ureq + serde_json; the SDK with a personal
#      access token; the SDK with `Client::from_env()`): clean debug build time, and the size
#      of the stripped release binary.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

timed() { # label, then a command run in the current directory; prints crates, CPU, wall
    label=$1; shift
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }
    crates=$(grep -c '^ *Compiling ' "$work/log" || true)
    read -r wall user sys <"$work/time"
    printf '%-44s %4s crates  %6.1f s CPU  %6.1f s wall\n' "$label" "$crates" \
        "$(awk "BEGIN { print $user + $sys }")" "$wall"
}

cd "$repo"
CARGO_TARGET_DIR="$work/quickstart" timed "cargo run --example quickstart" \
    cargo run --example quickstart

app() { # name, dependencies, main.rs body
    mkdir -p "$work/$1/src"
    cat >"$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2024"
[dependencies]
$2
[profile.release]
strip = true
TOML
    printf '%s\n' "$3" >"$work/$1/src/main.rs"
}
app plain 'ureq = "3.5"
serde = { version = "1", features = ["derive"] }
serde_json = "1"' '#[derive(serde::Deserialize)]
struct Cluster { cluster_id: String, state: String }
fn main() {
    let host = std::env::var("DATABRICKS_HOST").unwrap_or_default();
    let token = std::env::var("DATABRICKS_TOKEN").unwrap_or_default();
    let body = ureq::get(format!("https://{host}/api/2.1/clusters/get"))
        .query("cluster_id", "0923-164208-meows279")
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .and_then(|mut r| r.body_mut().read_to_vec());
    match body.map(|b| serde_json::from_slice::<Cluster>(&b)) {
        Ok(Ok(c)) => println!("{} {}", c.cluster_id, c.state),
        Ok(Err(e)) => eprintln!("{e}"),
        Err(e) => eprintln!("{e}"),
    }
}'
sdk="azure-databricks-sdk = { path = \"$repo\" }"
app sdk_token "$sdk" 'use azure_databricks_sdk::{Auth, Client};
fn main() {
    let host = std::env::var("DATABRICKS_HOST").unwrap_or_default();
    let token = std::env::var("DATABRICKS_TOKEN").unwrap_or_default();
    let cluster = Client::builder(host)
        .auth(Auth::personal_access_token(token))
        .build()
        .and_then(|c| c.clusters().get("0923-164208-meows279"));
    match cluster {
        Ok(c) => println!("{} {:?}", c.cluster_id, c.state),
        Err(e) => eprintln!("{e}"),
    }
}'
app sdk_from_env "$sdk" 'fn main() {
    let cluster = azure_databricks_sdk::Client::from_env()
        .and_then(|c| c.clusters().get("0923-164208-meows279"));
    match cluster {
        Ok(c) => println!("{} {:?}", c.cluster_id, c.state),
        Err(e) => eprintln!("{e}"),
    }
}'

for name in plain sdk_token sdk_from_env; do
    cd "$work/$name"
    CARGO_TARGET_DIR="$work/target-$name" timed "$name: clean debug build" cargo build
    CARGO_TARGET_DIR="$work/target-$name" cargo build --release --quiet
    size=$(stat -c %s "$work/target-$name/release/$name")
    printf '%-44s %s bytes\n' "$name: stripped release binary" "$size"
done
