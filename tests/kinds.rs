//! Every kind pullcheck reads by itself gives a workload, and a kind it does not read that names
//! an image is counted, never skipped in silence (`testdata/kinds/every-kind.yaml`).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use pullcheck::manifest;
use pullcheck::source::SourceFile;
use pullcheck::yaml;

#[test]
fn every_built_in_kind_gives_one_workload_and_an_unknown_kind_is_counted() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/kinds/every-kind.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = Arc::new(SourceFile::new("every-kind.yaml", &text));
    let stream = yaml::load(file.text());
    assert!(stream.problems.is_empty(), "{:?}", stream.problems);
    let extracted = manifest::extract(stream.documents(), &file, "default");

    let mut workloads: BTreeMap<(String, String), usize> = BTreeMap::new();
    for workload in &extracted.workloads {
        *workloads
            .entry((workload.api_version.to_string(), workload.kind.to_string()))
            .or_default() += 1;
        assert!(
            workload.images().next().is_some(),
            "{} {:?} pulls no image",
            workload.kind,
            workload.name
        );
    }
    let expected: Vec<(&str, &str)> = text
        .split("\n---\n")
        .filter_map(|document| {
            let field = |key: &str| document.lines().find_map(|line| line.strip_prefix(&format!("{key}: ")));
            Some((field("apiVersion")?, field("kind")?))
        })
        // The Template holds a Pod, which is the workload; the Widget is no built-in kind.
        .filter(|(_, kind)| !matches!(*kind, "Template" | "Widget"))
        .collect();
    assert!(expected.len() >= 33, "{expected:?}");
    for (api_version, kind) in &expected {
        let key = (api_version.to_string(), kind.to_string());
        let count = workloads.get(&key).copied().unwrap_or_default();
        let count = if *kind == "Pod" { count - 1 } else { count };
        assert_eq!(count, 1, "{api_version} {kind}: {workloads:?}");
    }
    assert_eq!(
        extracted.workloads.len(),
        expected.len() + 1,
        "the Template's Pod is one more"
    );

    let unread = extracted.unread_kinds.by_count();
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert_eq!(
        (
            unread[0].api_version,
            unread[0].kind,
            unread[0].objects,
            unread[0].image_at
        ),
        ("widgets.example.com/v1", "Widget", 1, "spec.runner.image")
    );
}
