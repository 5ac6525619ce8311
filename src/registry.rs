//! Registry patterns: which images a configured registry entry covers.
//!
//! A [`RegistryPattern`] is written `host`, `host:port` or `host/path/prefix`, and each DNS label of
//! the host may be a glob (`*.icr.io`). It is matched against an image after normalisation, so
//! `nginx` is `docker.io/library/nginx`. Policy matching is deliberately strict where the kubelet's
//! credential matching is loose: a path prefix must end at a `/` boundary (`docker.io/library`
//! does not cover `docker.io/library2/x`), and a pattern without a port never covers an image with
//! one. The kubelet's own credential-matching semantics are a separate question (pull secrets).

use std::fmt;

/// A host (with optional port and path prefix) that policy applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPattern {
    /// Lower-cased host labels; a label may contain `*` wildcards.
    labels: Vec<String>,
    port: Option<String>,
    /// Path prefix without leading or trailing `/`; empty for the whole registry.
    path: String,
    written: String,
}

/// Why a registry pattern could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(String);

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

impl RegistryPattern {
    pub fn parse(written: &str) -> Result<RegistryPattern, PatternError> {
        let error = |why: &str| Err(PatternError(format!("registry pattern \"{written}\" {why}")));
        if written.contains("://") {
            return error("must not have a scheme: write the host alone");
        }
        let (authority, path) = written.split_once('/').unwrap_or((written, ""));
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if let Some(port) = port
            && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
        {
            return error("has a port that is not a number");
        }
        let labels: Vec<String> = host.split('.').map(str::to_ascii_lowercase).collect();
        let label_ok = |label: &String| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
        };
        if !labels.iter().all(label_ok) {
            return error("is not a host name (letters, digits, '-', '*' and '.' only)");
        }
        let path = path.trim_end_matches('/');
        if path.split('/').any(|c| c.is_empty()) && !path.is_empty() {
            return error("has an empty path component");
        }
        Ok(RegistryPattern {
            labels,
            port: port.map(str::to_owned),
            path: path.to_owned(),
            written: written.to_owned(),
        })
    }

    /// Whether an image on `registry` (host with optional port, normalised: `docker.io` for Docker
    /// Hub) with repository `path` (normalised: `library/nginx`) is covered.
    pub fn matches(&self, registry: &str, path: &str) -> bool {
        let (host, port) = split_port(registry);
        if self.port.as_deref() != port {
            return false;
        }
        let labels: Vec<&str> = host.split('.').collect();
        if labels.len() != self.labels.len()
            || !self
                .labels
                .iter()
                .zip(&labels)
                .all(|(pattern, label)| glob_matches(pattern, &label.to_ascii_lowercase()))
        {
            return false;
        }
        self.path.is_empty()
            || path == self.path
            || path.strip_prefix(&self.path).is_some_and(|rest| rest.starts_with('/'))
    }

    pub fn as_str(&self) -> &str {
        &self.written
    }
}

impl fmt::Display for RegistryPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// Splits `host:port`, minding bracketed IPv6 hosts (`[::1]:5000`).
fn split_port(registry: &str) -> (&str, Option<&str>) {
    let host_end = if registry.starts_with('[') {
        registry.find(']').map_or(registry.len(), |i| i + 1)
    } else {
        registry.find(':').unwrap_or(registry.len())
    };
    match registry[host_end..].strip_prefix(':') {
        Some(port) => (&registry[..host_end], Some(port)),
        None => (registry, None),
    }
}

/// `*` matches any run of characters within one label.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == text;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = rest.split('*').collect();
    let last = parts.pop().unwrap_or("");
    for part in parts {
        match remaining.find(part) {
            Some(i) => remaining = &remaining[i + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// Registries that were frozen or shut down, with where their images live now.
pub const BUILT_IN_DEPRECATED: &[(&str, &str)] = &[
    // Frozen on 3 April 2023; the Kubernetes project publishes only to registry.k8s.io.
    ("k8s.gcr.io", "registry.k8s.io"),
    // IBM Cloud Container Registry's old domains, replaced by icr.io and shut down.
    ("registry.bluemix.net", "icr.io"),
    ("registry.ng.bluemix.net", "us.icr.io"),
    ("registry.eu-gb.bluemix.net", "uk.icr.io"),
    ("registry.eu-de.bluemix.net", "de.icr.io"),
    ("registry.au-syd.bluemix.net", "au.icr.io"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, registry: &str, path: &str) -> bool {
        RegistryPattern::parse(pattern).unwrap().matches(registry, path)
    }

    #[test]
    fn hosts_ports_and_globs() {
        assert!(matches("registry.example.com", "registry.example.com", "team/app"));
        assert!(matches("Registry.Example.com", "registry.example.COM", "app"));
        assert!(!matches("registry.example.com", "registry.example.com.evil.io", "app"));
        assert!(!matches("registry.example.com", "registry.example.com:5000", "app"));
        assert!(matches("localhost:5000", "localhost:5000", "x"));
        assert!(!matches("localhost:5000", "localhost:5001", "x"));
        assert!(!matches("localhost", "[::1]", "x"));
        assert_eq!(split_port("[::1]:5000"), ("[::1]", Some("5000")));
        assert_eq!(split_port("[::1]"), ("[::1]", None));
        assert!(matches("*.icr.io", "us.icr.io", "ns/app"));
        assert!(!matches("*.icr.io", "icr.io", "ns/app"));
        assert!(!matches("*.icr.io", "a.b.icr.io", "ns/app"));
        assert!(matches("*kubernetes.io", "kubernetes.io", "x"));
        assert!(matches("registry-*.example.com", "registry-eu.example.com", "x"));
        assert!(!matches("registry-*.example.com", "mirror-eu.example.com", "x"));
    }

    #[test]
    fn path_prefixes_end_at_a_component() {
        assert!(matches("docker.io/library", "docker.io", "library/nginx"));
        assert!(!matches("docker.io/library", "docker.io", "library2/nginx"));
        assert!(!matches("docker.io/library", "docker.io", "bitnami/nginx"));
        assert!(matches("ghcr.io/acme/", "ghcr.io", "acme/api"));
        assert!(matches("ghcr.io/acme", "ghcr.io", "acme"));
    }

    #[test]
    fn bad_patterns_are_explained() {
        for bad in ["https://quay.io", "quay.io:abc", "quay io", "quay..io", "quay.io//x"] {
            let error = RegistryPattern::parse(bad).unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn built_in_deprecated_patterns_parse() {
        for (old, _) in BUILT_IN_DEPRECATED {
            RegistryPattern::parse(old).unwrap();
        }
    }
}
