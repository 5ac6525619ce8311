//! `image-not-on-nodes`: an image the kubelet will not pull must already be on the node, and the
//! inventory says which images each node has (`nodes:`, from the Nodes' `status.images`).

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::inventory::normalised;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "image-not-on-nodes",
    default_severity: Some(Severity::Error),
    summary: "image that is never pulled (imagePullPolicy Never, or images.local) and is missing from the inventory's nodes",
    doc: include_str!("../../rules/image-not-on-nodes.md"),
    stages: &[Stage::Workload(check)],
};

/// How many of the nodes that lack an image a message names.
const NAMED: usize = 5;

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let nodes = context.inventory.nodes();
    if nodes.is_empty() {
        return;
    }
    for (container, image, reference) in workload.images() {
        let policy = container
            .image_pull_policy
            .as_scalar()
            .map(|policy| policy.value.as_str())
            .or_else(|| container.defaulted_pull_policy());
        let name = &reference.as_str()[reference.name_range()];
        let local = context.config.local_image(name).is_some();
        // `Never`: the kubelet uses the node's copy or fails. A loaded image (`images.local`) that
        // is not pulled `Always` is used from the node when there, else pulled, which fails too.
        // Pulled `Always`, a loaded image fails anyway: `unknown-library-image` says so.
        let (why, error) = match policy {
            Some("Never") => ("imagePullPolicy is Never", "ErrImageNeverPull"),
            Some("Always") => continue,
            _ if local => ("it is loaded on nodes (images.local), not pulled", "ErrImagePull"),
            _ => continue,
        };
        let wanted = normalised(&reference);
        let lacking: Vec<&str> = nodes
            .iter()
            .filter(|node| !node.holds(&wanted))
            .map(|node| node.node.as_str())
            .collect();
        if lacking.is_empty() {
            continue;
        }
        let finding = if lacking.len() == nodes.len() {
            let mut others: Vec<&str> = nodes.iter().flat_map(|node| node.same_repository(&reference)).collect();
            others.sort_unstable();
            others.dedup();
            let help = match others.as_slice() {
                [] => "load the image on the nodes (`kind load`, `ctr images import`, a node image), or push it to a registry and pull it (imagePullPolicy IfNotPresent)".to_owned(),
                others => format!(
                    "the nodes have {}: use that, or load this one on the nodes",
                    others.iter().take(NAMED).map(|image| format!("\"{image}\"")).collect::<Vec<_>>().join(", ")
                ),
            };
            Finding::in_container(
                container,
                "image",
                image.span,
                format!(
                    "image \"{}\" is on none of the {} nodes the inventory lists, and {why}: the pod fails with {error}",
                    image.value,
                    nodes.len()
                ),
            )
            .label("on no node")
            .help(help)
        } else {
            let mut named = lacking.iter().take(NAMED).copied().collect::<Vec<_>>().join(", ");
            if lacking.len() > NAMED {
                named.push_str(&format!(" and {} more", lacking.len() - NAMED));
            }
            Finding::in_container(
                container,
                "image",
                image.span,
                format!(
                    "image \"{}\" is missing from {} of the {} nodes the inventory lists ({named}), and {why}: a pod scheduled there fails with {error}",
                    image.value,
                    lacking.len(),
                    nodes.len()
                ),
            )
            .label("not on every node")
            .help("load the image on those nodes too, or keep the pod off them (a nodeSelector or node affinity for the nodes that have it)")
            .at_most(Severity::Warning)
        };
        out.push(finding);
    }
}
