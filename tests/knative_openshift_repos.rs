//! First runs, with no configuration, on the Knative and OpenShift examples copied beside the
//! checkout (`../shared/repos/knative-docs` and `../shared/repos/openshift`, each pinned to one
//! commit; skipped when absent): every object of the kinds read is a workload, no kind is left
//! unread, and what is reported is what is really there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod support;
use support::pullcheck;

/// The report of `pullcheck check` on `../shared/repos/<name>`, or `None` when it is not there.
fn report(name: &str) -> Option<Value> {
    let repo: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/repos").join(name);
    if !repo.is_dir() {
        eprintln!("skipped: {} is not there", repo.display());
        return None;
    }
    let output = pullcheck(&repo)
        .args(["check", ".", "--format", "json", "--quiet"])
        .output()
        .unwrap();
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// How many findings of each rule the report holds.
fn rules(report: &Value) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for diagnostic in report["diagnostics"].as_array().unwrap() {
        *counts
            .entry(diagnostic["rule"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    counts
}

#[test]
fn the_knative_samples_are_read_as_the_pods_of_their_revisions() {
    let Some(report) = report("knative-docs") else { return };
    let summary = &report["summary"];
    assert_eq!(
        (summary["objects"].as_u64(), summary["workloads"].as_u64()),
        (Some(39), Some(39))
    );
    assert_eq!(summary["unreadKinds"], json!([]));
    // `ko://` import paths are built by ko; `docker.io/{username}/…` stand-ins are placeholders,
    // not invalid references.
    assert_eq!(summary["imagesSetAtDeploy"]["ko"], 2);
    assert_eq!(
        rules(&report),
        BTreeMap::from([
            ("latest-image-tag".to_owned(), 1),
            ("missing-image-tag".to_owned(), 7),
            ("unrendered-template".to_owned(), 30),
        ])
    );
}

#[test]
fn the_openshift_templates_load_and_their_triggered_images_are_left_to_openshift() {
    let Some(report) = report("openshift") else { return };
    let summary = &report["summary"];
    // 65 Templates, most of them JSON indented with tabs, and the objects they hold: 55
    // DeploymentConfigs, 28 Deployments and 2 StatefulSets run pods.
    assert_eq!(summary["files"], 67);
    assert_eq!(
        (summary["objects"].as_u64(), summary["workloads"].as_u64()),
        (Some(488), Some(85))
    );
    assert_eq!(summary["unreadKinds"], json!([]));
    assert_eq!(summary["imagesSetAtDeploy"]["openshift"], 86);
    // What is left: the `${IMAGE}` parameter of the two Data Grid StatefulSets.
    assert_eq!(rules(&report), BTreeMap::from([("unrendered-template".to_owned(), 2)]));
}
