//! `pullcheck init`, `completions` and `man`, end to end: what they write, and that pullcheck
//! (or the shell, or man) can use it.

use std::path::Path;

use base64::Engine as _;
use serde_json::Value;
use tempfile::TempDir;

mod support;
use support::{pullcheck, write};

const PASSWORD: &str = "init-Sup3r-S3cret";

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A tree of manifests: a pull secret (with credentials) and a service account in `shop`, a pod
/// there that uses them; pods in `ops` and `batch` that use secrets that no manifest defines.
fn shop_tree() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let docker_config = format!(r#"{{"auths":{{"quay.io":{{"username":"robot","password":"{PASSWORD}"}}}}}}"#);
    let encoded = base64::engine::general_purpose::STANDARD.encode(docker_config);
    write(
        root,
        "deploy/access/pull.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: quay-pull, namespace: shop}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {encoded}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: builder, namespace: shop}}\nimagePullSecrets: [{{name: quay-pull}}]\n"
        ),
    );
    write(
        root,
        "deploy/apps/web.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: builder\n  containers: [{name: web, image: \"quay.io/acme/web:1.0\"}]\n",
    );
    // A service account whose secret is not among the manifests, and a pod that runs as it.
    write(
        root,
        "deploy/access/deployer.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer, namespace: ops}\nimagePullSecrets: [{name: icr-pull}]\n",
    );
    write(
        root,
        "deploy/apps/migrate.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: migrate, namespace: ops}\nspec:\n  serviceAccountName: deployer\n  containers: [{name: migrate, image: \"us.icr.io/acme/migrate:3\"}]\n",
    );
    write(
        root,
        "deploy/apps/report.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: report, namespace: batch}\nspec:\n  imagePullSecrets: [{name: regcred}]\n  containers: [{name: report, image: \"ghcr.io/acme/report:2.0\"}]\n",
    );
    dir
}

#[test]
fn init_writes_a_configuration_and_an_inventory_that_pullcheck_uses() {
    let tree = shop_tree();
    let root = tree.path();
    let output = pullcheck(root).arg("init").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let said = stdout(&output);
    assert!(
        said.contains("wrote .pullcheck.yaml (inventory: pullcheck-inventory.yaml; inventoryManifests: deploy/access)"),
        "{said}"
    );
    assert!(
        said.contains("wrote pullcheck-inventory.yaml: 1 namespace, 1 secret, 1 service account, from 5 files read"),
        "{said}"
    );
    assert!(
        said.contains("2 secrets or service accounts are used but not defined here"),
        "{said}"
    );
    // A declared namespace is complete: one that uses a name no manifest defines is not declared.
    assert!(
        said.contains("2 namespaces not declared, left as comments: batch, ops"),
        "{said}"
    );

    let config = read(root, ".pullcheck.yaml");
    let inventory = read(root, "pullcheck-inventory.yaml");
    assert!(config.contains("inventory: [pullcheck-inventory.yaml]\n"), "{config}");
    assert!(config.contains("inventoryManifests: [deploy/access]\n"), "{config}");
    assert!(
        config.contains("your pull secrets hold credentials for [quay.io]"),
        "{config}"
    );
    assert!(
        inventory.contains(
            "  shop:  # 1 workload\n    secrets:\n      - name: quay-pull  # deploy/access/pull.yaml\n        type: kubernetes.io/dockerconfigjson\n        registries: [quay.io]\n"
        ),
        "{inventory}"
    );
    // The secret of a service account, with the registries of the pods that run as it.
    assert!(
        inventory.contains("  # ops:  # 1 workload\n  #   secrets:\n  #     # - name: icr-pull  # used in deploy/access/deployer.yaml, not defined in these manifests\n  #     #   registries: [us.icr.io]  # those of the images that use it"),
        "{inventory}"
    );
    assert!(
        inventory.contains("    serviceAccounts:\n      - name: builder  # deploy/access/pull.yaml\n        imagePullSecrets: [quay-pull]\n")
            && inventory.contains("  #   serviceAccounts:\n  #     - name: deployer  # deploy/access/deployer.yaml\n  #       imagePullSecrets: [icr-pull]\n"),
        "{inventory}"
    );
    assert!(
        inventory.contains("  # Not declared, as it uses what no manifest here defines: add that, then uncomment batch.\n  # batch:  # 1 workload\n  #   secrets:\n  #     # - name: regcred  # used in deploy/apps/report.yaml, not defined in these manifests\n  #     #   registries: [ghcr.io]"),
        "{inventory}"
    );
    // Names, types and registry keys only.
    for text in [&config, &inventory, &said] {
        assert!(!text.contains(PASSWORD) && !text.contains("robot"), "{text}");
    }

    // pullcheck reads both, and the first check reports nothing that the inventory made up: the
    // secrets that no manifest defines are not declared missing, since their namespaces are not
    // declared; the builder account's secret covers the web pod.
    let check = |args: &[&str]| -> Value {
        let output = pullcheck(root)
            .args(["check", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
    };
    let report = check(&[]);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{inventory}\n{report:#}");

    // Filled in and uncommented, the namespaces left as comments are valid inventory entries, and
    // declared complete they find nothing either.
    let filled: String = inventory
        .lines()
        .filter(|line| !line.starts_with("  # Not declared"))
        .map(|line| {
            let line = line
                .strip_prefix("  # ")
                .map_or_else(|| line.to_owned(), |rest| format!("  {rest}"));
            line.replace("      # - name: ", "      - name: ")
                .replace("      #   registries: ", "        registries: ")
                + "\n"
        })
        .collect();
    write(root, "pullcheck-inventory.yaml", &filled);
    let report = check(&[]);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{filled}");
    assert_eq!(report["summary"]["namespacesWithoutInventory"], serde_json::json!([]));

    // A changed pod is checked against the access manifests, as pre-commit would run it.
    let report = check(&["deploy/apps/web.yaml"]);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn init_does_not_overwrite_unless_forced() {
    let tree = shop_tree();
    let root = tree.path();
    write(root, ".pullcheck.yaml", "defaultNamespace: mine\n");
    let output = pullcheck(root).arg("init").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("`.pullcheck.yaml` already exists; `pullcheck init --force` overwrites it")
    );
    assert_eq!(read(root, ".pullcheck.yaml"), "defaultNamespace: mine\n");
    assert!(!root.join("pullcheck-inventory.yaml").exists());

    // An inventory of that name is not overwritten either.
    std::fs::remove_file(root.join(".pullcheck.yaml")).unwrap();
    write(root, "pullcheck-inventory.yaml", "namespaces: {}\n");
    pullcheck(root).arg("init").assert().code(2);
    assert!(!root.join(".pullcheck.yaml").exists());

    pullcheck(root).args(["init", "--force"]).assert().code(0);
    assert!(read(root, "pullcheck-inventory.yaml").contains("quay-pull"));
    assert!(read(root, ".pullcheck.yaml").contains("defaultNamespace: default"));
}

#[test]
fn init_in_an_empty_directory_writes_a_usable_starter() {
    let dir = TempDir::new().unwrap();
    let output = pullcheck(dir.path()).arg("init").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("0 namespaces, 0 secrets, 0 service accounts, from 0 files read"));
    assert!(read(dir.path(), ".pullcheck.yaml").contains("inventoryManifests: []"));
    assert!(read(dir.path(), "pullcheck-inventory.yaml").contains("\nnamespaces: {}\n"));
    let output = pullcheck(dir.path()).arg("check").output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The inventory is a YAML file of the tree, but not a Kubernetes object.
    let said = stdout(&output);
    assert!(
        said.contains("checked 1 file, 0 objects, 0 workloads: no problems found"),
        "{said}"
    );
}

#[test]
fn bash_completes_commands_and_options() {
    let dir = TempDir::new().unwrap();
    let output = pullcheck(dir.path()).args(["completions", "bash"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let script = dir.path().join("pullcheck.bash");
    std::fs::write(&script, &output.stdout).unwrap();
    // What bash offers after `pullcheck ` and after `pullcheck check --fail-on `.
    let complete = |words: &str| -> String {
        let program = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _pullcheck pullcheck \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[*]}}\"",
            script.display()
        );
        let output = std::process::Command::new("bash")
            .args(["--norc", "-c", &program])
            .output()
            .expect("bash runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        stdout(&output)
    };
    let commands = complete("pullcheck ''");
    for command in ["check", "rules", "explain", "init", "completions", "man"] {
        assert!(
            commands.split_whitespace().any(|w| w == command),
            "{command}: {commands}"
        );
    }
    assert_eq!(
        complete("pullcheck check --fail-on ''")
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["error", "warning", "info", "never"]
    );
    assert!(complete("pullcheck check --fo").contains("--format"));

    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let output = pullcheck(dir.path()).args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert!(stdout(&output).contains("fail-on"), "{shell}");
    }
    pullcheck(dir.path()).args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_pages_document_every_command() {
    let dir = TempDir::new().unwrap();
    let page = |args: &[&str]| {
        let output = pullcheck(dir.path()).arg("man").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        stdout(&output)
    };
    let main = page(&[]);
    assert!(main.contains(".TH pullcheck 1 "), "{main}");
    for command in ["check", "rules", "explain", "init", "completions", "man"] {
        assert!(main.contains(&format!("pullcheck\\-{command}(1)")), "{command}: {main}");
    }
    let check = page(&["check"]);
    assert!(check.contains(".TH pullcheck-check 1 "), "{check}");
    assert!(check.contains("\\fB\\-\\-fail\\-on\\fR"), "{check}");
    assert!(check.contains("\"pullcheck 0.1.0\""), "{check}");
    pullcheck(dir.path()).args(["man", "nope"]).assert().code(2);

    // Every page, written to a directory.
    let output = pullcheck(dir.path()).args(["man", "--dir", "man1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("man1"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "pullcheck-baseline.1",
            "pullcheck-check.1",
            "pullcheck-completions.1",
            "pullcheck-explain.1",
            "pullcheck-init.1",
            "pullcheck-inventory.1",
            "pullcheck-lsp.1",
            "pullcheck-man.1",
            "pullcheck-rules.1",
            "pullcheck.1"
        ]
    );
    assert_eq!(read(&dir.path().join("man1"), "pullcheck-check.1"), check);

    // groff, where installed, formats them without a warning.
    let formatted = std::process::Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(dir.path().join("man1/pullcheck-check.1"))
        .output();
    match formatted {
        Ok(output) => {
            assert!(output.status.success());
            assert_eq!(String::from_utf8_lossy(&output.stderr), "", "groff warned");
        }
        Err(_) => {
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "groff is not installed: the man pages were not formatted"
            );
        }
    }
}
