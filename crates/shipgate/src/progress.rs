//! The terminal progress bar, drawn on stderr only for people watching.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use shipgate_walk::Progress;

/// A progress bar that counts files and bytes; hidden when not wanted.
pub struct Bar {
    bar: ProgressBar,
    bytes: AtomicU64,
}

impl Bar {
    /// A visible bar when `visible`, otherwise one that draws nothing.
    /// With `counted_up_front` (history and diff scans list their blobs
    /// before scanning) it shows done/total; a tree walk discovers files while
    /// scanning them, so it shows a running count instead of a moving total.
    pub fn new(visible: bool, counted_up_front: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(0),
            if visible {
                ProgressDrawTarget::stderr_with_hz(10)
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        let template = if counted_up_front {
            "{spinner} scanning {pos}/{len} files, {msg} [{elapsed}]"
        } else {
            "{spinner} scanned {pos} files, {msg} [{elapsed}]"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        if visible {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Bar {
            bar,
            bytes: AtomicU64::new(0),
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn add_total(&self, files: u64) {
        self.bar.inc_length(files);
    }

    fn advance(&self, files: u64, bytes: u64) {
        self.bar.inc(files);
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.bar.set_message(HumanBytes(total).to_string());
    }
}
