//! A first run on a whole repository with no configuration (`testdata/repo/`): a Helm chart, a
//! kustomize base and overlay, an envsubst placeholder, an Istio gateway, a Skaffold-built image,
//! a locally built image and a WebLogic Domain on the Oracle Container Registry. Every diagnostic
//! is written down here, and nothing else may be reported.

use std::path::Path;

use serde_json::{Value, json};

mod support;
use support::pullcheck;

#[test]
fn a_first_run_reports_exactly_what_is_wrong() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/repo");
    let output = pullcheck(&repo)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(&str, &str, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            // `image: ${IMAGE}`: a placeholder, not an invalid reference.
            ("unrendered-template", "deploy/envsubst.yaml", 15, 22),
            // The overlay's `newTag: latest`, underlined in the kustomization.
            ("latest-image-tag", "kustomize/overlays/prod/kustomization.yaml", 8, 13),
            // `frontend:2.4.0` resolves to docker.io/library/frontend, which does not exist.
            ("unknown-library-image", "services/frontend.yaml", 16, 18),
            // `nginx:lastest`.
            ("suspicious-tag", "services/frontend.yaml", 18, 24),
            // The Oracle Container Registry needs a login; the Domain lists no pull secret.
            ("missing-pull-secret", "weblogic/domain.yaml", 9, 10),
        ]
    );
    // One error (the pull secret): the run fails.
    assert_eq!(output.status.code(), Some(1));
    let summary = &report["summary"];
    assert_eq!(summary["helmChartsSkipped"], json!(["charts/web"]));
    // `image: auto` on the gateway, `api` built by Skaffold, `cart` renamed by the overlay.
    assert_eq!(
        summary["imagesSetAtDeploy"],
        json!({"istio": 1, "skaffold": 1, "azd": 0, "kustomize": 1, "ko": 0, "openshift": 0})
    );
    assert_eq!(
        (
            summary["errors"].as_u64(),
            summary["warnings"].as_u64(),
            summary["infos"].as_u64()
        ),
        (Some(1), Some(3), Some(1))
    );
}
