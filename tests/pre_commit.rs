//! pre-commit: the hooks that `.pre-commit-hooks.yaml` defines, run on a git repository the way
//! pre-commit runs them (from the repository's root, with the staged files as arguments), and
//! `pre-commit run` itself when pre-commit is installed (`.ci/run` installs it): the `language:
//! rust` hook that pre-commit builds, the `language: system` one that runs an installed binary,
//! and a local `language: python` hook that installs the wheel (pyproject.toml).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

mod support;
use support::write;

/// A hook of `.pre-commit-hooks.yaml`, with the keys pre-commit acts on.
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

fn hook_definition(id: &str) -> Hook {
    let text = std::fs::read_to_string(repository_root().join(".pre-commit-hooks.yaml")).unwrap();
    let stream = pullcheck::yaml::load(&text);
    assert!(stream.problems.is_empty(), "{:?}", stream.problems);
    let root = stream.documents().next().expect("a hook list");
    let hook = root
        .items()
        .find(|hook| hook.get("id").and_then(|hook_id| hook_id.as_str()) == Some(id))
        .unwrap_or_else(|| panic!("a hook with id `{id}`"));
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
        deployment("web", "", "ghcr.io/acme/web:1.0", "[{name: ghcr-pull}]"),
    );
    write(
        root,
        "deploy/apps/worker.yaml",
        deployment("worker", "builder", "quay.io/acme/worker:2.0", "[]"),
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
fn the_hook_definitions_are_what_pre_commit_needs() {
    for (id, language) in [("pullcheck", "rust"), ("pullcheck-system", "system")] {
        let hook = hook_definition(id);
        // rust: pre-commit builds it with cargo install; system: it runs the one on the PATH.
        assert_eq!(hook.language, language, "{id}");
        assert_eq!(hook.entry, "pullcheck check", "{id}");
        assert_eq!(hook.types_or, ["yaml", "json"], "{id}");
        assert!(
            hook.pass_filenames,
            "{id}: pullcheck checks the files pre-commit passes"
        );
        assert!(
            hook.require_serial,
            "{id}: one process for all files: pullcheck parallelises itself, and loads the inventory once"
        );
    }
}

#[test]
fn the_hook_checks_staged_files_against_the_whole_inventory() {
    let hook = hook_definition("pullcheck");
    let repository = shop_repository();
    let root = repository.path();
    let stdout = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();

    // Only the Deployment changes: its secret is declared in the inventory file, which is not
    // among the files passed.
    write(
        root,
        "deploy/apps/web.yaml",
        deployment("web", "", "ghcr.io/acme/web:1.1", "[{name: ghcr-pull}]"),
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
        deployment("worker", "builder", "quay.io/acme/worker:2.1", "[]"),
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
        deployment("worker", "builder", "ghcr.io/acme/worker:2.1", "[]"),
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
        deployment("worker", "", "ghcr.io/acme/worker:2.1", "[{name: ghcr-pul}]"),
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
        deployment("worker", "builder", "quay.io/acme/worker:2.1", "[]"),
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

/// The pre-commit executable: `PULLCHECK_PRE_COMMIT` names it (`.ci/run` sets it), else the one
/// `.ci/run` installs under target/, else one on the PATH.
fn pre_commit() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PULLCHECK_PRE_COMMIT").map(PathBuf::from),
        Some(repository_root().join("target/pre-commit-venv/bin/pre-commit")),
        Some(PathBuf::from("pre-commit")),
    ];
    candidates.into_iter().flatten().find(|candidate| {
        Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    })
}

/// The PATH, with `dir` first.
fn path_with(dir: &Path) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir.to_owned()).chain(std::env::split_paths(&path))).unwrap()
}

/// A `pre-commit` command for `repository`, with its cache in `home`.
fn pre_commit_command(executable: &Path, repository: &Path, home: &Path) -> Command {
    let mut command = Command::new(executable);
    command
        .current_dir(repository)
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("PRE_COMMIT_COLOR");
    command
}

/// Says why a test did not run, on the real standard error: the test harness captures `eprintln!`
/// of passing tests.
fn skip(test: &str, why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `pre-commit run --all-files`, and a commit refused, with the hook of `.pre-commit-hooks.yaml`
/// as a `repo: local` hook that runs the binary just built (`language: system`, so nothing is
/// installed; `the_hook_builds_with_cargo_install` tests `language: rust`).
#[test]
fn pre_commit_runs_the_hook_and_refuses_a_bad_commit() {
    let Some(executable) = pre_commit() else {
        skip(
            "pre_commit_runs_the_hook_and_refuses_a_bad_commit",
            "pre-commit is not installed (`python3 -m pip install pre-commit`; `bash .ci/run` installs it)",
        );
        return;
    };
    let hook = hook_definition("pullcheck");
    let repository = shop_repository();
    let root = repository.path();
    let home = TempDir::new().unwrap();
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_pullcheck")).parent().unwrap();
    let types: Vec<String> = hook.types_or.iter().map(|t| format!("\"{t}\"")).collect();
    write(
        root,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: pullcheck\n        name: pullcheck\n        language: system\n        entry: {}\n        types_or: [{}]\n        require_serial: {}\n        pass_filenames: {}\n",
            hook.entry,
            types.join(", "),
            hook.require_serial,
            hook.pass_filenames
        ),
    );
    git(root, &["add", ".pre-commit-config.yaml"]);
    git(root, &["commit", "--quiet", "-m", "pre-commit"]);
    let pre_commit = || {
        let mut command = pre_commit_command(&executable, root, home.path());
        command.env("PATH", path_with(binary_dir));
        command
    };

    let output = pre_commit().args(["run", "--all-files"]).output().unwrap();
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("pullcheck") && text.contains("Passed"), "{text}");

    // Installed as the git hook, it refuses a commit that adds a finding, and says which.
    let output = pre_commit().arg("install").output().unwrap();
    assert!(output.status.success(), "{}", output_text(&output));
    write(
        root,
        "deploy/apps/web.yaml",
        deployment("web", "", "ghcr.io/acme/web:1.2:rc1", "[{name: ghcr-pull}]"),
    );
    git(root, &["add", "deploy/apps/web.yaml"]);
    let commit = Command::new("git")
        .current_dir(root)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(["commit", "-m", "web 1.2"])
        .env("PRE_COMMIT_HOME", home.path())
        .env("PATH", path_with(binary_dir))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = output_text(&commit);
    assert!(!commit.status.success(), "the commit went through:\n{text}");
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("error[invalid-image-reference]"), "{text}");
    assert!(text.contains("deploy/apps/web.yaml:12:36"), "{text}");
    assert_eq!(git(root, &["log", "--format=%s", "-1"]).trim(), "pre-commit");
}

/// The shop with a web image that does not parse, left uncommitted (`--all-files` reads the files
/// as they are on disk): what each hook's first run below must find.
fn shop_with_a_bad_image() -> TempDir {
    let repository = shop_repository();
    write(
        repository.path(),
        "deploy/apps/web.yaml",
        deployment("web", "", "ghcr.io/acme/web:1.2:rc1", "[{name: ghcr-pull}]"),
    );
    repository
}

/// Runs `command`, a first `pre-commit` run (its cache empty, so the hook is installed first) on
/// `shop_with_a_bad_image`, and checks that the hook failed on the bad image alone, having checked
/// the other files against the inventory. Says how long the run took: the README's first-run times.
fn assert_first_run_finds_the_bad_image(test: &str, mut command: Command) {
    let start = std::time::Instant::now();
    let output = command.output().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let text = output_text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("error[invalid-image-reference]"), "{text}");
    assert!(text.contains("[deploy/apps/web.yaml:12:36]"), "{text}");
    assert!(text.contains("4 objects, 2 workloads: 1 error"), "{text}");
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{test}: first pre-commit run in {seconds:.1} s");
}

/// `pre-commit try-repo` of this repository's hook `id`: `repo: <this repository>` with its
/// current state (uncommitted changes too), as a user's `.pre-commit-config.yaml` would name it.
fn try_repo(executable: &Path, id: &str, repository: &Path, home: &Path) -> Command {
    assert!(
        repository_root().join(".git").exists(),
        "pre-commit clones the hook's repository: this must be a git checkout"
    );
    let mut command = pre_commit_command(executable, repository, home);
    command.arg("try-repo").arg(repository_root()).args([id, "--all-files"]);
    command
}

/// `language: rust`, as a user gets it: pre-commit clones this repository, builds the hook with
/// `cargo install` (a release build, minutes on two cores) and runs it. Only when
/// `PULLCHECK_TEST_PRE_COMMIT_RUST` is set, as `.ci/run` does.
#[test]
fn the_hook_builds_with_cargo_install() {
    if std::env::var_os("PULLCHECK_TEST_PRE_COMMIT_RUST").is_none() {
        skip(
            "the_hook_builds_with_cargo_install",
            "set PULLCHECK_TEST_PRE_COMMIT_RUST=1 to build the hook with cargo install as pre-commit \
             does (minutes; .ci/run sets it)",
        );
        return;
    }
    let executable = pre_commit().expect("PULLCHECK_TEST_PRE_COMMIT_RUST is set, but pre-commit is not installed");
    let repository = shop_with_a_bad_image();
    let home = TempDir::new().unwrap();
    let mut command = try_repo(&executable, "pullcheck", repository.path(), home.path());
    // Reused between runs (set PULLCHECK_PRE_COMMIT_CARGO_TARGET_DIR to another directory to time
    // a build from nothing); not the target directory this test was built in, which cargo may
    // hold locked.
    command.env(
        "CARGO_TARGET_DIR",
        std::env::var_os("PULLCHECK_PRE_COMMIT_CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-cargo-install")),
    );
    assert_first_run_finds_the_bad_image("the_hook_builds_with_cargo_install", command);
}

/// `pullcheck-system` (`language: system`): pre-commit installs nothing and runs the `pullcheck`
/// on the PATH, here the binary just built.
#[test]
fn the_system_hook_runs_the_installed_binary() {
    let Some(executable) = pre_commit() else {
        skip(
            "the_system_hook_runs_the_installed_binary",
            "pre-commit is not installed (`python3 -m pip install pre-commit`; `bash .ci/run` installs it)",
        );
        return;
    };
    let repository = shop_with_a_bad_image();
    let home = TempDir::new().unwrap();
    let mut command = try_repo(&executable, "pullcheck-system", repository.path(), home.path());
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_pullcheck")).parent().unwrap();
    command.env("PATH", path_with(binary_dir));
    assert_first_run_finds_the_bad_image("the_system_hook_runs_the_installed_binary", command);
}

/// The route without a compiler through pre-commit's own environments: a `repo: local` hook with
/// `language: python` whose `additional_dependencies` is the wheel (README, "Pre-commit"; there a
/// `pullcheck==VERSION` from PyPI, here the wheel file `PULLCHECK_TEST_WHEEL` names, which
/// `scripts/test-wheel.sh` builds). pre-commit runs with only the system's directories on the
/// PATH: no cargo, so nothing can be compiled.
#[test]
fn the_python_hook_installs_the_wheel() {
    let Some(wheel) = std::env::var_os("PULLCHECK_TEST_WHEEL").map(PathBuf::from) else {
        skip(
            "the_python_hook_installs_the_wheel",
            "set PULLCHECK_TEST_WHEEL to a wheel (`scripts/test-wheel.sh` builds one; .ci/run sets it)",
        );
        return;
    };
    assert!(
        wheel.is_file(),
        "PULLCHECK_TEST_WHEEL: no such file: {}",
        wheel.display()
    );
    let executable = pre_commit().expect("PULLCHECK_TEST_WHEEL is set, but pre-commit is not installed");
    let hook = hook_definition("pullcheck-system");
    let repository = shop_with_a_bad_image();
    let root = repository.path();
    let types: Vec<String> = hook.types_or.iter().map(|t| format!("\"{t}\"")).collect();
    write(
        root,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: pullcheck\n        name: pullcheck\n        language: python\n        additional_dependencies: [\"{}\"]\n        entry: {}\n        types_or: [{}]\n        require_serial: {}\n",
            wheel.display(),
            hook.entry,
            types.join(", "),
            hook.require_serial,
        ),
    );
    git(root, &["add", ".pre-commit-config.yaml"]);
    let home = TempDir::new().unwrap();
    let mut command = pre_commit_command(&executable, root, home.path());
    command.args(["run", "--all-files"]).env("PATH", "/usr/bin:/bin");
    assert_first_run_finds_the_bad_image("the_python_hook_installs_the_wheel", command);
}
