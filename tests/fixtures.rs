//! Rule fixtures: every folder `testdata/rules/<id>/` holds manifests that fail (`fail.*`) and pass
//! (`pass.*`) the rule `<id>`, an optional `.pullcheck.yaml`, and `expected.txt`: every diagnostic
//! the folder produces, one per line, with the exact text each one underlines.
//!
//! Scenario fixtures: every folder `testdata/weblogic/<case>/` and `testdata/kustomize/<case>/`
//! holds manifests of one kind of object across all rules: files whose path in the folder starts
//! with `fail` (`fail.yaml`, `fail/kustomization.yaml`) must produce findings, those starting
//! with `pass` none at all.
//!
//! `PULLCHECK_BLESS=1 cargo test --test fixtures` rewrites `expected.txt`; review the diff like code.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use pullcheck::check;
use pullcheck::config::Config;
use pullcheck::diagnostic::Diagnostic;
use pullcheck::discover::Selection;
use pullcheck::inventory::DeclaredInventory;
use pullcheck::rules;

fn fixture_dirs() -> Vec<PathBuf> {
    dirs_in("testdata/rules")
}

fn scenario_dirs() -> Vec<PathBuf> {
    let mut dirs = dirs_in("testdata/weblogic");
    dirs.extend(dirs_in("testdata/kustomize"));
    dirs
}

fn dirs_in(folder: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> Vec<Diagnostic> {
    let config_path = dir.join(".pullcheck.yaml");
    let config = if config_path.exists() {
        Config::load(&config_path).unwrap_or_else(|e| panic!("{e}"))
    } else {
        Config::default()
    };
    let declared =
        DeclaredInventory::load(&config.inventory, &config.default_namespace).unwrap_or_else(|e| panic!("{e}"));
    let selection = Selection {
        paths: vec![dir.to_owned()],
        // Inventory files are read as inventory, not checked as manifests.
        exclude: vec!["**/inventory*.yaml".to_owned()],
        threads: 2,
        ..Selection::default()
    };
    check::run(&selection, &config, &declared).unwrap().diagnostics
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
