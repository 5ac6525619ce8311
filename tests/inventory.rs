//! Inventory files end to end: which files are inventories and which are mistakes (each an error
//! at its place, labelled "invalid inventory"), what two files declaring the same thing mean, and
//! the namespace names a configuration, an inventory or `--namespace` may give.

use std::path::Path;
use std::process::Output;

use tempfile::TempDir;

mod support;
use support::{pullcheck, write};

/// A pod in `apps` that pulls from `r.io` with the secret `pull`.
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  imagePullSecrets: [{name: pull}]\n  containers: [{name: c, image: \"r.io/app:1.0\"}]\n";

fn check(dir: &Path, inventories: &[&str]) -> Output {
    let mut command = pullcheck(dir);
    command.args(["check", "--config", "/dev/null", "pod.yaml"]);
    for inventory in inventories {
        command.args(["--inventory", inventory]);
    }
    command.output().unwrap()
}

fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_file_that_is_no_inventory_is_an_error_at_its_place() {
    for (text, message, at) in [
        ("- apps\n- batch\n", "found a list", "inv.yaml:1:1"),
        ("just some text\n", "found a string", "inv.yaml:1:1"),
        ("namespace:\n  apps: {}\n", "unknown key \"namespace\"", "inv.yaml:1:1"),
        (
            "namespaces:\n  apps: {}\nsecrets: []\n",
            "unknown key \"secrets\"",
            "inv.yaml:3:1",
        ),
        (
            "namespaces:\n  apps: {}\n---\nnamespaces:\n  batch: {}\n",
            "must be a single YAML document",
            "inv.yaml:4:1",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n",
            "holds no Secret or ServiceAccount",
            "inv.yaml:1:1",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: pull, namespace: apps}\n---\n- stray\n",
            "or a Kubernetes object",
            "inv.yaml:5:1",
        ),
        (
            "namespaces:\n  Bad_NS: {}\n",
            "\"Bad_NS\" is not a valid namespace name",
            "inv.yaml:2:3",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: pull, namespace: Apps}\n",
            "\"Apps\" is not a valid namespace name",
            "inv.yaml:3:18",
        ),
    ] {
        let dir = TempDir::new().unwrap();
        write(dir.path(), "pod.yaml", POD);
        write(dir.path(), "inv.yaml", text);
        let output = check(dir.path(), &["inv.yaml"]);
        let stderr = err(&output);
        assert_eq!(output.status.code(), Some(2), "{text:?}: {stderr}");
        assert!(stderr.contains("invalid inventory"), "{text:?}: {stderr}");
        assert!(!stderr.contains("invalid configuration"), "{text:?}: {stderr}");
        assert!(stderr.contains(message), "{text:?}: {stderr}");
        assert!(stderr.contains(at), "{text:?}: wanted {at} in {stderr}");
    }
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pod.yaml", POD);
    write(dir.path(), "inv.yaml", "namespace:\n  apps: {}\n");
    let stderr = err(&check(dir.path(), &["inv.yaml"]));
    assert!(stderr.contains("did you mean `namespaces`?"), "{stderr}");
    write(dir.path(), "inv.yaml", "namespaces:\n  apps:\n    serviceAccount: []\n");
    let stderr = err(&check(dir.path(), &["inv.yaml"]));
    assert!(stderr.contains("did you mean `serviceAccounts`?"), "{stderr}");
}

#[test]
fn inventories_in_either_format_are_read_and_comments_alone_declare_nothing() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pod.yaml", POD);
    write(dir.path(), "empty.yaml", "# filled in later\n");
    write(
        dir.path(),
        "own.yaml",
        "namespaces:\n  apps:\n    secrets: [{name: pull, registries: [r.io]}]\n",
    );
    write(
        dir.path(),
        "objects.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: builder, namespace: apps}\n",
    );
    let output = check(dir.path(), &["empty.yaml", "own.yaml", "objects.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), err(&output));
    // The empty file declared nothing: without the others, `apps` is unknown and nothing is said.
    let output = check(dir.path(), &["empty.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    // `apps` declared without the secret: the pod's secret does not exist.
    write(dir.path(), "bare.yaml", "namespaces:\n  apps: {}\n");
    let output = check(dir.path(), &["bare.yaml"]);
    assert_eq!(output.status.code(), Some(1), "{}", err(&output));
    assert!(stdout(&output).contains("unknown-pull-secret"), "{}", stdout(&output));
}

#[test]
fn the_same_secret_declared_differently_is_an_error_naming_both_places_in_any_order() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pod.yaml", POD);
    write(
        dir.path(),
        "a.yaml",
        "namespaces:\n  apps:\n    secrets: [{name: pull, registries: [r.io]}]\n",
    );
    write(
        dir.path(),
        "b.yaml",
        "namespaces:\n  apps:\n    secrets:\n      - name: pull\n        registries: [other.io]\n",
    );
    for order in [["a.yaml", "b.yaml"], ["b.yaml", "a.yaml"]] {
        let output = check(dir.path(), &order);
        let stderr = err(&output);
        assert_eq!(output.status.code(), Some(2), "{order:?}: {stderr}");
        assert!(stderr.contains("invalid inventory"), "{stderr}");
        assert!(
            stderr.contains("secret \"pull\" in namespace \"apps\" is also declared at"),
            "{stderr}"
        );
        // One place is where the error points, the other is named in its message.
        assert!(
            stderr.contains("a.yaml:3:22") && stderr.contains("b.yaml:4:15"),
            "{order:?}: {stderr}"
        );
    }
    // Alike (registries in another order, the default type written out) is fine.
    write(
        dir.path(),
        "a.yaml",
        "namespaces:\n  apps:\n    secrets: [{name: pull, registries: [r.io, q.io]}]\n",
    );
    write(
        dir.path(),
        "b.yaml",
        "namespaces:\n  apps:\n    secrets: [{name: pull, type: kubernetes.io/dockerconfigjson, registries: [q.io, r.io]}]\n",
    );
    let output = check(dir.path(), &["a.yaml", "b.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), err(&output));
}

#[test]
fn the_same_service_account_declared_differently_is_an_error() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pod.yaml", POD);
    write(
        dir.path(),
        "a.yaml",
        "namespaces:\n  apps:\n    serviceAccounts: [{name: builder, imagePullSecrets: [pull]}]\n",
    );
    write(
        dir.path(),
        "b.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: apps}\n",
    );
    let output = check(dir.path(), &["b.yaml", "a.yaml"]);
    let stderr = err(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("service account \"builder\" in namespace \"apps\" is also declared at"),
        "{stderr}"
    );
}

#[test]
fn namespace_names_are_kubernetes_names() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "pod.yaml", POD);
    write(dir.path(), ".pullcheck.yaml", "defaultNamespace: 'Bad_NS!'\n");
    let output = pullcheck(dir.path()).args(["check", "pod.yaml"]).output().unwrap();
    let stderr = err(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("invalid configuration"), "{stderr}");
    assert!(stderr.contains("\"Bad_NS!\" is not a valid namespace name"), "{stderr}");
    assert!(stderr.contains(".pullcheck.yaml:1:19"), "{stderr}");

    let too_long = "a".repeat(64);
    for bad in ["Bad_NS", "-apps", "apps-", "", too_long.as_str()] {
        let output = pullcheck(dir.path())
            .args([
                "check",
                "--config",
                "/dev/null",
                &format!("--namespace={bad}"),
                "pod.yaml",
            ])
            .output()
            .unwrap();
        let stderr = err(&output);
        assert_eq!(output.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains("--namespace"), "{bad:?}: {stderr}");
        assert!(stderr.contains("not a valid namespace name"), "{bad:?}: {stderr}");
    }
    let output = pullcheck(dir.path())
        .args([
            "check",
            "--config",
            "/dev/null",
            "--namespace",
            "kube-system-2",
            "pod.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
}

/// A large inventory (generated here, 20,000 namespaces) is looked up by namespace and name.
#[test]
fn a_large_inventory_is_looked_up_exactly() {
    let dir = TempDir::new().unwrap();
    let mut inventory = String::from("namespaces:\n");
    for i in 0..20_000 {
        inventory.push_str(&format!(
            "  ns-{i}:\n    secrets: [{{name: pull-{i}, registries: [r.io]}}]\n"
        ));
    }
    write(dir.path(), "inv.yaml", inventory);
    let pod = |namespace: &str, secret: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {namespace}}}\nspec:\n  imagePullSecrets: [{{name: {secret}}}]\n  containers: [{{name: c, image: \"r.io/app:1.0\"}}]\n"
        )
    };
    write(dir.path(), "pod.yaml", pod("ns-12345", "pull-12345"));
    let output = check(dir.path(), &["inv.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), err(&output));
    write(dir.path(), "pod.yaml", pod("ns-12345", "pull-4321"));
    let output = check(dir.path(), &["inv.yaml"]);
    let stdout = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("unknown-pull-secret") && stdout.contains("ns-4321"),
        "{stdout}"
    );
}
