//! What the reports quote, end to end: bounded snippets on long lines, locations far into a line,
//! many findings in one file, and control characters from the input kept out of the terminal.
//! Large inputs are generated here.

use std::path::Path;
use std::process::Output;

use tempfile::TempDir;

mod support;
use support::{pullcheck, write};

fn run(dir: &Path, args: &[&str]) -> Output {
    let output = pullcheck(dir)
        .args(args)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert!(output.status.code().is_some(), "killed by a signal: {stderr}");
    output
}

/// A minified `List` of `n` Deployments on one line, each with an untagged image: two findings
/// each (no tag, and the Docker Hub name it implies).
fn minified_list(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"d{i}","namespace":"default"}},"spec":{{"template":{{"spec":{{"containers":[{{"name":"c","image":"nginx"}}]}}}}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#, items.join(","))
}

#[test]
fn human_report_quotes_a_window_of_a_long_line_with_its_real_column() {
    let dir = TempDir::new().unwrap();
    let n = 1_000;
    let text = minified_list(n);
    write(dir.path(), "list.json", &text);
    let output = run(dir.path(), &["check", "list.json", "--color", "never"]);
    assert_eq!(output.status.code(), Some(0), "warnings only");
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The last Deployment's image is far past column 65,535, where miette cannot lay out a line.
    let last = text.rfind("\"nginx\"").unwrap() + 1;
    assert!(last > 100_000);
    assert!(
        stdout.contains(&format!("[list.json:1:{}]", last + 1)),
        "no header with the real column {}",
        last + 1
    );
    // Every finding is reported, with a snippet of its own window: no line of the report quotes
    // more than a window, and the report stays proportionate to the findings.
    assert_eq!(stdout.matches("[missing-image-tag]").count(), n);
    let longest = stdout.lines().map(str::len).max().unwrap();
    let snippet_longest = stdout
        .lines()
        .filter(|line| line.contains(" │ "))
        .map(|line| line.chars().count())
        .max()
        .unwrap();
    assert!(snippet_longest < 300, "a quoted line of {snippet_longest} characters");
    assert!(longest < 1_000, "a report line of {longest} bytes");
    assert!(stdout.len() < n * 4_000, "{} bytes for {n} findings", stdout.len());
    // The window shows the image, underlined.
    assert!(stdout.contains(r#""image":"nginx""#), "{}", &stdout[..2_000]);
}

#[test]
fn many_findings_in_one_file_each_point_at_their_line() {
    let dir = TempDir::new().unwrap();
    let n = 3_000;
    let text: String = (0..n)
        .map(|i| format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n"))
        .collect();
    write(dir.path(), "many.yaml", &text);
    let output = run(dir.path(), &["check", "many.yaml", "--color", "never"]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("[missing-image-tag]").count(), n);
    for i in [0, 1, n / 2, n - 1] {
        let line = 8 + 8 * i;
        assert!(stdout.contains(&format!("[many.yaml:{line}:12]")), "finding {i}");
        assert!(stdout.contains(&format!(" {line} │     image: nginx\n")), "finding {i}");
    }
}

#[test]
fn a_configuration_error_far_into_a_line_is_located_not_a_panic() {
    let dir = TempDir::new().unwrap();
    let spaces = " ".repeat(70_000);
    write(
        dir.path(),
        ".pullcheck.yaml",
        format!("rules: {{{spaces}bogus: off}}\n"),
    );
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: nginx:1.27}]}\n",
    );
    let output = run(dir.path(), &["check", "pod.yaml", "--color", "never"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("invalid configuration"), "{stderr}");
    assert!(
        stderr.contains(&format!(".pullcheck.yaml:1:{}", 9 + 70_000)),
        "{stderr}"
    );
    assert!(
        stderr.len() < 4_000,
        "{} bytes: the line was quoted whole",
        stderr.len()
    );
}

#[test]
fn a_related_place_far_into_a_minified_inventory_is_quoted_as_a_window() {
    let dir = TempDir::new().unwrap();
    // 10,000 namespaces before the one that holds the secret, on one line.
    let filler: Vec<String> = (0..10_000).map(|i| format!(r#""ns{i}":{{}}"#)).collect();
    let inventory = format!(
        r#"{{"namespaces":{{{},"shop":{{"secrets":[{{"name":"ghcr-pull","registries":["ghcr.io"]}}]}},"payments":{{}}}}}}"#,
        filler.join(",")
    );
    write(dir.path(), "inventory.json", &inventory);
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: payments}\nspec:\n  imagePullSecrets: [{name: ghcr-pull}]\n  containers: [{name: c, image: ghcr.io/acme/app:1.0}]\n",
    );
    let output = run(
        dir.path(),
        &["check", "pod.yaml", "--inventory", "inventory.json", "--color", "never"],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let column = inventory.find("\"ghcr-pull\"").unwrap() + 1;
    assert!(column > 65_536);
    assert!(stdout.contains(&format!("[inventory.json:1:{column}]")), "{stdout}");
    assert!(
        stdout.len() < 6_000,
        "{} bytes: the inventory was quoted whole",
        stdout.len()
    );
}

fn assert_no_controls(text: &str, what: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(raw.is_empty(), "{what} prints {raw:?} raw:\n{text}");
}

#[cfg(unix)]
#[test]
fn control_characters_from_the_input_are_escaped_in_human_and_github_output() {
    let dir = TempDir::new().unwrap();
    // In the file name, in a value that messages quote (the pull secret's name) and on a quoted
    // line (the comment after the image).
    let name = "a\u{1b}[31m\u{7}.yaml";
    write(
        dir.path(),
        name,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: apps}\nspec:\n  imagePullSecrets: [{name: \"x\\e]0;pwn\\a\\x9b\\x7f\"}]\n  containers:\n  - {name: c\u{7f}\u{1b}, image: nginx} # \u{1b}[2J\n",
    );
    write(dir.path(), "inventory.yaml", "namespaces:\n  apps: {}\n");
    for format in ["human", "github"] {
        let output = run(
            dir.path(),
            &[
                "check",
                name,
                "--inventory",
                "inventory.yaml",
                "--format",
                format,
                "--color",
                "never",
            ],
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_no_controls(&stdout, format);
        assert_no_controls(&stderr, format);
        assert!(stdout.contains(r"a\u{1b}[31m\u{7}.yaml"), "{format}: {stdout}");
        // The secret's name, as the missing-pull-secret finding quotes it.
        assert!(stdout.contains(r"x\u{1b}]0;pwn\u{7}\u{9b}\u{7f}"), "{format}: {stdout}");
    }
    let output = run(
        dir.path(),
        &["check", name, "--inventory", "inventory.yaml", "--color", "never"],
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    // The label still sits under the image on the quoted line, after escapes that are longer than
    // the characters they stand for; the header has the file's column.
    assert!(stdout.contains(r"a\u{1b}[31m\u{7}.yaml:7:24]"), "{stdout}");
    let quoted = stdout
        .lines()
        .position(|line| line.contains(r"c\u{7f}\u{1b}, image: nginx} # \u{1b}[2J"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let lines: Vec<&str> = stdout.lines().collect();
    let column_of = |line: &str, at: usize| line[..at].chars().count();
    let image = column_of(lines[quoted], lines[quoted].find("nginx").unwrap());
    let underline = lines[quoted + 1];
    assert_eq!(column_of(underline, underline.find('─').unwrap()), image, "{stdout}");
}
