//! End-to-end tests of the CI-gate outputs: `--format sarif` (checked against the official SARIF
//! 2.1.0 schema, vendored in `testdata/sarif/`), `--format github` and `--output FILE`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::{DEPLOYMENT, pullcheck, write};

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `pullcheck check --format sarif ARGS` in `dir`: the log and the exit code.
fn sarif(dir: &Path, args: &[&str]) -> (Value, i32) {
    let output = pullcheck(dir)
        .args(["check", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let log = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}; stderr: {stderr}"));
    (log, output.status.code().unwrap())
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let output = pullcheck(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().unwrap()
}

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repository().join("testdata/sarif/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the SARIF schema does not load: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the SARIF log breaks the schema:\n{}",
        errors.join("\n")
    );
}

/// Every value of `key` anywhere in the document, with its JSON pointer.
fn find_all<'v>(value: &'v Value, key: &str, path: String, out: &mut Vec<(String, &'v Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}/{k}");
                if k == key {
                    out.push((here.clone(), v));
                }
                find_all(v, key, here, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_all(v, key, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// No empty or long snippet, no zero line or column, every context region around its region, and every artifact URI a plain relative reference
/// under `%SRCROOT%` or an absolute `file:` URI.
fn assert_well_formed(log: &Value) {
    let mut found = Vec::new();
    find_all(log, "snippet", String::new(), &mut found);
    for (path, snippet) in &found {
        let text = snippet["text"].as_str().unwrap_or_else(|| panic!("{path}: no text"));
        assert!(!text.is_empty(), "{path}: empty snippet");
    }
    for key in ["region", "contextRegion"] {
        let mut regions = Vec::new();
        find_all(log, key, String::new(), &mut regions);
        for (path, region) in regions {
            for field in ["startLine", "startColumn", "endLine", "endColumn"] {
                if let Some(n) = region.get(field) {
                    assert!(n.as_u64().unwrap() >= 1, "{path}/{field} is {n}");
                }
            }
            assert!(region.get("startLine").is_some(), "{path}: no startLine");
            // A snippet quotes at most 400 bytes, and every region that short has one.
            let length = region.get("byteLength").and_then(Value::as_u64).unwrap_or(0);
            assert_eq!(
                region.get("snippet").is_some(),
                (1..=400).contains(&length),
                "{path}: {length} bytes"
            );
        }
    }
    let mut physical = Vec::new();
    find_all(log, "physicalLocation", String::new(), &mut physical);
    for (path, location) in physical {
        if let Some(context) = location.get("contextRegion") {
            let (region, context) = (&location["region"], context);
            let span = |r: &Value| {
                let start = r["byteOffset"].as_u64().unwrap();
                (start, start + r["byteLength"].as_u64().unwrap())
            };
            let ((start, end), (outer_start, outer_end)) = (span(region), span(context));
            assert!(
                outer_start <= start && end <= outer_end && (outer_start, outer_end) != (start, end),
                "{path}: the context region does not enclose the region"
            );
        }
    }
    let mut locations = Vec::new();
    find_all(log, "artifactLocation", String::new(), &mut locations);
    assert!(!locations.is_empty());
    for (path, location) in locations {
        let uri = location["uri"].as_str().unwrap();
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/%:".contains(&b)),
            "{path}: {uri:?} is not percent-encoded"
        );
        match location.get("uriBaseId") {
            Some(base) => {
                assert_eq!(base, "%SRCROOT%", "{path}");
                assert!(
                    !uri.starts_with("./") && !uri.starts_with('/') && !uri.contains(':'),
                    "{path}: {uri}"
                );
            }
            None => assert!(uri.starts_with("file:///"), "{path}: {uri}"),
        }
    }
}

#[test]
fn sarif_follows_the_official_schema() {
    let validator = schema_validator();

    // The validator is not vacuous: it rejects a log with a zero line.
    let (mut log, _) = sarif(&repository().join("examples/shop"), &["--config", ".pullcheck.yaml"]);
    assert_valid(&validator, &log, "examples/shop");
    assert_well_formed(&log);
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!validator.is_valid(&log), "a zero startLine passed the schema");

    // Every rule's fixtures: related places in other files, YAML errors, duplicate keys.
    let (log, code) = sarif(&repository().join("testdata/rules"), &[]);
    assert_eq!(code, 1);
    assert!(results(&log).len() > 50, "the fixtures produced too little");
    assert!(
        results(&log).iter().any(|r| r.get("relatedLocations").is_some()),
        "no related locations in the fixtures"
    );
    assert_valid(&validator, &log, "testdata/rules");
    assert_well_formed(&log);

    // Files that cannot be read, and the standard input.
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "latin1.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n",
    );
    write(dir.path(), "empty.yaml", "");
    let (log, _) = sarif(dir.path(), &[]);
    assert_valid(&validator, &log, "unreadable");
    assert_well_formed(&log);
    assert_eq!(results(&log)[0]["ruleId"], "unreadable-file");
    assert_eq!(
        results(&log)[0]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 1, "startColumn": 1}),
        "nothing to point at: the start of the file"
    );
    let output = pullcheck(dir.path())
        .args([
            "check",
            "--format",
            "sarif",
            "-",
            "--stdin-filename",
            "rendered/web.yaml",
        ])
        .write_stdin(DEPLOYMENT)
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid(&validator, &log, "stdin");
    let location = &results(&log)[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "rendered/web.yaml");
    assert_eq!(location["region"]["startLine"], 11);
}

#[test]
fn sarif_run_describes_the_tool_and_every_rule() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let (log, code) = sarif(dir.path(), &[]);
    assert_eq!(code, 0, "exit codes do not depend on the format");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().ends_with("/sarif-schema-2.1.0.json"));
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["automationDetails"]["id"], "pullcheck/");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "pullcheck");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let table: Vec<&str> = pullcheck::rules::RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, table, "the driver lists every rule, in the table's order");
    for (descriptor, rule) in rules.iter().zip(pullcheck::rules::RULES) {
        let id = rule.id;
        assert_eq!(
            descriptor["helpUri"],
            format!("https://github.com/pullcheck/pullcheck/blob/main/rules/{id}.md")
        );
        assert_eq!(descriptor["shortDescription"]["text"], format!("{}.", rule.summary));
        let full = descriptor["fullDescription"]["text"].as_str().unwrap();
        assert!(full.starts_with("Reports ") && !full.contains('`'), "{id}: {full}");
        assert_eq!(descriptor["help"]["markdown"], rule.doc, "{id}");
        assert_eq!(descriptor["help"]["text"], rule.doc, "{id}");
        let level = match rule.default_severity.map(|s| s.as_str()) {
            Some("info") => "note",
            Some(severity) => severity,
            None => "none",
        };
        assert_eq!(descriptor["defaultConfiguration"]["level"], level, "{id}");
        assert!(descriptor["name"].as_str().unwrap().chars().all(char::is_alphanumeric));
    }
    let unpinned = rules.iter().find(|r| r["id"] == "unpinned-image-digest").unwrap();
    assert_eq!(
        unpinned["defaultConfiguration"]["level"], "none",
        "unpinned-image-digest is off by default"
    );
}

#[test]
fn sarif_result_points_at_the_exact_characters() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let (log, _) = sarif(dir.path(), &[]);
    let run = &log["runs"][0];
    let root = dir.path().canonicalize().unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    let found = results(&log);
    assert_eq!(found.len(), 1);
    let result = &found[0];
    assert_eq!(result["ruleId"], "latest-image-tag");
    assert_eq!(
        run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "latest-image-tag"
    );
    assert_eq!(result["level"], "warning");
    let text = result["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("image \"nginx:latest\" uses the tag \"latest\""),
        "{text}"
    );
    assert!(text.contains("\nHelp: pin a version tag"), "{text}");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"],
        serde_json::json!({"uri": "deploy.yaml", "uriBaseId": "%SRCROOT%"})
    );
    // `        image: nginx:latest` on line 11: the tag is columns 22 to 27.
    let offset = DEPLOYMENT.find("latest").unwrap();
    assert_eq!(
        location["region"],
        serde_json::json!({
            "startLine": 11, "startColumn": 22, "endLine": 11, "endColumn": 28,
            "byteOffset": offset, "byteLength": 6, "snippet": {"text": "latest"}
        })
    );
    assert_eq!(
        location["contextRegion"]["snippet"]["text"],
        "        image: nginx:latest"
    );
    assert_eq!(result["locations"][0]["message"]["text"], "mutable tag.");

    // Columns count code points: a two-byte character before the tag counts as one column.
    let flow = DEPLOYMENT.replace(
        "      - name: app\n        image: nginx:latest\n",
        "      - {name: \"ü\", image: nginx:latest}\n",
    );
    write(dir.path(), "deploy.yaml", &flow);
    let (log, _) = sarif(dir.path(), &[]);
    let region = &results(&log)[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startLine"], &region["startColumn"], &region["endColumn"]),
        (&10.into(), &34.into(), &40.into())
    );
    assert_eq!(region["byteOffset"], flow.find("latest").unwrap());
}

#[test]
fn sarif_uris_are_relative_to_the_working_directory() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root, "repo/manifests/web app.yaml", DEPLOYMENT);
    write(&root, "shared/base.yaml", DEPLOYMENT);
    let repo = root.join("repo");
    let uris = |args: &[&str]| -> Vec<(String, Option<String>)> {
        let (log, _) = sarif(&repo, args);
        results(&log)
            .iter()
            .map(|r| {
                let location = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                (
                    location["uri"].as_str().unwrap().to_owned(),
                    location["uriBaseId"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let relative = |uri: &str| vec![(uri.to_owned(), Some("%SRCROOT%".to_owned()))];
    assert_eq!(uris(&[]), relative("manifests/web%20app.yaml"));
    assert_eq!(uris(&["./manifests"]), relative("manifests/web%20app.yaml"));
    assert_eq!(
        uris(&["./manifests/web app.yaml"]),
        relative("manifests/web%20app.yaml")
    );
    let absolute = repo.join("manifests/web app.yaml");
    assert_eq!(
        uris(&[absolute.to_str().unwrap()]),
        relative("manifests/web%20app.yaml")
    );
    // Outside the working directory: an absolute file URI, which needs no base.
    let outside = format!("file://{}/shared/base.yaml", root.display());
    assert_eq!(uris(&["../shared/base.yaml"]), vec![(outside.clone(), None)]);
    assert_eq!(uris(&["../shared"]), vec![(outside, None)]);
}

#[cfg(unix)]
#[test]
fn sarif_uris_keep_the_bytes_of_a_name_that_is_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new().unwrap();
    let name = OsStr::from_bytes(b"caf\xe9 1.yaml");
    std::fs::write(dir.path().join(name), DEPLOYMENT).unwrap();
    // Found by walking, and named on the command line.
    for args in [vec![], vec![name]] {
        let output = pullcheck(dir.path())
            .args(["check", "--format", "sarif"])
            .args(&args)
            .output()
            .unwrap();
        let log: Value = serde_json::from_slice(&output.stdout).unwrap();
        let uris: Vec<&str> = results(&log)
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(!uris.is_empty());
        assert!(uris.iter().all(|uri| *uri == "caf%E9%201.yaml"), "{uris:?}");
        assert_well_formed(&log);
    }
}

#[test]
fn sarif_fingerprints_survive_lines_moving() {
    let dir = TempDir::new().unwrap();
    let fingerprints = |text: &str| -> Vec<(String, u64)> {
        write(dir.path(), "deploy.yaml", text);
        let (log, _) = sarif(dir.path(), &["--fail-on", "never"]);
        results(&log)
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["pullcheck/v1"].as_str().unwrap().to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let two = DEPLOYMENT.replace("registry.k8s.io/pause:3.9", "busybox");
    let before = fingerprints(&two);
    assert_eq!(before.len(), 2, "{before:?}");
    assert_ne!(before[0].0, before[1].0, "two findings, two fingerprints");
    assert!(
        before.iter().all(|(f, _)| f.len() == 18 && f.ends_with(":1")),
        "{before:?}"
    );

    // Unrelated lines above the findings: same fingerprints, new lines.
    let moved = two.replace("metadata:\n", "# moved down\nmetadata:\n  labels: {team: web}\n");
    let after = fingerprints(&moved);
    assert_eq!(after.len(), 2);
    for ((f1, line1), (f2, line2)) in before.iter().zip(&after) {
        assert_eq!(f1, f2);
        assert_eq!(line1 + 2, *line2);
    }
    // Fixing one finding leaves the other's fingerprint as it was.
    let fixed = fingerprints(&two.replace("nginx:latest", "nginx:1.25"));
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0].0, before[1].0);
}

#[test]
fn github_commands_are_escaped_one_per_line() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let output = pullcheck(dir.path())
        .args(["check", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one command and the summary: {stdout}");
    let report = json(dir.path(), &[]);
    let d = &report["diagnostics"][0];
    let message = d["message"].as_str().unwrap();
    let help = d["help"].as_str().unwrap();
    assert!(!message.contains(['%', '\n']) && !help.contains(['%', '\n']));
    assert_eq!(
        lines[0],
        format!(
            "::warning file=deploy.yaml,line=11,col=22,endLine=11,endColumn=28,title=latest-image-tag::{message}%0Ahelp: {help}"
        )
    );
    assert!(
        lines[1].starts_with("checked 1 file, 1 object, 1 workload: 1 warning"),
        "{stdout}"
    );

    // Property values escape `%`, `:` and `,` too; messages escape `%`; info is a notice.
    let name = "a,b:50%.yaml";
    write(dir.path(), name, DEPLOYMENT.replace("nginx:latest", "nginx:50%"));
    write(dir.path(), ".pullcheck.yaml", "rules:\n  latest-image-tag: info\n");
    let output = pullcheck(dir.path())
        .args(["check", "--format", "github", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let report = json(dir.path(), &[]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "--quiet leaves out the summary: {stdout}");
    let bad = &report["diagnostics"][0];
    assert_eq!(bad["rule"], "invalid-image-reference");
    let escape = |text: &str| text.replace('%', "%25");
    let (start, end) = (&bad["range"]["start"], &bad["range"]["end"]);
    assert_eq!(
        lines[0],
        format!(
            "::error file=a%2Cb%3A50%25.yaml,line={},col={},endLine={},endColumn={},title=invalid-image-reference::{}%0Ahelp: {}",
            start["line"],
            start["column"],
            end["line"],
            end["column"],
            escape(bad["message"].as_str().unwrap()),
            escape(bad["help"].as_str().unwrap()),
        )
    );
    assert!(lines[0].contains("nginx:50%25"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("::notice file=deploy.yaml,line=11,col=22,"),
        "{}",
        lines[1]
    );
}

#[test]
fn output_writes_the_report_and_the_summary_still_shows() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    // Reports go elsewhere, or the next run would check them too.
    let reports = TempDir::new().unwrap();
    let report_path = |name: &str| -> PathBuf { reports.path().join(name) };

    for (format, file) in [
        ("sarif", "out.sarif"),
        ("json", "out.json"),
        ("github", "out.txt"),
        ("human", "out.log"),
    ] {
        let output = pullcheck(dir.path())
            .args(["check", "--format", format, "--fail-on", "warning", "--output"])
            .arg(report_path(file))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{format}: exit codes are unchanged");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.starts_with("checked 1 file, 1 object, 1 workload: 1 warning"),
            "{format}: {stdout}"
        );
        assert_eq!(
            stdout.lines().count(),
            1,
            "{format}: only the summary on stdout: {stdout}"
        );
        let written = std::fs::read_to_string(report_path(file)).unwrap();
        assert!(written.contains("latest-image-tag"), "{format}: {written}");
        assert!(
            !written.contains("checked 1 file"),
            "{format}: the summary is not in the report"
        );
        assert!(!written.contains('\u{1b}'), "{format}: no colour in a file");
        if format == "sarif" || format == "json" {
            serde_json::from_str::<Value>(&written).unwrap();
        }
    }

    let quiet = pullcheck(dir.path())
        .args(["check", "--format", "sarif", "--quiet", "-o"])
        .arg(report_path("quiet.sarif"))
        .output()
        .unwrap();
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stdout.is_empty());
    assert!(report_path("quiet.sarif").exists());

    let output = pullcheck(dir.path())
        .args(["check", "--format", "sarif", "--output", "no/such/dir/out.sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("writing `no/such/dir/out.sarif`"), "{stderr}");
}

#[test]
fn sarif_says_when_the_run_is_incomplete() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "small.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: nginx}]}\n",
    );
    let (log, code) = sarif(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], true);
    write(dir.path(), "big.yaml", format!("a: {}\n", "x".repeat(4096)));
    let (log, code) = sarif(dir.path(), &["--max-file-size", "1K"]);
    assert_eq!(code, 2);
    assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn sarif_quotes_a_window_of_a_long_line_not_the_line_per_result() {
    let dir = TempDir::new().unwrap();
    // One Pod with 2,000 untagged containers on one flow line of about 60 KB: two results each.
    let n = 2_000;
    let containers: Vec<String> = (0..n).map(|i| format!("{{name: c{i}, image: nginx}}")).collect();
    let line = format!("spec: {{containers: [{}]}}", containers.join(", "));
    write(
        dir.path(),
        "pod.yaml",
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n{line}\n"),
    );
    let output = pullcheck(dir.path())
        .args(["check", "--format", "sarif", "pod.yaml"])
        .output()
        .unwrap();
    // Without a bound, each result's context would repeat the 60 KB line: 240 MB.
    assert!(output.stdout.len() < n * 2 * 4_000, "{} bytes", output.stdout.len());
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_valid(&schema_validator(), &log, "long line");
    assert_well_formed(&log);
    let last = results(&log)
        .iter()
        .map(|r| &r["locations"][0]["physicalLocation"])
        .max_by_key(|l| l["region"]["byteOffset"].as_u64())
        .unwrap();
    let context = &last["contextRegion"];
    assert_eq!(context["startLine"], 4);
    assert!(context["startColumn"].as_u64().unwrap() > 50_000, "{context}");
    assert!(
        context["snippet"]["text"].as_str().unwrap().contains("image: nginx}]}"),
        "{context}"
    );
}

/// Runs `pullcheck check ARGS` in `dir` with `--format FORMAT`: the standard output.
fn report(dir: &Path, format: &str, args: &[&str]) -> Vec<u8> {
    pullcheck(dir)
        .args(["check", "--format", format])
        .args(args)
        .output()
        .unwrap()
        .stdout
}

fn gitlab_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repository().join("testdata/gitlab/code-quality.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn assert_valid_gitlab(validator: &jsonschema::Validator, report: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
}

#[test]
fn gitlab_code_quality_has_every_field_gitlab_requires() {
    let validator = gitlab_validator();
    let shop = repository().join("examples/shop");
    let gitlab: Value = serde_json::from_slice(&report(&shop, "gitlab", &["--config", ".pullcheck.yaml"])).unwrap();
    assert_valid_gitlab(&validator, &gitlab, "examples/shop");
    let issues = gitlab.as_array().unwrap();
    assert!(issues.len() > 5, "{gitlab}");

    // The same findings as SARIF, in the same order, with the same fingerprints and places.
    let (sarif_log, _) = sarif(&shop, &["--config", ".pullcheck.yaml"]);
    let sarif_results = results(&sarif_log);
    assert_eq!(issues.len(), sarif_results.len());
    for (issue, result) in issues.iter().zip(sarif_results) {
        assert_eq!(issue["check_name"], result["ruleId"]);
        assert_eq!(issue["fingerprint"], result["partialFingerprints"]["pullcheck/v1"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(issue["location"]["path"], location["artifactLocation"]["uri"]);
        assert_eq!(issue["location"]["lines"]["begin"], location["region"]["startLine"]);
        let severity = match result["level"].as_str().unwrap() {
            "error" => "major",
            "warning" => "minor",
            _ => "info",
        };
        assert_eq!(issue["severity"], severity);
        assert!(issue["description"].as_str().unwrap().len() > 20);
    }

    // The validator is not vacuous.
    let mut broken = gitlab.clone();
    broken[0]["severity"] = "error".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = gitlab.clone();
    broken[0]["location"]["path"] = "./payments/worker.yaml".into();
    assert!(!validator.is_valid(&broken));

    // A clean run is an empty array, not nothing.
    let dir = TempDir::new().unwrap();
    write(dir.path(), "ok.yaml", DEPLOYMENT.replace("nginx:latest", "nginx:1.25"));
    let clean: Value = serde_json::from_slice(&report(dir.path(), "gitlab", &[])).unwrap();
    assert_eq!(clean, serde_json::json!([]));

    // The real-world corpus, when it is beside the checkout.
    let corpus = repository().join("../shared/corpus");
    if corpus.is_dir() {
        let gitlab: Value = serde_json::from_slice(&report(&corpus, "gitlab", &["--quiet"])).unwrap();
        assert_valid_gitlab(&validator, &gitlab, "corpus");
        assert!(gitlab.as_array().unwrap().len() > 100);
    }
}

/// The `xmllint` to validate JUnit reports with: `PULLCHECK_XMLLINT` (set by `.ci/run`, where it
/// must work), else `xmllint` on the PATH; `None` when there is none outside CI.
fn xmllint() -> Option<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("PULLCHECK_XMLLINT") {
        return Some(path.into());
    }
    let found = std::process::Command::new("xmllint").arg("--version").output().is_ok();
    if !found {
        eprintln!("xmllint not found: the JUnit reports are not validated against the XSD here");
    }
    found.then(|| "xmllint".into())
}

fn assert_valid_junit(xmllint: &Path, xml: &[u8], what: &str) {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let output = std::process::Command::new(xmllint)
        .args(["--noout", "--schema"])
        .arg(repository().join("testdata/junit/junit-10.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(xml)
    );
}

#[test]
fn junit_follows_the_xsd_and_fails_what_fails_the_gate() {
    let shop = repository().join("examples/shop");
    let xml = report(&shop, "junit", &["--config", ".pullcheck.yaml"]);
    let text = String::from_utf8(xml.clone()).unwrap();
    let json = json(&shop, &["--config", ".pullcheck.yaml"]);
    let findings = json["diagnostics"].as_array().unwrap();
    let errors = findings.iter().filter(|d| d["severity"] == "error").count();
    assert!(
        errors > 0 && errors < findings.len(),
        "the example has errors and warnings"
    );
    assert!(
        text.contains(&format!(
            "<testsuites name=\"pullcheck\" tests=\"{}\" failures=\"{errors}\" errors=\"0\">",
            findings.len() + 1
        )),
        "{text}"
    );
    assert_eq!(text.matches("<failure ").count(), errors);
    assert!(text.contains("<testcase classname=\"payments/worker.yaml\" name=\"unknown-pull-secret at 14:17\">"));
    // With --fail-on warning, every warning fails too; with never, nothing does.
    let warning = String::from_utf8(report(
        &shop,
        "junit",
        &["--config", ".pullcheck.yaml", "--fail-on", "warning"],
    ))
    .unwrap();
    let warnings = findings.iter().filter(|d| d["severity"] == "warning").count();
    assert_eq!(warning.matches("<failure ").count(), errors + warnings);
    let never = String::from_utf8(report(
        &shop,
        "junit",
        &["--config", ".pullcheck.yaml", "--fail-on", "never"],
    ))
    .unwrap();
    assert_eq!(never.matches("<failure ").count(), 0);
    assert!(never.contains("<system-out>checked "), "{never}");

    // Control characters from the input cannot make the XML invalid.
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "ctl.yaml",
        DEPLOYMENT.replace("nginx:latest", "\"nginx:\\e[31mlatest\""),
    );
    let control = report(dir.path(), "junit", &[]);
    assert!(!control.contains(&0x1b), "{}", String::from_utf8_lossy(&control));

    let Some(xmllint) = xmllint() else { return };
    assert_valid_junit(&xmllint, &xml, "examples/shop");
    assert_valid_junit(&xmllint, never.as_bytes(), "examples/shop, --fail-on never");
    assert_valid_junit(&xmllint, &control, "control characters");
    assert_valid_junit(
        &xmllint,
        &report(dir.path(), "junit", &["--exclude", "ctl.yaml"]),
        "no file",
    );
    // The validation is not vacuous: a test case without its name breaks the schema.
    let broken = text.replacen(" name=\"run\"", "", 1);
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("broken.xml"), &broken).unwrap();
    let status = std::process::Command::new(&xmllint)
        .args(["--noout", "--schema"])
        .arg(repository().join("testdata/junit/junit-10.xsd"))
        .arg(dir.path().join("broken.xml"))
        .output()
        .unwrap()
        .status;
    assert!(!status.success(), "a test case without a name passed the XSD");
    let corpus = repository().join("../shared/corpus");
    if corpus.is_dir() {
        assert_valid_junit(&xmllint, &report(&corpus, "junit", &["--quiet"]), "corpus");
    }
}

#[test]
fn one_scan_writes_the_log_and_the_platform_files() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let output = pullcheck(dir.path())
        .args([
            "check",
            "--format",
            "human",
            "--format",
            "sarif=out/pullcheck.sarif",
            "--format",
            "gitlab=gl-code-quality.json",
        ])
        .args(["--format", "junit=junit.xml"])
        .output()
        .unwrap();
    std::fs::create_dir_all(dir.path().join("out")).ok();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A folder that does not exist is an error, with no report half written.
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("out/pullcheck.sarif"), "{stderr}");

    let output = pullcheck(dir.path())
        .args([
            "check",
            "--format",
            "human,sarif=out/pullcheck.sarif,gitlab=gl-code-quality.json",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("warning[latest-image-tag]"), "{stdout}");
    assert!(
        stdout.contains("\nchecked 1 file, 1 object, 1 workload: 1 warning"),
        "{stdout}"
    );
    let sarif: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/pullcheck.sarif")).unwrap()).unwrap();
    assert_eq!(results(&sarif).len(), 1);
    let gitlab: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("gl-code-quality.json")).unwrap()).unwrap();
    assert_eq!(gitlab[0]["check_name"], "latest-image-tag");

    // From the environment, as a CI job's variables give them.
    let output = pullcheck(dir.path())
        .args(["check"])
        .env("PULLCHECK_FORMAT", "json")
        .env("PULLCHECK_OUTPUT", "report.json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    // The GitLab report written above is a JSON file among those checked now (not an object).
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("checked 2 files, 1 object"));
    let report: Value = serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["diagnostics"][0]["rule"], "latest-image-tag");

    // Two reports for one stream, or for one file, are refused before anything is read.
    for formats in [["json", "sarif"], ["json=a.json", "sarif=a.json"]] {
        let output = pullcheck(dir.path())
            .args(["check", "--format", formats[0], "--format", formats[1]])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{formats:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("would both write to"));
    }
    // No report may overwrite a manifest.
    let output = pullcheck(dir.path())
        .args(["check", "--format", "human", "--format", "sarif=deploy.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("deploy.yaml")).unwrap(),
        DEPLOYMENT
    );
}

#[test]
fn force_color_colours_a_log_that_is_not_a_terminal() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let run = |env: &[(&str, &str)]| -> bool {
        let mut command = pullcheck(dir.path());
        command.env_remove("NO_COLOR").args(["check"]);
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap().stdout.contains(&0x1b)
    };
    assert!(!run(&[]), "piped output is plain");
    assert!(run(&[("FORCE_COLOR", "1")]));
    assert!(run(&[("CLICOLOR_FORCE", "1")]));
    assert!(!run(&[("CLICOLOR_FORCE", "0")]));
    assert!(!run(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]), "NO_COLOR wins");
}
