//! File paths as `file:` URIs and back (RFC 8089), as SARIF logs and LSP clients write them.
//!
//! Encoding percent-encodes every byte of a segment but RFC 3986's unreserved characters, so any
//! name survives the trip, on Unix even one that is not UTF-8 (its bytes are encoded as they are,
//! never replaced by U+FFFD); decoding accepts what editors send (`file:///a/b`, `file://localhost/a/b`,
//! an encoded drive colon `file:///c%3A/x` on Windows). Only local paths: other schemes and hosts
//! are not files pullcheck can read. This module does not touch the file system.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// An absolute path as a `file:` URI: `file:///abs/path`, or `file:///C:/abs/path` on Windows.
pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for component in path.components() {
        match component {
            Component::Prefix(prefix) => {
                uri.push('/');
                uri.push_str(&prefix.as_os_str().to_string_lossy());
            }
            Component::RootDir => {}
            other => {
                uri.push('/');
                uri.push_str(&percent_encode_os(other.as_os_str()));
            }
        }
    }
    if uri == "file://" {
        uri.push('/');
    }
    uri
}

/// Percent-encodes one path segment: everything but RFC 3986's unreserved characters, so `:`
/// cannot be mistaken for a scheme nor `%`, `#`, `?` or a space break the URI.
pub fn percent_encode(segment: &str) -> String {
    percent_encode_bytes(segment.as_bytes())
}

/// Percent-encodes one segment of a path as the file system names it: on Unix its bytes, whatever
/// they are; elsewhere its text.
pub fn percent_encode_os(segment: &OsStr) -> String {
    percent_encode_bytes(&os_bytes(segment))
}

#[cfg(unix)]
fn os_bytes(segment: &OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(segment.as_bytes())
}

#[cfg(not(unix))]
fn os_bytes(segment: &OsStr) -> Cow<'_, [u8]> {
    match segment.to_string_lossy() {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

fn percent_encode_bytes(segment: &[u8]) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for &byte in segment {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The local path a `file:` URI names; `None` for another scheme, a remote host, or a path that
/// is not absolute.
pub fn file_path(uri: &str) -> Option<PathBuf> {
    let scheme_end = uri.find(':')?;
    if !uri[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = &uri[scheme_end + 1..];
    // The query and fragment are not part of the path.
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => {
            let path_start = authority_and_path.find('/')?;
            let authority = &authority_and_path[..path_start];
            if !(authority.is_empty() || authority.eq_ignore_ascii_case("localhost")) {
                return None;
            }
            &authority_and_path[path_start..]
        }
        None => rest,
    };
    if !path.starts_with('/') {
        return None;
    }
    local_path(percent_decode(path))
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let Some(high) = bytes.get(i + 1).copied().and_then(hex)
            && let Some(low) = bytes.get(i + 2).copied().and_then(hex)
        {
            decoded.push((high * 16 + low) as u8);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    decoded
}

#[cfg(unix)]
fn local_path(decoded: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(decoded)))
}

#[cfg(not(unix))]
fn local_path(decoded: Vec<u8>) -> Option<PathBuf> {
    let path = String::from_utf8(decoded).ok()?;
    // `/C:/x` is the path `C:/x`.
    let drive = path.as_bytes();
    let path = if drive.len() >= 3 && drive[1].is_ascii_alphabetic() && drive[2] == b':' {
        &path[1..]
    } else {
        &path
    };
    let path = PathBuf::from(path);
    path.is_absolute().then_some(path)
}

/// Removes `.` components and folds `name/..`, without touching the file system (a path that
/// names the standard input may not exist). Leading `..` of a relative path are kept.
pub fn normalise(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = normal.components().next_back();
                match last {
                    Some(Component::Normal(_)) => {
                        normal.pop();
                    }
                    Some(Component::RootDir | Component::Prefix(_)) => {}
                    _ => normal.push(".."),
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_every_byte_but_unreserved_ones() {
        assert_eq!(percent_encode("my charts"), "my%20charts");
        assert_eq!(percent_encode("a:b#1%.yaml"), "a%3Ab%231%25.yaml");
        assert_eq!(percent_encode("café~_-.yaml"), "caf%C3%A9~_-.yaml");
        assert_eq!(file_uri(Path::new("/")), "file:///");
    }

    #[cfg(unix)]
    #[test]
    fn file_uris_round_trip() {
        for path in ["/work/repo/a.yaml", "/my charts/a:b#1%.yaml", "/café/😀.yaml", "/"] {
            let uri = file_uri(Path::new(path));
            assert_eq!(file_path(&uri).as_deref(), Some(Path::new(path)), "{uri}");
        }
        assert_eq!(file_uri(Path::new("/etc/k8s/a b.yaml")), "file:///etc/k8s/a%20b.yaml");
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_keeps_its_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(OsStr::from_bytes(b"/k8s/caf\xe9.yaml"));
        let uri = file_uri(path);
        assert_eq!(uri, "file:///k8s/caf%E9.yaml");
        assert_eq!(file_path(&uri).as_deref(), Some(path));
        assert_eq!(percent_encode_os(OsStr::from_bytes(b"\xff a")), "%FF%20a");
    }

    #[cfg(unix)]
    #[test]
    fn decodes_what_editors_send() {
        use std::os::unix::ffi::OsStringExt;
        let path = |uri: &str| file_path(uri).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(path("file:///home/me/x.yaml").as_deref(), Some("/home/me/x.yaml"));
        assert_eq!(path("file://localhost/x.yaml").as_deref(), Some("/x.yaml"));
        assert_eq!(path("FILE:/x.yaml").as_deref(), Some("/x.yaml"));
        assert_eq!(path("file:///a%2fb%ZZ%").as_deref(), Some("/a/b%ZZ%"));
        assert_eq!(path("file:///x.yaml#L3").as_deref(), Some("/x.yaml"));
        // Invalid UTF-8 in a name is still a name on Unix.
        assert_eq!(
            file_path("file:///caf%E9"),
            Some(PathBuf::from(std::ffi::OsString::from_vec(b"/caf\xe9".to_vec())))
        );
        assert_eq!(path("untitled:Untitled-1"), None);
        assert_eq!(path("file://server/share/x.yaml"), None);
        assert_eq!(path("file:relative.yaml"), None);
        assert_eq!(path("https://example.com/x.yaml"), None);
    }
}
