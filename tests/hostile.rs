//! Hostile input, end to end: every case gets a clear diagnostic (or is skipped with a reason),
//! never a panic, a hang or a silent skip, and the other files are still checked. Large cases are
//! generated here rather than committed.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::write;

const POD: &str =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  containers:\n  - name: app\n    image: nginx:latest\n";

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("pullcheck")
        .unwrap()
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

/// The report and exit code; fails on a crash (no JSON, or a signal).
fn check(dir: &Path, args: &[&str]) -> (Value, i32) {
    let output = run(dir, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {stderr}"));
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (report, code)
}

fn findings(report: &Value) -> Vec<(String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Every case is a directory with one hostile file beside a good one: the good one must still be
/// checked, so nothing stops the run.
fn with_good_file(hostile: &str, contents: impl AsRef<[u8]>) -> (TempDir, Value, i32) {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.yaml", POD);
    write(dir.path(), hostile, contents);
    let (report, code) = check(dir.path(), &[]);
    assert!(
        findings(&report).contains(&("good.yaml".to_owned(), "latest-image-tag".to_owned())),
        "{hostile} stopped the good file from being checked: {report:#}"
    );
    (dir, report, code)
}

fn rules_in(report: &Value, file: &str) -> Vec<String> {
    findings(report)
        .into_iter()
        .filter(|(f, _)| f == file)
        .map(|(_, r)| r)
        .collect()
}

#[test]
fn alias_bombs_cost_nothing() {
    // "Billion laughs": 10 levels of 10 aliases, 10^10 strings if expanded. (In the same document:
    // an anchor is not known in the next one.)
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bomb}\nx:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..=10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str("spec:\n  containers: *a10\n");
    let (_, report, _) = with_good_file("bomb.yaml", &text);
    // The aliased "containers" are lists, not objects: reported, not expanded.
    // One per item of `containers`: ten, each read once.
    assert_eq!(rules_in(&report, "bomb.yaml"), ["invalid-pod-spec"; 10], "{report:#}");

    // The same through List items: each object is read once, not 10^9 times.
    let mut text = String::from(
        "apiVersion: v1\nkind: List\nitems:\n- &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: nginx}]}}\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        text.push_str(&format!("- &l{i} {{apiVersion: v1, kind: List, items: [{refs}]}}\n"));
    }
    let (_, report, _) = with_good_file("list-bomb.yaml", &text);
    assert_eq!(rules_in(&report, "list-bomb.yaml"), ["missing-image-tag"]);
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
    // Beside an object, so that the file is one pullcheck judges (rules/yaml-syntax.md).
    let object = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n";
    let (_, report, code) = with_good_file(
        "flow.yaml",
        object.to_owned() + &"[".repeat(100_000) + &"]".repeat(100_000),
    );
    assert_eq!(rules_in(&report, "flow.yaml"), ["yaml-syntax"]);
    assert_eq!(code, 1);
    // Deeper than Kubernetes' YAML reader goes (10,000 levels).
    let (_, report, _) = with_good_file("block.yaml", "- ".repeat(100_000) + "x\n");
    // With no sign of being a manifest, too deep is nothing, and no overflow either.
    assert!(rules_in(&report, "block.yaml").is_empty());
    let (_, report, _) = with_good_file("block-10000.yaml", "- ".repeat(10_000) + "x\n");
    assert!(rules_in(&report, "block-10000.yaml").is_empty());
    let (_, report, _) = with_good_file(
        "maps.yaml",
        object.to_owned() + &"{a: ".repeat(100_000) + &"}".repeat(100_000),
    );
    assert_eq!(rules_in(&report, "maps.yaml"), ["yaml-syntax"]);
    // Alone, with no sign of being a manifest: nothing, and no overflow either.
    let (_, report, _) = with_good_file("alone.yaml", "[".repeat(100_000) + &"]".repeat(100_000));
    assert!(rules_in(&report, "alone.yaml").is_empty());
}

#[test]
fn huge_files_are_bounded() {
    // One 20 MB line: read, parsed, not quoted back.
    let line = format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"data\": {{\"blob\": \"{}\"}}}}\n",
        "x".repeat(20 << 20)
    );
    let (_, report, code) = with_good_file("one-line.json", &line);
    assert!(rules_in(&report, "one-line.json").is_empty());
    assert_eq!(code, 0);

    // Over --max-file-size: a diagnostic, and the run says it is incomplete.
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.yaml", POD);
    write(dir.path(), "big.yaml", format!("a: {}\n", "x".repeat(2 << 20)));
    let (report, code) = check(dir.path(), &["--max-file-size", "1M"]);
    assert_eq!(rules_in(&report, "big.yaml"), ["unreadable-file"]);
    assert_eq!(rules_in(&report, "good.yaml"), ["latest-image-tag"]);
    assert_eq!(code, 2);

    let output = Command::cargo_bin("pullcheck")
        .unwrap()
        .args(["check", "-", "--max-file-size", "100", "--format", "json"])
        .write_stdin(POD.repeat(10))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["rule"], "unreadable-file");
}

#[test]
fn bytes_that_are_not_utf8_text() {
    let (_, report, code) = with_good_file("binary.yaml", [0u8, 159, 146, 150, 0xff, 0xfe, 0, 1, 2, 3]);
    assert_eq!(rules_in(&report, "binary.yaml"), ["unreadable-file"]);
    // Not UTF-8 is a finding, not an incomplete run.
    assert_eq!(code, 1);
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("kind: Pod\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let (_, report, _) = with_good_file("utf16.yaml", utf16);
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "utf16.yaml")
        .unwrap();
    assert_eq!(d["rule"], "unreadable-file");
    assert!(d["message"].as_str().unwrap().contains("UTF-16"));
    let (_, report, _) = with_good_file("nul.yaml", "apiVersion: v1\nkind: Pod\x00\n");
    assert_eq!(rules_in(&report, "nul.yaml"), ["yaml-syntax"]);
}

#[test]
fn bom_crlf_and_tabs_keep_columns_right() {
    let text = "\u{feff}apiVersion: v1\r\nkind: Pod\r\nmetadata: {name: crlf}\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image:\t\"nginx:latest\"\r\n";
    let (_, report, _) = with_good_file("crlf.yaml", text);
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "crlf.yaml")
        .unwrap();
    assert_eq!(d["rule"], "latest-image-tag");
    // Line 7 is `    image:\t"nginx:latest"`: the tag starts at column 19.
    assert_eq!(d["range"]["start"]["line"], 7);
    assert_eq!(d["range"]["start"]["column"], 19);
    assert_eq!(
        &text[d["range"]["start"]["offset"].as_u64().unwrap() as usize..][..6],
        "latest"
    );
}

#[test]
fn wrong_shapes_get_precise_diagnostics() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: shapes}
spec:
  imagePullSecrets: [regcred]
  containers:
  - {name: number, image: 1.0, imagePullPolicy: true}
  - {name: map, image: {repository: nginx}}
  - {name: null-image, image: null}
---
apiVersion: v1
kind: Pod
spec:
  containers: {name: no-metadata, image: nginx:1.25}
---
apiVersion: v1
kind: 5
spec: {containers: [{name: x, image: 'NGINX'}]}
---
kind: Pod
spec: {containers: [{name: x, image: 'NGINX'}]}
";
    let (_, report, _) = with_good_file("shapes.yaml", text);
    let mut rules = rules_in(&report, "shapes.yaml");
    rules.sort();
    assert_eq!(
        rules,
        [
            "invalid-image-reference",
            "invalid-image-reference",
            "invalid-pod-spec",
            "invalid-pull-policy",
            "invalid-pull-secret-ref",
            "missing-image"
        ],
        "{report:#}"
    );
}

#[cfg(unix)]
#[test]
fn special_files_and_odd_names() {
    use std::os::unix::ffi::OsStrExt;

    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "good.yaml", POD);
    write(root, "with space.yaml", POD);
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.yaml");
    std::fs::write(root.join(odd), POD).unwrap();
    std::os::unix::fs::symlink(root, root.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.join("missing.yaml"), root.join("dangling.yaml")).unwrap();
    let fifo = root.join("pipe.yaml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );

    // Walking: the FIFO and symlinks are not followed, the rest is checked.
    let (report, code) = check(root, &[]);
    let mut files: Vec<String> = findings(&report).into_iter().map(|(f, _)| f).collect();
    files.sort();
    assert_eq!(
        files,
        ["caf\u{fffd}.yaml", "good.yaml", "with space.yaml"],
        "{report:#}"
    );
    assert_eq!(code, 0);

    // Named explicitly, a FIFO is reported, not read (which would wait forever).
    let (report, code) = check(root, &["pipe.yaml", "good.yaml"]);
    assert_eq!(rules_in(&report, "pipe.yaml"), ["unreadable-file"]);
    assert_eq!(code, 2);
}

#[test]
fn the_same_findings_in_the_same_order_whatever_the_thread_count() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = manifest_dir.join("../shared/corpus");
    let target = if corpus.is_dir() {
        corpus
    } else {
        manifest_dir.join("testdata")
    };
    let run_with = |jobs: &str| run(&target, &["--jobs", jobs, "."]).stdout;
    let one = run_with("1");
    assert!(one.len() > 10_000, "{} produced almost nothing", target.display());
    assert_eq!(one, run_with("8"));
}

/// The message of the one finding in `file`.
fn message_in(report: &Value, file: &str) -> String {
    let found: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file)
        .collect();
    assert_eq!(found.len(), 1, "{report:#}");
    found[0]["message"].as_str().unwrap().to_owned()
}

#[cfg(unix)]
#[test]
fn a_named_symlink_loop_is_reported_as_one_and_the_rest_checked() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.yaml", POD);
    std::os::unix::fs::symlink("loop.yaml", dir.path().join("loop.yaml")).unwrap();
    let (report, code) = check(dir.path(), &["loop.yaml", "good.yaml"]);
    assert_eq!(code, 2, "the run is incomplete");
    assert_eq!(rules_in(&report, "loop.yaml"), ["unreadable-file"]);
    let message = message_in(&report, "loop.yaml");
    assert!(message.contains("too many levels of symbolic links"), "{message}");
    assert_eq!(rules_in(&report, "good.yaml"), ["latest-image-tag"]);
    // A path that does not exist still stops the run.
    let output = run(dir.path(), &["missing.yaml", "good.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.yaml: no such file or directory"));
}

#[cfg(unix)]
#[test]
fn a_named_file_in_a_folder_without_permission_is_reported_and_the_rest_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.yaml", POD);
    write(dir.path(), "locked/pod.yaml", POD);
    let locked = dir.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::metadata(locked.join("pod.yaml")).is_ok();
    let result = (!readable).then(|| check(dir.path(), &["locked/pod.yaml", "good.yaml"]));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some((report, code)) = result else {
        eprintln!("skipped: mode 000 does not stop this user (root) from reading");
        return;
    };
    assert_eq!(code, 2, "the run is incomplete");
    assert_eq!(rules_in(&report, "locked/pod.yaml"), ["unreadable-file"]);
    let message = message_in(&report, "locked/pod.yaml");
    assert!(message.contains("permission denied"), "{message}");
    assert_eq!(rules_in(&report, "good.yaml"), ["latest-image-tag"]);
}

/// Anchors `m0` … `mN` under `x:`, each merging the one before twice (`<<: [*m(i-1), *m(i-1)]`),
/// `m0` being `leaf`: followed naively, a lookup through `mN` would try 2^N paths.
fn merge_chain(levels: usize, leaf: &str) -> String {
    let mut text = format!("x:\n  m0: &m0 {leaf}\n");
    for i in 1..=levels {
        text.push_str(&format!("  m{i}: &m{i} {{<<: [*m{0}, *m{0}]}}\n", i - 1));
    }
    text
}

#[test]
fn merge_chains_cost_their_length() {
    // 40 levels, merged where each kind of object is read: a Pod's spec (the containers are at
    // the bottom of the chain), a ServiceAccount, a Secret's data, annotations, a Kustomization.
    let chain = merge_chain(40, "{containers: [{name: a, image: nginx}]}");
    let plain = merge_chain(40, "{a: b}");
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: chained}}\n{chain}spec: {{<<: *m40}}\n\
         ---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa, namespace: apps}}\n{plain}<<: *m40\n\
         ---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: apps}}\ntype: kubernetes.io/dockerconfigjson\n{plain}data: {{<<: *m40}}\n\
         ---\napiVersion: v1\nkind: Pod\n{plain}metadata: {{name: annotated, annotations: {{<<: *m40}}}}\nspec: {{<<: *m40, containers: [{{name: a, image: nginx:1}}]}}\n\
         ---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{plain}<<: *m40\nimages: {{<<: *m40}}\n"
    );
    let (_, report, _) = with_good_file("merges.yaml", &text);
    let rules = rules_in(&report, "merges.yaml");
    // The containers merged from 40 levels down are read; nothing is a syntax error.
    assert!(rules.contains(&"missing-image-tag".to_owned()), "{report:#}");
    assert!(!rules.contains(&"yaml-syntax".to_owned()), "{report:#}");
}

#[test]
fn merges_past_the_bound_are_a_syntax_error() {
    // Each level adds a key and merges the one before: the copies grow with the square of the
    // levels, so past the bound set by the file's size the merge is reported and not followed.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nx:\n  m0: &m0 {k0: v}\n");
    for i in 1..3000 {
        text.push_str(&format!("  m{i}: &m{i} {{k{i}: v, <<: *m{}}}\n", i - 1));
    }
    let (_, report, _) = with_good_file("merges.yaml", &text);
    assert_eq!(rules_in(&report, "merges.yaml"), ["yaml-syntax"], "{report:#}");
}

/// The message of the last diagnostic of `file`, in offset order.
fn last_message(report: &Value, file: &str) -> String {
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let last = diagnostics.iter().rfind(|d| d["file"] == file).unwrap();
    last["message"].as_str().unwrap().to_owned()
}

#[test]
fn a_hundred_thousand_broken_documents_are_a_hundred_findings() {
    // A manifest, so that syntax errors are pullcheck's business (a file that shows no sign of
    // being one gets nothing).
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n".to_owned() + &"---\n[\n".repeat(100_000);
    let (_, report, code) = with_good_file("broken.yaml", text);
    assert_eq!(rules_in(&report, "broken.yaml"), ["yaml-syntax"; 101]);
    assert!(
        last_message(&report, "broken.yaml").ends_with("(and 99899 more syntax errors after this one, not reported)"),
        "{report:#}"
    );
    assert_eq!(code, 1);
}

#[test]
fn a_hundred_thousand_duplicate_keys_are_a_hundred_findings() {
    let text = format!("apiVersion: v1\nkind: ConfigMap\n{}", "key: value\n".repeat(100_001));
    let (_, report, _) = with_good_file("duplicates.yaml", &text);
    assert_eq!(rules_in(&report, "duplicates.yaml"), ["duplicate-key"; 101]);
    assert!(
        last_message(&report, "duplicates.yaml")
            .ends_with("(and 99899 more duplicate keys after this one, not reported)"),
        "{report:#}"
    );
}

#[test]
fn old_mac_line_endings_keep_lines_right() {
    let text = "apiVersion: v1\rkind: Pod\rmetadata: {name: cr}\rspec:\r  containers:\r  - name: app\r    image: nginx:latest\r";
    let (_, report, _) = with_good_file("cr.yaml", text);
    let d = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "cr.yaml")
        .unwrap();
    assert_eq!(d["rule"], "latest-image-tag");
    assert_eq!(d["range"]["start"]["line"], 7);
    assert_eq!(d["range"]["start"]["column"], 18);
}
