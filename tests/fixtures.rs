//! Rule fixtures: every folder `testdata/rules/<id>/` holds manifests that fail (`fail.*`) and pass
//! (`pass.*`) the rule `<id>`, an optional `.pullcheck.yaml`, and `expected.txt`: every diagnostic
//! the folder produces, one per line, with the exact text each one underlines.
//!
//! Scenario fixtures: every other folder `testdata/<family>/<case>/` with an `expected.txt`
//! (`testdata/weblogic/v8/`, `testdata/kustomize/images/`) holds manifests of one kind of object
//! across all rules: files whose path in the folder starts with `fail` (`fail.yaml`,
//! `fail/kustomization.yaml`) must produce findings, those starting with `pass` none at all.
//!
//! Each folder is checked as `pullcheck check FOLDER` checks it: its files find their
//! `.pullcheck.yaml` themselves.
//!
//! `PULLCHECK_BLESS=1 cargo test --test fixtures` rewrites `expected.txt`; review the diff like code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pullcheck::check;
use pullcheck::diagnostic::Diagnostic;
use pullcheck::discover::Selection;
use pullcheck::rules;
use pullcheck::setup::{Options, Setups};

fn fixture_dirs() -> Vec<PathBuf> {
    dirs_in("testdata/rules")
}

fn scenario_dirs() -> Vec<PathBuf> {
    let families = dirs_in("testdata")
        .into_iter()
        .filter(|family| !family.ends_with("rules"));
    let dirs: Vec<PathBuf> = families
        .flat_map(|family| dirs_in(&family.to_string_lossy()))
        .filter(|case| case.join("expected.txt").is_file())
        .collect();
    assert!(!dirs.is_empty(), "no scenario folders found under testdata/");
    dirs
}

fn dirs_in(folder: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    if !root.is_dir() {
        return Vec::new();
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> Vec<Diagnostic> {
    let selection = Selection {
        paths: vec![dir.to_owned()],
        // Inventory files are read as inventory, not checked as manifests.
        exclude: vec!["**/inventory*.yaml".to_owned()],
        threads: 2,
        ..Selection::default()
    };
    let setups = Setups::from_options(Options::default()).unwrap();
    check::run(&selection, &setups)
        .unwrap_or_else(|e| panic!("{e}"))
        .diagnostics
}

/// One line per diagnostic: `file:line:col-line:col severity[rule] `underlined text`: message`.
fn render(dir: &Path, diagnostics: &[Diagnostic]) -> String {
    let prefix = format!("{}/", dir.display());
    let mut out = String::new();
    for d in diagnostics {
        let start = d.file.position(d.span.start);
        let end = d.file.position(d.span.end);
        let mut underlined: String = d.file.text()[d.span.range()].escape_debug().collect();
        if underlined.chars().count() > 60 {
            underlined = underlined.chars().take(57).collect::<String>() + "...";
        }
        let file = d.file.path.strip_prefix(&prefix).unwrap_or(&d.file.path);
        writeln!(
            out,
            "{file}:{}:{}-{}:{} {}[{}] `{underlined}`: {}",
            start.line, start.column, end.line, end.column, d.severity, d.rule, d.message
        )
        .unwrap();
    }
    out
}

#[test]
fn every_checked_rule_has_a_fixture_folder() {
    let dirs: Vec<String> = fixture_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for rule in rules::RULES {
        // unreadable-file needs files that cannot be committed (tests/cli.rs makes them).
        if rule.id != "unreadable-file" {
            assert!(
                dirs.contains(&rule.id.to_owned()),
                "testdata/rules/{} is missing",
                rule.id
            );
        }
    }
    for dir in &dirs {
        assert!(rules::find(dir).is_some(), "testdata/rules/{dir} names no rule");
    }
}

#[test]
fn fail_files_trigger_their_rule_and_pass_files_do_not() {
    for dir in fixture_dirs() {
        let rule = dir.file_name().unwrap().to_string_lossy().into_owned();
        let diagnostics = run(&dir);
        let of_rule_in = |stem: &str| {
            diagnostics
                .iter()
                .filter(|d| d.rule == rule && Path::new(&d.file.path).file_stem().unwrap() == stem)
                .count()
        };
        assert!(of_rule_in("fail") > 0, "{rule}: fail files trigger nothing");
        assert_eq!(
            of_rule_in("pass"),
            0,
            "{rule}: pass files trigger it:\n{}",
            render(&dir, &diagnostics)
        );
    }
}

#[test]
fn scenario_fail_files_have_findings_and_pass_files_none() {
    for dir in scenario_dirs() {
        let diagnostics = run(&dir);
        let in_files = |prefix: &str| {
            diagnostics
                .iter()
                .filter(|d| {
                    let path = Path::new(&d.file.path).strip_prefix(&dir).unwrap();
                    path.to_string_lossy().starts_with(prefix)
                })
                .count()
        };
        assert!(in_files("fail") > 0, "{}: fail files trigger nothing", dir.display());
        assert_eq!(
            in_files("pass"),
            0,
            "{}: pass files trigger something:\n{}",
            dir.display(),
            render(&dir, &diagnostics)
        );
    }
}

#[test]
fn diagnostics_match_expected() {
    let bless = std::env::var_os("PULLCHECK_BLESS").is_some();
    let mut mismatches = Vec::new();
    for dir in fixture_dirs().into_iter().chain(scenario_dirs()) {
        let actual = render(&dir, &run(&dir));
        let expected_path = dir.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            mismatches.push(format!(
                "{}:\n--- expected\n{expected}\n+++ actual\n{actual}",
                expected_path.display()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "run `PULLCHECK_BLESS=1 cargo test --test fixtures` and review the diff\n{}",
        mismatches.join("\n")
    );
}
