//! `suspicious-tag`: a tag that is almost `latest` (`Latest`, `lastest`) or a placeholder that was
//! never filled in (`TAG`, `IMAGE_TAG`, `changeme`). Neither is likely to exist in the registry.
//!
//! Unrendered templates (`${TAG}`, `{{ .Values.tag }}`) are not valid references at all and are
//! reported where references are parsed; this rule sees only tags that parse.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "suspicious-tag",
    default_severity: Some(Severity::Warning),
    summary: "tag that is almost latest (Latest, lastest) or a left-over placeholder (TAG, VERSION, changeme)",
    doc: include_str!("../../rules/suspicious-tag.md"),
    stages: &[Stage::Workload(check)],
};

/// Why a tag looks wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspicion {
    /// `Latest`, `LATEST`: tags are case-sensitive, so this is not `latest`.
    LatestCase,
    /// `lastest`, `latets`, `lates`: a misspelt `latest`.
    LatestTypo,
    /// `TAG`, `VERSION`, `changeme`: text meant to be replaced.
    Placeholder,
}

/// Placeholders, compared after lower-casing and dropping `-`, `_` and `.`, so `IMAGE_TAG`,
/// `image-tag` and `ImageTag` are one entry.
const PLACEHOLDERS: &[&str] = &[
    "tag",
    "imagetag",
    "yourtag",
    "mytag",
    "newtag",
    "version",
    "imageversion",
    "yourversion",
    "appversion",
    "releaseversion",
    "changeme",
    "replaceme",
    "tbd",
    "todo",
    "fixme",
    "placeholder",
];

/// Classifies a tag; `None` for an ordinary tag (including `latest` itself).
///
/// The typo test is deliberately narrow, so that real tags near `latest` stay quiet: the tag,
/// lower-cased, must start with `l`, use only the letters of `latest` (`l`, `a`, `t`, `e`, `s`),
/// be at most two edits (insert, delete, replace, swap two neighbours) from `latest`, and be at
/// least 5 characters long when it is one edit away and at least 6 when it is two. So `lates`,
/// `lastest`, `latestt` and `lastet` are reported; `test`, `last`, `late`, `least`, `later`,
/// `latex`, `latent`, `latest2` and `latest-1` are not.
pub fn classify(tag: &str) -> Option<Suspicion> {
    if tag == "latest" {
        return None;
    }
    let lower = tag.to_ascii_lowercase();
    if lower == "latest" {
        return Some(Suspicion::LatestCase);
    }
    let normalized: String = lower.chars().filter(|c| !matches!(c, '-' | '_' | '.')).collect();
    if PLACEHOLDERS.contains(&normalized.as_str()) {
        return Some(Suspicion::Placeholder);
    }
    if !lower.starts_with('l') || !lower.bytes().all(|b| b"latest".contains(&b)) {
        return None;
    }
    match edit_distance(&lower, "latest", 2) {
        Some(1) if lower.len() >= 5 => Some(Suspicion::LatestTypo),
        Some(2) if lower.len() >= 6 => Some(Suspicion::LatestTypo),
        _ => None,
    }
}

/// The optimal-string-alignment distance between two ASCII-ish strings (insertions, deletions,
/// substitutions and swaps of neighbours), or `None` when it is over `limit`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    // Three rows of the dynamic-programming table: two back (for swaps), previous and current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= limit).then_some(distance)
}

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // With a digest, the digest decides what is pulled; the tag is only a label.
        let (Some(tag), Some(tag_range), None) = (reference.tag(), reference.tag_range(), reference.digest()) else {
            continue;
        };
        let Some(suspicion) = classify(tag) else {
            continue;
        };
        let name = &reference.as_str()[reference.name_range()];
        let (message, label, help) = match suspicion {
            Suspicion::LatestCase => (
                format!(
                    "image \"{}\" has the tag \"{tag}\"; tags are case-sensitive, so this is not \"latest\"",
                    image.value
                ),
                "not \"latest\"",
                format!("did you mean \"{name}:latest\"? better, pin a version tag such as 1.2.3 or a digest"),
            ),
            Suspicion::LatestTypo => (
                format!(
                    "image \"{}\" has the tag \"{tag}\", which looks like a misspelt \"latest\"",
                    image.value
                ),
                "misspelt \"latest\"?",
                format!("did you mean \"{name}:latest\"? better, pin a version tag such as 1.2.3 or a digest"),
            ),
            Suspicion::Placeholder => (
                format!(
                    "image \"{}\" has the placeholder tag \"{tag}\", which was never replaced",
                    image.value
                ),
                "placeholder",
                format!(
                    "replace it with the real tag: a version tag such as \"{name}:1.2.3\", or a digest (\"{name}@sha256:…\")"
                ),
            ),
        };
        out.push(
            Finding::in_container(container, "image", image.span_of(tag_range), message)
                .label(label)
                .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_replacements_and_swaps() {
        assert_eq!(edit_distance("latest", "latest", 2), Some(0));
        assert_eq!(edit_distance("lates", "latest", 2), Some(1));
        assert_eq!(edit_distance("lastest", "latest", 2), Some(1));
        assert_eq!(edit_distance("letest", "latest", 2), Some(1));
        assert_eq!(edit_distance("latset", "latest", 2), Some(1));
        assert_eq!(edit_distance("lastet", "latest", 2), Some(2));
        assert_eq!(edit_distance("test", "latest", 2), Some(2));
        assert_eq!(edit_distance("last", "latest", 2), Some(2));
        assert_eq!(edit_distance("lat", "latest", 2), None);
        assert_eq!(edit_distance("stable", "latest", 2), None);
        assert_eq!(edit_distance("", "latest", 2), None);
    }

    #[test]
    fn near_latest_tags() {
        for tag in ["Latest", "LATEST", "lAtEsT"] {
            assert_eq!(classify(tag), Some(Suspicion::LatestCase), "{tag}");
        }
        for tag in [
            "lates", "latst", "lastest", "latestt", "latests", "lateset", "lattest", "latets", "latset", "letest",
            "lastet", "Lastest", "LATETS",
        ] {
            assert_eq!(classify(tag), Some(Suspicion::LatestTypo), "{tag}");
        }
    }

    #[test]
    fn real_tags_near_latest_are_not_suspicious() {
        for tag in [
            "latest",
            "test",
            "tests",
            "last",
            "late",
            "later",
            "latex",
            "lts",
            "stable",
            "latest-1",
            "latest2",
            "latest-dev",
            "latest_release",
            "latest.0",
            "latent",
            "least",
            "lease",
            "atlas",
            "main-latest",
            "v1",
            "1.2.3",
            "slim",
            "alpine",
            "lab",
            "lite",
            "release",
            "dummy",
            "head",
            "master",
            "main",
            "e2e",
            "example",
            "nightly",
            "edge",
        ] {
            assert_eq!(classify(tag), None, "{tag}");
        }
    }

    #[test]
    fn placeholders() {
        for tag in [
            "TAG",
            "tag",
            "VERSION",
            "version",
            "IMAGE_TAG",
            "image-tag",
            "ImageTag",
            "IMAGE_VERSION",
            "YOUR_TAG",
            "APP_VERSION",
            "release-version",
            "changeme",
            "CHANGE_ME",
            "change-me",
            "REPLACE_ME",
            "replaceme",
            "tbd",
            "TBD",
            "TODO",
            "FIXME",
            "placeholder",
            "NEW_TAG",
        ] {
            assert_eq!(classify(tag), Some(Suspicion::Placeholder), "{tag}");
        }
        for tag in ["tag1", "v-tag", "versions", "v1.0", "tags", "changed", "todos"] {
            assert_eq!(classify(tag), None, "{tag}");
        }
    }
}
