//! Template placeholders left in values: what a file looks like before a tool renders it.
//!
//! A manifests repository holds sources as well as manifests: Helm templates (`{{ .Values.tag }}`),
//! files for `envsubst` (`$IMAGE`, `${IMAGE}`, `${TAG:-latest}`), Kubernetes' own `$(VAR)` expansion,
//! Tekton's parameters (`$(params.image)`), Windows-style `%VAR%`, documentation stand-ins
//! (`<your-registry>`, `{username}`) and upper-case stand-ins that a tutorial asks you to replace
//! (`REGION-docker.pkg.dev/PROJECT_ID/repo/app`). Such a value is not wrong, it is unfinished:
//! [`placeholder`] finds the stand-in so that `unrendered-template` can point at it, and the
//! rules that judge finished values stay silent. This module only recognises placeholders; it
//! does not render anything.

use std::ops::Range;

/// The byte range of the first template placeholder in `value`, if it holds one.
///
/// Upper-case stand-ins count only in values that cannot be what they are as written (see
/// [`placeholder_in_invalid`]); the delimited forms count anywhere.
pub fn placeholder(value: &str) -> Option<Range<usize>> {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let found = match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => closing(value, i + 2, "}}").map(|end| i..end),
            // A documentation stand-in in single braces (`docker.io/{username}/app`, Knative's
            // samples): no image, name or policy holds a brace.
            b'{' => closing(value, i + 1, "}")
                .filter(|&end| end - i > 2 && is_stand_in_text(&value[i + 1..end - 1]))
                .map(|end| i..end),
            b'$' => match bytes.get(i + 1) {
                Some(b'{') => closing(value, i + 2, "}")
                    .filter(|&end| is_variable(&value[i + 2..end - 1], true))
                    .map(|end| i..end),
                Some(b'(') => closing(value, i + 2, ")")
                    .filter(|&end| {
                        let inside = &value[i + 2..end - 1];
                        is_variable(inside, false) || is_tekton_reference(inside)
                    })
                    .map(|end| i..end),
                // `$VAR`, as envsubst reads it.
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                    let name = value[i + 1..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .map_or(value.len(), |end| i + 1 + end);
                    Some(i..name)
                }
                _ => None,
            },
            b'%' => closing(value, i + 1, "%")
                .filter(|&end| end - i > 2 && is_variable(&value[i + 1..end - 1], false))
                .map(|end| i..end),
            b'<' => closing(value, i + 1, ">")
                .filter(|&end| end - i > 2 && is_stand_in_text(&value[i + 1..end - 1]))
                .map(|end| i..end),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        i += 1;
    }
    None
}

/// [`placeholder`], and also an upper-case stand-in (`PROJECT_ID`, `REGION`, `IMAGE`): for a value
/// already known to be invalid as written, where upper case is what made it so (an image path, a
/// secret name). The stand-in is a run of at least two capitals, digits and `_`, with at least two
/// capitals, between separators.
pub fn placeholder_in_invalid(value: &str) -> Option<Range<usize>> {
    placeholder(value).or_else(|| upper_case_word(value))
}

/// [`placeholder`] in an object name (a secret's), and an upper-case stand-in too when the name has
/// capitals, which object names cannot.
pub fn in_name(name: &str) -> Option<Range<usize>> {
    placeholder(name).or_else(|| {
        name.bytes()
            .any(|b| b.is_ascii_uppercase())
            .then(|| upper_case_word(name))
            .flatten()
    })
}

/// Where the delimiter `close` ends after `from`, past it; `None` when it does not, or when the
/// text before it spans a line or another opening.
fn closing(value: &str, from: usize, close: &str) -> Option<usize> {
    let rest = value.get(from..)?;
    let at = rest.find(close)?;
    (!rest[..at].contains('\n')).then_some(from + at + close.len())
}

/// `VAR` or `params.VAR` (Tekton), and with `default` also `VAR:-default`, `VAR-default`,
/// `VAR:=x`, `VAR?msg`: the shell parameter forms envsubst-like tools read.
fn is_variable(inside: &str, with_default: bool) -> bool {
    let name_end = inside
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(inside.len());
    let name = &inside[..name_end];
    let rest = &inside[name_end..];
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && (rest.is_empty() || with_default && rest.starts_with([':', '-', '=', '?', '+']))
}

/// What Tekton substitutes inside `$(...)`: a dotted path whose names may hold `-`
/// (`params.kn-image`), indexed or quoted in brackets (`params["kn-image"]`, `params.list[*]`,
/// `params.list[0]`). Tekton's names begin with a letter or `_` and hold letters, digits, `_`,
/// `-` and `.` (`stringAndArrayVariableNameFormat`, tektoncd/pipeline
/// `pkg/apis/pipeline/v1/task_validation.go`).
fn is_tekton_reference(inside: &str) -> bool {
    inside.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && inside
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '"' | '\'' | '*'))
}

/// The text of a `<...>` stand-in: words, not markup or an operator (`a<b>`, `<<`).
fn is_stand_in_text(inside: &str) -> bool {
    inside.chars().any(|c| c.is_ascii_alphabetic())
        && inside
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' ' | '.' | '/' | ':'))
}

fn upper_case_word(value: &str) -> Option<Range<usize>> {
    // Capitalised words (`MyApp`, `Archive-WDT`) are a naming style, not a stand-in; a digest's
    // hex is data.
    let bytes = value.as_bytes();
    if bytes
        .windows(2)
        .any(|pair| pair[0].is_ascii_uppercase() && pair[1].is_ascii_lowercase())
    {
        return None;
    }
    let value = value.split('@').next().unwrap_or_default();
    let mut start = 0;
    for (i, c) in value.char_indices().chain(std::iter::once((value.len(), '/'))) {
        if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' {
            continue;
        }
        let word = &value[start..i];
        let capitals = word.bytes().filter(u8::is_ascii_uppercase).count();
        let whole_word = c.is_ascii_punctuation() || c.is_whitespace();
        let hex = word.bytes().any(|b| b.is_ascii_digit()) && word.bytes().all(|b| b.is_ascii_hexdigit());
        if whole_word && !hex && word.len() >= 2 && capitals >= 2 && (start == 0 || !is_word_char(value, start - 1)) {
            return Some(start..i);
        }
        start = i + c.len_utf8();
    }
    None
}

/// Whether the byte before a word continues it (a lower-case letter): `myAPP` is not a stand-in.
fn is_word_char(value: &str, at: usize) -> bool {
    value.as_bytes()[at].is_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(value: &str) -> Option<&str> {
        placeholder(value).map(|range| &value[range])
    }

    fn found_in_invalid(value: &str) -> Option<&str> {
        placeholder_in_invalid(value).map(|range| &value[range])
    }

    #[test]
    fn delimited_placeholders() {
        assert_eq!(found("${IMAGE}"), Some("${IMAGE}"));
        assert_eq!(found("registry.example.com/app:${TAG:-1.0}"), Some("${TAG:-1.0}"));
        assert_eq!(found("$(REGISTRY)/app:1.0"), Some("$(REGISTRY)"));
        assert_eq!(found("$(params.IMAGE)"), Some("$(params.IMAGE)"));
        assert_eq!(found("$(params.kn-image)"), Some("$(params.kn-image)"));
        assert_eq!(
            found("golang:$(inputs.params.version)"),
            Some("$(inputs.params.version)")
        );
        assert_eq!(found("$(params[\"kn-image\"]):1.0"), Some("$(params[\"kn-image\"])"));
        assert_eq!(found("$(params['image'])"), Some("$(params['image'])"));
        assert_eq!(
            found("$(tasks.build.results.IMAGE_URL)"),
            Some("$(tasks.build.results.IMAGE_URL)")
        );
        assert_eq!(found("$LOCATION-docker.pkg.dev/app"), Some("$LOCATION"));
        assert_eq!(
            found("{{ .Values.image.repository }}:{{ .Values.image.tag }}"),
            Some("{{ .Values.image.repository }}")
        );
        assert_eq!(found("app:{{.Chart.AppVersion}}"), Some("{{.Chart.AppVersion}}"));
        assert_eq!(found("%IMAGE_NAME%"), Some("%IMAGE_NAME%"));
        assert_eq!(found("<your-registry>/app:1.0"), Some("<your-registry>"));
        assert_eq!(found("<IMAGE>"), Some("<IMAGE>"));
        assert_eq!(found("docker.io/{username}/helloworld-go"), Some("{username}"));
    }

    #[test]
    fn finished_values_hold_none() {
        for value in [
            "nginx:1.25",
            "registry.example.com:5000/team/app@sha256:abc",
            "$",
            "$5",
            "${}",
            "$(1abc)",
            "100%",
            "a<b",
            "<>",
            "{{",
            "{}",
            "a{-}",
            "IfNotPresent",
            "price: $5 (approx)",
        ] {
            assert_eq!(found(value), None, "{value}");
        }
    }

    #[test]
    fn upper_case_stand_ins_in_invalid_values() {
        assert_eq!(
            found_in_invalid("REGION-docker.pkg.dev/PROJECT_ID/repo/app"),
            Some("REGION")
        );
        assert_eq!(found_in_invalid("gcr.io/PROJECT_ID/app:v1"), Some("PROJECT_ID"));
        assert_eq!(found_in_invalid("IMAGE"), Some("IMAGE"));
        assert_eq!(found_in_invalid("registry/MyApp:1"), None);
        assert_eq!(found_in_invalid("registry/myAPP:1"), None);
        assert_eq!(found_in_invalid("Nginx"), None);
        assert_eq!(found_in_invalid("nginx:1.0 "), None);
        assert_eq!(found_in_invalid("ghcr.io/acme/Archive-WDT:1.0.0"), None);
        assert_eq!(found_in_invalid("registry.k8s.io/pause@sha256:6210C0BF0539"), None);
        assert_eq!(
            found_in_invalid("registry.k8s.io/PAUSE@sha256:6210C0BF0539"),
            Some("PAUSE")
        );
    }
}
