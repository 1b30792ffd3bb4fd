//! `db update` against a server on 127.0.0.1 started by the test; never
//! the internet.

mod osv_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use osv_support::{now, record, zip_of};
use shipgate_deps::Ecosystem;
use shipgate_deps::osv::{Database, UpdateError, UpdateOptions, UpdateProgress};

/// Serves `requests` HTTP requests: `/npm/all.zip` gets `body`, anything
/// else a 404. Returns the base URL and the paths requested.
fn serve(body: Vec<u8>, requests: usize) -> (String, thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let mut paths = Vec::new();
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                if header.trim().is_empty() {
                    break;
                }
            }
            let path = request_line
                .split(' ')
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            if path == "/npm/all.zip" {
                write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .unwrap();
                stream.write_all(&body).unwrap();
            } else {
                stream
                    .write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .unwrap();
            }
            paths.push(path);
        }
        paths
    });
    (base, handle)
}

fn options(base: String) -> UpdateOptions {
    UpdateOptions {
        base_url: base,
        use_system_proxy: false,
        ..UpdateOptions::default()
    }
}

#[test]
fn update_downloads_the_dump_and_imports_it() {
    let dump = zip_of(&[(
        "GHSA-u-1.json",
        &record("GHSA-u-1", "2024-01-01T00:00:00Z", "npm", "served", "2.0.0"),
    )]);
    let (base, server) = serve(dump.clone(), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut database = Database::open(dir.path()).unwrap();
    let mut downloaded = 0;
    let report = database
        .update(&["npm"], &options(base.clone()), now(), &mut |step| {
            if let UpdateProgress::Downloading { bytes, .. } = step {
                downloaded = *bytes;
            }
        })
        .unwrap();
    assert_eq!(server.join().unwrap(), ["/npm/all.zip"]);
    assert_eq!(report.downloads[0].bytes, dump.len() as u64);
    assert_eq!(report.downloads[0].url, format!("{base}/npm/all.zip"));
    assert_eq!(downloaded, dump.len() as u64);
    assert_eq!(report.import.counts.added, 1);
    assert_eq!(database.lookup(Ecosystem::Npm, "served").unwrap().len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with(".osv-download-")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary downloads are removed");
}

#[test]
fn an_unknown_ecosystem_is_an_http_error_and_changes_nothing() {
    let (base, server) = serve(Vec::new(), 1);
    let dir = tempfile::tempdir().unwrap();
    let mut database_on_disk = Database::open(dir.path()).unwrap();
    let error = database_on_disk
        .update(&["NoSuch Ecosystem"], &options(base), now(), &mut |_| {})
        .unwrap_err();
    assert_eq!(server.join().unwrap(), ["/NoSuch%20Ecosystem/all.zip"]);
    assert!(
        matches!(error, UpdateError::Http { status: 404, .. }),
        "{error}"
    );
    assert!(database_on_disk.status().unwrap().last_import.is_none());
}

#[test]
fn a_closed_port_fails_fast_and_says_how_to_import_offline() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let mut database = Database::open(dir.path()).unwrap();
    let started = Instant::now();
    let error = database
        .update(
            &["npm"],
            &options(format!("http://127.0.0.1:{port}")),
            now(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(6));
    assert!(matches!(error, UpdateError::Offline { .. }), "{error}");
    assert!(
        error.to_string().contains("shipgate db import all.zip"),
        "{error}"
    );
}
