//! The progress bar of a long scan: how many files have been read, on the standard error, once a
//! scan has run for about a second. Never drawn when the standard error is not a terminal (a
//! pipe, a file, a test), with `--quiet`, or under pre-commit (which shows a hook's output only
//! once it has finished); cleared before the report is printed, so it never mixes with it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pullcheck::check::Progress;

/// How long a scan runs before the bar appears: quick scans stay quiet.
const DELAY: Duration = Duration::from_secs(1);

/// A [`Progress`] that draws a bar on the standard error.
pub struct FilesRead {
    bar: ProgressBar,
    started: Instant,
    /// Whether the bar may be drawn at all.
    wanted: bool,
    shown: AtomicBool,
}

impl FilesRead {
    /// A bar that will show on the standard error if it is a terminal, unless `quiet`.
    pub fn on_stderr(quiet: bool) -> FilesRead {
        let wanted = !quiet && std::io::stderr().is_terminal() && std::env::var_os("PRE_COMMIT").is_none();
        // Its length grows as inputs are found, from zero.
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("reading {pos}/{len} files [{bar:30}] {elapsed}")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        FilesRead {
            bar,
            started: Instant::now(),
            wanted,
            shown: AtomicBool::new(false),
        }
    }

    /// Removes the bar from the terminal, before anything else is printed.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for FilesRead {
    fn input_found(&self) {
        self.bar.inc_length(1);
    }

    fn input_read(&self) {
        self.bar.inc(1);
        if self.wanted
            && self.started.elapsed() >= DELAY
            && self
                .shown
                .compare_exchange(false, true, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}
