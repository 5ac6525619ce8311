//! pre-commit: the hook that `.pre-commit-hooks.yaml` defines, run on a git repository the way
//! pre-commit runs it (from the repository's root, with the staged files as arguments), and
//! `pre-commit run` itself when pre-commit is installed (`.ci/run` installs it).

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

/// The `pullcheck` hook of `.pre-commit-hooks.yaml`, with the keys pre-commit acts on.
#[derive(Debug)]
struct Hook {
    entry: String,
    language: String,
    types_or: Vec<String>,
    require_serial: bool,
    pass_filenames: bool,
}

fn repository_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn hook_definition() -> Hook {
    let text = std::fs::read_to_string(repository_root().join(".pre-commit-hooks.yaml")).unwrap();
    let stream = pullcheck::yaml::load(&text);
    assert!(stream.problems.is_empty(), "{:?}", stream.problems);
    let root = stream.documents().next().expect("a hook list");
    let hook = root
        .items()
        .find(|hook| hook.get("id").and_then(|id| id.as_str()) == Some("pullcheck"))
        .expect("a hook with id `pullcheck`");
    let string = |key: &str| hook.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let flag = |key: &str| hook.get(key).and_then(|v| v.scalar()).map(|v| v == "true");
    for required in ["name", "entry", "language"] {
        assert!(string(required).is_some(), "the hook has no {required}");
    }
    Hook {
        entry: string("entry").unwrap(),
        language: string("language").unwrap(),
        types_or: hook
            .get("types_or")
            .into_iter()
            .flat_map(|list| list.items())
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        require_serial: flag("require_serial").unwrap_or(false),
        pass_filenames: flag("pass_filenames").unwrap_or(true),
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository of a shop: a declared inventory for namespace `shop` (the `ghcr-pull` secret), and
/// among the manifests a ServiceAccount `builder` and its Secret `quay-pull`, which
/// `inventoryManifests` makes known whichever files are checked.
fn shop_repository() -> TempDir {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    git(root, &["init", "--quiet"]);
    write(
        root,
        ".pullcheck.yaml",
        "registries:\n  private: [ghcr.io, quay.io]\ninventory: [cluster/inventory.yaml]\ninventoryManifests: [deploy/access]\n",
    );
    write(
        root,
        "cluster/inventory.yaml",
        "namespaces:\n  shop:\n    secrets:\n      - name: ghcr-pull\n        registries: [ghcr.io]\n",
    );
    write(
        root,
        "deploy/access/builder.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: shop}\nimagePullSecrets: [{name: quay-pull}]\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: quay-pull, namespace: shop}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\": {\"quay.io\": {}}}'\n",
    );
    write(
        root,
        "deploy/apps/web.yaml",
        &deployment("web", "", "ghcr.io/acme/web:1.0", "[{name: ghcr-pull}]"),
    );
    write(
        root,
        "deploy/apps/worker.yaml",
        &deployment("worker", "builder", "quay.io/acme/worker:2.0", "[]"),
    );
    write(root, "README.md", "# shop\n");
    git(root, &["add", "."]);
    git(root, &["commit", "--quiet", "-m", "shop"]);
    dir
}

fn deployment(name: &str, service_account: &str, image: &str, pull_secrets: &str) -> String {
    let service_account = if service_account.is_empty() {
        String::new()
    } else {
        format!("      serviceAccountName: {service_account}\n")
    };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{service_account}      imagePullSecrets: {pull_secrets}\n      containers:\n      - name: app\n        image: {image}\n"
    )
}

/// Runs the hook as pre-commit would on the staged files: the entry's command, with the staged
/// files that `types_or` selects as arguments, from the repository's root.
fn run_hook(hook: &Hook, repository: &Path) -> (Vec<String>, Output) {
    let staged = git(repository, &["diff", "--staged", "--name-only", "--diff-filter=ACMRT"]);
    let files: Vec<String> = staged
        .lines()
        .filter(|file| {
            let extension = Path::new(file).extension().and_then(|e| e.to_str()).unwrap_or("");
            // pre-commit's `identify` tags .yaml and .yml as yaml, .json as json.
            hook.types_or.iter().any(|tag| match tag.as_str() {
                "yaml" => matches!(extension, "yaml" | "yml"),
                "json" => extension == "json",
                other => panic!("a type this test does not model: {other}"),
            })
        })
        .map(str::to_owned)
        .collect();
    let mut words = hook.entry.split_whitespace();
    assert_eq!(words.next(), Some("pullcheck"), "the entry runs the installed binary");
    let output = Command::new(env!("CARGO_BIN_EXE_pullcheck"))
        .current_dir(repository)
        .env("NO_COLOR", "1")
        .args(words)
        .args(&files)
        .output()
        .unwrap();
    (files, output)
}

#[test]
fn the_hook_definition_is_what_pre_commit_needs() {
    let hook = hook_definition();
    assert_eq!(hook.language, "rust", "pre-commit builds it with cargo install");
    assert_eq!(hook.entry, "pullcheck check");
    assert_eq!(hook.types_or, ["yaml", "json"]);
    assert!(hook.pass_filenames, "pullcheck checks the files pre-commit passes");
    assert!(
        hook.require_serial,
        "one process for all files: pullcheck parallelises itself, and loads the inventory once"
    );
}

#[test]
fn the_hook_checks_staged_files_against_the_whole_inventory() {
    let hook = hook_definition();
    let repository = shop_repository();
    let root = repository.path();
    let stdout = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();

    // Only the Deployment changes: its secret is declared in the inventory file, which is not
    // among the files passed.
    write(
        root,
        "deploy/apps/web.yaml",
        &deployment("web", "", "ghcr.io/acme/web:1.1", "[{name: ghcr-pull}]"),
    );
    git(root, &["add", "deploy/apps/web.yaml"]);
    let (files, output) = run_hook(&hook, root);
    assert_eq!(files, ["deploy/apps/web.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("checked 1 file, 1 object, 1 workload: no problems found"));
    git(root, &["commit", "--quiet", "-m", "web 1.1"]);

    // The worker runs as `builder`, whose ServiceAccount and Secret are manifests elsewhere in the
    // repository, outside the files passed: `inventoryManifests` makes them known.
    write(
        root,
        "deploy/apps/worker.yaml",
        &deployment("worker", "builder", "quay.io/acme/worker:2.1", "[]"),
    );
    git(root, &["add", "deploy/apps/worker.yaml"]);
    let (files, output) = run_hook(&hook, root);
    assert_eq!(files, ["deploy/apps/worker.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("no problems found"), "{}", stdout(&output));

    // The same change is judged against those manifests: builder's secret holds no ghcr.io key.
    write(
        root,
        "deploy/apps/worker.yaml",
        &deployment("worker", "builder", "ghcr.io/acme/worker:2.1", "[]"),
    );
    git(root, &["add", "deploy/apps/worker.yaml"]);
    let (_, output) = run_hook(&hook, root);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report = stdout(&output);
    assert!(report.contains("error[pull-secret-registry-mismatch]"), "{report}");
    assert!(report.contains("[deploy/apps/worker.yaml:13:16]"), "{report}");

    // A typo in a secret name, with the declared one pointed at by its path in the repository.
    write(
        root,
        "deploy/apps/worker.yaml",
        &deployment("worker", "", "ghcr.io/acme/worker:2.1", "[{name: ghcr-pul}]"),
    );
    git(root, &["add", "deploy/apps/worker.yaml"]);
    let (_, output) = run_hook(&hook, root);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report = stdout(&output);
    assert!(report.contains("error[unknown-pull-secret]"), "{report}");
    assert!(
        report.contains("secret \"ghcr-pul\" does not exist in namespace \"shop\""),
        "{report}"
    );

    // Without `inventoryManifests`, only the files passed are scanned: builder is unknown.
    write(
        root,
        "deploy/apps/worker.yaml",
        &deployment("worker", "builder", "quay.io/acme/worker:2.1", "[]"),
    );
    write(
        root,
        ".pullcheck.yaml",
        "registries:\n  private: [ghcr.io, quay.io]\ninventory: [cluster/inventory.yaml]\n",
    );
    git(root, &["add", "deploy/apps/worker.yaml"]);
    let (_, output) = run_hook(&hook, root);
    assert!(
        stdout(&output).contains("warning[unknown-service-account]: service account \"builder\" does not exist"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn inventory_manifests_that_do_not_exist_stop_the_run() {
    let repository = shop_repository();
    let root = repository.path();
    write(root, ".pullcheck.yaml", "inventoryManifests: [deploy/acess]\n");
    let output = Command::new(env!("CARGO_BIN_EXE_pullcheck"))
        .current_dir(root.join("deploy"))
        .args(["check", "apps/web.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("inventoryManifests of `../.pullcheck.yaml`: ../deploy/acess: no such file or directory"),
        "{stderr}"
    );
}
