//! `pullcheck inventory`: kubectl's output in, an inventory out, credentials dropped at the door.
//! The captures in `testdata/cluster/` were made with `testdata/cluster/make-fixtures.sh` (kubectl's
//! offline dry run); every credential in them is a `PASSWORD-MARKER-…`.

use std::path::Path;

use base64::Engine as _;
use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::pullcheck;

fn testdata() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/cluster"))
}

/// Fails when `text` holds a credential of the captures, as written or in base64.
fn assert_no_credentials(text: &str, what: &str) {
    for n in 1..=11 {
        let marker = format!("PASSWORD-MARKER-{n}");
        let encoded = base64::engine::general_purpose::STANDARD.encode(&marker);
        assert!(!text.contains(&marker), "{what} holds {marker}:\n{text}");
        assert!(
            !text.contains(&encoded[..12]),
            "{what} holds {marker} in base64:\n{text}"
        );
    }
    assert!(!text.contains("MARKER"), "{what}:\n{text}");
}

/// `pullcheck inventory ARGS`, with `stdin`: exit code, standard output and standard error.
fn inventory(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let output = pullcheck(dir)
        .arg("inventory")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_no_credentials(&stdout, "the inventory");
    assert_no_credentials(&stderr, "the errors");
    (output.status.code().unwrap(), stdout, stderr)
}

/// The documented one-liner, end to end on IBM Cloud's case: the inventory made from
/// `kubectl get … -o json`, then `check` reports exactly what the kubelet would fail.
#[test]
fn the_one_liner_makes_the_inventory_check_needs() {
    let dir = TempDir::new().unwrap();
    let capture = std::fs::read(testdata().join("kubectl-get.json")).unwrap();
    let (code, text, stderr) = inventory(dir.path(), &[], &capture);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "namespaces:\n  apps:\n    secrets:\n      - name: db-creds\n        type: Opaque\n",
        "      - name: ghcr-pull\n        type: kubernetes.io/dockerconfigjson\n        registries: [\"https://ghcr.io\"]\n",
        "      - name: legacy-pull\n        type: kubernetes.io/dockercfg\n        registries: [quay.io]\n",
        "      - name: string-pull\n        type: kubernetes.io/dockerconfigjson\n        registries: [\"registry.example.com:5000\"]\n",
        "      - name: not-base64\n        type: kubernetes.io/dockerconfigjson\n        # its payload does not decode",
        "    serviceAccounts:\n      - name: builder\n        imagePullSecrets: [ghcr-pull]\n      - name: default\n  default:\n",
        "      - name: all-icr-io\n        type: kubernetes.io/dockerconfigjson\n        registries: [us.icr.io]\n",
        "      - name: default\n        imagePullSecrets: [all-icr-io]\n  kube-system: {}\n",
        "  worker-2:\n    images:\n      - \"registry.k8s.io/pause:3.10\"\n",
    ] {
        assert!(text.contains(expected), "missing:\n{expected}\nin:\n{text}");
    }
    assert!(
        text.contains("nodes:\n  worker-1:\n    images:\n      - \"registry.example.com/tools/debug:2.0\"\n"),
        "{text}"
    );
    assert!(
        !text.contains("\"sha256:"),
        "a bare image id is no image reference: {text}"
    );
    std::fs::write(dir.path().join("cluster.yaml"), &text).unwrap();

    let output = pullcheck(dir.path())
        .args(["check", "--format", "json", "--inventory", "cluster.yaml"])
        .arg(testdata().join("manifests"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let file = file.rsplit_once("manifests/").map_or(file, |(_, f)| f);
            (d["rule"].as_str().unwrap().to_owned(), file.to_owned())
        })
        .collect();
    assert_eq!(
        found,
        [
            ("image-not-on-nodes".to_owned(), "apps/debug.yaml".to_owned()),
            ("unknown-pull-secret".to_owned(), "apps/report.yaml".to_owned()),
            ("missing-pull-secret".to_owned(), "apps/web.yaml".to_owned()),
        ]
    );
    assert_eq!(report["summary"]["namespacesWithoutInventory"], serde_json::json!([]));
}

#[test]
fn json_and_yaml_captures_give_the_same_inventory() {
    let dir = TempDir::new().unwrap();
    let json = testdata().join("kubectl-get.json");
    let yaml = testdata().join("kubectl-get.yaml");
    let body = |text: &str| {
        text.lines()
            .skip_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (_, from_json, _) = inventory(dir.path(), &[json.to_str().unwrap()], b"");
    let (code, from_yaml, stderr) = inventory(dir.path(), &[yaml.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(body(&from_json), body(&from_yaml));
    // Several inputs are joined, and an empty input declares nothing.
    let (code, both, _) = inventory(dir.path(), &[json.to_str().unwrap(), "-"], b"  \n");
    assert_eq!(code, 0);
    assert_eq!(body(&both), body(&from_json));
    let (code, empty, _) = inventory(dir.path(), &[], b"");
    assert_eq!(code, 0);
    assert!(empty.ends_with("namespaces: {}\n"), "{empty}");
}

/// A bad input is an error naming it and where it is wrong, quoting nothing of it, and nothing is
/// written.
#[test]
fn bad_inputs_are_errors_with_their_place_and_nothing_is_written() {
    let dir = TempDir::new().unwrap();
    let capture = std::fs::read_to_string(testdata().join("kubectl-get.json")).unwrap();
    // Cut inside a payload: the error must not quote it.
    let cut = capture.find(".dockerconfigjson\": \"").unwrap() + 40;
    let cases: [(&str, String, &str); 5] = [
        (
            "truncated.json",
            capture[..cut].to_owned(),
            "the JSON ends before it is complete, at line",
        ),
        (
            "broken.json",
            capture.replacen("\"items\": [", "\"items\": [,", 1),
            "invalid JSON, at line 3",
        ),
        (
            "array.json",
            "[1, 2]".to_owned(),
            "not a Kubernetes object, nor a List of them, at line 1",
        ),
        (
            "wrong.json",
            "{\"items\": 7}".to_owned(),
            "not a Kubernetes object, nor a List of them, at line 1",
        ),
        (
            "broken.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: [\n".to_owned(),
            "invalid YAML at line",
        ),
    ];
    for (name, text, message) in cases {
        std::fs::write(dir.path().join(name), &text).unwrap();
        let (code, stdout, stderr) = inventory(dir.path(), &[name, "--output", "cluster.yaml"], b"");
        assert_eq!(code, 2, "{name}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!("pullcheck: {name}: {message}")),
            "{name}: {stderr}"
        );
        assert!(!dir.path().join("cluster.yaml").exists(), "{name}: written");
    }
    let (code, _, stderr) = inventory(dir.path(), &["missing.json"], b"");
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.json"), "{stderr}");
}

/// A catalog that cannot be read stops the run, at its line and column, as any inventory error.
#[test]
fn a_bad_catalog_is_an_error_at_its_place() {
    let dir = TempDir::new().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: \"registry.example.com/team/app:1.2.4\"}]}\n",
    );
    write(".pullcheck.yaml", "inventory: [inventory.yaml]\n");
    write("inventory.yaml", "images:\n  catalogs:\n    - file: catalog/app.txt\n");
    std::fs::create_dir(dir.path().join("catalog")).unwrap();
    write(
        "catalog/app.txt",
        "registry.example.com/team/app:1.2.3\n  registry.example.com/team/app:not a tag\n",
    );
    let output = pullcheck(dir.path()).args(["check", "pod.yaml"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid catalog"), "{stderr}");
    assert!(stderr.contains("catalog/app.txt:2:3"), "{stderr}");

    // Read, it judges the pod's tag.
    write(
        "catalog/app.txt",
        "registry.example.com/team/app:1.2.3\nregistry.example.com/team/app:1.3.0\n",
    );
    let output = pullcheck(dir.path()).args(["check", "pod.yaml"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[unknown-image-tag]"), "{stdout}");
    assert!(stdout.contains("did you mean \"1.2.3\" or \"1.3.0\"?"), "{stdout}");
}
