//! Credentials never leave pullcheck: unique markers are seeded in every credential field of many
//! Secret shapes (valid, malformed base64, malformed JSON, broken YAML, duplicate keys, inventory
//! files), and every output format, the language server's messages, the standard error and the
//! configuration errors are searched for them, raw and base64-encoded.

use std::path::Path;

use assert_cmd::Command;
use base64::Engine as _;
use tempfile::TempDir;

mod support;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A marker unique to one field of one shape.
fn marker(shape: &str, field: &str) -> String {
    format!("MRK{shape}{field}Z9")
}

struct Seeds {
    markers: Vec<String>,
    files: Vec<(String, String)>,
}

impl Seeds {
    fn new() -> Seeds {
        Seeds {
            markers: Vec::new(),
            files: Vec::new(),
        }
    }

    fn mark(&mut self, shape: &str, field: &str) -> String {
        let marker = marker(shape, field);
        self.markers.push(marker.clone());
        marker
    }

    fn file(&mut self, name: &str, text: String) {
        self.files.push((name.to_owned(), text));
    }
}

fn docker_config(seeds: &mut Seeds, shape: &str) -> String {
    let user = seeds.mark(shape, "user");
    let password = seeds.mark(shape, "password");
    let token = seeds.mark(shape, "identitytoken");
    let registry_token = seeds.mark(shape, "registrytoken");
    let auth = b64(&format!("{user}:{password}"));
    format!(
        r#"{{"auths":{{"us.icr.io":{{"username":"{user}","password":"{password}","auth":"{auth}","identitytoken":"{token}","registrytoken":"{registry_token}"}}}}}}"#
    )
}

fn secret(name: &str, secret_type: &str, body: &str) -> String {
    format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: apps\ntype: {secret_type}\n{body}")
}

fn seed() -> Seeds {
    let mut seeds = Seeds::new();
    let config = docker_config(&mut seeds, "A");
    let text = secret(
        "valid-data",
        "kubernetes.io/dockerconfigjson",
        &format!("data:\n  .dockerconfigjson: {}\n", b64(&config)),
    );
    seeds.file("valid-data.yaml", text);

    let config = docker_config(&mut seeds, "B");
    let text = secret(
        "valid-string",
        "kubernetes.io/dockerconfigjson",
        &format!("stringData:\n  .dockerconfigjson: '{config}'\n"),
    );
    seeds.file("valid-string.yaml", text);

    let user = seeds.mark("C", "user");
    let password = seeds.mark("C", "password");
    let cfg = format!(
        r#"{{"quay.io":{{"auth":"{}","email":"{user}@example.com"}}}}"#,
        b64(&format!("{user}:{password}"))
    );
    seeds.file(
        "dockercfg.yaml",
        secret(
            "old-style",
            "kubernetes.io/dockercfg",
            &format!("data:\n  .dockercfg: {}\n", b64(&cfg)),
        ),
    );

    let junk = seeds.mark("D", "payload");
    let text = secret(
        "bad-base64",
        "kubernetes.io/dockerconfigjson",
        &format!("data:\n  .dockerconfigjson: \"{junk}!!\"\n"),
    );
    seeds.file("bad-base64.yaml", text);

    let password = seeds.mark("E", "password");
    let text = secret(
        "bad-json",
        "kubernetes.io/dockerconfigjson",
        &format!("stringData:\n  .dockerconfigjson: '{{\"auths\": {{\"x\": {{\"password\": \"{password}\"'\n"),
    );
    seeds.file("bad-json.yaml", text);

    let password = seeds.mark("F", "password");
    let text = secret(
        "auths-string",
        "kubernetes.io/dockerconfigjson",
        &format!(
            "data:\n  .dockerconfigjson: {}\n",
            b64(&format!(r#"{{"auths":"{password}"}}"#))
        ),
    );
    seeds.file("auths-string.yaml", text);

    let password = seeds.mark("G", "password");
    let token = seeds.mark("G", "token");
    let text = secret(
        "opaque",
        "Opaque",
        &format!("stringData:\n  password: {password}\n  token: \"{token}\"\n"),
    );
    seeds.file("opaque.yaml", text);

    // Broken YAML right after a credential: the syntax error's snippet is beside it.
    let password = seeds.mark("H", "password");
    let text = secret(
        "torn",
        "Opaque",
        &format!("stringData:\n  password: {password}\n  other: [unclosed\n"),
    );
    seeds.file("torn.yaml", text);

    // A duplicate key whose two values are credentials.
    let first = seeds.mark("I", "first");
    let second = seeds.mark("I", "second");
    let text = secret(
        "dup",
        "Opaque",
        &format!("stringData:\n  password: {first}\n  password: {second}\n"),
    );
    seeds.file("dup.yaml", text);

    // JSON manifests, where credentials sit in a flow mapping on one line.
    let password = seeds.mark("J", "password");
    let text = format!(
        r#"{{"apiVersion": "v1", "kind": "Secret", "metadata": {{"name": "json", "namespace": "apps"}}, "type": "kubernetes.io/basic-auth", "stringData": {{"username": "u", "password": "{password}"}}, "data": {{"password": [1]}}}}"#
    );
    seeds.file("json-secret.json", text);

    // Pods that make every pull-secret rule look at those secrets.
    let pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: consumer, namespace: apps}\nspec:\n  imagePullSecrets: [{name: valid-data}, {name: bad-base64}, {name: opaque}, {name: valid-data}, {name: json}]\n  containers: [{name: a, image: \"quay.io/x/y:1\"}, {name: b, image: \"ghcr.io/x/y\"}]\n";
    seeds.file("pods.yaml", pods.to_owned());
    seeds
}

fn outputs(dir: &Path, args: &[&str]) -> String {
    let mut all = String::new();
    for format in ["human", "json", "sarif", "github"] {
        for color in ["always", "never"] {
            let output = Command::cargo_bin("pullcheck")
                .unwrap()
                .current_dir(dir)
                .args(["check", "--format", format, "--color", color])
                .args(args)
                .output()
                .unwrap();
            all.push_str(&String::from_utf8_lossy(&output.stdout));
            all.push_str(&String::from_utf8_lossy(&output.stderr));
        }
    }
    all
}

fn assert_no_marker(all: &str, markers: &[String]) {
    for marker in markers {
        for form in [
            marker.clone(),
            b64(marker),
            b64(marker).trim_end_matches('=').to_owned(),
        ] {
            assert!(!all.contains(&form), "{marker} leaked (as {form:?}):\n{all}");
        }
    }
}

#[test]
fn no_credential_reaches_any_output() {
    let seeds = seed();
    let dir = TempDir::new().unwrap();
    for (name, text) in &seeds.files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    std::fs::write(
        dir.path().join(".pullcheck.yaml"),
        "registries:\n  private: [\"quay.io\", \"ghcr.io\"]\n",
    )
    .unwrap();

    let all = outputs(dir.path(), &[]);
    // The secrets were looked at: otherwise this test would prove nothing.
    for rule in [
        "malformed-pull-secret",
        "wrong-pull-secret-type",
        "yaml-syntax",
        "duplicate-key",
        "invalid-pull-secret-ref",
    ] {
        assert!(
            all.contains(rule),
            "{rule} was not reported, so a path went untested:\n{all}"
        );
    }
    assert_no_marker(&all, &seeds.markers);

    // The language server, on each file alone and on all of them as one document.
    let mut documents = seeds.files.clone();
    let all_in_one = seeds.files.iter().map(|(_, t)| format!("---\n{t}\n")).collect();
    documents.push(("all.yaml".to_owned(), all_in_one));
    let all = support::lsp_session(dir.path(), &documents);
    for rule in [
        "malformed-pull-secret",
        "wrong-pull-secret-type",
        "yaml-syntax",
        "duplicate-key",
    ] {
        assert!(all.contains(rule), "the language server did not report {rule}:\n{all}");
    }
    assert_no_marker(&all, &seeds.markers);

    // The same secrets as an inventory file (Kubernetes manifests), and one that does not load.
    let inventory: String = seeds
        .files
        .iter()
        .filter(|(n, _)| n.ends_with(".yaml") && *n != "torn.yaml" && *n != "dup.yaml")
        .map(|(_, t)| format!("---\n{t}"))
        .collect();
    std::fs::write(dir.path().join("inventory.yaml"), inventory).unwrap();
    let all = outputs(dir.path(), &["--inventory", "inventory.yaml", "pods.yaml"]);
    assert_no_marker(&all, &seeds.markers);
    let torn = &seeds.files.iter().find(|(n, _)| n == "torn.yaml").unwrap().1;
    std::fs::write(dir.path().join("broken-inventory.yaml"), torn).unwrap();
    let all = outputs(dir.path(), &["--inventory", "broken-inventory.yaml", "pods.yaml"]);
    assert!(all.contains("invalid YAML"), "{all}");
    assert_no_marker(&all, &seeds.markers);

    // Standard input, and --output.
    let output = Command::cargo_bin("pullcheck")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "-", "--output", "report.sarif", "--format", "sarif"])
        .write_stdin(
            seeds
                .files
                .iter()
                .map(|(_, t)| format!("---\n{t}\n"))
                .collect::<String>(),
        )
        .output()
        .unwrap();
    let mut all = String::from_utf8_lossy(&output.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&output.stderr));
    all.push_str(&std::fs::read_to_string(dir.path().join("report.sarif")).unwrap());
    assert_no_marker(&all, &seeds.markers);

    // In the editor, the inventory that does not load is reported at the top of each document.
    std::fs::write(
        dir.path().join(".pullcheck.yaml"),
        "inventory: [inventory.yaml, broken-inventory.yaml]\n",
    )
    .unwrap();
    let all = support::lsp_session(dir.path(), &seeds.files[..1]);
    assert!(all.contains("the configuration cannot be used"), "{all}");
    assert!(all.contains("invalid YAML"), "{all}");
    assert_no_marker(&all, &seeds.markers);
}
