//! The Files API against the emulator: uploads and downloads compared byte for byte (names with
//! spaces, `#`, `%` and Unicode; a body large enough to be spooled to disk), ranges, metadata,
//! paged listing and the recursive walk, the service's errors, and a download whose connection
//! breaks in the middle, resumed to identical bytes.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use azure_databricks_emulator::{Emulator, Fault};
use azure_databricks_sdk::models::ListDirectoryRequest;
use azure_databricks_sdk::{Auth, Client, FileMetadata, RetryPolicy, Upload, UploadOptions};

const ROOT: &str = "/Volumes/main/default/files";

/// `len` bytes that are not all the same, different for each `seed`.
fn data(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed * 7) % 251) as u8)
        .collect()
}

#[test]
fn files_go_up_and_come_back_identical_whatever_their_names() {
    let ws = Emulator::start().unwrap();
    let files = ws.client();
    let files = files.files();
    for (i, name) in [
        "plain.csv",
        "with space.txt",
        "hash#and%percent",
        "unicodé ✓.bin",
    ]
    .iter()
    .enumerate()
    {
        let path = format!("{ROOT}/dir {i}/{name}");
        let bytes = data(i, 1000 + i * 70_001);
        files.upload(&path, &bytes, false).unwrap();
        let mut back = Vec::new();
        files.download_to(&path, &mut back).unwrap();
        assert_eq!(back, bytes, "{path}");
        let metadata = files.get_metadata(&path).unwrap();
        assert_eq!(metadata.content_length, bytes.len() as u64);
        assert_eq!(
            metadata.content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert!(metadata.last_modified.is_some());
    }
}

#[test]
fn a_large_upload_is_streamed_from_a_file_and_ranges_read_parts() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let bytes = data(3, 5 * 1024 * 1024 + 17);
    let mut local = tempfile::tempfile().unwrap();
    local.write_all(&bytes).unwrap();
    std::io::Seek::rewind(&mut local).unwrap();
    let path = format!("{ROOT}/big/data.bin");
    client
        .files()
        .upload(&path, Upload::seekable(local).unwrap(), true)
        .unwrap();
    let mut back = Vec::new();
    client.files().download_to(&path, &mut back).unwrap();
    assert!(back == bytes, "the downloaded bytes differ");

    let mut part = client
        .files()
        .download(&path, Some("bytes=100-199"))
        .unwrap();
    assert_eq!(part.headers().status(), 206);
    let mut hundred = Vec::new();
    part.read_to_end(&mut hundred).unwrap();
    assert_eq!(hundred, &bytes[100..200]);
}

#[test]
fn overwrite_false_refuses_an_existing_file_and_true_replaces_it() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let path = format!("{ROOT}/once.txt");
    client.files().upload(&path, "first", false).unwrap();
    let err = client.files().upload(&path, "second", false).unwrap_err();
    assert_eq!(err.status(), Some(409), "{err:?}");
    client.files().upload(&path, "third", true).unwrap();
    let mut back = Vec::new();
    client.files().download_to(&path, &mut back).unwrap();
    assert_eq!(back, b"third");
    client.files().delete(&path).unwrap();
    assert!(
        client
            .files()
            .get_metadata(&path)
            .unwrap_err()
            .is_not_found()
    );
    assert!(client.files().delete(&path).unwrap_err().is_not_found());
    let err = client
        .files()
        .upload("/Volumes/nope/x/y/f", "x", true)
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[test]
fn listing_is_paged_and_the_walk_descends_into_every_directory() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let files = client.files();
    for i in 0..5 {
        files
            .upload(&format!("{ROOT}/tree/f{i}"), "x", true)
            .unwrap();
    }
    files
        .upload(&format!("{ROOT}/tree/sub/deep/g"), "yy", true)
        .unwrap();
    files
        .create_directory(&format!("{ROOT}/tree/empty"))
        .unwrap();

    let page = files
        .list_directory_page(
            &format!("{ROOT}/tree"),
            &ListDirectoryRequest {
                page_size: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.contents.len(), 2);
    assert!(page.next_page_token.is_some());
    let listed: Vec<String> = files
        .list_directory_contents(
            &format!("{ROOT}/tree"),
            &ListDirectoryRequest {
                page_size: Some(2),
                ..Default::default()
            },
        )
        .map(|e| e.unwrap().name.unwrap())
        .collect();
    assert_eq!(listed, ["empty", "f0", "f1", "f2", "f3", "f4", "sub"]);

    let walked: Vec<(String, bool)> = files
        .walk(&format!("{ROOT}/tree"))
        .map(|e| {
            let e = e.unwrap();
            (e.path.unwrap(), e.is_directory.unwrap())
        })
        .collect();
    assert_eq!(walked.len(), 9, "{walked:?}");
    assert!(walked.contains(&(format!("{ROOT}/tree/sub/deep/g"), false)));
    assert!(walked.contains(&(format!("{ROOT}/tree/sub/deep"), true)));

    let err = files
        .delete_directory(&format!("{ROOT}/tree/sub"))
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    files
        .delete_directory(&format!("{ROOT}/tree/empty"))
        .unwrap();
    assert!(
        files
            .get_directory_metadata(&format!("{ROOT}/tree/empty"))
            .unwrap_err()
            .is_not_found()
    );
    files.get_directory_metadata(ROOT).unwrap();
}

/// A proxy to `target` that closes the first connection which has carried `cut_after` bytes
/// of answers, in the middle of what it carries; the others pass everything.
fn cutting_proxy(target: std::net::SocketAddr, cut_after: u64) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let cuts = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&cuts);
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let server = TcpStream::connect(target).unwrap();
            let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c_in, &mut s_out);
            });
            let cuts = Arc::clone(&counted);
            std::thread::spawn(move || {
                let (mut server, mut client) = (server, client);
                let mut carried = 0u64;
                let mut chunk = [0u8; 8192];
                loop {
                    let n = match server.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if client.write_all(&chunk[..n]).is_err() {
                        break;
                    }
                    carried += n as u64;
                    if carried >= cut_after && cuts.fetch_add(1, Ordering::SeqCst) == 0 {
                        let _ = client.shutdown(std::net::Shutdown::Both);
                        let _ = server.shutdown(std::net::Shutdown::Both);
                        break;
                    }
                }
                let _ = client.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (url, cuts)
}

fn client_of(ws: &Emulator, url: &str) -> Client {
    Client::builder(url)
        .auth(Auth::personal_access_token(ws.admin_token()))
        .no_proxy()
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

#[test]
fn a_download_cut_in_the_middle_is_resumed_to_identical_bytes() {
    let ws = Emulator::start().unwrap();
    let bytes = data(5, 1_000_003);
    let path = format!("{ROOT}/resume/data.bin");
    ws.client().files().upload(&path, &bytes, true).unwrap();
    let target: std::net::SocketAddr = ws.base_url().trim_start_matches("http://").parse().unwrap();
    let (url, cuts) = cutting_proxy(target, 300_000);
    let client = client_of(&ws, &url);

    // Without resuming, the cut is an error, never a short file.
    let err = client
        .files()
        .download_to(&path, &mut Vec::new())
        .unwrap_err();
    assert!(
        matches!(err, azure_databricks_sdk::Error::Io { .. }),
        "{err:?}"
    );
    assert_eq!(cuts.load(Ordering::SeqCst), 1);

    // Resumable: a partial local file (as a cut would leave it) is continued with a Range.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("data.bin");
    cuts.store(0, Ordering::SeqCst);
    let len = client.files().download_resumable(&path, &local).unwrap();
    assert_eq!(len, bytes.len() as u64);
    assert!(
        std::fs::read(&local).unwrap() == bytes,
        "the resumed bytes differ"
    );
    assert!(!dir.path().join("data.bin.resume").exists());
    let statuses: Vec<Option<u16>> = ws.request_log().iter().map(|r| r.status).collect();
    assert!(
        statuses.contains(&Some(206)),
        "resumed with a range: {statuses:?}"
    );
}

/// What an interrupted download of the version `metadata` describes leaves behind: the first
/// bytes and the `.resume` file naming that version.
fn partial(local: &std::path::Path, first: &[u8], metadata: &FileMetadata) {
    std::fs::write(local, first).unwrap();
    let mut state = local.as_os_str().to_owned();
    state.push(".resume");
    std::fs::write(
        state,
        format!(
            "length: {}\nlast-modified: {}\n",
            metadata.content_length,
            metadata.headers.last_modified().unwrap()
        ),
    )
    .unwrap();
}

#[test]
fn a_partial_file_of_another_version_is_downloaded_again_from_the_start() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let path = format!("{ROOT}/changed.bin");
    let old = data(1, 50_000);
    client.files().upload(&path, &old, true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("changed.bin");
    // A partial download of the old version, as a cut would leave it.
    let metadata = client.files().get_metadata(&path).unwrap();
    partial(&local, &old[..20_000], &metadata);
    // Resuming the same version continues it.
    client.files().download_resumable(&path, &local).unwrap();
    assert!(std::fs::read(&local).unwrap() == old);

    // A new version (another length) replaces a partial old one entirely.
    partial(&local, &old[..20_000], &metadata);
    let new = data(2, 60_000);
    client.files().upload(&path, &new, true).unwrap();
    client.files().download_resumable(&path, &local).unwrap();
    assert!(std::fs::read(&local).unwrap() == new, "a mix of versions");
}

/// The multipart options of the tests: parts of 64 KiB above 100 KB.
fn small_parts() -> UploadOptions {
    UploadOptions::default()
        .multipart_threshold(100_000)
        .part_size(64 * 1024)
}

/// The requests of a multipart upload that reached the emulator's storage routes.
fn storage_puts(ws: &Emulator) -> Vec<(String, Option<u16>)> {
    ws.request_log()
        .into_iter()
        .filter(|r| r.path.starts_with("/storage/upload/"))
        .map(|r| (r.path.clone(), r.status))
        .collect()
}

#[test]
fn a_multipart_upload_of_three_parts_and_a_short_one_comes_back_identical() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let path = format!("{ROOT}/multi/part #1.bin");
    let bytes = data(9, 3 * 64 * 1024 + 1234);
    client
        .files()
        .upload_with(
            &path,
            Upload::reader(&bytes[..], None),
            false,
            small_parts(),
        )
        .unwrap();
    let mut back = Vec::new();
    client.files().download_to(&path, &mut back).unwrap();
    assert!(back == bytes, "the assembled file differs");
    let puts = storage_puts(&ws);
    assert_eq!(puts.len(), 4, "{puts:?}");
    assert!(puts.iter().all(|(_, status)| *status == Some(201)));
    // initiate-upload and complete-upload.
    let log = ws.request_log();
    let posts = log
        .iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/api/2.0/fs/files/"))
        .count();
    assert_eq!(posts, 2);
    // A file of known length below the threshold is still one PUT.
    client
        .files()
        .upload_with(
            &format!("{ROOT}/multi/small"),
            &bytes[..1000],
            false,
            small_parts(),
        )
        .unwrap();
    assert_eq!(storage_puts(&ws).len(), 4);
}

#[test]
fn a_503_on_one_part_resends_that_part_only_and_the_file_is_identical() {
    let ws = Emulator::start().unwrap();
    ws.inject(Fault::unavailable().on("/storage/upload/2/*"));
    let client = ws.client();
    let path = format!("{ROOT}/retried.bin");
    let bytes = data(3, 3 * 64 * 1024 + 10);
    let source = std::io::Cursor::new(bytes.clone());
    client
        .files()
        .upload_with(
            &path,
            Upload::seekable(source).unwrap(),
            true,
            small_parts(),
        )
        .unwrap();
    let mut back = Vec::new();
    client.files().download_to(&path, &mut back).unwrap();
    assert!(back == bytes, "the assembled file differs");
    let puts = storage_puts(&ws);
    let per_part = |n: u32| {
        puts.iter()
            .filter(|(p, _)| p.starts_with(&format!("/storage/upload/{n}/")))
            .count()
    };
    assert_eq!(
        (per_part(1), per_part(2), per_part(3), per_part(4)),
        (1, 2, 1, 1),
        "{puts:?}"
    );
    assert_eq!(puts.iter().filter(|(_, s)| *s == Some(503)).count(), 1);
}

#[test]
fn the_storage_refuses_credentials_and_the_sdk_sends_none() {
    let ws = Emulator::start().unwrap();
    let client = ws.client();
    let path = format!("{ROOT}/no-credentials.bin");
    let bytes = data(5, 200_000);
    client
        .files()
        .upload_with(&path, &bytes[..], false, small_parts())
        .unwrap();
    assert!(!storage_puts(&ws).is_empty());
    // The same kind of request with the workspace's token is refused.
    let url = format!("{}/storage/upload/1/any?sig=x", ws.base_url());
    let answer = ureq::put(&url)
        .header("Authorization", &format!("Bearer {}", ws.admin_token()))
        .send(&b"leak"[..]);
    match answer {
        Err(ureq::Error::StatusCode(403)) => {}
        other => panic!("expected 403, got {other:?}"),
    }
}

#[test]
fn an_unreachable_storage_falls_back_to_one_put() {
    let ws = Emulator::start().unwrap();
    // A port nothing listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    ws.set_files_storage_base(Some(&base));
    let client = client_of(&ws, ws.base_url());
    let path = format!("{ROOT}/fallback.bin");
    let bytes = data(7, 300_000);
    client
        .files()
        .upload_with(
            &path,
            Upload::reader(&bytes[..], None),
            false,
            small_parts(),
        )
        .unwrap();
    let mut back = Vec::new();
    client.files().download_to(&path, &mut back).unwrap();
    assert!(back == bytes, "the file sent in one PUT differs");
    let log = ws.request_log();
    assert!(
        log.iter()
            .any(|r| r.method == "PUT" && r.path.ends_with("/fallback.bin"))
    );
    assert!(
        log.iter()
            .any(|r| r.path == "/api/2.0/fs/create-abort-upload-url")
    );
}
