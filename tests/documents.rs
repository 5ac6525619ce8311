//! A document is read the same alone and in a stream: the diagnostics of each document of a file
//! do not depend on the documents before or after it. A property test over streams built from a
//! small grammar of manifests (block and flow style, indentation that Kubernetes accepts and YAML
//! 1.2 does not, merge keys, duplicate keys), and the real-world files in `../shared/cases/` that
//! once broke it.

use std::path::Path;

use assert_cmd::Command;
use proptest::prelude::*;
use pullcheck::check::check_text;
use pullcheck::diagnostic::Diagnostic;
use pullcheck::setup::Setup;
use serde_json::Value;

const IMAGES: &[&str] = &[
    "nginx",
    "nginx:latest",
    "nginx:1.25",
    "NGINX",
    "ghcr.io/acme/api:2.3.1",
    "registry.k8s.io/pause:3.9",
    "busybox@sha256:abc",
    "1.0",
];
const POLICIES: &[Option<&str>] = &[
    None,
    Some("Always"),
    Some("IfNotPresent"),
    Some("Never"),
    Some("Sometimes"),
];

#[derive(Debug, Clone)]
struct Container {
    name: String,
    image: &'static str,
    policy: Option<&'static str>,
    quoted: bool,
    merges_defaults: bool,
    name_twice: bool,
}

#[derive(Debug, Clone)]
enum Document {
    Pod {
        name: String,
        /// Annotations whose quoted value continues on a line no deeper than its key: YAML 1.2
        /// rejects that, Kubernetes accepts it (each one is a repair for the loader).
        notes: Vec<(String, String)>,
        containers: Vec<Container>,
        /// The containers as a flow sequence whose closing bracket is no deeper than its key.
        flow: bool,
    },
    ConfigMap {
        name: String,
        data: Vec<(String, String)>,
        key_twice: bool,
    },
    Comment,
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{1,8}"
}

fn container() -> impl Strategy<Value = Container> {
    (
        word(),
        prop::sample::select(IMAGES),
        prop::sample::select(POLICIES),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(name, image, policy, quoted, merges_defaults, name_twice)| Container {
            name,
            image,
            policy,
            quoted,
            merges_defaults,
            name_twice,
        })
}

fn document() -> impl Strategy<Value = Document> {
    prop_oneof![
        4 => (
            word(),
            prop::collection::vec((word(), word()), 0..30),
            prop::collection::vec(container(), 1..4),
            any::<bool>(),
        )
            .prop_map(|(name, notes, containers, flow)| Document::Pod {
                name,
                notes,
                containers,
                flow,
            }),
        1 => (word(), prop::collection::vec((word(), word()), 0..4), prop::bool::weighted(0.2))
            .prop_map(|(name, data, key_twice)| Document::ConfigMap { name, data, key_twice }),
        1 => Just(Document::Comment),
    ]
}

impl Container {
    fn render(&self, text: &mut String, flow: bool) {
        let image = if self.quoted {
            format!("\"{}\"", self.image)
        } else {
            self.image.to_owned()
        };
        let mut fields = vec![format!("name: {}", self.name), format!("image: {image}")];
        if let Some(policy) = self.policy {
            fields.push(format!("imagePullPolicy: {policy}"));
        }
        if self.merges_defaults {
            fields.push("<<: *defaults".to_owned());
        }
        if self.name_twice {
            fields.push("name: again".to_owned());
        }
        if flow {
            text.push_str(&format!("    {{{}}},\n", fields.join(", ")));
        } else {
            text.push_str(&format!("  - {}\n", fields.join("\n    ")));
        }
    }
}

impl Document {
    fn render(&self) -> String {
        let mut text = String::from("---\n");
        match self {
            Document::Pod {
                name,
                notes,
                containers,
                flow,
            } => {
                text.push_str(&format!(
                    "# pod {name}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"
                ));
                if !notes.is_empty() {
                    text.push_str("  annotations:\n");
                    for (i, (first, second)) in notes.iter().enumerate() {
                        text.push_str(&format!("    note{i}: \"{first}\n    {second}\"\n"));
                    }
                }
                text.push_str("x-defaults: &defaults {imagePullPolicy: Always}\nspec:\n");
                if *flow {
                    text.push_str("  containers: [\n");
                    for container in containers {
                        container.render(&mut text, true);
                    }
                    text.push_str("  ]\n");
                } else {
                    text.push_str("  containers:\n");
                    for container in containers {
                        container.render(&mut text, false);
                    }
                }
            }
            Document::ConfigMap { name, data, key_twice } => {
                text.push_str(&format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata:\n"
                ));
                for (key, value) in data {
                    text.push_str(&format!("  k-{key}: '{value}'\n"));
                }
                if *key_twice {
                    text.push_str("  twice: a\n  twice: b\n");
                }
            }
            Document::Comment => text.push_str("# nothing here\n"),
        }
        text
    }
}

/// What a diagnostic says, with its spans taken relative to `offset`.
fn relative(diagnostic: &Diagnostic, offset: usize) -> String {
    let related: Vec<String> = diagnostic
        .related
        .iter()
        .map(|label| match &label.file {
            None => format!(
                "{}..{} {}",
                label.span.start - offset,
                label.span.end - offset,
                label.message
            ),
            Some(file) => format!("{} {:?} {}", file.path, label.span, label.message),
        })
        .collect();
    format!(
        "{} {:?} {}..{} {} {:?} {:?}",
        diagnostic.rule,
        diagnostic.severity,
        diagnostic.span.start - offset,
        diagnostic.span.end - offset,
        diagnostic.message,
        diagnostic.label,
        related
    )
}

fn check(text: &str) -> Vec<Diagnostic> {
    check_text("stream.yaml", text, &Setup::default()).diagnostics
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn each_document_is_read_the_same_alone_and_in_a_stream(documents in prop::collection::vec(document(), 2..7)) {
        let texts: Vec<String> = documents.iter().map(Document::render).collect();
        let stream = texts.concat();
        let starts: Vec<usize> = texts
            .iter()
            .scan(0, |offset, text| {
                let start = *offset;
                *offset += text.len();
                Some(start)
            })
            .collect();
        let mut in_stream = vec![Vec::new(); texts.len()];
        for diagnostic in check(&stream) {
            let document = starts.partition_point(|&start| start <= diagnostic.span.start) - 1;
            in_stream[document].push(relative(&diagnostic, starts[document]));
        }
        for (i, text) in texts.iter().enumerate() {
            let alone: Vec<String> = check(text).iter().map(|d| relative(d, 0)).collect();
            prop_assert!(!alone.iter().any(|d| d.starts_with("yaml-syntax")), "{alone:#?}\n{text}");
            prop_assert_eq!(&alone, &in_stream[i], "document {} of\n{}", i, stream);
        }
    }
}

#[test]
fn the_shared_cases_have_no_syntax_errors() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cases");
    if !cases.is_dir() {
        eprintln!("skipped: {} is not there", cases.display());
        return;
    }
    let output = Command::cargo_bin("pullcheck")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(&cases)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["summary"]["files"].as_u64().unwrap() > 0, "{report:#}");
    let syntax: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "yaml-syntax")
        .collect();
    assert!(syntax.is_empty(), "{syntax:#?}");
}
