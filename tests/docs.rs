//! The docs that restate the code: each rule is described once, in its rule file (id, default
//! severity, summary) and its doc (`rules/<id>.md`); the README's rule table is made from the rule
//! table, and this test fails when they drift apart.
//!
//! `PULLCHECK_BLESS=1 cargo test --test docs` rewrites the README's table from the code.

use pullcheck::diagnostic::Severity;
use std::path::Path;

use pullcheck::rules::{self, Rule};

const BEGIN: &str = "<!-- The rule table: made from src/rules by `PULLCHECK_BLESS=1 cargo test --test docs`. -->\n";
const END: &str = "<!-- End of the rule table. -->\n";

/// The README's table of rules, as the rule table says it.
fn rule_table() -> String {
    let mut table = String::from("| id | default | what |\n|---|---|---|\n");
    for rule in rules::RULES {
        table.push_str(&row(rule));
    }
    table
}

fn row(rule: &Rule) -> String {
    let severity = rule.default_severity.map_or("off", Severity::as_str);
    format!(
        "| [`{id}`](rules/{id}.md) | {severity} | {} |\n",
        rule.summary.replace('|', "\\|"),
        id = rule.id
    )
}

#[test]
fn the_readme_rule_table_is_the_rule_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(BEGIN)
        .expect("the README marks where its rule table begins")
        + BEGIN.len();
    let end = start
        + readme[start..]
            .find(END)
            .expect("the README marks where its rule table ends");
    let expected = rule_table();
    if std::env::var_os("PULLCHECK_BLESS").is_some() {
        std::fs::write(path, format!("{}{expected}{}", &readme[..start], &readme[end..])).unwrap();
        return;
    }
    assert_eq!(
        readme[start..end],
        expected,
        "the README's rule table differs from the rules: run `PULLCHECK_BLESS=1 cargo test --test docs`"
    );
}

/// `scripts/new-rule` makes every piece a rule needs, where the tables and tests look for them.
#[test]
fn the_scaffold_creates_a_rule_and_its_table_lines() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/rules")).unwrap();
    std::fs::copy(manifest_dir.join("README.md"), root.join("README.md")).unwrap();
    std::fs::copy(manifest_dir.join("src/rules/mod.rs"), root.join("src/rules/mod.rs")).unwrap();
    let summary = "image from a registry the team has not reviewed";
    let output = std::process::Command::new("bash")
        .arg(manifest_dir.join("scripts/new-rule"))
        .arg("--root")
        .arg(root)
        .args(["unreviewed-registry", "warning", summary])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let code = read("src/rules/unreviewed_registry.rs");
    assert!(code.contains("id: \"unreviewed-registry\""), "{code}");
    assert!(code.contains("default_severity: Some(Severity::Warning)"), "{code}");
    assert!(
        code.contains("include_str!(\"../../rules/unreviewed-registry.md\")"),
        "{code}"
    );
    let doc = read("rules/unreviewed-registry.md");
    assert!(
        doc.starts_with("# unreviewed-registry\n\n**Default severity:** warning"),
        "{doc}"
    );
    for section in rules::DOC_SECTIONS {
        assert!(doc.contains(&format!("\n## {section}\n")), "{section}");
    }
    for fixture in ["fail.yaml", "pass.yaml", "expected.txt"] {
        assert!(
            root.join("testdata/rules/unreviewed-registry").join(fixture).is_file(),
            "{fixture}"
        );
    }
    let table = read("src/rules/mod.rs");
    assert!(
        table.contains("pub mod unrendered_template;\npub mod unreviewed_registry;\n"),
        "in order"
    );
    assert!(table.contains("    &unreviewed_registry::RULE,\n    &unrendered_template::RULE,\n"));
    let rule = Rule {
        id: "unreviewed-registry",
        default_severity: Some(Severity::Warning),
        summary,
        doc: "",
        stages: &[],
    };
    assert!(
        read("README.md").contains(&row(&rule)),
        "the README row is the one the docs test expects"
    );

    // Made twice, or with a bad id, it refuses and changes nothing.
    for args in [
        ["unreviewed-registry", "warning", summary],
        ["Bad_Id", "warning", summary],
    ] {
        let output = std::process::Command::new("bash")
            .arg(manifest_dir.join("scripts/new-rule"))
            .arg("--root")
            .arg(root)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    assert_eq!(read("src/rules/mod.rs"), table);
}
