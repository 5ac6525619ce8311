//! Progress: what the library tells a progress display, and the bar the binary draws on a
//! terminal's standard error, and only there.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use pullcheck::check::{self, Progress};
use pullcheck::discover::{DEFAULT_MAX_FILE_SIZE, Selection};
use pullcheck::setup::{Setup, Setups};

#[derive(Default)]
struct Counted {
    found: AtomicUsize,
    read: AtomicUsize,
}

impl Progress for Counted {
    fn input_found(&self) {
        self.found.fetch_add(1, Ordering::Relaxed);
    }

    fn input_read(&self) {
        self.read.fetch_add(1, Ordering::Relaxed);
    }
}

fn testdata() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

#[test]
fn every_input_read_is_counted_once() {
    let selection = Selection {
        paths: vec![testdata()],
        threads: 4,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        ..Selection::default()
    };
    let progress = Counted::default();
    let outcome = check::run_with_progress(&selection, &Setups::fixed(Setup::default()), &progress).unwrap();
    assert!(outcome.files > 10);
    assert_eq!(progress.found.load(Ordering::Relaxed), outcome.files);
    assert_eq!(progress.read.load(Ordering::Relaxed), outcome.files);
    // The same run without a display finds the same.
    let quiet = check::run(&selection, &Setups::fixed(Setup::default())).unwrap();
    assert_eq!(quiet.diagnostics.len(), outcome.diagnostics.len());
}

#[test]
fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
    let output = Command::new(env!("CARGO_BIN_EXE_pullcheck"))
        .current_dir(testdata())
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// Runs `command` under a pseudo-terminal with `script` (util-linux), returning what the
/// terminal received; `None` without `script`.
fn on_a_terminal(dir: &Path, command: &str) -> Option<String> {
    let output = Command::new("script")
        .current_dir(dir)
        .args(["-qec", command, "/dev/null"])
        .env("NO_COLOR", "1")
        .env_remove("PRE_COMMIT")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn skip(test: &str, why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// On a terminal, a scan of the corpus beside the checkout (`../shared/corpus`, a few seconds in
/// a debug build) shows the bar on the standard error, clears it, and then prints the summary.
#[test]
fn a_long_scan_on_a_terminal_shows_the_bar_then_clears_it() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.join("corpus").is_dir() {
        skip(
            "a_long_scan_on_a_terminal_shows_the_bar_then_clears_it",
            "no ../shared/corpus to scan for over a second",
        );
        return;
    }
    let binary = env!("CARGO_BIN_EXE_pullcheck");
    let report = std::env::temp_dir().join(format!("pullcheck-progress-{}.json", std::process::id()));
    let command = format!(
        "{binary} check corpus --format json --output {} --jobs 1",
        report.display()
    );
    let started = std::time::Instant::now();
    let Some(terminal) = on_a_terminal(&shared, &command) else {
        skip(
            "a_long_scan_on_a_terminal_shows_the_bar_then_clears_it",
            "`script` (util-linux) is not installed",
        );
        return;
    };
    let json = std::fs::read_to_string(&report).unwrap();
    let _ = std::fs::remove_file(&report);
    if started.elapsed() < std::time::Duration::from_millis(1500) && !terminal.contains("reading ") {
        skip(
            "a_long_scan_on_a_terminal_shows_the_bar_then_clears_it",
            "the corpus was read in under a second: too quick for the bar",
        );
        return;
    }
    let bar = terminal
        .find("reading ")
        .unwrap_or_else(|| panic!("no bar:\n{terminal}"));
    assert!(terminal[bar..].contains(" files ["), "{terminal}");
    // Cleared (carriage return, erase line) before the summary, which is then alone on its line.
    let summary = terminal
        .find("checked ")
        .unwrap_or_else(|| panic!("no summary:\n{terminal}"));
    assert!(bar < summary);
    assert!(
        terminal[..summary].ends_with("\r\u{1b}[2K"),
        "{:?}",
        &terminal[summary.saturating_sub(80)..]
    );
    assert!(!terminal[summary..].contains("reading "), "{terminal}");
    // The report in the file is whole.
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(report["summary"]["files"].as_u64().unwrap() > 100);

    // --quiet: no bar, and no summary.
    let quiet = on_a_terminal(&shared, &format!("{command} --quiet")).unwrap();
    assert_eq!(quiet, "", "{quiet}");
}

#[test]
fn a_quick_scan_on_a_terminal_shows_no_bar() {
    let Some(terminal) = on_a_terminal(
        &testdata(),
        &format!("{} check rules/latest-image-tag", env!("CARGO_BIN_EXE_pullcheck")),
    ) else {
        skip(
            "a_quick_scan_on_a_terminal_shows_no_bar",
            "`script` (util-linux) is not installed",
        );
        return;
    };
    assert!(terminal.contains("checked "), "{terminal}");
    assert!(!terminal.contains("reading "), "{terminal}");
}
