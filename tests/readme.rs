//! The README is a user's guide that stays true: its sections come in the order a new user
//! needs them, its links and anchors resolve, its Markdown has no rustdoc-hidden lines, the
//! install instructions work before the crate is published, and its operations table lists
//! exactly the operations of `operations::ALL` with their methods and paths. The Markdown
//! files of `docs/` and the emulator's README are checked the same way.
// Checks the repository's documents, some of which the published crate does not have (see
// build.rs).
#![cfg(emulator_tests)]

use std::path::{Path, PathBuf};

use azure_databricks_sdk::operations;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README and the other Markdown files a user is sent to.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let docs = root().join("docs");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&docs)
        .unwrap_or_else(|e| panic!("{}: {e}", docs.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    files.extend(pages);
    let emulator = root().join("emulator/README.md");
    if emulator.exists() {
        files.push(emulator);
    }
    files
}

/// `## Heading` → the text of every heading of that level, in order.
fn headings(text: &str, level: usize) -> Vec<String> {
    let marker = format!("{} ", "#".repeat(level));
    lines_outside_code(text)
        .filter_map(|line| line.strip_prefix(&marker).map(str::to_string))
        .collect()
}

/// The lines that are not inside a fenced code block.
fn lines_outside_code(text: &str) -> impl Iterator<Item = &str> {
    let mut in_code = false;
    text.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            return false;
        }
        !in_code
    })
}

/// Fenced code blocks: (info string, lines).
fn code_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some((info.trim().to_string(), Vec::new())),
            }
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line.to_string());
        }
    }
    blocks
}

/// The anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The section of `text` under `## title`, up to the next `## `.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let start = text
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("no section `## {title}`"));
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

#[test]
fn the_readme_is_a_users_guide_in_the_order_a_new_user_needs() {
    let readme = read(&root().join("README.md"));
    let sections = headings(&readme, 2);
    let expected = [
        "Install",
        "Quick start",
        "Sign-in",
        "Operations",
        "Errors",
        "Testing with the emulator",
        "Configuration reference",
    ];
    let mut at = 0;
    for title in expected {
        let found = sections[at..].iter().position(|s| s == title);
        assert!(
            found.is_some(),
            "section `## {title}` missing or out of order in {sections:?}"
        );
        at += found.unwrap() + 1;
    }
    // The write-ups for contributors live in docs/, linked from the README.
    for (moved, page) in [
        ("Performance", "docs/performance.md"),
        ("How the code is generated", "docs/code-generation.md"),
    ] {
        assert!(
            !sections.iter().any(|s| s == moved),
            "`## {moved}` belongs in {page}"
        );
        assert!(readme.contains(&format!("]({page})")), "no link to {page}");
    }
    assert!(
        !readme.contains("calls/s") && !readme.contains("callgrind"),
        "benchmark results belong in docs/performance.md"
    );
    // The two commands of the quick start.
    let quick_start = section(&readme, "Quick start");
    assert!(quick_start.contains("cargo run --example quickstart"));
    assert!(quick_start.contains("cargo test"));
    assert!(quick_start.contains("Client::from_env()"));
}

#[test]
fn install_shows_the_forms_that_resolve_before_the_crate_is_published() {
    let readme = read(&root().join("README.md"));
    let install = section(&readme, "Install");
    assert!(install.contains("not on crates.io yet"), "{install}");
    // The dependency lines of the install blocks: git first, and no registry form yet.
    let dependencies: Vec<String> = code_blocks(install)
        .into_iter()
        .filter(|(info, _)| info == "toml")
        .flat_map(|(_, lines)| lines)
        .map(|line| line.trim_start_matches(['#', ' ']).to_string())
        .filter(|line| line.starts_with("azure-databricks-sdk ="))
        .collect();
    assert!(
        dependencies.first().is_some_and(|d| d.contains("{ git = ")),
        "{dependencies:#?}"
    );
    assert!(
        dependencies.iter().any(|d| d.contains("{ path = ")),
        "{dependencies:#?}"
    );
    assert!(
        dependencies
            .iter()
            .all(|d| !d.contains("version") && !d.ends_with('"')),
        "a registry form does not resolve yet: {dependencies:#?}"
    );
    // The emulator is taken from the same place, in the README and in its own.
    for file in ["README.md", "emulator/README.md"] {
        let text = read(&root().join(file));
        assert!(
            text.contains("azure-databricks-emulator = { git = ")
                && text.contains("azure-databricks-emulator = { path = "),
            "{file}: how to get the emulator outside the repository"
        );
    }
    let emulator = read(&root().join("emulator/README.md"));
    assert!(
        emulator.contains("cargo install --git "),
        "how to get the binary"
    );
}

#[test]
fn links_and_anchors_resolve() {
    let mut broken = Vec::new();
    for file in markdown_files() {
        let text = read(&file);
        let dir = file.parent().unwrap();
        for target in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let linked = if path.is_empty() {
                file.clone()
            } else {
                dir.join(path)
            };
            if !linked.exists() {
                broken.push(format!("{}: {target} (no such file)", file.display()));
                continue;
            }
            if !fragment.is_empty() && linked.extension().is_some_and(|e| e == "md") {
                let anchors: Vec<String> = (1..=6)
                    .flat_map(|level| headings(&read(&linked), level))
                    .map(|h| anchor(&h))
                    .collect();
                if !anchors.iter().any(|a| a == fragment) {
                    broken.push(format!("{}: {target} (no such heading)", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links: {broken:#?}");
}

/// The targets of `[text](target)` links and `[label]: target` definitions, outside code.
fn links(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in lines_outside_code(text) {
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
        if let Some(definition) = line.strip_prefix('[')
            && let Some((_, target)) = definition.split_once("]: ")
        {
            targets.push(target.trim().to_string());
        }
    }
    targets
}

#[test]
fn markdown_code_has_no_rustdoc_hidden_lines_and_prints_enums_with_display() {
    let mut found = Vec::new();
    for file in markdown_files() {
        for (info, lines) in code_blocks(&read(&file)) {
            if !info.starts_with("rust") {
                continue;
            }
            for line in &lines {
                let trimmed = line.trim_start();
                if trimmed == "#" || trimmed.starts_with("# ") {
                    found.push(format!("{}: hidden line `{line}`", file.display()));
                }
                if line.contains("println!") && line.contains(":?}") {
                    found.push(format!("{}: Debug in output `{line}`", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// `secrets.acls.put` → `secrets().acls().`: how the README names the handle of an operation.
fn handle_of(name: &str) -> String {
    let (service, _) = name.rsplit_once('.').unwrap_or((name, ""));
    service.split('.').map(|s| format!("{s}().")).collect()
}

/// The rows of the Markdown tables in `text`, as their cells.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    lines_outside_code(text)
        .filter(|line| line.starts_with('|') && !line.starts_with("|---"))
        .map(|line| {
            line.trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect()
}

/// Every `` `GET /api/...` `` / `` `POST /api/...` `` code span in `cell`.
fn http_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            span.split_once(' ').is_some_and(|(method, path)| {
                method.chars().all(|c| c.is_ascii_uppercase()) && path.starts_with("/api/")
            })
        })
        .map(str::to_string)
        .collect()
}

/// What the operations table of `text` and `operations::ALL` disagree on: the operations it
/// does not list (with a row to paste), and what it lists that is no operation.
fn disagreements(text: &str) -> (Vec<String>, Vec<String>) {
    let rows = table_rows(text);
    let mut missing = Vec::new();
    for op in operations::ALL {
        let http = format!("{} {}", op.method, op.path);
        let handle = handle_of(op.name);
        let listed = rows.iter().any(|row| {
            row.len() >= 2
                && row[0].starts_with(&format!("`{handle}"))
                && http_spans(&row[1]).contains(&http)
        });
        if !listed {
            let method = op.name.rsplit('.').next().unwrap_or(op.name);
            missing.push(format!(
                "{} ({http}): add a row such as | `{handle}{method}(..)` | `{http}` | ... |",
                op.name
            ));
        }
    }
    let mut unknown = Vec::new();
    for row in &rows {
        for span in row.iter().flat_map(|cell| http_spans(cell)) {
            let exists = operations::ALL
                .iter()
                .any(|op| format!("{} {}", op.method, op.path) == span);
            if !exists {
                unknown.push(format!("`{span}` in row {row:?}"));
            }
        }
    }
    (missing, unknown)
}

#[test]
fn the_operations_table_lists_exactly_the_operations_of_the_sdk() {
    let readme = read(&root().join("README.md"));
    let (missing, unknown) = disagreements(section(&readme, "Operations"));
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "README operations table and operations::ALL disagree.\n\
         Operations the table does not list: {missing:#?}\n\
         Listed, but no such operation: {unknown:#?}"
    );
}

#[test]
fn the_table_check_names_what_is_missing_and_what_does_not_exist() {
    // The check must be able to fail: a table with one operation, one row whose method is
    // wrong, and one made-up operation.
    let table = "| call | HTTP | returns |\n|---|---|---|\n\
                 | `tokens().list()` | `GET /api/2.0/token/list` | x |\n\
                 | `tokens().delete(id)` | `GET /api/2.0/token/delete` | x |\n\
                 | `tokens().rotate()` | `POST /api/2.0/token/rotate` | x |\n";
    let (missing, unknown) = disagreements(table);
    assert_eq!(missing.len(), operations::ALL.len() - 1, "{missing:#?}");
    assert!(
        missing.iter().any(|m| m.starts_with(
            "tokens.delete (POST /api/2.0/token/delete): add a row such as \
             | `tokens().delete(..)` | `POST /api/2.0/token/delete` |"
        )),
        "{missing:#?}"
    );
    assert_eq!(unknown.len(), 2, "{unknown:#?}");
    assert!(
        unknown[0].starts_with("`GET /api/2.0/token/delete`"),
        "{unknown:#?}"
    );
    assert!(
        unknown[1].starts_with("`POST /api/2.0/token/rotate`"),
        "{unknown:#?}"
    );
    assert_eq!(handle_of("secrets.acls.put"), "secrets().acls().");
    assert_eq!(
        anchor("Testing with the emulator"),
        "testing-with-the-emulator"
    );
    assert_eq!(anchor("Sign-in"), "sign-in");
}
