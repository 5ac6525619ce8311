//! Property tests for the image reference grammar: references generated from the grammar's own
//! parts parse back into those parts, normalising is idempotent, and no string at all makes the
//! parser panic or return a span outside the input.

use proptest::prelude::*;
use pullcheck::image::ImageRef;

/// The parts of a valid reference.
#[derive(Debug, Clone)]
struct Parts {
    registry: Option<String>,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl Parts {
    fn format(&self) -> String {
        let mut text = String::new();
        if let Some(registry) = &self.registry {
            text.push_str(registry);
            text.push('/');
        }
        text.push_str(&self.path);
        if let Some(tag) = &self.tag {
            text.push(':');
            text.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            text.push('@');
            text.push_str(digest);
        }
        text
    }
}

fn path_component() -> impl Strategy<Value = String> {
    // alnum (separator alnum)*, separator one of . _ __ -+
    (
        "[a-z0-9]{1,8}",
        prop::collection::vec(("(\\.|_|__|-{1,3})", "[a-z0-9]{1,8}"), 0..3),
    )
        .prop_map(|(first, rest)| {
            rest.into_iter().fold(first, |mut component, (separator, alnum)| {
                component.push_str(&separator);
                component.push_str(&alnum);
                component
            })
        })
}

fn registry() -> impl Strategy<Value = String> {
    let label = "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?";
    prop_oneof![
        // A dotted host, optionally with a port.
        (prop::collection::vec(label, 2..4), prop::option::of(1u16..)).prop_map(|(labels, port)| {
            let host = labels.join(".");
            match port {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        }),
        Just("localhost".to_owned()),
        (1u16..).prop_map(|port| format!("localhost:{port}")),
    ]
}

fn digest() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-f]{64}".prop_map(|hex| format!("sha256:{hex}")),
        "[0-9a-f]{128}".prop_map(|hex| format!("sha512:{hex}")),
    ]
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        prop::option::of(registry()),
        prop::collection::vec(path_component(), 1..4),
        prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,40}"),
        prop::option::of(digest()),
    )
        .prop_map(|(registry, components, tag, digest)| Parts {
            registry,
            path: components.join("/"),
            tag,
            digest,
        })
        // A first component with a `.` or `:` would be read as a registry: keep such paths behind
        // an explicit registry, as the grammar requires.
        .prop_filter("an unprefixed path must not look like a host", |parts| {
            parts.registry.is_some()
                || !parts.path.split('/').next().unwrap().contains('.')
                || !parts.path.contains('/')
        })
        // A bare 64-hex name is reserved for image IDs.
        .prop_filter("not an image ID", |parts| {
            !(parts.registry.is_none() && parts.path.len() == 64 && parts.path.bytes().all(|b| b.is_ascii_hexdigit()))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn formatted_references_parse_back_into_their_parts(parts in parts()) {
        let text = parts.format();
        let parsed = ImageRef::parse(&text).map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        prop_assert_eq!(parsed.registry(), parts.registry.as_deref());
        prop_assert_eq!(parsed.path(), parts.path.as_str());
        prop_assert_eq!(parsed.tag(), parts.tag.as_deref());
        prop_assert_eq!(parsed.digest(), parts.digest.as_deref());
        prop_assert_eq!(parsed.as_str(), text.as_str());
    }

    #[test]
    fn normalising_is_idempotent(parts in parts()) {
        let text = parts.format();
        let once = ImageRef::parse(&text).unwrap().normalized();
        let reparsed = ImageRef::parse(&once).map_err(|e| TestCaseError::fail(format!("{once:?}: {e}")))?;
        prop_assert_eq!(reparsed.normalized(), once.clone());
        prop_assert!(reparsed.has_explicit_registry());
        prop_assert!(reparsed.tag().is_some() || reparsed.digest().is_some(), "{once} has neither tag nor digest");
    }

    #[test]
    fn any_string_is_parsed_or_rejected_with_a_span_inside_it(text in "\\PC{0,40}|[a-zA-Z0-9:/@._-]{0,60}") {
        match ImageRef::parse(&text) {
            Ok(parsed) => prop_assert_eq!(parsed.as_str(), text.as_str()),
            Err(error) => {
                prop_assert!(error.span.end <= text.len());
                prop_assert!(text.is_char_boundary(error.span.start) && text.is_char_boundary(error.span.end));
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }
}
