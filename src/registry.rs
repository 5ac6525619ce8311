//! Registries: which images a configured registry entry covers, and which images a pull secret's
//! credentials are used for.
//!
//! Two kinds of matching live here, on purpose apart:
//! - A [`RegistryPattern`] is policy (`registries.allowed`, `deprecated`, `private`): `host`,
//!   `host:port` or `host/path/prefix`, each DNS label of the host a glob (`*.icr.io`). A path
//!   prefix must end at a `/` (`docker.io/library` does not cover `docker.io/library2/x`).
//! - A [`CredentialKey`] is a key of a docker config (`auths`) as the kubelet's credential keyring
//!   reads it, exactly: scheme stripped, `/v1/` and `/v2/` dropped, labels globbed one by one, ports
//!   compared as values, the path a plain string prefix, Docker Hub's `index.docker.io` a fallback.
//!
//! Both compare against an image after normalisation: `nginx` is `docker.io/library/nginx`.

use std::fmt;

/// A host (with optional port and path prefix) that policy applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryPattern {
    /// Lower-cased: policy compares host names as DNS does, without case.
    host: HostGlob,
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
            host: HostGlob {
                labels,
                port: port.map(str::to_owned),
            },
            path: path.to_owned(),
            written: written.to_owned(),
        })
    }

    /// The path prefix the pattern covers, without leading or trailing `/`; empty for a whole
    /// registry.
    pub fn path_prefix(&self) -> &str {
        &self.path
    }

    /// Whether an image on `registry` (host with optional port, normalised: `docker.io` for Docker
    /// Hub) with repository `path` (normalised: `library/nginx`) is covered.
    pub fn matches(&self, registry: &str, path: &str) -> bool {
        if !self.host.matches(&registry.to_ascii_lowercase()) {
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

/// A host whose DNS labels are globs, with an optional port that must be equal ("no port" is a
/// value too).
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostGlob {
    labels: Vec<String>,
    port: Option<String>,
}

impl HostGlob {
    /// Whether `registry` (`host` or `host:port`) has as many labels, each matching, and the port.
    fn matches(&self, registry: &str) -> bool {
        let (host, port) = split_port(registry);
        let labels: Vec<&str> = host.split('.').collect();
        self.port.as_deref() == port
            && labels.len() == self.labels.len()
            && self
                .labels
                .iter()
                .zip(&labels)
                .all(|(pattern, label)| glob_matches(pattern, label))
    }
}

/// Glob matching within one label, as Go's `filepath.Match` does for `*` (any run) and `?` (any
/// one character). Iterative, with one backtrack point: linear in practice, never exponential.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// A registry key of a docker config (`auths` key, `.dockercfg` key, or an inventory's
/// `registries` entry), read the way the kubelet's credential keyring reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialKey {
    /// As written: the kubelet compares hosts case-sensitively.
    host: HostGlob,
    /// Empty, or starting with `/`: compared as a plain string prefix of the image's path.
    path: String,
    written: String,
}

impl CredentialKey {
    /// Reads a key; `None` for one the kubelet could never match (an unknown scheme, no host).
    pub fn parse(written: &str) -> Option<CredentialKey> {
        let rest = written
            .strip_prefix("https://")
            .or_else(|| written.strip_prefix("http://"))
            .unwrap_or(written);
        if rest.contains("://") {
            return None;
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        // The docker client treats `/v1/` and `/v2/` as the registry itself.
        let path = if path.starts_with("/v1/") || path.starts_with("/v2/") {
            &path[3..]
        } else {
            path
        };
        let path = if path == "/" { "" } else { path };
        let (host, port) = split_port(authority);
        if host.is_empty() || port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        Some(CredentialKey {
            host: HostGlob {
                labels: host.split('.').map(str::to_owned).collect(),
                port: port.map(str::to_owned),
            },
            path: path.to_owned(),
            written: written.to_owned(),
        })
    }

    /// Whether the kubelet would offer this key's credentials for an image on `registry`
    /// (normalised host with optional port) at repository `path` (normalised, no leading `/`).
    /// Docker Hub's fallback key is [`CredentialKey::is_docker_hub_fallback`]'s business.
    pub fn matches(&self, registry: &str, path: &str) -> bool {
        self.host.matches(registry) && path_has_prefix(path, &self.path)
    }

    /// `index.docker.io` (bare, or as `https://index.docker.io/v1/`): used for Docker Hub images
    /// when no other key matches.
    pub fn is_docker_hub_fallback(&self) -> bool {
        self.host.port.is_none() && self.path.is_empty() && self.host.labels == ["index", "docker", "io"]
    }

    pub fn as_str(&self) -> &str {
        &self.written
    }
}

/// `/pong` is a prefix of `pong/x` (and of `pongz`): the kubelet compares `/`-rooted paths as strings.
fn path_has_prefix(image_path: &str, key_path: &str) -> bool {
    match key_path.strip_prefix('/') {
        Some(key_path) => image_path.starts_with(key_path),
        None => key_path.is_empty(),
    }
}

/// Whether any of `keys` gives credentials for an image on `registry` at `path`.
pub fn keys_cover<'k>(keys: impl IntoIterator<Item = &'k CredentialKey>, registry: &str, path: &str) -> bool {
    let mut fallback = false;
    for key in keys {
        if key.matches(registry, path) {
            return true;
        }
        fallback |= key.is_docker_hub_fallback();
    }
    fallback && registry == "docker.io"
}

/// Registries that were frozen or shut down, with where their images live now.
pub const BUILT_IN_DEPRECATED: &[(&str, &str)] = &[
    // Frozen on 3 April 2023; the Kubernetes project publishes only to registry.k8s.io.
    ("k8s.gcr.io", "registry.k8s.io"),
    // The Google Cloud project behind k8s.gcr.io (an alias of it), frozen with it; `google_containers`
    // is its older spelling, still served.
    ("gcr.io/google-containers", "registry.k8s.io"),
    ("gcr.io/google_containers", "registry.k8s.io"),
    // IBM Cloud Container Registry's old domains, replaced by icr.io and shut down.
    ("registry.bluemix.net", "icr.io"),
    ("registry.ng.bluemix.net", "us.icr.io"),
    ("registry.eu-gb.bluemix.net", "uk.icr.io"),
    ("registry.eu-de.bluemix.net", "de.icr.io"),
    ("registry.au-syd.bluemix.net", "au.icr.io"),
];

/// Registries and repositories where a pull needs credentials, with why: the default of
/// `registries.private`. A registry that holds open repositories beside login-only ones is listed
/// per repository (a path prefix), and only where a login is documented: Oracle Container
/// Registry's licensed products, not its open ones (Oracle Linux, Coherence CE, the operators,
/// GraalVM CE…), and not IBM's global `icr.io`, which serves public namespaces (`icr.io/cpopen`)
/// beside private ones. Registries whose nodes bring their own credentials (ECR through the
/// kubelet's credential provider, Artifact Registry on GKE, ACR attached to AKS) are not here: a
/// pod there needs no pull secret. Entries in [`BUILT_IN_LIKELY_PRIVATE`] need a login only
/// usually. `rules/missing-pull-secret.md` gives the sources.
pub const BUILT_IN_PRIVATE: &[(&str, &str)] = &[
    ("container-registry.oracle.com/middleware/weblogic", ORACLE_LICENSED),
    ("container-registry.oracle.com/middleware/weblogic_cpu", ORACLE_LICENSED),
    (
        "container-registry.oracle.com/middleware/fmw-infrastructure",
        ORACLE_LICENSED,
    ),
    (
        "container-registry.oracle.com/middleware/fmw-infrastructure_cpu",
        ORACLE_LICENSED,
    ),
    ("container-registry.oracle.com/middleware/soasuite", ORACLE_LICENSED),
    ("container-registry.oracle.com/database/enterprise", ORACLE_LICENSED),
    ("container-registry.oracle.com/java/jdk", ORACLE_LICENSED),
    ("container-registry.oracle.com/java/serverjre", ORACLE_LICENSED),
    (
        "*.icr.io",
        "IBM Cloud Container Registry's regional and entitled registries need an IAM API key or entitlement key for every pull",
    ),
    (
        "registry.bluemix.net",
        "IBM Cloud Container Registry's legacy domain needed an IAM API key for every pull",
    ),
    (
        "registry.*.bluemix.net",
        "IBM Cloud Container Registry's legacy domain needed an IAM API key for every pull",
    ),
    (
        "*.ocir.io",
        "Oracle Cloud Infrastructure Registry repositories are private unless made public, and private is the default",
    ),
    (
        "registry.redhat.io",
        "registry.redhat.io needs a Red Hat account or registry service account token for every pull",
    ),
];

const ORACLE_LICENSED: &str = "this Oracle Container Registry repository holds licensed software: pulls need an Oracle account login, and the repository's licence accepted in the registry's web interface";

/// The entries of [`BUILT_IN_PRIVATE`] that need a login only usually, not always: a repository
/// there may have been made public. `missing-pull-secret` reports them as warnings.
pub const BUILT_IN_LIKELY_PRIVATE: &[&str] = &["*.ocir.io"];

/// Whether `pattern` is a built-in entry that needs a login only usually
/// ([`BUILT_IN_LIKELY_PRIVATE`]).
pub fn built_in_likely_private(pattern: &RegistryPattern) -> bool {
    BUILT_IN_LIKELY_PRIVATE.contains(&pattern.written.as_str())
}

/// Why a built-in `registries.private` entry is there, when `pattern` is one.
pub fn built_in_private_reason(pattern: &RegistryPattern) -> Option<&'static str> {
    BUILT_IN_PRIVATE
        .iter()
        .find(|(written, _)| *written == pattern.written)
        .map(|(_, why)| *why)
}

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

    /// (key, image registry, image path, covered) — after the kubelet's keyring and its tests.
    const CREDENTIAL_CASES: &[(&str, &str, &str, bool)] = &[
        ("us.icr.io", "us.icr.io", "ns/app", true),
        ("https://us.icr.io", "us.icr.io", "ns/app", true),
        ("http://us.icr.io/", "us.icr.io", "ns/app", true),
        ("https://quay.io/v1/", "quay.io", "org/app", true),
        ("quay.io/v2/", "quay.io", "org/app", true),
        ("*.icr.io", "us.icr.io", "ns/app", true),
        ("*.icr.io", "icr.io", "ns/app", false),
        ("*.icr.io", "a.b.icr.io", "ns/app", false),
        ("*.*.icr.io", "a.b.icr.io", "ns/app", true),
        ("*kubernetes.io", "kubernetes.io", "x", true),
        ("*kubernetes.io", "a.kubernetes.io", "x", false),
        ("us-?.icr.io", "us-1.icr.io", "x", true),
        ("k8s.*.io", "k8s.gcr.io", "x", true),
        ("registry.example.com:5000", "registry.example.com:5000", "x", true),
        ("registry.example.com:5000", "registry.example.com", "x", false),
        ("registry.example.com", "registry.example.com:5000", "x", false),
        ("registry.example.com:5000", "registry.example.com:5001", "x", false),
        ("ghcr.io/acme", "ghcr.io", "acme/api", true),
        // A plain string prefix: the kubelet does not stop at `/`.
        ("ghcr.io/acme", "ghcr.io", "acmecorp/api", true),
        ("ghcr.io/acme/", "ghcr.io", "acmecorp/api", false),
        ("ghcr.io/acme", "ghcr.io", "other/api", false),
        // A port after a path stays part of the path, so it never matches.
        ("host.io/path:1111", "host.io", "path/app", false),
        ("docker.io", "docker.io", "library/nginx", true),
        ("docker.io/library", "docker.io", "library/nginx", true),
        ("index.docker.io", "docker.io", "library/nginx", true),
        ("https://index.docker.io/v1/", "docker.io", "bitnami/redis", true),
        ("index.docker.io", "quay.io", "x", false),
        ("registry-1.docker.io", "docker.io", "library/nginx", false),
        // Matching is case-sensitive, as in the kubelet.
        ("Quay.io", "quay.io", "x", false),
        ("ftp://quay.io", "quay.io", "x", false),
        ("", "quay.io", "x", false),
    ];

    #[test]
    fn credential_keys_match_like_the_kubelet() {
        for &(key, registry, path, expected) in CREDENTIAL_CASES {
            let keys: Vec<CredentialKey> = CredentialKey::parse(key).into_iter().collect();
            assert_eq!(
                keys_cover(&keys, registry, path),
                expected,
                "key {key:?}, image {registry}/{path}"
            );
        }
    }

    #[test]
    fn docker_hub_fallback_only_when_nothing_else_matches() {
        let keys: Vec<_> = ["index.docker.io", "quay.io"]
            .iter()
            .filter_map(|k| CredentialKey::parse(k))
            .collect();
        assert!(keys_cover(&keys, "docker.io", "library/nginx"));
        assert!(!keys[0].matches("docker.io", "library/nginx"));
        let with_path = CredentialKey::parse("index.docker.io/library").unwrap();
        assert!(!with_path.is_docker_hub_fallback());
    }

    #[test]
    fn globs_are_linear_and_exact() {
        assert!(glob_matches("a*b*c", "aXXbYYc"));
        assert!(!glob_matches("a*b*c", "aXXbYY"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("?", ""));
        let long = "a".repeat(5000);
        assert!(!glob_matches(
            &"*a".repeat(50).to_string().replace("*a*a", "*a*b"),
            &long
        ));
    }

    #[test]
    fn built_in_deprecated_patterns_parse() {
        for (old, _) in BUILT_IN_DEPRECATED {
            RegistryPattern::parse(old).unwrap();
        }
    }

    #[test]
    fn built_in_private_registries() {
        let covered = |registry: &str| {
            BUILT_IN_PRIVATE
                .iter()
                .any(|(pattern, _)| matches(pattern, registry, "team/app"))
        };
        for registry in [
            "us.icr.io",
            "cp.icr.io",
            "registry.ng.bluemix.net",
            "registry.bluemix.net",
            "iad.ocir.io",
            "registry.redhat.io",
        ] {
            assert!(covered(registry), "{registry}");
        }
        let covers = |registry: &str, path: &str| {
            BUILT_IN_PRIVATE
                .iter()
                .any(|(pattern, _)| matches(pattern, registry, path))
        };
        // Oracle Container Registry: its licensed repositories, not its open ones.
        for path in [
            "middleware/weblogic",
            "middleware/fmw-infrastructure",
            "database/enterprise",
            "java/jdk",
        ] {
            assert!(covers("container-registry.oracle.com", path), "{path}");
        }
        for path in [
            "middleware/coherence-ce",
            "middleware/coherence-operator",
            "middleware/weblogic-kubernetes-operator",
            "os/oraclelinux",
            "graalvm/jdk",
            "database/free",
            "java/openjdk",
        ] {
            assert!(!covers("container-registry.oracle.com", path), "{path}");
        }
        // IBM's global registry holds public namespaces.
        assert!(!covers("icr.io", "cpopen/ibm-operator-catalog"));
        // Public, or credentials from the node.
        for registry in [
            "docker.io",
            "ghcr.io",
            "quay.io",
            "registry.access.redhat.com",
            "a.b.icr.io",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            "us-docker.pkg.dev",
        ] {
            assert!(!covered(registry), "{registry}");
        }
        let pattern = RegistryPattern::parse("*.ocir.io").unwrap();
        assert!(built_in_private_reason(&pattern).unwrap().contains("Oracle Cloud"));
        assert!(built_in_likely_private(&pattern));
        assert!(!built_in_likely_private(
            &RegistryPattern::parse("registry.redhat.io").unwrap()
        ));
        for likely in BUILT_IN_LIKELY_PRIVATE {
            assert!(
                BUILT_IN_PRIVATE.iter().any(|(written, _)| written == likely),
                "{likely}"
            );
        }
        assert_eq!(
            built_in_private_reason(&RegistryPattern::parse("ghcr.io").unwrap()),
            None
        );
    }
}
