//! Credentials never leave pullcheck, whatever YAML or JSON spelling holds them: Secrets and
//! credential keys are generated in every form that masking must read by meaning (JSON pretty and
//! on one line, a quoted `"data"` key, an anchor, a tag, an explicit `? data`, a multi-line flow
//! `stringData`, an escaped kind, an alias, a `List`; flow maps, escaped key names, block and folded
//! values, environment variables, flags; documents that do not load; inventory errors), with unique
//! marker values written plain, in base64 and in base64 of base64. Every finding sits on or beside
//! a marker, and no form of any marker may appear in any output format, the baseline file, the
//! files `pullcheck init` writes, or the language server's messages.

use std::path::Path;

use assert_cmd::Command;
use base64::Engine as _;
use tempfile::TempDir;

mod support;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// How a marker is written in a file.
#[derive(Clone, Copy)]
enum Encoding {
    Plain,
    Base64,
    Base64Twice,
}

/// The markers seeded so far, and every form in which one could leak.
#[derive(Default)]
struct Markers {
    next: usize,
    forms: Vec<String>,
}

impl Markers {
    /// A new marker, written in `encoding`: what to put in the file.
    fn value(&mut self, encoding: Encoding) -> String {
        self.next += 1;
        let marker = format!("LEAK{:03}MRK", self.next);
        let once = b64(&marker);
        let twice = b64(&once);
        for form in [&marker, &once, &twice] {
            self.forms.push(form.clone());
            self.forms.push(form.trim_end_matches('=').to_owned());
        }
        match encoding {
            Encoding::Plain => marker,
            Encoding::Base64 => once,
            Encoding::Base64Twice => twice,
        }
    }

    fn assert_absent(&self, output: &str, what: &str) {
        for form in &self.forms {
            assert!(!output.contains(form.as_str()), "{form} leaked in {what}:\n{output}");
        }
    }
}

/// The files to check: Secrets in each spelling, and workloads with credential keys beside the
/// lines their findings point at, for one encoding of the markers.
fn files(markers: &mut Markers, encoding: Encoding) -> Vec<(String, String)> {
    let mut v = || markers.value(encoding);
    let mut files = Vec::new();
    let head = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: apps}}\ntype: kubernetes.io/dockerconfigjson\n"
        )
    };
    // Each `.dockerconfigjson` is not a docker config, so `malformed-pull-secret` points at it.
    files.push((
        "block.yaml",
        format!(
            "{}data:\n  .dockerconfigjson: {}\n  password: {}\n",
            head("block"),
            v(),
            v()
        ),
    ));
    let json = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "json", "namespace": "apps"},
        "data": {".dockerconfigjson": v(), "token": v()},
        "stringData": {"username": v(), "password": v()},
    });
    files.push(("pretty.json", serde_json::to_string_pretty(&json).unwrap()));
    let mut one_line = json.clone();
    one_line["metadata"]["name"] = "one-line".into();
    one_line["data"][".dockerconfigjson"] = v().into();
    one_line["data"]["token"] = v().into();
    files.push(("one-line.json", one_line.to_string()));
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [{
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "listed", "namespace": "apps"},
        "data": {".dockerconfigjson": v(), "auth": v()},
    }]});
    files.push(("list.json", serde_json::to_string_pretty(&list).unwrap()));
    files.push((
        "quoted-key.yaml",
        format!(
            "{}\"data\":\n  .dockerconfigjson: {}\n  other: {}\n",
            head("quoted"),
            v(),
            v()
        ),
    ));
    files.push((
        "anchor.yaml",
        format!(
            "{}data: &payload\n  .dockerconfigjson: {}\n  other: {}\n",
            head("anchor"),
            v(),
            v()
        ),
    ));
    files.push((
        "tag.yaml",
        format!(
            "{}data: !!map\n  .dockerconfigjson: {}\n  other: {}\n",
            head("tag"),
            v(),
            v()
        ),
    ));
    files.push((
        "explicit-key.yaml",
        format!(
            "{}? data\n: .dockerconfigjson: {}\n  other: {}\n",
            head("explicit"),
            v(),
            v()
        ),
    ));
    files.push((
        "flow.yaml",
        format!(
            "{}stringData: {{\n  .dockerconfigjson: \"{}\",\n  other: {},\n  more: \"{}\n    {}\"\n}}\n",
            head("flow"),
            v(),
            v(),
            v(),
            v()
        ),
    ));
    files.push((
        "escaped-kind.yaml",
        format!(
            "apiVersion: v1\nkind: \"Secr\\x65t\"\nmetadata: {{name: escaped, namespace: apps}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n  other: {}\n",
            v(),
            v()
        ),
    ));
    files.push((
        "alias.yaml",
        format!(
            "x-payload: &p\n  .dockerconfigjson: {}\n  other: {}\n{}data: *p\n",
            v(),
            v(),
            head("alias")
        ),
    ));
    // Credential keys outside Secrets, each on the line after an image that has a finding.
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: app, namespace: apps}}\nspec:\n  containers:\n  - {{name: one, image: nginx, env: [{{name: DB_PASSWORD, value: {}}}], args: [\"--password={}\", \"--token\", \"{}\"]}}\n  - name: two\n    image: nginx\n    credentials: {{user: {}, password: {}}}\n  - name: three\n    image: nginx\n    extra: [{{name: y, apiKey: {}}}]\n  - name: four\n    image: nginx\n    \"pass\\u0077ord\": {}\n  - name: five\n    image: nginx\n    env: [{{name: GITHUB_TOKEN, value: {}}}, {{name: AWS_SECRET_ACCESS_KEY, value: {}}}]\n  - name: six\n    image: nginx\n    command: [sh, -c, \"login --password {} && curl https://me:{}@example.com\"]\n",
        v(),
        v(),
        v(),
        v(),
        v(),
        v(),
        v(),
        v(),
        v(),
        v(),
        v()
    );
    files.push(("pod.yaml", pod));
    // Values over several lines, each beside a duplicate key: its two labels show the lines
    // around both.
    files.push((
        "multi-line.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: apps}}\nsettings:\n  token: |\n    {}\n    {}\n  token: x\n  password: \"{}\n    {}\"\n  password: y\n",
            v(),
            v(),
            v(),
            v()
        ),
    ));
    // Documents that do not load: the syntax error is on the line after a credential.
    files.push((
        "torn.yaml",
        format!(
            "{}stringData:\n  password: {}\n  other: [unclosed {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: after, namespace: apps}}\nspec:\n  containers: [{{name: a, image: nginx}}]\n",
            head("torn"),
            v(),
            v()
        ),
    ));
    files.push((
        "torn-escaped.yaml",
        format!("kind: \"Secr\\x65t\"\ndata:\n  k: {}\n  - {}\n", v(), v()),
    ));
    // A pod that uses every secret, so each is read and checked.
    files.push((
        "consumer.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: consumer, namespace: apps}\nspec:\n  imagePullSecrets: [{name: block}, {name: json}, {name: one-line}, {name: listed}, {name: quoted}, {name: anchor}, {name: tag}, {name: explicit}, {name: flow}, {name: escaped}, {name: alias}]\n  containers: [{name: a, image: \"quay.io/x/y:1\"}]\n".to_owned(),
    ));
    files.into_iter().map(|(name, text)| (name.to_owned(), text)).collect()
}

/// How many Secrets in [`files`] have a malformed payload.
const MALFORMED: usize = 11;

fn run(dir: &Path, args: &[&str], stdin: Option<String>) -> (String, Option<i32>) {
    let mut command = Command::cargo_bin("pullcheck").unwrap();
    command.current_dir(dir).args(args);
    if let Some(stdin) = stdin {
        command.write_stdin(stdin);
    }
    let output = command.output().unwrap();
    let mut all = String::from_utf8_lossy(&output.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&output.stderr));
    (all, output.status.code())
}

fn write(dir: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn check_everywhere(encoding: Encoding) {
    let mut markers = Markers::default();
    let files = files(&mut markers, encoding);
    let dir = TempDir::new().unwrap();
    write(dir.path(), &files);

    // `init` first, while there is no configuration: the files it writes, and what it prints.
    let (printed, code) = run(dir.path(), &["init"], None);
    assert_eq!(code, Some(0), "{printed}");
    let config = std::fs::read_to_string(dir.path().join(".pullcheck.yaml")).unwrap();
    let inventory = std::fs::read_to_string(dir.path().join("pullcheck-inventory.yaml")).unwrap();
    assert!(
        inventory.contains("block"),
        "init did not list the secrets:\n{inventory}"
    );
    markers.assert_absent(&format!("{printed}{config}{inventory}"), "init");
    std::fs::remove_file(dir.path().join(".pullcheck.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("pullcheck-inventory.yaml")).unwrap();

    for format in ["human", "json", "sarif", "github"] {
        for color in ["always", "never"] {
            let (all, code) = run(dir.path(), &["check", "--format", format, "--color", color], None);
            assert_eq!(code, Some(1), "{all}");
            markers.assert_absent(&all, &format!("--format {format} --color {color}"));
            if format == "human" && color == "never" {
                // The findings are there, on and beside the markers: otherwise nothing was tested.
                assert_eq!(all.matches("malformed-pull-secret]").count(), MALFORMED, "{all}");
                for rule in ["duplicate-key]", "yaml-syntax]", "missing-image-tag]"] {
                    assert!(all.contains(rule), "no {rule} finding:\n{all}");
                }
                assert!(all.contains("password: ***"), "{all}");
            }
        }
    }

    let (all, code) = run(dir.path(), &["baseline", "baseline.json"], None);
    assert_eq!(code, Some(0), "{all}");
    let baseline = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(baseline.contains("malformed-pull-secret"), "{baseline}");
    markers.assert_absent(&format!("{all}{baseline}"), "the baseline");

    let all = support::lsp_session(dir.path(), &files);
    assert!(all.contains("malformed-pull-secret"), "{all}");
    markers.assert_absent(&all, "the language server's messages");

    // Inventory files that cannot be used: a syntax error beside a password, and a registry
    // written with its credentials.
    let torn = files.iter().find(|(name, _)| name == "torn.yaml").unwrap().1.clone();
    std::fs::write(dir.path().join("torn-inventory.yaml"), torn).unwrap();
    let own = format!(
        "namespaces:\n  apps:\n    secrets:\n      - name: pull\n        registries: [\"https://me:{}@quay.io\"]\n",
        markers.value(encoding)
    );
    std::fs::write(dir.path().join("own-inventory.yaml"), own).unwrap();
    for inventory in ["torn-inventory.yaml", "own-inventory.yaml"] {
        for format in ["human", "json", "sarif", "github"] {
            let (all, code) = run(
                dir.path(),
                &["check", "--format", format, "--inventory", inventory, "consumer.yaml"],
                None,
            );
            assert_eq!(code, Some(2), "{all}");
            markers.assert_absent(&all, &format!("{inventory} as an inventory, --format {format}"));
        }
        std::fs::write(
            dir.path().join(".pullcheck.yaml"),
            format!("inventory: [{inventory}]\n"),
        )
        .unwrap();
        let all = support::lsp_session(dir.path(), &files[..1]);
        assert!(all.contains("the configuration cannot be used"), "{all}");
        markers.assert_absent(&all, &format!("{inventory} as an inventory, in the language server"));
        std::fs::remove_file(dir.path().join(".pullcheck.yaml")).unwrap();
    }
}

#[test]
fn no_plain_credential_reaches_any_output() {
    check_everywhere(Encoding::Plain);
}

#[test]
fn no_base64_credential_reaches_any_output() {
    check_everywhere(Encoding::Base64);
}

#[test]
fn no_twice_encoded_credential_reaches_any_output() {
    check_everywhere(Encoding::Base64Twice);
}
