//! End-to-end tests of the `pullcheck` binary on real files: exit codes, JSON fields, exact
//! positions, file discovery and bad input.

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::{DEPLOYMENT, pullcheck, write};

const CLEAN_POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: clean}
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.9
";

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let output = pullcheck(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}; stderr: {stderr}"));
    (value, output.status.code().unwrap())
}

fn rules_of(report: &Value) -> Vec<&str> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn json_report_has_every_field_with_exact_positions() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let (report, code) = json(dir.path(), &[]);
    assert_eq!(code, 0, "warnings do not fail by default");
    assert_eq!(report["version"], 1);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{report:#}");
    let d = &diagnostics[0];
    assert_eq!(d["rule"], "latest-image-tag");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["file"], "deploy.yaml");
    assert_eq!(d["object"]["kind"], "Deployment");
    assert_eq!(d["object"]["name"], "web");
    assert_eq!(d["object"]["namespace"], "shop");
    assert_eq!(d["container"], "app");
    assert_eq!(d["field"], "spec.template.spec.containers[0].image");
    assert!(d["help"].as_str().unwrap().contains("pin"));
    // `        image: nginx:latest` on line 11: the tag starts at column 22.
    let offset = DEPLOYMENT.find("latest").unwrap();
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 11, "column": 22, "offset": offset, "utf16Column": 22})
    );
    assert_eq!(
        d["range"]["end"],
        serde_json::json!({"line": 11, "column": 28, "offset": offset + 6, "utf16Column": 28})
    );
    assert_eq!(
        report["summary"],
        serde_json::json!({"files": 1, "objects": 1, "workloads": 1, "errors": 0, "warnings": 1, "infos": 0, "namespacesWithoutInventory": [], "baselined": 0, "helmChartsSkipped": [], "imagesSetAtDeploy": {"istio": 0, "skaffold": 0, "azd": 0, "kustomize": 0, "ko": 0, "openshift": 0}, "unreadKinds": []})
    );
}

#[test]
fn json_utf16_columns_count_code_units() {
    let dir = TempDir::new().unwrap();
    // Before the tag: "é" (1 character, 1 UTF-16 unit, 2 bytes), "😀" (1 character, 2 units, 4 bytes).
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: café}
spec:
  containers:
  - {name: \"é😀\", image: \"nginx:latest\"}
";
    write(dir.path(), "pod.yaml", pod);
    let (report, _) = json(dir.path(), &[]);
    let range = &report["diagnostics"][0]["range"];
    assert_eq!(report["diagnostics"][0]["rule"], "latest-image-tag");
    let offset = pod.find("latest").unwrap();
    // `  - {name: "é😀", image: "nginx:` is 31 characters, 32 UTF-16 units, 35 bytes.
    assert_eq!(
        range["start"],
        serde_json::json!({"line": 6, "column": 32, "offset": offset, "utf16Column": 33})
    );
    assert_eq!(
        range["end"],
        serde_json::json!({"line": 6, "column": 38, "offset": offset + 6, "utf16Column": 39})
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    pullcheck(dir.path()).arg("check").assert().code(0);
    pullcheck(dir.path())
        .args(["check", "--fail-on", "warning"])
        .assert()
        .code(1);
    pullcheck(dir.path())
        .args(["check", "--fail-on", "info"])
        .assert()
        .code(1);
    write(
        dir.path(),
        "bad.yaml",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: Nginx\n",
    );
    pullcheck(dir.path()).arg("check").assert().code(1);
    pullcheck(dir.path())
        .args(["check", "--fail-on", "never"])
        .assert()
        .code(0);
    pullcheck(dir.path())
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    pullcheck(dir.path()).args(["check", "missing.yaml"]).assert().code(2);
}

#[test]
fn human_output_points_at_the_line_and_column() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let output = pullcheck(dir.path()).arg("check").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("latest-image-tag"), "{stdout}");
    assert!(stdout.contains("[deploy.yaml:11:22]"), "{stdout}");
    assert!(stdout.contains("image: nginx:latest"), "{stdout}");
    assert!(stdout.contains("help: pin"), "{stdout}");
    assert!(
        stdout.contains("checked 1 file, 1 object, 1 workload: 1 warning"),
        "{stdout}"
    );
    let quiet = pullcheck(dir.path()).args(["check", "--quiet"]).output().unwrap();
    assert!(!String::from_utf8(quiet.stdout).unwrap().contains("checked 1 file"));
}

#[test]
fn clean_input_says_so() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pod.yaml", CLEAN_POD);
    let output = pullcheck(dir.path()).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8(output.stdout).unwrap().contains("no problems found"));
}

#[test]
fn stdin_is_read_under_the_given_name() {
    let dir = TempDir::new().unwrap();
    let output = pullcheck(dir.path())
        .args([
            "check",
            "-",
            "--stdin-filename",
            "rendered/web.yaml",
            "--format",
            "json",
        ])
        .write_stdin(DEPLOYMENT)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["diagnostics"][0]["file"], "rendered/web.yaml");
    assert_eq!(report["diagnostics"][0]["range"]["start"]["line"], 11);
}

/// Checks `text` on the standard input under `name`, from `cwd`; the JSON report.
fn json_stdin(cwd: &Path, name: &str, text: &str) -> Value {
    let output = pullcheck(cwd)
        .args(["check", "-", "--stdin-filename", name, "--format", "json"])
        .write_stdin(text)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}; stderr: {stderr}"))
}

#[test]
fn stdin_filename_finds_the_configuration_and_inventory_beside_the_file() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    // proj/.pullcheck.yaml turns implicit-registry on and declares namespace shop, whose only
    // secret is ghcr-pull; the buffer's pod names another secret.
    write(
        root,
        "proj/.pullcheck.yaml",
        "rules:\n  implicit-registry: error\ninventory: [cluster/inventory.yaml]\n",
    );
    write(
        root,
        "proj/cluster/inventory.yaml",
        "namespaces:\n  shop:\n    secrets:\n      - name: ghcr-pull\n        registries: [ghcr.io]\n",
    );
    write(root, "proj/deploy/.keep", "");
    std::fs::create_dir_all(root.join("elsewhere")).unwrap();
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  imagePullSecrets: [{name: gchr-pull}]
  containers:
  - {name: app, image: nginx:1.25}
";
    let found = ["unknown-pull-secret", "implicit-registry"];
    // The file does not exist (an unsaved buffer), its directory does: proj's configuration, and
    // the inventory relative to it, whatever the working directory.
    let report = json_stdin(root, "proj/deploy/new.yaml", pod);
    assert_eq!(rules_of(&report), found, "{report:#}");
    assert_eq!(report["diagnostics"][0]["file"], "proj/deploy/new.yaml");
    // Namespace shop is declared complete by the inventory: only then is the secret unknown.
    assert!(
        report["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"gchr-pull\"")
    );
    let report = json_stdin(&root.join("elsewhere"), "../proj/deploy/new.yaml", pod);
    assert_eq!(rules_of(&report), found, "{report:#}");
    let absolute = root.join("proj/deploy/new.yaml");
    let report = json_stdin(&root.join("elsewhere"), absolute.to_str().unwrap(), pod);
    assert_eq!(rules_of(&report), found, "{report:#}");

    // A file outside proj: not proj's configuration, even when run from proj.
    let report = json_stdin(&root.join("proj"), "../elsewhere/x.yaml", pod);
    assert_eq!(rules_of(&report), Vec::<&str>::new(), "{report:#}");
    // A name whose directory does not exist (`chart.yaml` from helm template, a made-up folder):
    // the working directory's configuration, as before.
    let report = json_stdin(&root.join("proj"), "rendered/chart.yaml", pod);
    assert_eq!(rules_of(&report), found, "{report:#}");
    let report = json_stdin(root, "rendered/chart.yaml", pod);
    assert_eq!(rules_of(&report), Vec::<&str>::new(), "{report:#}");
}

#[test]
fn a_file_named_twice_or_also_under_a_directory_named_is_checked_once() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a/deploy.yaml", DEPLOYMENT);
    write(dir.path(), "a/pod.yaml", CLEAN_POD);
    write(dir.path(), "b/deploy.yaml", DEPLOYMENT);
    let (report, _) = json(dir.path(), &["a/deploy.yaml", "a", "b", "a/deploy.yaml", "."]);
    assert_eq!(report["summary"]["files"], 3, "{report:#}");
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["a/deploy.yaml", "b/deploy.yaml"]);
}

#[test]
fn a_custom_resource_definition_is_counted_and_its_schema_still_checked_for_duplicate_keys() {
    let dir = TempDir::new().unwrap();
    let crd = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
        type: string
";
    write(dir.path(), "crd.yaml", format!("{crd}---\n{CLEAN_POD}"));
    let (report, _) = json(dir.path(), &[]);
    assert_eq!(report["summary"]["objects"], 2, "{report:#}");
    assert_eq!(report["summary"]["workloads"], 1);
    assert_eq!(rules_of(&report), ["duplicate-key"]);
    assert_eq!(report["diagnostics"][0]["range"]["start"]["line"], 12);
}

#[test]
fn walking_honours_ignore_files_and_globs() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    write(root, "a/deploy.yaml", DEPLOYMENT);
    write(root, "b/deploy.yml", DEPLOYMENT);
    write(
        root,
        "c/deploy.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "x", "image": "nginx:latest"}]}}"#,
    );
    write(root, "d/deploy.txt", DEPLOYMENT);
    // kustomize's extensionless file name is read too, and only that one.
    write(root, "e/Kustomization", "images: [{name: nginx, newTag: latest}]\n");
    write(root, "e/NotAKustomization", "images: [{name: nginx, newTag: latest}]\n");
    write(root, "ignored/deploy.yaml", DEPLOYMENT);
    write(root, ".hidden/deploy.yaml", DEPLOYMENT);
    write(root, ".ignore", "ignored/\n");

    let files = |args: &[&str]| -> Vec<String> {
        let (report, _) = json(root, args);
        let mut files: Vec<String> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"].as_str().unwrap().to_owned())
            .collect();
        files.dedup();
        files
    };
    assert_eq!(
        files(&[]),
        ["a/deploy.yaml", "b/deploy.yml", "c/deploy.json", "e/Kustomization"]
    );
    assert_eq!(
        files(&["--exclude", "b/**"]),
        ["a/deploy.yaml", "c/deploy.json", "e/Kustomization"]
    );
    assert_eq!(files(&["--include", "*.txt"]), ["d/deploy.txt"]);
    // A file named on the command line is read whatever its name, even when ignored.
    assert_eq!(
        files(&["d/deploy.txt", "ignored/deploy.yaml"]),
        ["d/deploy.txt", "ignored/deploy.yaml"]
    );
    pullcheck(root).args(["check", "--include", "a/[z"]).assert().code(2);
}

#[test]
fn a_broken_file_does_not_stop_the_others() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "a-broken.yaml",
        "apiVersion: v1\nkind: Pod\nspec: [unclosed\n",
    );
    write(
        dir.path(),
        "b-latin1.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xe9}\n",
    );
    write(dir.path(), "c-utf16.yaml", b"\xff\xfea\x00:\x00 \x001\x00");
    write(dir.path(), "d-good.yaml", DEPLOYMENT);
    let (report, code) = json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules_of(&report),
        ["yaml-syntax", "unreadable-file", "unreadable-file", "latest-image-tag"]
    );
    let d = &report["diagnostics"];
    assert_eq!(d[0]["range"]["start"]["line"], 4, "{:#}", d[0]);
    assert!(d[1]["message"].as_str().unwrap().contains("not valid UTF-8"));
    assert!(d[2]["message"].as_str().unwrap().contains("UTF-16"));
}

#[test]
fn configuration_is_found_upward_and_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy/app.yaml", CLEAN_POD);
    write(dir.path(), ".pullcheck.yaml", "rules:\n  implicit-registry: error\n");
    // registry.k8s.io is explicit, so clean; nginx is not.
    write(
        dir.path(),
        "deploy/nginx.yaml",
        CLEAN_POD.replace("registry.k8s.io/pause:3.9", "nginx:1.25"),
    );
    let (report, code) = json(&dir.path().join("deploy"), &[]);
    assert_eq!(code, 1);
    assert_eq!(rules_of(&report), ["implicit-registry"]);

    write(dir.path(), ".pullcheck.yaml", "rules:\n  implicit-registry: loud\n");
    let output = pullcheck(&dir.path().join("deploy")).arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown severity \"loud\""), "{stderr}");
    assert!(stderr.contains(".pullcheck.yaml:2:22"), "{stderr}");

    // --config names another file; --namespace overrides the default namespace.
    write(dir.path(), "other.yaml", "defaultNamespace: team\n");
    let (report, _) = json(dir.path(), &["--config", "other.yaml", "--fail-on", "never", "deploy"]);
    assert_eq!(report["summary"]["errors"], 0);
    write(dir.path(), "ns.yaml", DEPLOYMENT.replace("  namespace: shop\n", ""));
    let (report, _) = json(dir.path(), &["--config", "other.yaml", "ns.yaml"]);
    assert_eq!(report["diagnostics"][0]["object"]["namespace"], "team");
    let (report, _) = json(dir.path(), &["--config", "other.yaml", "-n", "ops", "ns.yaml"]);
    assert_eq!(report["diagnostics"][0]["object"]["namespace"], "ops");
}

#[test]
fn rules_and_explain() {
    let dir = TempDir::new().unwrap();
    let output = pullcheck(dir.path()).arg("rules").output().unwrap();
    let listing = String::from_utf8(output.stdout).unwrap();
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("unpinned-image-digest") && l.contains(" off ")),
        "{listing}"
    );
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("missing-image ") && l.contains(" error ")),
        "{listing}"
    );
    let output = pullcheck(dir.path())
        .args(["explain", "latest-image-tag"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .starts_with("# latest-image-tag\n")
    );
    pullcheck(dir.path()).args(["explain", "no-such-rule"]).assert().code(2);
    let output = pullcheck(dir.path())
        .args(["explain", "latest-imag-tag"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `latest-image-tag`?"));

    // For programs: every rule, in the table's order, with its default severity and doc.
    let output = pullcheck(dir.path())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), pullcheck::rules::RULES.len());
    let digest = rules.iter().find(|r| r["id"] == "unpinned-image-digest").unwrap();
    assert_eq!(digest["defaultSeverity"], "off");
    assert!(
        digest["docUrl"]
            .as_str()
            .unwrap()
            .ends_with("rules/unpinned-image-digest.md")
    );
    assert!(!digest["summary"].as_str().unwrap().is_empty());
}

/// `--select` and `--ignore` choose rules over the configuration, as ruff's do; a misspelt id is
/// refused with the id it likely means, on the command line as in the configuration.
#[test]
fn select_and_ignore_choose_rules_over_the_configuration() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "deploy.yaml",
        DEPLOYMENT.replace("registry.k8s.io/pause:3.9", "busybox"),
    );
    write(dir.path(), ".pullcheck.yaml", "rules:\n  missing-image-tag: error\n");
    let rules = |args: &[&str]| -> Vec<String> {
        let output = pullcheck(dir.path())
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        rules_of(&report).into_iter().map(str::to_owned).collect()
    };
    assert_eq!(rules(&[]), ["latest-image-tag", "missing-image-tag"]);
    assert_eq!(rules(&["--select", "missing-image-tag"]), ["missing-image-tag"]);
    assert_eq!(
        rules(&["--ignore", "missing-image-tag,latest-image-tag"]),
        Vec::<String>::new()
    );
    // An opt-in rule that is selected reports at warning.
    let output = pullcheck(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "unpinned-image-digest",
            "--ignore",
            "latest-image-tag",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rules_of(&report), ["unpinned-image-digest", "unpinned-image-digest"]);
    assert_eq!(report["diagnostics"][0]["severity"], "warning");

    let output = pullcheck(dir.path())
        .args(["check", "--ignore", "missing-imag-tag"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("did you mean `missing-image-tag`?"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    write(dir.path(), ".pullcheck.yaml", "rules:\n  missing-imag-tag: error\n");
    let output = pullcheck(dir.path()).args(["check"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `missing-image-tag`?"));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let testdata = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let run = |jobs: &str| {
        pullcheck(&testdata)
            .args(["check", "--format", "json", "--jobs", jobs, "."])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(one.len() > 1000, "testdata produced almost nothing");
    assert_eq!(one, run("8"));
}

/// A docker config with real-looking credentials, base64-encoded as in a real Secret.
fn leaky_secret(name: &str, namespace: &str, config: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(config);
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {encoded}\n"
    )
}

#[test]
fn credentials_in_scanned_secrets_never_reach_any_output() {
    const PASSWORD: &str = "Sup3r-S3cret-pa55w0rd";
    const USER: &str = "robot$deployer";
    const TOKEN: &str = "dGhpcy1pcy1hLXRva2Vu";
    let auth = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    };
    let config = format!(
        r#"{{"auths":{{"us.icr.io":{{"username":"{USER}","password":"{PASSWORD}","auth":"{auth}","identitytoken":"{TOKEN}"}}}}}}"#
    );
    // A config whose `auths` is not a map: a decoder error message could quote it.
    let broken = format!(r#"{{"auths":"{PASSWORD}"}}"#);
    let dir = TempDir::new().unwrap();
    write(dir.path(), "secret.yaml", leaky_secret("icr", "apps", &config));
    write(dir.path(), "broken.yaml", leaky_secret("broken", "apps", &broken));
    write(
        dir.path(),
        "plain.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: apps}}\nstringData:\n  password: {PASSWORD}\n  auth: {auth}\n"
        ),
    );
    // Pods that make every pull-secret rule look at the secrets.
    write(
        dir.path(),
        "pods.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: apps}\nspec:\n  imagePullSecrets: [{name: icr}, {name: broken}, {name: db}, {name: icr}]\n  containers: [{name: a, image: \"quay.io/x/y:1\"}, {name: b, image: \"us.icr.io/x/y\"}]\n",
    );
    write(
        dir.path(),
        ".pullcheck.yaml",
        "registries:\n  private: [\"quay.io\", \"*.icr.io\"]\n",
    );
    // A YAML error inside a secret's data must not quote it either.
    write(
        dir.path(),
        "torn.yaml",
        format!("apiVersion: v1\nkind: Secret\nstringData:\n  password: \"{PASSWORD}\n  other: [\n"),
    );

    let mut outputs = Vec::new();
    for format in ["human", "json", "sarif", "github"] {
        let output = pullcheck(dir.path())
            .args(["check", "--format", format, "--color", "always"])
            .output()
            .unwrap();
        outputs.push(String::from_utf8_lossy(&output.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let stdin = pullcheck(dir.path())
        .args(["check", "-"])
        .write_stdin(leaky_secret("icr", "apps", &config))
        .output()
        .unwrap();
    outputs.push(String::from_utf8_lossy(&stdin.stdout).into_owned());
    outputs.push(String::from_utf8_lossy(&stdin.stderr).into_owned());

    let all = outputs.concat();
    assert!(
        all.contains("wrong-pull-secret-type"),
        "the secrets were not looked at:\n{all}"
    );
    for secret in [PASSWORD, USER, TOKEN, auth.as_str(), "Sup3r", "pa55w0rd"] {
        assert!(!all.contains(secret), "{secret:?} leaked:\n{all}");
    }
}

#[test]
fn weblogic_example_names_the_operator_place_and_field() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (report, code) = json(
        root,
        &["--config", "examples/weblogic/.pullcheck.yaml", "examples/weblogic"],
    );
    assert_eq!(code, 1);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let found = |rule: &str, field: &str| {
        diagnostics
            .iter()
            .find(|d| d["rule"] == rule && d["field"] == field)
            .unwrap_or_else(|| panic!("no {rule} on {field}: {report:#}"))
    };
    // The omitted spec.image is the operator's default, reported on the `spec` key.
    let defaulted = found("missing-pull-secret", "spec.image");
    assert_eq!(defaulted["object"]["kind"], "Domain");
    assert_eq!(defaulted["object"]["name"], "reports");
    assert_eq!(defaulted["container"], "WebLogic Server image of domain \"reports\"");
    assert_eq!(defaulted["range"]["start"]["line"], 8);
    assert!(
        defaulted["message"]
            .as_str()
            .unwrap()
            .contains(":14.1.2.0-generic-jdk17-ol8")
    );
    // A Cluster resource's container, judged with the pull secrets of the Domain that lists it.
    let cluster = found("pull-secret-registry-mismatch", "spec.serverPod.containers[0].image");
    assert_eq!(cluster["object"]["kind"], "Cluster");
    assert_eq!(
        cluster["container"],
        "container \"log-shipper\" of the cluster \"cluster-1\" pods"
    );
    assert_eq!(cluster["related"][0]["file"], "examples/weblogic/sales-domain.yaml");
    assert_eq!(report["summary"]["workloads"], 3);
}

#[test]
fn a_baseline_hides_todays_findings_and_reports_new_ones() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "deploy.yaml", DEPLOYMENT);
    let output = pullcheck(dir.path())
        .args(["baseline", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("recorded 1 findings in baseline.json")
    );
    let recorded = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(
        recorded.contains("\"rule\": \"latest-image-tag\"") && !recorded.contains("\"line\""),
        "{recorded}"
    );

    // Lines move above the finding, and a new problem appears in another container.
    let edited = format!(
        "# a comment that moves every line\n{}",
        DEPLOYMENT.replace("registry.k8s.io/pause:3.9", "busybox")
    );
    write(dir.path(), "deploy.yaml", edited);
    let (report, code) = json(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 0);
    assert_eq!(rules_of(&report), ["missing-image-tag"]);
    assert_eq!(report["summary"]["baselined"], 1);
    let output = pullcheck(dir.path())
        .args(["check", "--baseline", "baseline.json"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("1 finding in the baseline not shown")
    );
    pullcheck(dir.path())
        .args(["check", "--baseline", "missing.json"])
        .assert()
        .code(2);
}

#[test]
fn suppressions_on_lines_and_objects() {
    let dir = TempDir::new().unwrap();
    let text = DEPLOYMENT.replace(
        "        image: nginx:latest\n",
        "        # pullcheck:ignore latest-image-tag -- staging follows latest\n        image: nginx:latest\n",
    );
    write(dir.path(), "deploy.yaml", &text);
    let (report, code) = json(dir.path(), &[]);
    assert_eq!((rules_of(&report), code), (vec![], 0));

    // The suppression outlives the problem: it is reported, at the rule id.
    write(dir.path(), "deploy.yaml", text.replace("nginx:latest", "nginx:1.25.3"));
    let (report, _) = json(dir.path(), &[]);
    assert_eq!(rules_of(&report), ["unused-suppression"]);
    assert_eq!(report["diagnostics"][0]["range"]["start"]["line"], 11);

    let annotated = DEPLOYMENT.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n    pullcheck.io/ignore: latest-image-tag\n",
    );
    write(dir.path(), "deploy.yaml", annotated);
    let (report, _) = json(dir.path(), &[]);
    assert!(rules_of(&report).is_empty(), "{report:#}");
}

#[test]
fn helm_chart_templates_are_skipped_and_named_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let template = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  containers:\n    - name: a\n      image: {{ .Values.image }}\n";
    write(
        dir.path(),
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write(dir.path(), "charts/web/values.yaml", "image: nginx:1.25.3\n");
    write(dir.path(), "charts/web/templates/pod.yaml", template);
    write(
        dir.path(),
        "charts/web/crds/ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
    );
    // Not a chart: a templates folder without Chart.yaml is read, and a file that is a template
    // gets one unrendered-template finding.
    write(dir.path(), "other/templates/pod.yaml", template);
    write(dir.path(), "deploy/web.yaml", DEPLOYMENT);

    let (report, code) = json(dir.path(), &["."]);
    assert_eq!(code, 0, "a warning and an info");
    assert_eq!(
        report["summary"]["helmChartsSkipped"],
        serde_json::json!(["charts/web"])
    );
    assert_eq!(report["summary"]["files"], 5);
    let found: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["rule"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("latest-image-tag", "deploy/web.yaml"),
            ("unrendered-template", "other/templates/pod.yaml")
        ]
    );

    // pre-commit names the changed files: a chart's template is still left out.
    let (report, code) = json(dir.path(), &["charts/web/templates/pod.yaml", "deploy/web.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(
        report["summary"]["helmChartsSkipped"],
        serde_json::json!(["charts/web"])
    );

    let output = pullcheck(dir.path()).args(["check", "charts/web"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("note: 1 Helm chart skipped, as templates are not manifests until rendered: lint `helm template charts/web | pullcheck check -`"),
        "{stdout}"
    );
}

#[test]
fn helm_template_output_names_the_template_of_each_finding() {
    let dir = tempfile::tempdir().unwrap();
    let rendered = "---\n# Source: web/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n---\n# Source: web/templates/deployment.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n";
    let output = pullcheck(dir.path())
        .args(["check", "-", "--format", "json"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let d = &report["diagnostics"][0];
    assert_eq!(d["rule"], "latest-image-tag");
    assert_eq!(d["file"], "<stdin>");
    assert_eq!(d["range"]["start"]["line"], 16);
    assert_eq!(
        d["renderedFrom"],
        serde_json::json!({"template": "web/templates/deployment.yaml", "line": 8})
    );

    let output = pullcheck(dir.path())
        .args(["check", "-", "--stdin-filename", "web.yaml"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("rendered from web/templates/deployment.yaml, line 8"),
        "{stdout}"
    );

    // A file without `# Source:` comments has none.
    let (report, _) = {
        write(dir.path(), "deploy.yaml", DEPLOYMENT);
        json(dir.path(), &["deploy.yaml"])
    };
    assert_eq!(report["diagnostics"][0]["renderedFrom"], Value::Null);
}

/// Each file is checked with the `.pullcheck.yaml` nearest above it, wherever pullcheck runs from;
/// files under different configurations are separate projects.
#[test]
fn each_file_gets_the_configuration_nearest_above_it() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    // `shop` turns implicit-registry on and declares its namespace complete, without `builder`.
    write(
        root,
        "shop/.pullcheck.yaml",
        "inventory: [inventory.yaml]\nrules: {implicit-registry: error}\n",
    );
    write(root, "shop/inventory.yaml", "namespaces: {shop: {}}\n");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: builder\n  containers: [{name: web, image: \"nginx:1.27\"}]\n";
    write(root, "shop/deploy/web.yaml", pod);
    // `lab` has no configuration of its own, and defines `builder`: not for `shop`'s pods.
    write(root, "lab/web.yaml", pod);
    write(
        root,
        "lab/builder.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: shop}\n",
    );

    let rules_in = |cwd: &Path, args: &[&str]| -> Vec<(String, String)> {
        let output = pullcheck(cwd)
            .args(["check", "--format", "json", "--exclude", "inventory.yaml"])
            .args(args)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut found: Vec<(String, String)> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["file"].as_str().unwrap().to_owned(),
                    d["rule"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        found.sort();
        found
    };
    let shop_findings = [
        ("shop/deploy/web.yaml".to_owned(), "implicit-registry".to_owned()),
        ("shop/deploy/web.yaml".to_owned(), "unknown-service-account".to_owned()),
    ];
    // From the parent, naming the folder, or everything.
    assert_eq!(rules_in(root, &["shop"]), shop_findings);
    assert_eq!(
        rules_in(root, &[]),
        shop_findings,
        "lab's files are checked without shop's configuration"
    );
    // From inside, as pre-commit names files, and from a subfolder.
    assert_eq!(rules_in(root, &["shop/deploy/web.yaml"]), shop_findings);
    let from_inside = rules_in(&root.join("shop/deploy"), &["web.yaml"]);
    assert_eq!(
        from_inside,
        [
            ("web.yaml".to_owned(), "implicit-registry".to_owned()),
            ("web.yaml".to_owned(), "unknown-service-account".to_owned())
        ]
    );
    // --config applies one configuration to every file: then lab's service account counts.
    let one = rules_in(root, &["--config", "shop/.pullcheck.yaml"]);
    assert_eq!(
        one,
        [
            ("lab/web.yaml".to_owned(), "implicit-registry".to_owned()),
            ("shop/deploy/web.yaml".to_owned(), "implicit-registry".to_owned()),
        ]
    );
}

/// The report is the gate's verdict: failing to write it is an error, and it never replaces an
/// input.
#[test]
fn report_write_errors_and_inputs_as_output_are_refused() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: \"nginx:1.27\"}]\n",
    );
    let original = std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap();
    for args in [
        &["check", "pod.yaml", "--output", "pod.yaml"][..],
        &["check", ".", "--output", "pod.yaml"],
        &["check", "--format", "json", "--output", "./pod.yaml"],
    ] {
        let output = pullcheck(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("would overwrite it"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap(), original);
    }
    // Excluded, it is not an input, and may be written (it is a copy here).
    std::fs::copy(dir.path().join("pod.yaml"), dir.path().join("report.yaml")).unwrap();
    let output = pullcheck(dir.path())
        .args(["check", ".", "--exclude", "report.yaml", "--output", "report.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // A full disk: the gate fails rather than pass with no report.
    if Path::new("/dev/full").exists() {
        for format in ["json", "human", "sarif", "github"] {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_pullcheck"))
                .current_dir(dir.path())
                .args(["check", "pod.yaml", "--format", format])
                .stdout(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{format}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("No space left on device"), "{format}: {stderr}");
            let output = pullcheck(dir.path())
                .args(["check", "pod.yaml", "--format", format, "--output", "/dev/full"])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{format} --output");
        }
    }
}

/// Objects of kinds pullcheck does not read, which name images, are counted in the summary: a run
/// never ends with "no problems found" and nothing else when it skipped them. The summary says
/// where their images are and how to declare them; declared, they are checked.
#[test]
fn unread_kinds_that_name_images_are_counted_until_declared() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "runners.yaml",
        "apiVersion: ci.acme.example/v1\nkind: Runner\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: hashicorp/http-echo}]\n---\napiVersion: ci.acme.example/v1\nkind: Runner\nmetadata: {name: b}\nspec: {template: {spec: {containers: [{name: b, image: \"acme/load-tester:latest\"}]}}}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n",
    );
    let output = pullcheck(dir.path()).args(["check"]).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("checked 1 file, 3 objects, 0 workloads: no problems found"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\nnote: not checked: 2 objects of kinds pullcheck does not read, which name images: 2 Runner (ci.acme.example/v1, image at spec.template.spec.containers[0].image)\n  to check them, declare where their images are under `kinds:` in .pullcheck.yaml"),
        "{stdout}"
    );
    let output = pullcheck(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["summary"]["unreadKinds"],
        serde_json::json!([{
            "apiVersion": "ci.acme.example/v1",
            "kind": "Runner",
            "objects": 2,
            "imageAt": "spec.template.spec.containers[0].image"
        }])
    );

    write(
        dir.path(),
        ".pullcheck.yaml",
        "kinds:\n  - apiVersion: ci.acme.example/v1\n    kind: Runner\n    podTemplates: [spec.template]\n",
    );
    let output = pullcheck(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["workloads"], 2);
    assert_eq!(report["summary"]["unreadKinds"], serde_json::json!([]));
    assert_eq!(rules_of(&report), ["missing-image-tag", "latest-image-tag"]);
}
