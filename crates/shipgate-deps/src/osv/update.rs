//! Refreshing the database from OSV's published per-ecosystem dumps
//! (`<base>/<ecosystem>/all.zip`). This is the only network access of the
//! dependency scanner, and only when asked for.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;

use crate::osv::import::{ImportOptions, ImportProgress, ImportReport, ImportSource};
use crate::osv::store::{Database, DbError};

/// Where OSV publishes its dumps.
pub const OSV_DUMP_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// How an update downloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateOptions {
    /// The base URL; `<base>/<ecosystem>/all.zip` is fetched (a mirror, or
    /// a local server in tests).
    pub base_url: String,
    /// How long to wait for a connection before calling the network
    /// unreachable.
    pub connect_timeout: Duration,
    /// The longest a whole download may take.
    pub timeout: Duration,
    /// The largest dump accepted, in bytes.
    pub max_download_bytes: u64,
    /// Whether the system's proxy settings apply.
    pub use_system_proxy: bool,
    /// Limits for importing the downloaded dumps.
    pub import: ImportOptions,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            base_url: OSV_DUMP_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15 * 60),
            max_download_bytes: 2 * 1024 * 1024 * 1024,
            use_system_proxy: true,
            import: ImportOptions::default(),
        }
    }
}

/// Progress of an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateProgress {
    /// Bytes of one ecosystem's dump received so far.
    Downloading {
        /// The OSV ecosystem name.
        ecosystem: String,
        /// Bytes received.
        bytes: u64,
        /// The size the server announced, if any.
        total: Option<u64>,
    },
    /// The downloaded dumps are being imported.
    Importing(ImportProgress),
}

/// One downloaded dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Download {
    /// The OSV ecosystem name.
    pub ecosystem: String,
    /// The URL fetched.
    pub url: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What an update did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateReport {
    /// The dumps downloaded.
    pub downloads: Vec<Download>,
    /// The import of all of them (one transaction).
    pub import: ImportReport,
}

/// Why an update failed. Each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The server could not be reached (no network, DNS failure, refused).
    #[error(
        "cannot reach {url} ({reason}). To work offline, download {url} on a connected \
         machine and run `shipgate db import all.zip`"
    )]
    Offline {
        /// The URL tried.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The server answered with an error status.
    #[error(
        "{url} answered HTTP {status}; check the ecosystem name (as OSV spells it, e.g. \
         `PyPI`, `crates.io`) or download the dump yourself and run `shipgate db import`"
    )]
    Http {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The download broke off or exceeded the size limit.
    #[error(
        "downloading {url} failed: {reason}; try again, or download it yourself and run `shipgate db import`"
    )]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The temporary file in the database directory could not be written.
    #[error("cannot write the download to {}: {source}; check free space and permissions", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Importing the downloads failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

impl Database {
    /// Downloads `<base>/<ecosystem>/all.zip` for each ecosystem (OSV
    /// names: `npm`, `PyPI`, `crates.io`, `Debian:12`) into temporary files
    /// beside the database, then imports them all in one transaction at
    /// `now`. Nothing changes unless every download succeeds.
    pub fn update(
        &mut self,
        ecosystems: &[&str],
        options: &UpdateOptions,
        now: Timestamp,
        progress: &mut dyn FnMut(&UpdateProgress),
    ) -> Result<UpdateReport, UpdateError> {
        let dir = self
            .path()
            .parent()
            .map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf);
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(concat!("shipgate/", env!("CARGO_PKG_VERSION")));
        if !options.use_system_proxy {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|error| UpdateError::Download {
            url: options.base_url.clone(),
            reason: error.to_string(),
        })?;
        let mut downloads = Vec::new();
        let mut files = Vec::new();
        for ecosystem in ecosystems {
            let url = format!(
                "{}/{}/all.zip",
                options.base_url.trim_end_matches('/'),
                encode_path_segment(ecosystem)
            );
            let file = tempfile::Builder::new()
                .prefix(".osv-download-")
                .suffix(".zip")
                .tempfile_in(&dir)
                .map_err(|source| UpdateError::Io {
                    path: dir.clone(),
                    source,
                })?;
            let bytes = download(&client, &url, ecosystem, file.as_file(), options, progress)?;
            downloads.push(Download {
                ecosystem: (*ecosystem).to_owned(),
                url,
                bytes,
            });
            files.push(file);
        }
        let sources: Vec<ImportSource> = files
            .iter()
            .map(|file| ImportSource::Path(file.path().to_path_buf()))
            .collect();
        let import = self.import(&sources, &options.import, now, &mut |step| {
            progress(&UpdateProgress::Importing(step.clone()));
        })?;
        Ok(UpdateReport { downloads, import })
    }
}

fn download(
    client: &reqwest::blocking::Client,
    url: &str,
    ecosystem: &str,
    mut file: &std::fs::File,
    options: &UpdateOptions,
    progress: &mut dyn FnMut(&UpdateProgress),
) -> Result<u64, UpdateError> {
    let mut response = client.get(url).send().map_err(|error| {
        if error.is_connect() || error.is_timeout() {
            UpdateError::Offline {
                url: url.to_owned(),
                reason: root_cause(&error),
            }
        } else {
            UpdateError::Download {
                url: url.to_owned(),
                reason: root_cause(&error),
            }
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(UpdateError::Http {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    let total = response.content_length();
    let limit = options.max_download_bytes;
    if total.is_some_and(|total| total > limit) {
        return Err(too_large(url, limit));
    }
    let mut received: u64 = 0;
    let mut buffer = vec![0_u8; 256 * 1024];
    loop {
        let read = response
            .read(&mut buffer)
            .map_err(|error| UpdateError::Download {
                url: url.to_owned(),
                reason: error.to_string(),
            })?;
        if read == 0 {
            break;
        }
        received += read as u64;
        if received > limit {
            return Err(too_large(url, limit));
        }
        file.write_all(&buffer[..read])
            .map_err(|source| UpdateError::Io {
                path: PathBuf::from(url),
                source,
            })?;
        progress(&UpdateProgress::Downloading {
            ecosystem: ecosystem.to_owned(),
            bytes: received,
            total,
        });
    }
    file.flush().map_err(|source| UpdateError::Io {
        path: PathBuf::from(url),
        source,
    })?;
    Ok(received)
}

fn too_large(url: &str, limit: u64) -> UpdateError {
    UpdateError::Download {
        url: url.to_owned(),
        reason: format!("larger than the {limit}-byte download limit"),
    }
}

/// The innermost error message: reqwest's own says only "error sending
/// request", the cause says "connection refused" or "dns error".
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Percent-encodes an OSV ecosystem name for a URL path (`GitHub Actions`,
/// `Debian:12`).
fn encode_path_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b':') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_names_are_encoded_for_urls() {
        assert_eq!(encode_path_segment("GitHub Actions"), "GitHub%20Actions");
        assert_eq!(encode_path_segment("Debian:12"), "Debian:12");
        assert_eq!(encode_path_segment("crates.io"), "crates.io");
    }
}
