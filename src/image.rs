//! Container image references (`nginx:1.25`, `registry.k8s.io/pause:3.9`,
//! `quay.io/org/app@sha256:…`) parsed with the grammar the kubelet applies
//! through distribution/reference's `ParseNormalizedNamed`, and normalised the
//! way the kubelet does it (`docker.io` as the default registry,
//! `index.docker.io` folded into `docker.io`, the `library/` namespace for
//! one-component Docker Hub names, the implicit `latest` tag), so that a linter
//! can reason about what will actually be pulled; every error carries the byte
//! range of the offending part of the string so that it can be underlined in
//! place. The module works on the text alone: it never contacts a registry,
//! never resolves tags to digests and does not match registries against pull
//! secrets or credential providers.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::ops::Range;

/// Registry used when a reference names none.
const DEFAULT_REGISTRY: &str = "docker.io";
/// Historical name of Docker Hub, normalised to [`DEFAULT_REGISTRY`].
const LEGACY_DEFAULT_REGISTRY: &str = "index.docker.io";
/// Namespace of Docker Hub's official images.
const OFFICIAL_NAMESPACE: &str = "library/";
/// Tag pulled when a reference has neither a tag nor a digest.
const DEFAULT_TAG: &str = "latest";
/// Maximum length of the (normalised) repository path.
const MAX_PATH_LEN: usize = 255;
/// Maximum length of a tag.
const MAX_TAG_LEN: usize = 128;

/// A syntactically valid image reference, as written, borrowing the input.
///
/// The reference is stored as byte ranges into the original string, so every
/// accessor returns a slice of the input and every `*_range` method gives a
/// position suitable for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    input: &'a str,
    registry: Option<Range<usize>>,
    path: Range<usize>,
    tag: Option<Range<usize>>,
    digest: Option<Range<usize>>,
}

impl<'a> ImageRef<'a> {
    /// Parses an image reference as the kubelet does.
    ///
    /// The grammar is `[registry "/"] path [":" tag] ["@" digest]`; the first
    /// `/`-separated component is a registry only when it contains `.` or
    /// `:`, is exactly `localhost`, or contains an upper-case letter. Digests
    /// must use sha256, sha384 or sha512 with lower-case hexadecimal of the
    /// exact length.
    pub fn parse(input: &'a str) -> Result<ImageRef<'a>, ImageRefError> {
        if input.is_empty() {
            return fail(ImageRefErrorKind::Empty, 0..0);
        }
        check_placeholder(input)?;
        check_whitespace(input)?;
        if is_hex_identifier(input) {
            return fail(ImageRefErrorKind::HexIdentifier, 0..input.len());
        }

        // The digest starts at the first '@': no other part may contain one.
        let at = input.find('@');
        let head_end = at.unwrap_or(input.len());
        let head = &input[..head_end];
        // The tag starts at the first ':' after the last '/'; a ':' before the
        // last '/' can only belong to a registry port.
        let last_component = head.rfind('/').map_or(0, |slash| slash + 1);
        let colon = head[last_component..].find(':').map(|offset| last_component + offset);
        let name_end = colon.unwrap_or(head_end);
        if name_end == 0 {
            // The input starts with the ':' of a tag or the '@' of a digest.
            return fail(ImageRefErrorKind::MissingName, 0..1);
        }

        let (registry, path) = parse_name(input, name_end)?;
        let tag = colon.map(|colon| parse_tag(input, colon, head_end)).transpose()?;
        let digest = at.map(|at| parse_digest(input, at)).transpose()?;
        Ok(ImageRef {
            input,
            registry,
            path,
            tag,
            digest,
        })
    }

    /// The whole reference as written.
    pub fn as_str(&self) -> &'a str {
        self.input
    }

    /// The registry as written, including any port (`localhost:5000`,
    /// `registry.k8s.io`), or `None` when the reference names no registry.
    pub fn registry(&self) -> Option<&'a str> {
        self.registry.clone().map(|range| &self.input[range])
    }

    /// Byte range of [`registry`](Self::registry) in the input.
    pub fn registry_range(&self) -> Option<Range<usize>> {
        self.registry.clone()
    }

    /// What a finding about the image's registry points at: the registry host as written, or the
    /// name when none is written (the registry is then Docker Hub's, implied by the name).
    pub fn registry_or_name_range(&self) -> Range<usize> {
        self.registry_range().unwrap_or_else(|| self.name_range())
    }

    /// The repository path as written (`nginx`, `library/nginx`, `org/app`).
    pub fn path(&self) -> &'a str {
        &self.input[self.path.clone()]
    }

    /// Byte range of [`path`](Self::path) in the input.
    pub fn path_range(&self) -> Range<usize> {
        self.path.clone()
    }

    /// The explicit tag, without the `:`.
    pub fn tag(&self) -> Option<&'a str> {
        self.tag.clone().map(|range| &self.input[range])
    }

    /// Byte range of [`tag`](Self::tag) in the input (without the `:`).
    pub fn tag_range(&self) -> Option<Range<usize>> {
        self.tag.clone()
    }

    /// The digest (`sha256:<hex>`), without the `@`.
    pub fn digest(&self) -> Option<&'a str> {
        self.digest.clone().map(|range| &self.input[range])
    }

    /// Byte range of [`digest`](Self::digest) in the input (without the `@`).
    pub fn digest_range(&self) -> Option<Range<usize>> {
        self.digest.clone()
    }

    /// Byte range of the repository name (registry and path), i.e. everything
    /// before the `:tag` and `@digest` suffixes.
    pub fn name_range(&self) -> Range<usize> {
        0..self.path.end
    }

    /// The tag the kubelet will pull: the explicit tag, or `latest` when there
    /// is neither tag nor digest; `None` for a digest-only reference.
    pub fn effective_tag(&self) -> Option<&'a str> {
        match (self.tag(), &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some(DEFAULT_TAG),
            (None, Some(_)) => None,
        }
    }

    /// The registry the kubelet will contact: the registry as written, with
    /// `index.docker.io` mapped to `docker.io`, and `docker.io` when there is
    /// none. The comparison is case-sensitive, as upstream.
    pub fn normalized_registry(&self) -> &'a str {
        normalize_registry(self.registry())
    }

    /// The repository path after normalisation: `library/` is prepended to a
    /// one-component path on Docker Hub.
    pub fn normalized_path(&self) -> Cow<'a, str> {
        let path = self.path();
        if needs_official_namespace(self.registry(), path) {
            Cow::Owned(format!("{OFFICIAL_NAMESPACE}{path}"))
        } else {
            Cow::Borrowed(path)
        }
    }

    /// The full normalised reference the kubelet pulls, e.g.
    /// `docker.io/library/nginx:latest`, `registry.k8s.io/pause:3.9`,
    /// `docker.io/library/nginx@sha256:…` or `quay.io/a/b:1.0@sha256:…`.
    pub fn normalized(&self) -> String {
        let mut out = self.normalized_name();
        if let Some(tag) = self.effective_tag() {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = self.digest() {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// The normalised repository name without tag or digest, e.g.
    /// `docker.io/library/nginx`.
    pub fn normalized_name(&self) -> String {
        format!("{}/{}", self.normalized_registry(), self.normalized_path())
    }

    /// Whether the reference names its registry explicitly.
    pub fn has_explicit_registry(&self) -> bool {
        self.registry.is_some()
    }

    /// The `imagePullPolicy` the API server fills in when the field is
    /// omitted: `"Always"` when the tag, explicit or implied, is exactly
    /// `latest` (also for `name:latest@sha256:…`), `"IfNotPresent"` otherwise
    /// (including digest-only references).
    pub fn default_pull_policy(&self) -> &'static str {
        if self.effective_tag() == Some(DEFAULT_TAG) {
            "Always"
        } else {
            "IfNotPresent"
        }
    }
}

/// Why an image string is not a valid reference, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRefError {
    /// What is wrong.
    pub kind: ImageRefErrorKind,
    /// Byte range of the offending part of the input. It lies on character
    /// boundaries and is never empty, except `0..0` for an empty input.
    pub span: Range<usize>,
}

/// The specific problem found in an image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageRefErrorKind {
    /// The reference is the empty string.
    Empty,
    /// The reference contains an unexpanded template or variable placeholder
    /// (`{{ … }}`, `${…}`, `$(…)`); the span covers the placeholder.
    TemplatePlaceholder,
    /// Whitespace before or after the reference.
    SurroundingWhitespace,
    /// Whitespace inside the reference; the span covers the whitespace run.
    Whitespace,
    /// The whole reference is 64 lower-case hexadecimal characters, which
    /// upstream refuses as a repository name because it looks like an image ID.
    HexIdentifier,
    /// Nothing before the `:` of a tag or the `@` of a digest.
    MissingName,
    /// A registry followed by `/` and no repository path.
    MissingPath,
    /// The repository name starts with `/`.
    LeadingSlash,
    /// The repository name ends with `/`.
    TrailingSlash,
    /// Two consecutive `/`; the span covers both.
    EmptyPathComponent,
    /// A character that is never allowed in a repository path.
    InvalidCharacter(char),
    /// An ASCII upper-case letter in the repository path.
    UppercaseInPath(char),
    /// A path component starting with a separator (the separator run).
    LeadingSeparator(String),
    /// A path component ending with a separator (the separator run).
    TrailingSeparator(String),
    /// A separator run other than `.`, `_`, `__` or one or more `-`.
    InvalidSeparator(String),
    /// The normalised repository path (counting an implicit `library/`) is
    /// longer than 255 characters; `length` is that normalised length.
    PathTooLong {
        /// Length of the normalised path.
        length: usize,
    },
    /// A character not allowed in a registry host.
    InvalidRegistryCharacter(char),
    /// An empty label in a registry host name (`a..b`, `.a`, `a.`).
    EmptyRegistryLabel,
    /// A registry host label starting or ending with `-`.
    RegistryLabelHyphen,
    /// A registry with a port but no host (`:5000`), or empty brackets (`[]`).
    EmptyRegistryHost,
    /// A `[` opening an IPv6 registry host without the closing `]`.
    UnclosedIpv6Bracket,
    /// A registry ending with `:` and no port number.
    MissingPort,
    /// A registry port that is not made of digits.
    InvalidPort(String),
    /// A `:` with no tag after it.
    EmptyTag,
    /// A tag starting with `.` or `-`.
    InvalidTagStart(char),
    /// A character not allowed in a tag.
    InvalidTagCharacter(char),
    /// A tag longer than 128 characters.
    TagTooLong {
        /// Length of the tag.
        length: usize,
    },
    /// An `@` with no digest after it.
    EmptyDigest,
    /// A digest that is not of the form `algorithm:encoded`.
    MalformedDigest,
    /// A digest algorithm that is not lower-case components joined by single
    /// `+`, `.`, `_` or `-`.
    InvalidDigestAlgorithm(String),
    /// A well-formed digest algorithm other than sha256, sha384 and sha512.
    UnsupportedDigestAlgorithm(String),
    /// A character that is not lower-case hexadecimal in the digest value.
    InvalidDigestCharacter(char),
    /// Upper-case hexadecimal in the digest value; the span is the first one.
    UppercaseDigest,
    /// A digest value of the wrong length for its algorithm.
    DigestLength {
        /// The algorithm (`sha256`, `sha384` or `sha512`).
        algorithm: &'static str,
        /// The required number of hexadecimal characters.
        expected: usize,
        /// The number found.
        found: usize,
    },
}

impl ImageRefError {
    /// A one-line hint on how to fix the problem, where one is useful.
    pub fn help(&self) -> Option<&'static str> {
        use ImageRefErrorKind as K;
        let hint = match &self.kind {
            K::Empty => "set the image to a reference such as nginx:1.25",
            K::TemplatePlaceholder | K::InvalidCharacter('$' | '{' | '}') => {
                "render the template first: Kubernetes does not expand variables in image"
            }
            K::SurroundingWhitespace => "remove the surrounding whitespace",
            K::Whitespace => "remove the whitespace",
            K::HexIdentifier => "to pin an image by digest write <name>@sha256:<hex>",
            K::MissingName => "write the repository name before the tag or digest, e.g. nginx:1.25",
            K::MissingPath => "add the repository after the registry, e.g. registry.example.com/app",
            K::LeadingSlash | K::TrailingSlash | K::EmptyPathComponent => "remove the extra '/'",
            K::InvalidCharacter(_) => {
                "repository paths may contain only a-z, 0-9 and the separators '.', '_', '__', '-'"
            }
            K::UppercaseInPath(_) => "repository names must be lower case",
            K::LeadingSeparator(_) | K::TrailingSeparator(_) => {
                "path components must start and end with a lower-case letter or digit"
            }
            K::InvalidSeparator(_) => "separate words with '.', '_', '__' or one or more '-'",
            K::PathTooLong { .. } => "shorten the path; an implicit Docker Hub \"library/\" prefix counts too",
            K::InvalidRegistryCharacter(_) => {
                "registry hosts allow letters, digits, '-' and '.', or an IPv6 address in []"
            }
            K::EmptyRegistryLabel => "remove the extra '.'",
            K::RegistryLabelHyphen => "registry host labels must start and end with a letter or digit",
            K::EmptyRegistryHost => "write the host before the port, e.g. localhost:5000",
            K::UnclosedIpv6Bracket => "close the IPv6 address with ']', e.g. [::1]:5000",
            K::MissingPort | K::InvalidPort(_) => {
                "a ':' before the first '/' starts a registry port, which must be digits"
            }
            K::EmptyTag => "remove the ':' or write a tag after it",
            K::InvalidTagStart(_) => "tags must start with a letter, a digit or '_'",
            K::InvalidTagCharacter(_) => "tags may contain only letters, digits, '_', '.' and '-'",
            K::TagTooLong { .. } => "shorten the tag to at most 128 characters",
            K::EmptyDigest => "remove the '@' or write a digest such as sha256:<64 hex digits>",
            K::MalformedDigest => "write the digest as <algorithm>:<hex>, e.g. sha256:<64 hex digits>",
            K::InvalidDigestAlgorithm(_) | K::UnsupportedDigestAlgorithm(_) => "use sha256, sha384 or sha512",
            K::InvalidDigestCharacter(_) => "digests are lower-case hexadecimal (0-9, a-f)",
            K::UppercaseDigest => "write the digest in lower case",
            K::DigestLength { .. } => "copy the complete digest from the registry",
        };
        Some(hint)
    }
}

impl fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ImageRefErrorKind as K;
        match &self.kind {
            K::Empty => f.write_str("image reference is empty"),
            K::TemplatePlaceholder => f.write_str("unexpanded template placeholder in image"),
            K::SurroundingWhitespace => f.write_str("leading or trailing whitespace in image reference"),
            K::Whitespace => f.write_str("whitespace inside image reference"),
            K::HexIdentifier => f.write_str("a 64-character hexadecimal string cannot be used as a repository name"),
            K::MissingName => f.write_str("missing repository name before the tag or digest"),
            K::MissingPath => f.write_str("missing repository path after the registry"),
            K::LeadingSlash => f.write_str("repository name cannot start with '/'"),
            K::TrailingSlash => f.write_str("repository name cannot end with '/'"),
            K::EmptyPathComponent => f.write_str("empty path component (\"//\")"),
            K::InvalidCharacter(c) => write!(f, "invalid character {c:?} in repository path"),
            K::UppercaseInPath(c) => write!(
                f,
                "invalid character {c:?} in repository path: path components must be lower case"
            ),
            K::LeadingSeparator(sep) => write!(f, "path component cannot start with {sep:?}"),
            K::TrailingSeparator(sep) => write!(f, "path component cannot end with {sep:?}"),
            K::InvalidSeparator(sep) => write!(f, "invalid separator {sep:?} in repository path"),
            K::PathTooLong { length } => write!(
                f,
                "repository path is longer than {MAX_PATH_LEN} characters (found {length})"
            ),
            K::InvalidRegistryCharacter(c) => write!(f, "invalid character {c:?} in registry"),
            K::EmptyRegistryLabel => f.write_str("empty label in registry host name"),
            K::RegistryLabelHyphen => f.write_str("registry host label cannot start or end with '-'"),
            K::EmptyRegistryHost => f.write_str("registry host is empty"),
            K::UnclosedIpv6Bracket => f.write_str("missing ']' after IPv6 registry host"),
            K::MissingPort => f.write_str("missing registry port after ':'"),
            K::InvalidPort(port) => {
                write!(f, "invalid registry port {port:?}: ports must be digits")
            }
            K::EmptyTag => f.write_str("empty tag after ':'"),
            K::InvalidTagStart(c) => write!(f, "tag cannot start with {c:?}"),
            K::InvalidTagCharacter(c) => write!(f, "invalid character {c:?} in tag"),
            K::TagTooLong { length } => write!(f, "tag is longer than {MAX_TAG_LEN} characters (found {length})"),
            K::EmptyDigest => f.write_str("empty digest after '@'"),
            K::MalformedDigest => f.write_str("digest must have the form <algorithm>:<hex>"),
            K::InvalidDigestAlgorithm(algorithm) => {
                write!(f, "invalid digest algorithm {algorithm:?}")
            }
            K::UnsupportedDigestAlgorithm(algorithm) => write!(
                f,
                "unsupported digest algorithm {algorithm:?}: only sha256, sha384 and sha512 work"
            ),
            K::InvalidDigestCharacter(c) => {
                write!(f, "invalid character {c:?} in digest: expected lower-case hexadecimal")
            }
            K::UppercaseDigest => f.write_str("digest must be lower-case hexadecimal"),
            K::DigestLength {
                algorithm,
                expected,
                found,
            } => write!(
                f,
                "{algorithm} digest must have {expected} hexadecimal characters, found {found}"
            ),
        }
    }
}

impl Error for ImageRefError {}

/// Shorthand for returning an error.
fn fail<T>(kind: ImageRefErrorKind, span: Range<usize>) -> Result<T, ImageRefError> {
    Err(ImageRefError { kind, span })
}

/// The span of the character starting at byte `at` of `input` (which must be
/// a character boundary inside `input`).
fn char_span(input: &str, at: usize) -> Range<usize> {
    let len = input[at..].chars().next().map_or(0, char::len_utf8);
    at..at + len
}

/// Maps a registry as written to the registry the kubelet contacts.
fn normalize_registry(registry: Option<&str>) -> &str {
    match registry {
        None | Some(LEGACY_DEFAULT_REGISTRY) => DEFAULT_REGISTRY,
        Some(registry) => registry,
    }
}

/// Whether normalisation prepends `library/` to `path`.
fn needs_official_namespace(registry: Option<&str>, path: &str) -> bool {
    normalize_registry(registry) == DEFAULT_REGISTRY && !path.contains('/')
}

/// Rejects unexpanded Helm/Go templates (`{{ … }}`), shell or envsubst
/// variables (`${…}`) and Kubernetes-style `$(…)` references, which are
/// never valid in an image and are better reported as one unit than as their
/// first bad character.
fn check_placeholder(input: &str) -> Result<(), ImageRefError> {
    const DELIMITERS: [(&str, &str); 3] = [("{{", "}}"), ("${", "}"), ("$(", ")")];
    let found = DELIMITERS
        .iter()
        .filter_map(|&(open, close)| input.find(open).map(|start| (start, open, close)))
        .min_by_key(|&(start, ..)| start);
    if let Some((start, open, close)) = found {
        let body = start + open.len();
        let end = input[body..]
            .find(close)
            .map_or(input.len(), |offset| body + offset + close.len());
        return fail(ImageRefErrorKind::TemplatePlaceholder, start..end);
    }
    Ok(())
}

/// Rejects whitespace anywhere, distinguishing surrounding whitespace (which
/// the API server already refuses) from whitespace inside the reference.
fn check_whitespace(input: &str) -> Result<(), ImageRefError> {
    let leading = input.len() - input.trim_start().len();
    if leading > 0 {
        return fail(ImageRefErrorKind::SurroundingWhitespace, 0..leading);
    }
    let trimmed_end = input.trim_end().len();
    if trimmed_end < input.len() {
        return fail(ImageRefErrorKind::SurroundingWhitespace, trimmed_end..input.len());
    }
    if let Some(start) = input.find(char::is_whitespace) {
        let end = input[start..]
            .find(|c: char| !c.is_whitespace())
            .map_or(input.len(), |offset| start + offset);
        return fail(ImageRefErrorKind::Whitespace, start..end);
    }
    Ok(())
}

/// Whether the whole input is a 64-character lower-case hex identifier.
fn is_hex_identifier(input: &str) -> bool {
    input.len() == 64 && input.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether the first component of a name that has a `/` is a registry.
fn looks_like_registry(component: &str) -> bool {
    component.contains(['.', ':']) || component == "localhost" || component.chars().any(char::is_uppercase)
}

/// Parses the name `input[..end]` into an optional registry and a path.
fn parse_name(input: &str, end: usize) -> Result<(Option<Range<usize>>, Range<usize>), ImageRefError> {
    let name = &input[..end];
    let registry = match name.find('/') {
        Some(slash) if looks_like_registry(&name[..slash]) => {
            check_registry(input, 0..slash)?;
            Some(0..slash)
        }
        _ => None,
    };
    let path_start = match &registry {
        Some(registry) if registry.end + 1 == end => {
            return fail(ImageRefErrorKind::MissingPath, registry.end..end);
        }
        Some(registry) => registry.end + 1,
        None => 0,
    };
    let path = path_start..end;
    check_path(input, path.clone())?;

    let registry_text = registry.clone().map(|range| &input[range]);
    let mut length = path.len();
    if needs_official_namespace(registry_text, &input[path.clone()]) {
        length += OFFICIAL_NAMESPACE.len();
    }
    if length > MAX_PATH_LEN {
        return fail(ImageRefErrorKind::PathTooLong { length }, path);
    }
    Ok((registry, path))
}

/// Checks `host [":" port]`, where host is a dotted name or `[ipv6]`.
fn check_registry(input: &str, range: Range<usize>) -> Result<(), ImageRefError> {
    let text = &input[range.clone()];
    let host_end = if text.starts_with('[') {
        check_ipv6_host(input, range.clone())?
    } else {
        let host_end = text.find(':').map_or(range.end, |offset| range.start + offset);
        check_host_name(input, range.start..host_end)?;
        host_end
    };
    if host_end == range.end {
        return Ok(());
    }
    // Only a port may follow the host.
    if let Some(c) = input[host_end..range.end].chars().next()
        && c != ':'
    {
        return fail(
            ImageRefErrorKind::InvalidRegistryCharacter(c),
            char_span(input, host_end),
        );
    }
    let port = host_end + 1..range.end;
    if port.is_empty() {
        return fail(ImageRefErrorKind::MissingPort, host_end..host_end + 1);
    }
    let port_text = &input[port.clone()];
    if !port_text.bytes().all(|b| b.is_ascii_digit()) {
        return fail(ImageRefErrorKind::InvalidPort(port_text.to_owned()), port);
    }
    Ok(())
}

/// Checks a bracketed IPv6 host starting at `range.start` and returns the
/// byte offset just after its `]`.
fn check_ipv6_host(input: &str, range: Range<usize>) -> Result<usize, ImageRefError> {
    let Some(close) = input[range.clone()].find(']') else {
        return fail(ImageRefErrorKind::UnclosedIpv6Bracket, range.start..range.start + 1);
    };
    let inner = range.start + 1..range.start + close;
    if inner.is_empty() {
        return fail(ImageRefErrorKind::EmptyRegistryHost, range.start..inner.end + 1);
    }
    // As upstream, only hex digits and ':' (no zone identifiers, no embedded
    // IPv4); the address itself is not checked further.
    if let Some((offset, c)) = input[inner.clone()]
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_hexdigit() || c == ':'))
    {
        return fail(
            ImageRefErrorKind::InvalidRegistryCharacter(c),
            char_span(input, inner.start + offset),
        );
    }
    Ok(inner.end + 1)
}

/// Checks a dotted host name: labels of ASCII letters, digits and inner `-`.
fn check_host_name(input: &str, range: Range<usize>) -> Result<(), ImageRefError> {
    if range.is_empty() {
        // Only reached for a registry starting with ':'; point at it.
        return fail(ImageRefErrorKind::EmptyRegistryHost, char_span(input, range.start));
    }
    let mut start = range.start;
    loop {
        let end = input[start..range.end]
            .find('.')
            .map_or(range.end, |offset| start + offset);
        if start == end {
            let span = if start == range.start {
                start..start + 1
            } else if end == range.end {
                start - 1..start
            } else {
                start - 1..start + 1
            };
            return fail(ImageRefErrorKind::EmptyRegistryLabel, span);
        }
        check_host_label(input, start..end)?;
        if end == range.end {
            return Ok(());
        }
        start = end + 1;
    }
}

/// Checks one non-empty label of a host name.
fn check_host_label(input: &str, range: Range<usize>) -> Result<(), ImageRefError> {
    let label = &input[range.clone()];
    for (offset, c) in label.char_indices() {
        let at = range.start + offset;
        if c == '-' {
            if offset == 0 {
                return fail(ImageRefErrorKind::RegistryLabelHyphen, at..at + 1);
            }
        } else if !c.is_ascii_alphanumeric() {
            return fail(ImageRefErrorKind::InvalidRegistryCharacter(c), char_span(input, at));
        }
    }
    if label.ends_with('-') {
        return fail(ImageRefErrorKind::RegistryLabelHyphen, range.end - 1..range.end);
    }
    Ok(())
}

/// Checks a non-empty repository path: `/`-separated path components.
fn check_path(input: &str, range: Range<usize>) -> Result<(), ImageRefError> {
    let mut start = range.start;
    loop {
        let end = input[start..range.end]
            .find('/')
            .map_or(range.end, |offset| start + offset);
        if start == end {
            let (kind, span) = if start == 0 {
                (ImageRefErrorKind::LeadingSlash, 0..1)
            } else if end == range.end {
                (ImageRefErrorKind::TrailingSlash, start - 1..start)
            } else {
                (ImageRefErrorKind::EmptyPathComponent, start - 1..start + 1)
            };
            return fail(kind, span);
        }
        check_path_component(input, start..end)?;
        if end == range.end {
            return Ok(());
        }
        start = end + 1;
    }
}

/// Checks one non-empty path component: `[a-z0-9]+ (separator [a-z0-9]+)*`.
fn check_path_component(input: &str, range: Range<usize>) -> Result<(), ImageRefError> {
    // Start of the pending run of separator characters, if any.
    let mut run: Option<usize> = None;
    for (offset, c) in input[range.clone()].char_indices() {
        let at = range.start + offset;
        match c {
            'a'..='z' | '0'..='9' => {
                if let Some(run_start) = run.take() {
                    check_separator(input, run_start..at, range.start)?;
                }
            }
            '.' | '_' | '-' => {
                run.get_or_insert(at);
            }
            _ => {
                if let Some(run_start) = run.take() {
                    check_separator(input, run_start..at, range.start)?;
                }
                let kind = if c.is_ascii_uppercase() {
                    ImageRefErrorKind::UppercaseInPath(c)
                } else {
                    ImageRefErrorKind::InvalidCharacter(c)
                };
                return fail(kind, char_span(input, at));
            }
        }
    }
    match run {
        Some(run_start) if run_start == range.start => fail(
            ImageRefErrorKind::LeadingSeparator(input[range.clone()].to_owned()),
            range,
        ),
        Some(run_start) => fail(
            ImageRefErrorKind::TrailingSeparator(input[run_start..range.end].to_owned()),
            run_start..range.end,
        ),
        None => Ok(()),
    }
}

/// Checks a run of separator characters followed by an alphanumeric (or by an
/// invalid character, which is reported next).
fn check_separator(input: &str, run: Range<usize>, component_start: usize) -> Result<(), ImageRefError> {
    let text = &input[run.clone()];
    if run.start == component_start {
        return fail(ImageRefErrorKind::LeadingSeparator(text.to_owned()), run);
    }
    let valid = matches!(text, "." | "_" | "__") || text.bytes().all(|b| b == b'-');
    if !valid {
        return fail(ImageRefErrorKind::InvalidSeparator(text.to_owned()), run);
    }
    Ok(())
}

/// Parses the tag after the `:` at `colon`, ending at `end`.
fn parse_tag(input: &str, colon: usize, end: usize) -> Result<Range<usize>, ImageRefError> {
    let range = colon + 1..end;
    if range.is_empty() {
        return fail(ImageRefErrorKind::EmptyTag, colon..colon + 1);
    }
    for (offset, c) in input[range.clone()].char_indices() {
        let at = range.start + offset;
        let kind = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '_' => continue,
            '.' | '-' if offset == 0 => ImageRefErrorKind::InvalidTagStart(c),
            '.' | '-' => continue,
            _ => ImageRefErrorKind::InvalidTagCharacter(c),
        };
        return fail(kind, char_span(input, at));
    }
    if range.len() > MAX_TAG_LEN {
        let length = range.len();
        return fail(ImageRefErrorKind::TagTooLong { length }, range);
    }
    Ok(range)
}

/// Parses the digest after the `@` at `at`, up to the end of the input.
fn parse_digest(input: &str, at: usize) -> Result<Range<usize>, ImageRefError> {
    let range = at + 1..input.len();
    if range.is_empty() {
        return fail(ImageRefErrorKind::EmptyDigest, at..at + 1);
    }
    let Some(offset) = input[range.clone()].find(':') else {
        return fail(ImageRefErrorKind::MalformedDigest, range);
    };
    let colon = range.start + offset;
    if colon == range.start {
        return fail(ImageRefErrorKind::MalformedDigest, colon..colon + 1);
    }
    let algorithm_range = range.start..colon;
    let algorithm = &input[algorithm_range.clone()];
    if !is_valid_algorithm(algorithm) {
        return fail(
            ImageRefErrorKind::InvalidDigestAlgorithm(algorithm.to_owned()),
            algorithm_range,
        );
    }
    let (algorithm, expected) = match algorithm {
        "sha256" => ("sha256", 64),
        "sha384" => ("sha384", 96),
        "sha512" => ("sha512", 128),
        _ => {
            return fail(
                ImageRefErrorKind::UnsupportedDigestAlgorithm(algorithm.to_owned()),
                algorithm_range,
            );
        }
    };
    let encoded = colon + 1..range.end;
    for (offset, c) in input[encoded.clone()].char_indices() {
        let kind = match c {
            '0'..='9' | 'a'..='f' => continue,
            'A'..='F' => ImageRefErrorKind::UppercaseDigest,
            _ => ImageRefErrorKind::InvalidDigestCharacter(c),
        };
        return fail(kind, char_span(input, encoded.start + offset));
    }
    if encoded.len() != expected {
        let span = if encoded.is_empty() {
            colon..colon + 1
        } else {
            encoded.clone()
        };
        let found = encoded.len();
        return fail(
            ImageRefErrorKind::DigestLength {
                algorithm,
                expected,
                found,
            },
            span,
        );
    }
    Ok(range)
}

/// OCI digest algorithm grammar: `[a-z0-9]+ ([+._-] [a-z0-9]+)*`.
fn is_valid_algorithm(algorithm: &str) -> bool {
    algorithm.split(['+', '.', '_', '-']).all(|component| {
        !component.is_empty() && component.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ImageRefErrorKind as K;

    /// `n` lower-case hexadecimal characters.
    fn hex(n: usize) -> String {
        "0123456789abcdef".chars().cycle().take(n).collect()
    }

    /// Replaces the `{…}` markers used in the tables by long strings.
    fn expand(s: &str) -> String {
        s.replace("{D256}", &format!("sha256:{}", hex(64)))
            .replace("{D384}", &format!("sha384:{}", hex(96)))
            .replace("{D512}", &format!("sha512:{}", hex(128)))
            .replace("{H32}", &hex(32))
            .replace("{H63}", &hex(63))
            .replace("{H64}", &hex(64))
            .replace("{H65}", &hex(65))
            .replace("{U64}", &"E3B0C442".repeat(8))
    }

    struct Valid {
        input: String,
        registry: Option<String>,
        path: String,
        tag: Option<String>,
        digest: Option<String>,
        normalized: String,
    }

    type Row = (
        &'static str,
        Option<&'static str>,
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
    );

    /// input, registry, path, tag, digest, normalized()
    const VALID: &[Row] = &[
        // Docker Hub short names.
        ("nginx", None, "nginx", None, None, "docker.io/library/nginx:latest"),
        (
            "nginx:1.25",
            None,
            "nginx",
            Some("1.25"),
            None,
            "docker.io/library/nginx:1.25",
        ),
        (
            "nginx:latest",
            None,
            "nginx",
            Some("latest"),
            None,
            "docker.io/library/nginx:latest",
        ),
        (
            "centos:7",
            None,
            "centos",
            Some("7"),
            None,
            "docker.io/library/centos:7",
        ),
        (
            "busybox:1.36.1-musl",
            None,
            "busybox",
            Some("1.36.1-musl"),
            None,
            "docker.io/library/busybox:1.36.1-musl",
        ),
        (
            "library/nginx",
            None,
            "library/nginx",
            None,
            None,
            "docker.io/library/nginx:latest",
        ),
        (
            "library/nginx:1.25-alpine",
            None,
            "library/nginx",
            Some("1.25-alpine"),
            None,
            "docker.io/library/nginx:1.25-alpine",
        ),
        (
            "bitnami/redis",
            None,
            "bitnami/redis",
            None,
            None,
            "docker.io/bitnami/redis:latest",
        ),
        (
            "fedora/httpd:version1.0",
            None,
            "fedora/httpd",
            Some("version1.0"),
            None,
            "docker.io/fedora/httpd:version1.0",
        ),
        ("a-b/c", None, "a-b/c", None, None, "docker.io/a-b/c:latest"),
        // "registry" has no '.' or ':' and is lower case: a path component.
        (
            "registry/app",
            None,
            "registry/app",
            None,
            None,
            "docker.io/registry/app:latest",
        ),
        ("9/8/7", None, "9/8/7", None, None, "docker.io/9/8/7:latest"),
        (
            "a/b/c/d/e/f/g/h",
            None,
            "a/b/c/d/e/f/g/h",
            None,
            None,
            "docker.io/a/b/c/d/e/f/g/h:latest",
        ),
        (
            "library/library",
            None,
            "library/library",
            None,
            None,
            "docker.io/library/library:latest",
        ),
        // Explicit Docker Hub.
        (
            "docker.io/nginx",
            Some("docker.io"),
            "nginx",
            None,
            None,
            "docker.io/library/nginx:latest",
        ),
        (
            "docker.io/library/nginx",
            Some("docker.io"),
            "library/nginx",
            None,
            None,
            "docker.io/library/nginx:latest",
        ),
        (
            "docker.io/bitnami/redis:7.2",
            Some("docker.io"),
            "bitnami/redis",
            Some("7.2"),
            None,
            "docker.io/bitnami/redis:7.2",
        ),
        (
            "index.docker.io/nginx",
            Some("index.docker.io"),
            "nginx",
            None,
            None,
            "docker.io/library/nginx:latest",
        ),
        (
            "index.docker.io/library/nginx:1.0",
            Some("index.docker.io"),
            "library/nginx",
            Some("1.0"),
            None,
            "docker.io/library/nginx:1.0",
        ),
        (
            "index.docker.io/bitnami/nginx",
            Some("index.docker.io"),
            "bitnami/nginx",
            None,
            None,
            "docker.io/bitnami/nginx:latest",
        ),
        (
            "docker.io/library/library/nginx",
            Some("docker.io"),
            "library/library/nginx",
            None,
            None,
            "docker.io/library/library/nginx:latest",
        ),
        // Upstream compares the domain case-sensitively: no Docker Hub rules.
        (
            "DOCKER.IO/nginx",
            Some("DOCKER.IO"),
            "nginx",
            None,
            None,
            "DOCKER.IO/nginx:latest",
        ),
        // A port makes it a different registry string.
        (
            "docker.io:443/nginx",
            Some("docker.io:443"),
            "nginx",
            None,
            None,
            "docker.io:443/nginx:latest",
        ),
        // Other registries.
        (
            "registry.k8s.io/pause:3.9",
            Some("registry.k8s.io"),
            "pause",
            Some("3.9"),
            None,
            "registry.k8s.io/pause:3.9",
        ),
        (
            "registry.k8s.io/kube-apiserver:v1.30.0",
            Some("registry.k8s.io"),
            "kube-apiserver",
            Some("v1.30.0"),
            None,
            "registry.k8s.io/kube-apiserver:v1.30.0",
        ),
        (
            "registry.k8s.io/ingress-nginx/controller:v1.10.0",
            Some("registry.k8s.io"),
            "ingress-nginx/controller",
            Some("v1.10.0"),
            None,
            "registry.k8s.io/ingress-nginx/controller:v1.10.0",
        ),
        (
            "k8s.gcr.io/pause:3.2",
            Some("k8s.gcr.io"),
            "pause",
            Some("3.2"),
            None,
            "k8s.gcr.io/pause:3.2",
        ),
        (
            "k8s.gcr.io/etcd:3.5.9-0",
            Some("k8s.gcr.io"),
            "etcd",
            Some("3.5.9-0"),
            None,
            "k8s.gcr.io/etcd:3.5.9-0",
        ),
        (
            "k8s.gcr.io/a/b",
            Some("k8s.gcr.io"),
            "a/b",
            None,
            None,
            "k8s.gcr.io/a/b:latest",
        ),
        (
            "gcr.io/project/image:tag",
            Some("gcr.io"),
            "project/image",
            Some("tag"),
            None,
            "gcr.io/project/image:tag",
        ),
        (
            "gcr.io/distroless/static-debian12:nonroot",
            Some("gcr.io"),
            "distroless/static-debian12",
            Some("nonroot"),
            None,
            "gcr.io/distroless/static-debian12:nonroot",
        ),
        (
            "us-docker.pkg.dev/proj/repo/img:1",
            Some("us-docker.pkg.dev"),
            "proj/repo/img",
            Some("1"),
            None,
            "us-docker.pkg.dev/proj/repo/img:1",
        ),
        (
            "quay.io/prometheus/node-exporter:v1.7.0",
            Some("quay.io"),
            "prometheus/node-exporter",
            Some("v1.7.0"),
            None,
            "quay.io/prometheus/node-exporter:v1.7.0",
        ),
        (
            "quay.io/a/b/c/d:v1",
            Some("quay.io"),
            "a/b/c/d",
            Some("v1"),
            None,
            "quay.io/a/b/c/d:v1",
        ),
        // No library/ prefix outside Docker Hub.
        (
            "quay.io/nginx",
            Some("quay.io"),
            "nginx",
            None,
            None,
            "quay.io/nginx:latest",
        ),
        (
            "ghcr.io/org/app:sha-abc123",
            Some("ghcr.io"),
            "org/app",
            Some("sha-abc123"),
            None,
            "ghcr.io/org/app:sha-abc123",
        ),
        (
            "public.ecr.aws/nginx/nginx:stable",
            Some("public.ecr.aws"),
            "nginx/nginx",
            Some("stable"),
            None,
            "public.ecr.aws/nginx/nginx:stable",
        ),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2024.01.01",
            Some("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            "app",
            Some("2024.01.01"),
            None,
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2024.01.01",
        ),
        (
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            Some("mcr.microsoft.com"),
            "dotnet/aspnet",
            Some("8.0"),
            None,
            "mcr.microsoft.com/dotnet/aspnet:8.0",
        ),
        (
            "sub-domain.example.com:8443/a/b:c",
            Some("sub-domain.example.com:8443"),
            "a/b",
            Some("c"),
            None,
            "sub-domain.example.com:8443/a/b:c",
        ),
        (
            "example.com/a.b/c_d/e-f",
            Some("example.com"),
            "a.b/c_d/e-f",
            None,
            None,
            "example.com/a.b/c_d/e-f:latest",
        ),
        (
            "host.docker.internal:5000/app",
            Some("host.docker.internal:5000"),
            "app",
            None,
            None,
            "host.docker.internal:5000/app:latest",
        ),
        (
            "my-registry.local/team/app:dev",
            Some("my-registry.local"),
            "team/app",
            Some("dev"),
            None,
            "my-registry.local/team/app:dev",
        ),
        ("a.b.c.d.e/x", Some("a.b.c.d.e"), "x", None, None, "a.b.c.d.e/x:latest"),
        (
            "xn--bcher-kva.example/app",
            Some("xn--bcher-kva.example"),
            "app",
            None,
            None,
            "xn--bcher-kva.example/app:latest",
        ),
        (
            "reg-1.example/x",
            Some("reg-1.example"),
            "x",
            None,
            None,
            "reg-1.example/x:latest",
        ),
        ("foo.bar/baz", Some("foo.bar"), "baz", None, None, "foo.bar/baz:latest"),
        // A ':' alone makes the first component a registry, even without '.'.
        (
            "myregistry:5000/app",
            Some("myregistry:5000"),
            "app",
            None,
            None,
            "myregistry:5000/app:latest",
        ),
        // localhost and IP addresses.
        (
            "localhost/foo",
            Some("localhost"),
            "foo",
            None,
            None,
            "localhost/foo:latest",
        ),
        (
            "localhost/library/x",
            Some("localhost"),
            "library/x",
            None,
            None,
            "localhost/library/x:latest",
        ),
        (
            "localhost:5000/foo",
            Some("localhost:5000"),
            "foo",
            None,
            None,
            "localhost:5000/foo:latest",
        ),
        (
            "localhost:5000/foo/bar:1.0",
            Some("localhost:5000"),
            "foo/bar",
            Some("1.0"),
            None,
            "localhost:5000/foo/bar:1.0",
        ),
        // The grammar is [0-9]+: ports above 65535 are not rejected upstream.
        (
            "localhost:99999/x",
            Some("localhost:99999"),
            "x",
            None,
            None,
            "localhost:99999/x:latest",
        ),
        (
            "127.0.0.1:5000/x",
            Some("127.0.0.1:5000"),
            "x",
            None,
            None,
            "127.0.0.1:5000/x:latest",
        ),
        ("127.0.0.1/x", Some("127.0.0.1"), "x", None, None, "127.0.0.1/x:latest"),
        ("1.2.3.4/x", Some("1.2.3.4"), "x", None, None, "1.2.3.4/x:latest"),
        ("0.0.0.0:0/x", Some("0.0.0.0:0"), "x", None, None, "0.0.0.0:0/x:latest"),
        (
            "[::1]:5000/x",
            Some("[::1]:5000"),
            "x",
            None,
            None,
            "[::1]:5000/x:latest",
        ),
        ("[::1]/x", Some("[::1]"), "x", None, None, "[::1]/x:latest"),
        ("[::]:5000/x", Some("[::]:5000"), "x", None, None, "[::]:5000/x:latest"),
        (
            "[2001:db8::1]:443/team/app:v2",
            Some("[2001:db8::1]:443"),
            "team/app",
            Some("v2"),
            None,
            "[2001:db8::1]:443/team/app:v2",
        ),
        ("[FE80::1]/x", Some("[FE80::1]"), "x", None, None, "[FE80::1]/x:latest"),
        // host:port without a slash is a Docker Hub name with a tag.
        (
            "test.com:5000",
            None,
            "test.com",
            Some("5000"),
            None,
            "docker.io/library/test.com:5000",
        ),
        (
            "localhost:8080",
            None,
            "localhost",
            Some("8080"),
            None,
            "docker.io/library/localhost:8080",
        ),
        (
            "localhost",
            None,
            "localhost",
            None,
            None,
            "docker.io/library/localhost:latest",
        ),
        (
            "docker.io",
            None,
            "docker.io",
            None,
            None,
            "docker.io/library/docker.io:latest",
        ),
        // An upper-case first component is a registry.
        (
            "Docker/docker",
            Some("Docker"),
            "docker",
            None,
            None,
            "Docker/docker:latest",
        ),
        (
            "LOCALDOMAIN/debian",
            Some("LOCALDOMAIN"),
            "debian",
            None,
            None,
            "LOCALDOMAIN/debian:latest",
        ),
        (
            "Registry.Example.COM/app:1",
            Some("Registry.Example.COM"),
            "app",
            Some("1"),
            None,
            "Registry.Example.COM/app:1",
        ),
        // Path component separators.
        ("a__b", None, "a__b", None, None, "docker.io/library/a__b:latest"),
        (
            "a-----b",
            None,
            "a-----b",
            None,
            None,
            "docker.io/library/a-----b:latest",
        ),
        ("a.b_c", None, "a.b_c", None, None, "docker.io/library/a.b_c:latest"),
        (
            "a_b.c-d__e",
            None,
            "a_b.c-d__e",
            None,
            None,
            "docker.io/library/a_b.c-d__e:latest",
        ),
        ("0", None, "0", None, None, "docker.io/library/0:latest"),
        ("a", None, "a", None, None, "docker.io/library/a:latest"),
        // Tags.
        (
            "nginx:TAG_upper",
            None,
            "nginx",
            Some("TAG_upper"),
            None,
            "docker.io/library/nginx:TAG_upper",
        ),
        (
            "nginx:_private",
            None,
            "nginx",
            Some("_private"),
            None,
            "docker.io/library/nginx:_private",
        ),
        (
            "nginx:1.2.3-rc.1",
            None,
            "nginx",
            Some("1.2.3-rc.1"),
            None,
            "docker.io/library/nginx:1.2.3-rc.1",
        ),
        (
            "nginx:a--b..c",
            None,
            "nginx",
            Some("a--b..c"),
            None,
            "docker.io/library/nginx:a--b..c",
        ),
        ("nginx:0", None, "nginx", Some("0"), None, "docker.io/library/nginx:0"),
        (
            "nginx:v1.0.0_beta-2",
            None,
            "nginx",
            Some("v1.0.0_beta-2"),
            None,
            "docker.io/library/nginx:v1.0.0_beta-2",
        ),
        // Digests.
        (
            "nginx@{D256}",
            None,
            "nginx",
            None,
            Some("{D256}"),
            "docker.io/library/nginx@{D256}",
        ),
        (
            "nginx:1.25@{D256}",
            None,
            "nginx",
            Some("1.25"),
            Some("{D256}"),
            "docker.io/library/nginx:1.25@{D256}",
        ),
        (
            "nginx:latest@{D256}",
            None,
            "nginx",
            Some("latest"),
            Some("{D256}"),
            "docker.io/library/nginx:latest@{D256}",
        ),
        (
            "docker.io/library/alpine:3.19@{D256}",
            Some("docker.io"),
            "library/alpine",
            Some("3.19"),
            Some("{D256}"),
            "docker.io/library/alpine:3.19@{D256}",
        ),
        (
            "quay.io/a/b:1.0@{D256}",
            Some("quay.io"),
            "a/b",
            Some("1.0"),
            Some("{D256}"),
            "quay.io/a/b:1.0@{D256}",
        ),
        (
            "registry.k8s.io/pause@{D512}",
            Some("registry.k8s.io"),
            "pause",
            None,
            Some("{D512}"),
            "registry.k8s.io/pause@{D512}",
        ),
        (
            "gcr.io/p/i@{D384}",
            Some("gcr.io"),
            "p/i",
            None,
            Some("{D384}"),
            "gcr.io/p/i@{D384}",
        ),
        (
            "localhost:5000/x@{D256}",
            Some("localhost:5000"),
            "x",
            None,
            Some("{D256}"),
            "localhost:5000/x@{D256}",
        ),
        (
            "a:1@{D256}",
            None,
            "a",
            Some("1"),
            Some("{D256}"),
            "docker.io/library/a:1@{D256}",
        ),
        // "sha256:<hex>" is the repository "sha256" with a 64-character tag.
        (
            "sha256:{H64}",
            None,
            "sha256",
            Some("{H64}"),
            None,
            "docker.io/library/sha256:{H64}",
        ),
        // Only the bare 64-hex string is refused upstream; with a tag, a
        // digest or a namespace it is an ordinary repository name.
        (
            "{H64}:latest",
            None,
            "{H64}",
            Some("latest"),
            None,
            "docker.io/library/{H64}:latest",
        ),
        ("org/{H64}", None, "org/{H64}", None, None, "docker.io/org/{H64}:latest"),
        (
            "{H64}@{D256}",
            None,
            "{H64}",
            None,
            Some("{D256}"),
            "docker.io/library/{H64}@{D256}",
        ),
    ];

    fn valid_cases() -> Vec<Valid> {
        let mut cases: Vec<Valid> = VALID
            .iter()
            .map(|&(input, registry, path, tag, digest, normalized)| Valid {
                input: expand(input),
                registry: registry.map(expand),
                path: expand(path),
                tag: tag.map(expand),
                digest: digest.map(expand),
                normalized: expand(normalized),
            })
            .collect();
        let mut add = |input: String, registry: Option<&str>, path: String, tag: Option<String>| {
            let normalized = format!(
                "{}/{}:{}",
                normalize_registry(registry),
                if needs_official_namespace(registry, &path) {
                    format!("library/{path}")
                } else {
                    path.clone()
                },
                tag.as_deref().unwrap_or("latest")
            );
            cases.push(Valid {
                input,
                registry: registry.map(str::to_owned),
                path,
                tag,
                digest: None,
                normalized,
            });
        };
        // A 128-character tag is the longest allowed.
        let tag = "t".repeat(128);
        add(format!("nginx:{tag}"), None, "nginx".into(), Some(tag));
        // Paths of exactly 255 characters, with and without a registry.
        let path = format!("org/{}", "a".repeat(251));
        add(path.clone(), None, path, None);
        let path = format!("team/{}", "b".repeat(250));
        add(format!("quay.io/{path}"), Some("quay.io"), path, None);
        // A one-component Docker Hub path is checked with its implicit
        // "library/": 247 + 8 = 255 characters.
        let path = "c".repeat(247);
        add(path.clone(), None, path, None);
        // Outside Docker Hub a one-component path may use all 255.
        let path = "d".repeat(255);
        add(format!("localhost/{path}"), Some("localhost"), path, None);
        cases
    }

    /// input, error kind, span
    fn invalid_cases() -> Vec<(String, ImageRefErrorKind, Range<usize>)> {
        let table: Vec<(&str, ImageRefErrorKind, Range<usize>)> = vec![
            ("", K::Empty, 0..0),
            // Whitespace.
            (" nginx", K::SurroundingWhitespace, 0..1),
            ("nginx ", K::SurroundingWhitespace, 5..6),
            ("nginx\t", K::SurroundingWhitespace, 5..6),
            ("nginx:1.0\n", K::SurroundingWhitespace, 9..10),
            ("registry.k8s.io/pause:3.9 ", K::SurroundingWhitespace, 25..26),
            ("   ", K::SurroundingWhitespace, 0..3),
            ("ngi nx", K::Whitespace, 3..4),
            ("ngi\t\tnx", K::Whitespace, 3..5),
            ("ex ample.com/x", K::Whitespace, 2..3),
            // U+00A0 NO-BREAK SPACE is whitespace too, and two bytes long.
            ("ngin\u{a0}x", K::Whitespace, 4..6),
            // Template placeholders.
            ("${IMAGE}", K::TemplatePlaceholder, 0..8),
            ("{{ .Values.image }}", K::TemplatePlaceholder, 0..19),
            ("nginx:{{ .Tag }}", K::TemplatePlaceholder, 6..16),
            ("$(IMAGE)", K::TemplatePlaceholder, 0..8),
            ("repo/{{ .Values.name", K::TemplatePlaceholder, 5..20),
            ("$IMAGE", K::InvalidCharacter('$'), 0..1),
            // Bare image ID.
            ("{H64}", K::HexIdentifier, 0..64),
            // Missing parts.
            (":tag", K::MissingName, 0..1),
            ("@{D256}", K::MissingName, 0..1),
            (":", K::MissingName, 0..1),
            ("@", K::MissingName, 0..1),
            ("nginx:", K::EmptyTag, 5..6),
            ("nginx:@{D256}", K::EmptyTag, 5..6),
            ("nginx@", K::EmptyDigest, 5..6),
            ("nginx:1@", K::EmptyDigest, 7..8),
            ("localhost:5000/", K::MissingPath, 14..15),
            ("docker.io/", K::MissingPath, 9..10),
            // Slashes.
            ("a//b", K::EmptyPathComponent, 1..3),
            ("foo/bar//", K::EmptyPathComponent, 7..9),
            ("host.com//x", K::EmptyPathComponent, 8..10),
            ("/a", K::LeadingSlash, 0..1),
            ("/", K::LeadingSlash, 0..1),
            ("a/", K::TrailingSlash, 1..2),
            ("a/b/", K::TrailingSlash, 3..4),
            // Path component separators.
            ("a..b", K::InvalidSeparator("..".into()), 1..3),
            ("a_-b", K::InvalidSeparator("_-".into()), 1..3),
            ("a___b", K::InvalidSeparator("___".into()), 1..4),
            ("a.-b", K::InvalidSeparator(".-".into()), 1..3),
            ("a-.b", K::InvalidSeparator("-.".into()), 1..3),
            ("-a", K::LeadingSeparator("-".into()), 0..1),
            (".a", K::LeadingSeparator(".".into()), 0..1),
            ("_a", K::LeadingSeparator("_".into()), 0..1),
            ("a/-b", K::LeadingSeparator("-".into()), 2..3),
            ("a/__", K::LeadingSeparator("__".into()), 2..4),
            ("a-", K::TrailingSeparator("-".into()), 1..2),
            ("a/b.", K::TrailingSeparator(".".into()), 3..4),
            // Characters in the path.
            ("nginxé", K::InvalidCharacter('é'), 5..7),
            ("ngínx", K::InvalidCharacter('í'), 2..4),
            ("library/\u{1f600}", K::InvalidCharacter('\u{1f600}'), 8..12),
            ("nginx/Nginx", K::UppercaseInPath('N'), 6..7),
            ("docker.io/Library/x", K::UppercaseInPath('L'), 10..11),
            ("UPPER", K::UppercaseInPath('U'), 0..1),
            ("Nginx:1.0", K::UppercaseInPath('N'), 0..1),
            ("localhost:5000/Foo", K::UppercaseInPath('F'), 15..16),
            // "[::1]:5000" has no '/', so it has no registry.
            ("[::1]:5000", K::InvalidCharacter('['), 0..1),
            // Registry host.
            ("-host.com/x", K::RegistryLabelHyphen, 0..1),
            ("host-.com/x", K::RegistryLabelHyphen, 4..5),
            (".host/x", K::EmptyRegistryLabel, 0..1),
            ("host./x", K::EmptyRegistryLabel, 4..5),
            ("a..b.com/x", K::EmptyRegistryLabel, 1..3),
            // Decision: "a_b.c" contains '.', so it is a registry and '_' is
            // invalid there. (Upstream's regexp would fall back to reading
            // it as a path component with an empty domain; we do not.)
            ("a_b.c/x", K::InvalidRegistryCharacter('_'), 1..2),
            ("reg_istry.io:5000/x", K::InvalidRegistryCharacter('_'), 3..4),
            (":5000/x", K::EmptyRegistryHost, 0..1),
            ("[]:5000/x", K::EmptyRegistryHost, 0..2),
            ("[::1/x", K::UnclosedIpv6Bracket, 0..1),
            ("[fe80::1%eth0]/x", K::InvalidRegistryCharacter('%'), 8..9),
            ("[::1]x/y", K::InvalidRegistryCharacter('x'), 5..6),
            // Registry port.
            ("host:abc/x", K::InvalidPort("abc".into()), 5..8),
            ("nginx:1.0/foo", K::InvalidPort("1.0".into()), 6..9),
            ("a:1:2/x", K::InvalidPort("1:2".into()), 2..5),
            ("host:/x", K::MissingPort, 4..5),
            // Tags.
            ("nginx:-tag", K::InvalidTagStart('-'), 6..7),
            ("nginx:.tag", K::InvalidTagStart('.'), 6..7),
            ("nginx:tag!", K::InvalidTagCharacter('!'), 9..10),
            ("nginx:a:b", K::InvalidTagCharacter(':'), 7..8),
            ("nginx:1.0:2.0", K::InvalidTagCharacter(':'), 9..10),
            ("nginx:tagé", K::InvalidTagCharacter('é'), 9..11),
            // Digests.
            (
                "nginx@sha256:abc",
                K::DigestLength {
                    algorithm: "sha256",
                    expected: 64,
                    found: 3,
                },
                13..16,
            ),
            (
                "nginx@sha256:{H63}",
                K::DigestLength {
                    algorithm: "sha256",
                    expected: 64,
                    found: 63,
                },
                13..76,
            ),
            (
                "nginx@sha256:{H65}",
                K::DigestLength {
                    algorithm: "sha256",
                    expected: 64,
                    found: 65,
                },
                13..78,
            ),
            (
                "nginx@sha256:",
                K::DigestLength {
                    algorithm: "sha256",
                    expected: 64,
                    found: 0,
                },
                12..13,
            ),
            (
                "nginx@sha384:{H64}",
                K::DigestLength {
                    algorithm: "sha384",
                    expected: 96,
                    found: 64,
                },
                13..77,
            ),
            (
                "nginx@sha512:{H64}",
                K::DigestLength {
                    algorithm: "sha512",
                    expected: 128,
                    found: 64,
                },
                13..77,
            ),
            ("nginx@sha256:{U64}", K::UppercaseDigest, 13..14),
            ("nginx@sha256:{H63}g", K::InvalidDigestCharacter('g'), 76..77),
            ("nginx@sha256:{H64}=", K::InvalidDigestCharacter('='), 77..78),
            ("nginx@sha256:{H64}@x", K::InvalidDigestCharacter('@'), 77..78),
            // A tag written after the digest.
            ("nginx@sha256:{H64}:latest", K::InvalidDigestCharacter(':'), 77..78),
            ("nginx@md5:{H32}", K::UnsupportedDigestAlgorithm("md5".into()), 6..9),
            (
                "nginx@sha-256:{H64}",
                K::UnsupportedDigestAlgorithm("sha-256".into()),
                6..13,
            ),
            (
                "nginx@sha256+b64:abc",
                K::UnsupportedDigestAlgorithm("sha256+b64".into()),
                6..16,
            ),
            ("nginx@SHA256:{H64}", K::InvalidDigestAlgorithm("SHA256".into()), 6..12),
            (
                "nginx@sha256_:{H64}",
                K::InvalidDigestAlgorithm("sha256_".into()),
                6..13,
            ),
            ("nginx@é:abc", K::InvalidDigestAlgorithm("é".into()), 6..8),
            ("nginx@sha256", K::MalformedDigest, 6..12),
            ("nginx@:abc", K::MalformedDigest, 6..7),
            ("a@b@c", K::MalformedDigest, 2..5),
        ];
        let mut cases: Vec<_> = table
            .into_iter()
            .map(|(input, kind, span)| (expand(input), kind, span))
            .collect();
        // 129-character tag.
        cases.push((
            format!("nginx:{}", "t".repeat(129)),
            K::TagTooLong { length: 129 },
            6..135,
        ));
        // 256-character paths.
        cases.push((
            format!("org/{}", "a".repeat(252)),
            K::PathTooLong { length: 256 },
            0..256,
        ));
        cases.push((
            format!("quay.io/team/{}", "b".repeat(251)),
            K::PathTooLong { length: 256 },
            8..264,
        ));
        cases.push((
            format!("localhost/{}", "d".repeat(256)),
            K::PathTooLong { length: 256 },
            10..266,
        ));
        // 248 characters plus the implicit "library/" is 256.
        cases.push(("c".repeat(248), K::PathTooLong { length: 256 }, 0..248));
        cases.push((
            format!("docker.io/{}", "c".repeat(248)),
            K::PathTooLong { length: 256 },
            10..258,
        ));
        cases
    }

    /// Checks the structural guarantees of a parse result for any input.
    fn check_invariants(input: &str) {
        match ImageRef::parse(input) {
            Ok(image) => {
                assert_eq!(image.as_str(), input);
                let mut rebuilt = String::new();
                if let Some(registry) = image.registry() {
                    assert_eq!(Some(&input[image.registry_range().unwrap()]), Some(registry));
                    rebuilt.push_str(registry);
                    rebuilt.push('/');
                }
                assert_eq!(&input[image.path_range()], image.path());
                rebuilt.push_str(image.path());
                assert_eq!(&input[image.name_range()], &rebuilt, "{input:?}");
                if let Some(tag) = image.tag() {
                    assert_eq!(&input[image.tag_range().unwrap()], tag);
                    rebuilt.push(':');
                    rebuilt.push_str(tag);
                }
                if let Some(digest) = image.digest() {
                    assert_eq!(&input[image.digest_range().unwrap()], digest);
                    rebuilt.push('@');
                    rebuilt.push_str(digest);
                }
                assert_eq!(rebuilt, input);
                // Normalisation is idempotent and always names the registry.
                let normalized = image.normalized();
                let again =
                    ImageRef::parse(&normalized).unwrap_or_else(|e| panic!("{normalized:?} (from {input:?}): {e}"));
                assert!(again.has_explicit_registry());
                assert_eq!(again.normalized(), normalized);
                assert!(again.effective_tag().is_some() || again.digest().is_some());
            }
            Err(error) => check_error(input, &error),
        }
    }

    fn check_error(input: &str, error: &ImageRefError) {
        let span = error.span.clone();
        assert!(span.start <= span.end, "{input:?}: {span:?}");
        assert!(span.end <= input.len(), "{input:?}: {span:?}");
        assert!(input.is_char_boundary(span.start), "{input:?}: {span:?}");
        assert!(input.is_char_boundary(span.end), "{input:?}: {span:?}");
        assert_eq!(span.is_empty(), input.is_empty(), "{input:?}: {span:?}");
        let message = error.to_string();
        assert!(!message.is_empty());
        assert!(!message.ends_with('.'), "{message}");
        assert!(!message.starts_with(char::is_uppercase), "{message}");
        if input.len() > 20 {
            assert!(!message.contains(input), "{message}");
        }
        let help = error.help().unwrap_or("");
        assert!(!help.ends_with('.'), "{help}");
    }

    #[test]
    fn table_sizes() {
        assert!(valid_cases().len() >= 80, "{}", valid_cases().len());
        assert!(invalid_cases().len() >= 60, "{}", invalid_cases().len());
    }

    #[test]
    fn valid_references() {
        for case in valid_cases() {
            let input = case.input.as_str();
            let image = ImageRef::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(image.registry(), case.registry.as_deref(), "{input:?}");
            assert_eq!(image.path(), case.path, "{input:?}");
            assert_eq!(image.tag(), case.tag.as_deref(), "{input:?}");
            assert_eq!(image.digest(), case.digest.as_deref(), "{input:?}");
            assert_eq!(image.normalized(), case.normalized, "{input:?}");
            assert_eq!(image.has_explicit_registry(), case.registry.is_some());
            check_invariants(input);
        }
    }

    #[test]
    fn invalid_references() {
        for (input, kind, span) in invalid_cases() {
            let error = ImageRef::parse(&input).expect_err(&input);
            assert_eq!(error.kind, kind, "{input:?}: {error}");
            assert_eq!(error.span, span, "{input:?}: {error}");
        }
    }

    #[test]
    fn error_spans_are_within_input_and_on_char_boundaries() {
        for (input, ..) in invalid_cases() {
            let error = ImageRef::parse(&input).expect_err(&input);
            check_error(&input, &error);
            if !input.is_empty() {
                // The span is a real, printable slice of the input.
                assert!(!input[error.span.clone()].is_empty());
            }
        }
    }

    #[test]
    fn ranges() {
        let input = expand("localhost:5000/foo/bar:1.0@{D256}");
        let image = ImageRef::parse(&input).unwrap();
        assert_eq!(image.registry_range(), Some(0..14));
        assert_eq!(image.path_range(), 15..22);
        assert_eq!(image.name_range(), 0..22);
        assert_eq!(image.tag_range(), Some(23..26));
        assert_eq!(image.digest_range(), Some(27..input.len()));

        let image = ImageRef::parse("nginx").unwrap();
        assert_eq!(image.registry_range(), None);
        assert_eq!(image.path_range(), 0..5);
        assert_eq!(image.name_range(), 0..5);
        assert_eq!(image.tag_range(), None);
        assert_eq!(image.digest_range(), None);
    }

    #[test]
    fn effective_tag() {
        let cases = [
            ("nginx", Some("latest")),
            ("nginx:1.25", Some("1.25")),
            ("nginx:latest", Some("latest")),
            ("nginx@{D256}", None),
            ("nginx:latest@{D256}", Some("latest")),
            ("nginx:v1@{D256}", Some("v1")),
            ("localhost:5000", Some("5000")),
            ("localhost:5000/x", Some("latest")),
        ];
        for (input, expected) in cases {
            let input = expand(input);
            let image = ImageRef::parse(&input).unwrap();
            assert_eq!(image.effective_tag(), expected, "{input:?}");
        }
    }

    #[test]
    fn default_pull_policy() {
        let cases = [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:latest@{D256}", "Always"),
            ("nginx:1.25", "IfNotPresent"),
            ("nginx@{D256}", "IfNotPresent"),
            // Only exactly "latest" counts.
            ("nginx:Latest", "IfNotPresent"),
            ("nginx:latest-alpine", "IfNotPresent"),
        ];
        for (input, expected) in cases {
            let input = expand(input);
            let image = ImageRef::parse(&input).unwrap();
            assert_eq!(image.default_pull_policy(), expected, "{input:?}");
        }
    }

    #[test]
    fn normalized_registry() {
        let cases = [
            ("nginx", "docker.io"),
            ("org/app", "docker.io"),
            ("docker.io/nginx", "docker.io"),
            ("index.docker.io/nginx", "docker.io"),
            ("quay.io/x", "quay.io"),
            ("localhost:5000/x", "localhost:5000"),
            ("[::1]:5000/x", "[::1]:5000"),
            ("Index.Docker.io/x", "Index.Docker.io"),
            ("test.com:5000", "docker.io"),
        ];
        for (input, expected) in cases {
            let image = ImageRef::parse(input).unwrap();
            assert_eq!(image.normalized_registry(), expected, "{input:?}");
        }
    }

    #[test]
    fn normalized_path() {
        let cases = [
            ("nginx", "library/nginx", false),
            ("nginx:1.25", "library/nginx", false),
            ("docker.io/nginx", "library/nginx", false),
            ("index.docker.io/nginx", "library/nginx", false),
            ("library/nginx", "library/nginx", true),
            ("org/app", "org/app", true),
            ("quay.io/nginx", "nginx", true),
            ("localhost/nginx", "nginx", true),
            ("localhost:5000/a/b", "a/b", true),
        ];
        for (input, expected, borrowed) in cases {
            let image = ImageRef::parse(input).unwrap();
            let path = image.normalized_path();
            assert_eq!(path, expected, "{input:?}");
            assert_eq!(matches!(path, Cow::Borrowed(_)), borrowed, "{input:?}");
        }
    }

    #[test]
    fn normalized_name() {
        let cases = [
            ("nginx", "docker.io/library/nginx"),
            ("nginx:1.25@{D256}", "docker.io/library/nginx"),
            ("index.docker.io/org/app:1", "docker.io/org/app"),
            ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause"),
            ("localhost:8080", "docker.io/library/localhost"),
        ];
        for (input, expected) in cases {
            let input = expand(input);
            let image = ImageRef::parse(&input).unwrap();
            assert_eq!(image.normalized_name(), expected, "{input:?}");
        }
    }

    #[test]
    fn has_explicit_registry() {
        let cases = [
            ("nginx", false),
            ("library/nginx", false),
            ("test.com:5000", false),
            ("localhost", false),
            ("docker.io/nginx", true),
            ("localhost/nginx", true),
            ("registry.k8s.io/pause", true),
            ("Docker/docker", true),
            ("host:5000/x", true),
        ];
        for (input, expected) in cases {
            let image = ImageRef::parse(input).unwrap();
            assert_eq!(image.has_explicit_registry(), expected, "{input:?}");
        }
    }

    #[test]
    fn messages() {
        let message = |input: &str| ImageRef::parse(&expand(input)).unwrap_err().to_string();
        assert_eq!(
            message("nginx/Abc"),
            "invalid character 'A' in repository path: path components must be lower case"
        );
        assert_eq!(
            message("nginx@sha256:0123456789ab"),
            "sha256 digest must have 64 hexadecimal characters, found 12"
        );
        assert_eq!(message("a//b"), "empty path component (\"//\")");
        assert_eq!(
            message(&format!("nginx:{}", "t".repeat(129))),
            "tag is longer than 128 characters (found 129)"
        );
        assert_eq!(message("nginx:"), "empty tag after ':'");
        assert_eq!(message("nginxé"), "invalid character 'é' in repository path");
        assert_eq!(message("a_-b"), "invalid separator \"_-\" in repository path");
        assert_eq!(
            message("host:abc/x"),
            "invalid registry port \"abc\": ports must be digits"
        );
        assert_eq!(
            message("nginx@md5:{H32}"),
            "unsupported digest algorithm \"md5\": only sha256, sha384 and sha512 work"
        );
        // Control characters are escaped rather than printed raw.
        assert_eq!(message("a\u{7}"), "invalid character '\\u{7}' in repository path");
    }

    #[test]
    fn help() {
        let help = |input: &str| ImageRef::parse(input).unwrap_err().help();
        assert_eq!(help("UPPER"), Some("repository names must be lower case"));
        assert_eq!(help(" nginx"), Some("remove the surrounding whitespace"));
        assert_eq!(help("$IMAGE"), help("${IMAGE}"));
        for (input, ..) in invalid_cases() {
            let error = ImageRef::parse(&input).unwrap_err();
            assert!(error.help().is_some_and(|h| !h.is_empty()), "{input:?}");
        }
    }

    #[test]
    fn error_trait() {
        let error: Box<dyn Error> = Box::new(ImageRef::parse("").unwrap_err());
        assert_eq!(error.to_string(), "image reference is empty");
        assert!(error.source().is_none());
    }

    /// Symbols from which the exhaustive and random inputs are built.
    const ALPHABET: &[&str] = &[
        "a", "0", "Z", "/", ":", "@", ".", "_", "-", "[", "]", "é", " ", "$", "{",
    ];

    #[test]
    fn never_panics_on_short_inputs() {
        // Every string of up to four symbols.
        let mut inputs = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for prefix in &frontier {
                for symbol in ALPHABET {
                    next.push(format!("{prefix}{symbol}"));
                }
            }
            inputs.extend(next.iter().cloned());
            frontier = next;
        }
        for input in &inputs {
            check_invariants(input);
        }
    }

    #[test]
    fn never_panics_on_mutated_inputs() {
        let mut seeds: Vec<String> = valid_cases().into_iter().map(|c| c.input).collect();
        seeds.extend(invalid_cases().into_iter().map(|(input, ..)| input));
        for seed in seeds.iter().filter(|s| s.len() < 100) {
            let boundaries = (0..=seed.len()).filter(|&i| seed.is_char_boundary(i));
            for at in boundaries {
                for symbol in ALPHABET {
                    let inserted = format!("{}{symbol}{}", &seed[..at], &seed[at..]);
                    check_invariants(&inserted);
                    if let Some(c) = seed[at..].chars().next() {
                        let next = at + c.len_utf8();
                        let replaced = format!("{}{symbol}{}", &seed[..at], &seed[next..]);
                        check_invariants(&replaced);
                        let removed = format!("{}{}", &seed[..at], &seed[next..]);
                        check_invariants(&removed);
                    }
                }
            }
        }
    }

    #[test]
    fn never_panics_on_random_inputs() {
        // xorshift64: deterministic and dependency-free.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = next() % 40;
            let input: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            check_invariants(&input);
        }
    }
}
