//! Suppressions: the findings a team has decided to live with, written where they apply.
//!
//! - On an object: the annotation `pullcheck.io/ignore: "rule-a,rule-b"` (or `"all"`) in its
//!   `metadata.annotations` covers every finding about that object.
//! - On a line: the comment `# pullcheck:ignore rule-a[,rule-b] -- reason`. Written after a value,
//!   it covers findings that start on its own line; written alone on a line, the line below.
//!
//! A suppression that covers nothing is itself reported (`unused-suppression`), so stale ones get
//! cleaned up. This module reads suppressions and answers "does it cover this?"; `check` applies
//! them and keeps track of which were used.

use crate::source::Span;
use crate::yaml::Node;

/// The annotation that suppresses rules for a whole object.
pub const ANNOTATION: &str = "pullcheck.io/ignore";

/// The marker of a line suppression, after `#`.
const COMMENT_MARKER: &str = "pullcheck:ignore";

#[derive(Debug, Clone)]
pub struct Suppression {
    /// The rule ids as written, each with its span; empty for `all`.
    pub rules: Vec<(String, Span)>,
    /// Where the suppression is written.
    pub span: Span,
    /// For a line suppression, the 1-based line whose findings it covers.
    pub line: Option<usize>,
}

impl Suppression {
    /// Whether it names `rule` (or is `all`).
    pub fn covers(&self, rule: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|(id, _)| id == rule)
    }

    fn parse(list: &str, list_start: usize, span: Span, line: Option<usize>) -> Suppression {
        let mut rules = Vec::new();
        let mut offset = list_start;
        for part in list.split(',') {
            let id = part.trim();
            let start = offset + (part.len() - part.trim_start().len());
            offset += part.len() + 1;
            if id.is_empty() || id == "all" {
                continue;
            }
            rules.push((id.to_owned(), Span::new(start, start + id.len())));
        }
        let all = list.split(',').any(|part| part.trim() == "all");
        Suppression {
            rules: if all { Vec::new() } else { rules },
            span,
            line,
        }
    }
}

/// The object-level suppression in `metadata.annotations`, if any.
pub fn object_suppression(metadata: Option<Node<'_, '_>>) -> Option<Suppression> {
    let value = metadata?.get("annotations")?.get(ANNOTATION)?;
    let text = value.as_str()?;
    let span = value.span();
    // Offsets of rule ids map into the value only when it is written as it reads.
    let list_start = value.content_span().map_or(span.start, |content| content.start);
    let mut suppression = Suppression::parse(text, list_start, span, None);
    if value.content_span().is_none() {
        for (_, rule_span) in &mut suppression.rules {
            *rule_span = span;
        }
    }
    Some(suppression)
}

/// Every `# pullcheck:ignore` comment of a file's text.
pub fn line_suppressions(text: &str) -> Vec<Suppression> {
    if !text.contains(COMMENT_MARKER) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut line_start = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if let Some(suppression) = comment_on_line(line, line_start, index + 1) {
            found.push(suppression);
        }
        line_start += line.len();
    }
    found
}

fn comment_on_line(line: &str, line_start: usize, number: usize) -> Option<Suppression> {
    let marker = line.find(COMMENT_MARKER)?;
    let hash = line[..marker].trim_end().strip_suffix('#').map(str::len)?;
    // A `#` starts a comment at the start of a line or after a blank.
    if hash > 0 && !line[..hash].ends_with([' ', '\t']) {
        return None;
    }
    let own_line = line[..hash].trim().is_empty();
    let after = marker + COMMENT_MARKER.len();
    let rest = line[after..].trim_end_matches(['\n', '\r']);
    let list = rest.split(" -- ").next().unwrap_or("");
    let end = line_start + line.trim_end_matches(['\n', '\r']).len();
    let span = Span::new(line_start + hash, end);
    let covered = if own_line { number + 1 } else { number };
    Some(Suppression::parse(list, line_start + after, span, Some(covered)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_comments_cover_their_line_or_the_next() {
        let text = "a: 1\n# pullcheck:ignore latest-image-tag -- pinned by digest upstream\nimage: nginx:latest\nx: y  # pullcheck:ignore missing-image-tag, implicit-registry\nurl: http://x/#pullcheck:ignore-not\n";
        let found = line_suppressions(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].line, Some(3));
        assert!(found[0].covers("latest-image-tag") && !found[0].covers("missing-image-tag"));
        let (id, span) = &found[0].rules[0];
        assert_eq!(&text[span.range()], id);
        assert_eq!(found[1].line, Some(4));
        let ids: Vec<&str> = found[1].rules.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["missing-image-tag", "implicit-registry"]);
        assert_eq!(&text[found[1].rules[1].1.range()], "implicit-registry");
    }

    #[test]
    fn all_covers_every_rule() {
        let found = line_suppressions("# pullcheck:ignore all\nimage: x\n");
        assert!(found[0].covers("anything"));
    }
}

/// A suppression while findings are matched against it: which of its rules were used.
#[derive(Debug)]
pub struct Tracker<'s> {
    suppression: &'s Suppression,
    used: Vec<bool>,
    used_any: bool,
}

impl<'s> Tracker<'s> {
    pub fn new(suppression: &'s Suppression) -> Tracker<'s> {
        Tracker {
            suppression,
            used: vec![false; suppression.rules.len()],
            used_any: false,
        }
    }

    /// Whether a finding of `rule` is covered; if so, the suppression counts as used.
    pub fn cover(&mut self, rule: &str) -> bool {
        if self.suppression.rules.is_empty() {
            self.used_any = true;
            return true;
        }
        match self.suppression.rules.iter().position(|(id, _)| id == rule) {
            Some(i) => {
                self.used[i] = true;
                true
            }
            None => false,
        }
    }

    /// Whether it covers a finding of `rule` on `line` (1-based).
    pub fn cover_line(&mut self, rule: &str, line: usize) -> bool {
        self.suppression.line == Some(line) && self.cover(rule)
    }

    /// What it suppressed in vain: (where, what), for `unused-suppression`.
    pub fn unused(&self, known: impl Fn(&str) -> bool) -> Vec<(Span, String)> {
        if self.suppression.rules.is_empty() {
            return if self.used_any {
                Vec::new()
            } else {
                vec![(
                    self.suppression.span,
                    "suppression of all rules matches no finding".to_owned(),
                )]
            };
        }
        self.suppression
            .rules
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((id, span), _)| {
                let message = if known(id) {
                    format!("suppression of {id} matches no finding")
                } else {
                    format!("suppression names \"{id}\", which is not a rule")
                };
                (*span, message)
            })
            .collect()
    }
}
