//! What of a file may be shown to a person: its text with credential values masked.
//!
//! Human output and SARIF quote source text around each finding, and a finding (or a syntax error)
//! near a Secret would otherwise print a registry password into a CI log. [`for_display`] masks,
//! byte for byte with `*` (whitespace and line breaks kept), so that every span still points at the
//! same place.
//!
//! Masking follows what the YAML (or JSON) means, not how it looks: the text is loaded with
//! `yaml::load`, so escapes (`"pass\u0077ord"`, `kind: "Secr\x65t"`), anchors, aliases, tags,
//! explicit `? key`s, flow collections and values over several lines are read as Kubernetes reads
//! them. What is masked:
//! - everything under `data` and `stringData` of a mapping whose `kind` is `Secret` (keys shown);
//! - the value, whole, of any key named like a credential ([`is_credential_name`]: `password`,
//!   `passwd`, `passphrase`, `token`, `credential`, `apiKey`, `privateKey`, `secretKey`,
//!   `.dockerconfigjson`, `.dockercfg`, a word `auth`, `auths` or `secret`; but not `secretName`,
//!   `secretKeyRef` and other names of references);
//! - the `value` of a mapping whose `name` is named like a credential: environment variables
//!   (`- name: DB_PASSWORD` / `value: …`), and the parameters of Tekton, Argo and the like;
//! - inside any string: the value of `NAME=value` and `--NAME=value` when NAME is named like a
//!   credential (arguments, kustomize literals, properties files), the word after a `--NAME` flag
//!   and the list item after a `--NAME` item, and the user and password of a `scheme://user:pw@host`
//!   URL;
//! - a string holding YAML or JSON of its own (an embedded config file, kubectl's
//!   last-applied-configuration) is loaded and masked by these same rules, down to a few levels;
//!   where what it masks cannot be mapped back onto the file (escapes, block scalars), the whole
//!   string is masked.
//!
//! Fail closed: a document that does not load (a syntax error; from the `---` before the error to
//! the next one) is not read by meaning at all. If its text holds any hint of a credential (below),
//! every line of it keeps only its indentation, `-` item markers, a leading plain `key:` and `---`;
//! everything else on the line (values, flow collections, quoted keys, comments) is masked. Messages
//! about a value (configuration and inventory errors) quote nothing of it when any of it is masked:
//! see [`message_about`].
//!
//! A comment line that holds a hint of a credential (`# password: …`) is masked after its `#`.
//!
//! What is not masked: a Secret's keys, the names of references to credentials (`secretName`,
//! `secretKeyRef`, `imagePullSecrets`), values under other keys of other kinds (a ConfigMap's
//! `data`), and comments after a value on the same line, in documents that load.
//!
//! The common case stays cheap: a text with no backslash (so no escape can spell a word), no token
//! that names a credential (the kind `Secret` is one; compared without case) and no URL with user
//! information is shown as it is, after one scan of its bytes and without a second load (see
//! [`may_hold_credentials`]). A name, the kind and a URL are otherwise written as they are read.

use crate::source::{SourceFile, Span};
use crate::yaml::{self, LoadProblem, Node, ScalarType};

/// How many levels of YAML inside strings are read; deeper, a string with a hint is masked whole.
const MAX_NESTING: usize = 3;

/// The text to show, or `None` when nothing in it needs masking.
pub fn for_display(text: &str) -> Option<String> {
    let masked = masked_bytes(text, 0)?;
    // Only whole characters were replaced (spans fall on character boundaries); should one not,
    // fail closed and mask every non-blank byte.
    Some(String::from_utf8(masked).unwrap_or_else(|_| mask_all_text(text)))
}

/// `text` with its credentials masked, as bytes, or `None` when nothing is masked.
fn masked_bytes(text: &str, depth: usize) -> Option<Vec<u8>> {
    if !may_hold_credentials(text) {
        return None;
    }
    let stream = yaml::load(text);
    let mut masker = Masker {
        text,
        depth,
        shown: text.as_bytes().to_vec(),
        changed: false,
        walked: Vec::new(),
    };
    let mut markers = None;
    for problem in &stream.problems {
        if let LoadProblem::Syntax { span, .. } = problem {
            let markers = markers.get_or_insert_with(|| document_markers(text).collect::<Vec<_>>());
            masker.unloaded(span.start, markers);
        }
    }
    for document in stream.documents() {
        masker.search(document);
    }
    // A commented-out credential (`# password: …`) means nothing to YAML, but is one all the same.
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let comment = line.trim_start_matches([' ', '\t']);
        if comment.starts_with('#') && may_hold_credentials(comment) {
            let start = at + line.len() - comment.len() + 1;
            masker.mask(Span::new(start, at + line.len()));
        }
        at += line.len();
    }
    masker.changed.then_some(masker.shown)
}

/// A message about the value at `span` of `file`, as it may be shown: when part of that value is
/// masked in [`SourceFile::shown_text`], whatever the message quotes between double quotes (the
/// value, as configuration and inventory errors quote it) is masked too.
pub fn message_about(file: &SourceFile, span: Span, message: String) -> String {
    if file.shown_text().get(span.range()) == file.text().get(span.range()) {
        return message;
    }
    let mut quoted = false;
    message
        .chars()
        .map(|c| match c {
            '"' => {
                quoted = !quoted;
                c
            }
            _ if quoted && !c.is_whitespace() => '*',
            _ => c,
        })
        .collect()
}

/// Whether `text` may hold a credential that [`for_display`] would mask: it has a backslash (an
/// escape can spell any word), a token that names a credential ([`is_credential_name`]; the kind
/// `Secret` is one), or a URL with user information (`://user:password@`). Without one, nothing in
/// it is a credential by these rules: a name, the kind and a URL are written as they are read.
pub fn may_hold_credentials(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.contains(&b'\\') {
        return true;
    }
    let at = |i: usize, hint: &[u8]| {
        bytes
            .get(i..i + hint.len())
            .is_some_and(|written| written.eq_ignore_ascii_case(hint))
    };
    // One pass: a pair of bytes (`| 0x20` lower-cases a letter) picks the few words to compare,
    // one of which every credential token contains; the token around a word found is then judged
    // whole, so `imagePullSecrets` and `secretKeyRef` cost no load.
    let mut i = 0;
    while i + 1 < bytes.len() {
        let candidate = match (bytes[i] | 0x20, bytes[i + 1] | 0x20) {
            (b's', b'e') => at(i, b"secret"),
            (b'a', b'u') => at(i, b"auth"),
            (b'p', b'a') => at(i, b"pass"),
            (b't', b'o') => at(i, b"token"),
            (b'c', b'r') => at(i, b"credential"),
            (b'a', b'p') => at(i, b"api"),
            (b'p', b'r') => at(i, b"private"),
            (b'd', b'o') => at(i, b"docker"),
            (b':', b'/') if at(i, b"://") => {
                // A URL: a hint only with user information (`user:password@`) in its authority.
                let end = bytes[i + 3..]
                    .iter()
                    .position(|&b| b == b'/' || b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`'))
                    .map_or(bytes.len(), |n| i + 3 + n);
                if bytes[i + 3..end].contains(&b'@') {
                    return true;
                }
                i = end;
                continue;
            }
            _ => false,
        };
        if !candidate {
            i += 1;
            continue;
        }
        let start = bytes[..i].iter().rposition(|&b| !is_token_byte(b)).map_or(0, |n| n + 1);
        let end = bytes[i..]
            .iter()
            .position(|&b| !is_token_byte(b))
            .map_or(bytes.len(), |n| i + n);
        // Token bytes are ASCII: both ends are character boundaries.
        if is_credential_token(&text[start..end]) {
            return true;
        }
        i = end.max(i + 1);
    }
    false
}

/// One of these is in every token that names a credential (see [`is_credential_name`]).
const HINTS: &[&[u8]] = &[
    b"secret",
    b"auth",
    b"pass",
    b"token",
    b"credential",
    b"api",
    b"private",
    b"docker",
];

/// The bytes of a name's tokens: ASCII letters and digits, `_`, `-` and `.`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Whether a key, an environment variable's name or a flag names a credential: whether one of its
/// tokens (runs of ASCII letters, digits, `_`, `-` and `.`) does. A token names a credential when,
/// without case, it contains `password`, `passwd`, `passphrase`, `token`, `credential`, `apikey`
/// (`api_key`, `api-key`), `privatekey`, `secretkey` (with `_` or `-` too), `dockerconfigjson` or
/// `dockercfg`, or one of its words (split at `_`, `-`, `.` and camelCase) is `auth`, `auths` or
/// `secret`; except when its last word is `name`, `names`, `ref` or `refs`: it then refers to a
/// credential and is not one (`secretName`, `secretKeyRef`, `passwordSecretRef`).
pub fn is_credential_name(name: &str) -> bool {
    name.split(|c: char| !c.is_ascii() || !is_token_byte(c as u8))
        .any(is_credential_token)
}

fn is_credential_token(token: &str) -> bool {
    const CONTAINED: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "token",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "privatekey",
        "private_key",
        "private-key",
        "secretkey",
        "secret_key",
        "secret-key",
        "dockerconfigjson",
        "dockercfg",
    ];
    /// A last word that makes the name a reference to a credential, not one.
    const REFERENCE: &[&str] = &["name", "names", "ref", "refs"];
    // Most keys have none of the words (`name`, `image`): no allocation for them.
    let bytes = token.as_bytes();
    let has_word = (0..bytes.len()).any(|i| match bytes[i] | 0x20 {
        b's' | b'a' | b'p' | b't' | b'c' | b'd' => HINTS.iter().any(|hint| {
            bytes
                .get(i..i + hint.len())
                .is_some_and(|written| written.eq_ignore_ascii_case(hint))
        }),
        _ => false,
    });
    if !has_word {
        return false;
    }
    let words = words(token);
    if words.last().is_some_and(|w| REFERENCE.contains(&w.as_str())) {
        return false;
    }
    let lower = token.to_ascii_lowercase();
    CONTAINED.iter().any(|word| lower.contains(word))
        || words.iter().any(|w| w == "auth" || w == "auths" || w == "secret")
}

/// The lower-cased words of a name: split at non-alphanumeric characters and where a lower-case
/// letter or digit is followed by an upper-case one (`clientSecret` → `client`, `secret`).
fn words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            words.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_numeric();
        current.extend(c.to_lowercase());
    }
    words.extend((!current.is_empty()).then_some(current));
    words
}

/// How a node is walked: searched for credentials (as a Secret or not), or masked whole (every scalar under it, keys of
/// mappings kept), wherever it is written: an alias's values are masked at their anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    Search,
    /// A mapping merged (`<<`) into a Secret: searched as a Secret itself.
    SearchSecret,
    MaskWhole,
}

const SEARCHED: u8 = 1;
const SECRET: u8 = 2;
const MASKED: u8 = 4;

/// Walks a loaded stream and masks what it means to be a credential.
struct Masker<'t> {
    text: &'t str,
    depth: usize,
    shown: Vec<u8>,
    changed: bool,
    /// How each node (by identity) has been walked: [`SEARCHED`], [`SECRET`] and [`MASKED`] bits. An alias
    /// shares its anchor's node, so each is walked at most twice, whatever the number of aliases.
    walked: Vec<u8>,
}

impl Masker<'_> {
    /// Masks every non-blank byte of `span`.
    fn mask(&mut self, span: Span) {
        let end = span.end.min(self.shown.len());
        for byte in self.shown.get_mut(span.start.min(end)..end).unwrap_or_default() {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'*') {
                *byte = b'*';
                self.changed = true;
            }
        }
    }

    /// Looks for credentials under `root`. The walk keeps its own stack: a document nested
    /// thousands of levels deep loads, and must not overflow the thread's stack here.
    fn search(&mut self, root: Node<'_, '_>) {
        let mut stack = vec![(root, Walk::Search)];
        while let Some((node, walk)) = stack.pop() {
            let id = node.identity();
            if self.walked.len() <= id {
                self.walked.resize(id + 1, 0);
            }
            let skip = match walk {
                Walk::Search => self.walked[id] != 0,
                Walk::SearchSecret => self.walked[id] & (SECRET | MASKED) != 0,
                Walk::MaskWhole => self.walked[id] & MASKED != 0,
            };
            if skip {
                continue;
            }
            self.walked[id] |= match walk {
                Walk::Search => SEARCHED,
                Walk::SearchSecret => SECRET,
                Walk::MaskWhole => MASKED,
            };
            if node.is_mapping() {
                let searching = walk != Walk::MaskWhole;
                // Its own `kind`, written once or more, or one merged into it.
                let is_secret = walk == Walk::SearchSecret
                    || (searching
                        && (node.entries().any(|(k, v)| {
                            k.scalar().is_some_and(|k| k.eq_ignore_ascii_case("kind")) && is_secret_kind(v)
                        }) || node.get("kind").is_some_and(is_secret_kind)));
                // `name: DB_PASSWORD` beside `value: …`: an environment variable, a parameter.
                let named_credential = searching
                    && node
                        .entries()
                        .any(|(k, v)| k.scalar() == Some("name") && v.scalar().is_some_and(is_credential_name));
                let inner = if searching { Walk::Search } else { Walk::MaskWhole };
                for (key, value) in node.entries() {
                    let Some(name) = key.scalar() else {
                        // A collection as a key (`? {…}`): walked like any value.
                        stack.push((key, inner));
                        stack.push((value, inner));
                        continue;
                    };
                    let secret_payload =
                        is_secret && (name.eq_ignore_ascii_case("data") || name.eq_ignore_ascii_case("stringData"));
                    let credential =
                        secret_payload || is_credential_name(name) || (named_credential && name == "value");
                    let walk = match () {
                        () if credential => Walk::MaskWhole,
                        () if is_secret && name == "<<" => Walk::SearchSecret,
                        () => inner,
                    };
                    stack.push((value, walk));
                }
            } else if node.is_sequence() {
                let mut after_flag = false;
                for item in node.items() {
                    stack.push((item, if after_flag { Walk::MaskWhole } else { walk }));
                    after_flag = item
                        .scalar()
                        .is_some_and(|s| flag_name(s).is_some_and(is_credential_name));
                }
            } else if walk == Walk::MaskWhole {
                self.mask(node.span());
            } else if node.scalar_type() == Some(ScalarType::String) {
                self.search_string(node);
            }
        }
    }

    /// A string that may hold credentials of its own: `NAME=value` pairs, flags, URLs with a
    /// password, or YAML or JSON text.
    fn search_string(&mut self, node: Node<'_, '_>) {
        let Some(value) = node.scalar() else { return };
        if !may_hold_credentials(value) {
            return;
        }
        let masked = (self.depth + 1 < MAX_NESTING).then(|| {
            let trimmed = value.trim_start();
            let structured = trimmed.starts_with(['{', '[', '-'])
                || value.contains('\n')
                || value.contains(": ")
                || value.contains(":\t")
                || value.ends_with(':');
            // YAML or JSON text of its own: loaded for what it means, then read as plain text too.
            let mut bytes = structured
                .then(|| masked_bytes(value, self.depth + 1))
                .flatten()
                .unwrap_or_else(|| value.as_bytes().to_vec());
            mask_in_plain_text(value, &mut bytes);
            bytes
        });
        match masked {
            Some(bytes) if bytes == value.as_bytes() => {}
            // What the value masks maps onto the file only where the value is its own text.
            Some(bytes) => match node.content_span() {
                Some(content) => {
                    for (i, (&shown, &written)) in bytes.iter().zip(value.as_bytes()).enumerate() {
                        if shown != written {
                            self.mask(Span::new(content.start + i, content.start + i + 1));
                        }
                    }
                }
                None => self.mask(node.span()),
            },
            None => self.mask(node.span()),
        }
    }

    /// Fail closed around a syntax error at `offset`: the document it is in was not loaded, so if
    /// it may hold a credential only its structure is shown. `markers`: where the `---` lines start.
    fn unloaded(&mut self, offset: usize, markers: &[usize]) {
        let text = self.text;
        let offset = offset.min(text.len());
        let line = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let before = markers.partition_point(|&marker| marker < line);
        let after = markers.partition_point(|&marker| marker <= line);
        let (start, end) = if before < after && offset < line + 3 {
            // At a `---` itself: the document before it did not end well. That one, to this line.
            let start = before.checked_sub(1).map_or(0, |i| markers[i]);
            (start, text[line..].find('\n').map_or(text.len(), |i| line + i + 1))
        } else {
            // Inside a document: from its `---` (or the start) to the next one.
            let start = after.checked_sub(1).map_or(0, |i| markers[i]);
            (start, markers.get(after).copied().unwrap_or(text.len()))
        };
        let region = &text[start..end];
        if !may_hold_credentials(region) {
            return;
        }
        let mut at = start;
        for line in region.split_inclusive('\n') {
            let kept = structure_len(line);
            self.mask(Span::new(at + kept, at + line.len()));
            at += line.len();
        }
    }
}

/// Whether a `kind` value says Secret (compared without case, to fail closed).
fn is_secret_kind(kind: Node<'_, '_>) -> bool {
    kind.scalar().is_some_and(|k| k.eq_ignore_ascii_case("secret"))
}

/// The name of a `--name` (or `-name`) flag written alone.
fn flag_name(item: &str) -> Option<&str> {
    let name = item.strip_prefix('-')?.trim_start_matches('-');
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    .then_some(name)
}

/// Masks, in a plain string, the values of `NAME=value` and `--NAME value` for credential names,
/// and the user information of URLs (`scheme://user:password@host`).
fn mask_in_plain_text(value: &str, shown: &mut [u8]) {
    let bytes = value.as_bytes();
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let ends_value = |b: u8| b.is_ascii_whitespace() || matches!(b, b'&' | b';' | b',' | b'"' | b'\'' | b'`');
    let mask = |from: usize, shown: &mut [u8]| {
        let end = bytes[from..]
            .iter()
            .position(|&b| ends_value(b))
            .map_or(bytes.len(), |n| from + n);
        for byte in &mut shown[from..end] {
            *byte = b'*';
        }
        end
    };
    let mut i = 0;
    while i < bytes.len() {
        if !is_name_byte(bytes[i]) || (i > 0 && is_name_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_name_byte(bytes[i]) {
            i += 1;
        }
        let name = &value[start..i];
        match bytes.get(i) {
            Some(b'=') if is_credential_name(name.trim_start_matches('-')) => i = mask(i + 1, shown),
            Some(b' ' | b'\t') if name.starts_with('-') && is_credential_name(name.trim_start_matches('-')) => {
                let next = bytes[i..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map_or(bytes.len(), |n| i + n);
                i = mask(next, shown);
            }
            _ => {}
        }
    }
    // `scheme://user:password@host`: what is between `//` and the `@` before the next `/`.
    let mut from = 0;
    while let Some(found) = value[from..].find("://") {
        let authority = from + found + 3;
        let end = bytes[authority..]
            .iter()
            .position(|&b| b == b'/' || ends_value(b))
            .map_or(bytes.len(), |n| authority + n);
        if let Some(at) = value[authority..end].rfind('@') {
            for byte in &mut shown[authority..authority + at] {
                *byte = b'*';
            }
        }
        from = authority;
    }
}

/// How many bytes at the start of a line of an unloaded document are structure, shown as they are:
/// indentation, `-` item markers, a plain `key:` followed by a blank, or a `---`/`...` marker.
fn structure_len(line: &str) -> usize {
    let bytes = line.as_bytes();
    let content = line.trim_end_matches(['\n', '\r']);
    if content == "---" || content == "..." || content.starts_with("--- ") {
        return 3;
    }
    let mut i = 0;
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
            i += 1;
        }
        if bytes.get(i) == Some(&b'-') && matches!(bytes.get(i + 1), Some(b' ' | b'\t')) {
            i += 1;
        } else {
            break;
        }
    }
    let key_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'-' | b'.' | b'/')) {
        i += 1;
    }
    if i > key_start
        && bytes.get(i) == Some(&b':')
        && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
    {
        i + 1
    } else {
        key_start
    }
}

/// The byte offsets of lines that start a document (`---`).
fn document_markers(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(move |&at| {
            let rest = &text.as_bytes()[at..];
            rest.starts_with(b"---") && matches!(rest.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
        })
}

/// Every non-blank byte of `text` as `*`.
fn mask_all_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_whitespace() {
                c.to_string()
            } else {
                "*".repeat(c.len_utf8())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        let shown = for_display(text).unwrap_or_else(|| text.to_owned());
        assert_eq!(shown.len(), text.len(), "masking must keep every byte offset");
        assert_eq!(
            shown.match_indices('\n').collect::<Vec<_>>(),
            text.match_indices('\n').collect::<Vec<_>>(),
            "masking must keep every line break"
        );
        shown
    }

    /// Asserts that none of `secrets` is shown and every one of `kept` is.
    fn check(text: &str, secrets: &[&str], kept: &[&str]) {
        let out = shown(text);
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} shown:\n{out}");
        }
        for kept in kept {
            assert!(out.contains(kept), "{kept} masked:\n{out}");
        }
    }

    #[test]
    fn secret_data_is_masked_and_offsets_kept() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\ndata:\n  .dockerconfigjson: eyJhdXRocyI6e319\n  other: |\n    c2VjcmV0\n    bW9yZQ==\nstringData: {password: hunter2}\ntype: kubernetes.io/dockerconfigjson\n";
        check(
            text,
            &["eyJhdXRocyI6e319", "c2VjcmV0", "bW9yZQ==", "hunter2"],
            &[
                "name: pull",
                ".dockerconfigjson:",
                "other:",
                "type: kubernetes.io/dockerconfigjson",
            ],
        );
    }

    #[test]
    fn secrets_in_json_pretty_or_on_one_line() {
        let one_line = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"QUJDREVG"},"stringData":{"x":"PLAIN1"}}"#;
        check(one_line, &["QUJDREVG", "PLAIN1"], &[r#""name":"s""#, r#""k":"#]);
        let list = "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"kind\": \"Secret\",\n      \"data\": {\n        \"k\": \"QUJDREVG\"\n      }\n    }\n  ]\n}\n";
        check(list, &["QUJDREVG"], &["\"kind\": \"List\""]);
    }

    #[test]
    fn yaml_spellings_of_data_and_kind() {
        for text in [
            "kind: Secret\n\"data\":\n  k: QUJDREVG\n",
            "kind: Secret\ndata: &anchor\n  k: QUJDREVG\n",
            "kind: Secret\ndata: !!map\n  k: QUJDREVG\n",
            "kind: Secret\n? data\n: k: QUJDREVG\n",
            "kind: Secret\nstringData: {\n  k: QUJDREVG,\n  j: \"QUJD\n    REVG\"\n}\n",
            "kind: \"Secr\\x65t\"\ndata:\n  k: QUJDREVG\n",
            "kind: !!str Secret\nDATA: {k: QUJDREVG}\n",
            // An alias: masked where its anchor is written.
            "x-values: &v {k: QUJDREVG}\nkind: Secret\ndata: *v\n",
            "x-values: &v {k: QUJDREVG}\nkind: Secret\ndata: {<<: *v}\n",
            // The kind, or the data, merged in.
            "x-base: &b {kind: Secret}\n<<: *b\ndata: {k: QUJDREVG}\n",
            "x-base: &b {data: {k: QUJDREVG}}\nkind: Secret\n<<: [*b]\n",
            "kind: Secret\nkind: Secret\ndata: {k: QUJDREVG}\n",
        ] {
            check(text, &["QUJD", "REVG"], &["kind:"]);
        }
        // A ConfigMap's data is not a credential.
        assert_eq!(for_display("kind: ConfigMap\ndata:\n  colour: blue\n"), None);
        check("kind: ConfigMap\ndata:\n  colour: secret-blue\n", &[], &["secret-blue"]);
    }

    #[test]
    fn credential_keys_anywhere_by_their_loaded_name() {
        let text = "spec:\n  password: \"p@ss w0rd\"  # rotated\n  registryToken: abc.def\n  credentials: {user: u1, password: PW1}\n  list: [{name: y, apiKey: AK1}]\n  \"pass\\u0077ord\": ESC1\n  token: |\n    BLOCK1\n    BLOCK2\n  passwd: \"FOLD1\n    FOLD2\"\n  clientSecret: CS1\n  basicAuth: {user: BA1}\n  imagePullSecrets: [{name: pull}]\n  secretName: shown-name\n";
        check(
            text,
            &[
                "p@ss", "w0rd", "abc.def", "u1", "PW1", "AK1", "ESC1", "BLOCK", "FOLD", "CS1", "BA1",
            ],
            &[
                "# rotated",
                "name: y",
                "name: pull",
                "shown-name",
                "password:",
                "token: |",
            ],
        );
    }

    #[test]
    fn environment_variables_flags_and_urls() {
        let text = "env:\n  - name: DB_PASSWORD\n    value: ENV1\n  - name: AWS_SECRET_ACCESS_KEY\n    value: ENV2\n  - name: GITHUB_TOKEN\n    value: ENV3\n  - name: LOG_LEVEL\n    value: debug\nargs: [\"--password=ARG1\", \"--token\", \"ARG2\", \"--verbose\", \"run --api-key ARG3 --x=1\"]\ncommand: [sh, -c, \"login -p x --password=ARG4; curl https://me:ARG5@host/x?token=ARG6&y=2\"]\nliterals:\n  - DB_PASSWORD=LIT1\n";
        check(
            text,
            &[
                "ENV1", "ENV2", "ENV3", "ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6", "LIT1",
            ],
            &[
                "value: debug",
                "--verbose",
                "--x=1",
                "--password=",
                "@host/x",
                "&y=2",
                "DB_PASSWORD=",
            ],
        );
    }

    #[test]
    fn yaml_or_json_inside_strings() {
        let annotation = r#"{"kind":"Secret","data":{".dockerconfigjson":"INNER1"}}"#;
        let text = format!(
            "metadata:\n  annotations:\n    plain: '{annotation}'\n    escaped: \"{{\\\"password\\\": \\\"INNER2\\\"}}\"\n    block: |\n      {{\"password\": \"INNER3\"}}\ndata:\n  app.yaml: |\n    db:\n      password: INNER4\n  app.properties: \"db.password=INNER5\"\n"
        );
        check(
            &text,
            &["INNER1", "INNER2", "INNER3", "INNER4", "INNER5"],
            &["plain:", "block: |", "db.password="],
        );
    }

    #[test]
    fn documents_that_do_not_load_fail_closed() {
        let text = "kind: Secret\nstringData:\n  password: \"unclosed secret\n  other: [\n---\nkind: Pod\nspec: {image: nginx}\n";
        check(
            text,
            &["unclosed", "secret\n", "Secret"],
            &[
                "kind: ",
                "stringData:",
                "  password: ",
                "  other: ",
                "spec: {image: nginx}",
            ],
        );
        // Each broken document on its own; the one between them loads and is shown.
        let text = "kind: Secret\nx: [A1\n---\nkind: Pod\n---\nkind: Secret\ny: [A2\n";
        check(text, &["A1", "A2"], &["---\nkind: Pod\n---\n", "x: ", "y: "]);
        // No credential word in a broken document: shown as it is.
        let text = "kind: Pod\nspec: {image: [nginx\n";
        assert_eq!(for_display(text), None);
        // An escape can spell any word: shown only as structure.
        check(
            "kind: Pod\nx: \"p\\x61ss\"\ny: [\n",
            &["p\\x61ss", "Pod"],
            &["kind: ", "x: ", "y: "],
        );
    }

    #[test]
    fn the_quick_scan_sees_every_hint() {
        assert!(!may_hold_credentials("kind: Deployment\nspec:\n  image: nginx:1.27\n"));
        for hint in [
            "Secret",
            "AUTH",
            "pass\\u0077ord",
            "apiKey",
            "API-KEY",
            "x: a://u:p@b",
            "Token",
        ] {
            assert!(may_hold_credentials(hint), "{hint}");
        }
        // References to credentials, and URLs without a password, are no hint.
        let references = "imagePullSecrets: [{name: x}]\nenv: [{valueFrom: {secretKeyRef: {name: a, key: b}}}]\nvolumes: [{name: v, projected: {secretName: c}}]\nurl: https://example.com/secrets\n";
        assert!(!may_hold_credentials(references));
        for name in [
            "password",
            "PGPASSWORD",
            "db.passwd",
            "apiKey",
            "API_KEY",
            "clientSecret",
            "CLIENT_SECRET",
            "auth",
            "basicAuth",
            "auths",
            "identitytoken",
            ".dockerconfigjson",
            "aws_secret_access_key",
            "AWS_SECRET_ACCESS_KEY",
            "ssh-privatekey",
            "secret",
        ] {
            assert!(is_credential_name(name), "{name}");
            assert!(
                may_hold_credentials(name),
                "{name} is a credential name the scan misses"
            );
        }
        for name in [
            "imagePullSecrets",
            "secretName",
            "name",
            "author",
            "oauthProxy",
            "PWD",
            "secrets",
            "secretKeyRef",
            "passwordSecretRef",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn messages_do_not_quote_a_masked_value() {
        let file = SourceFile::new(
            "inventory.yaml",
            "registries: [\"https://me:PW1@quay.io\", \"bad host\"]\n",
        );
        let at = |needle: &str| {
            let start = file.text().find(needle).unwrap();
            Span::new(start, start + needle.len())
        };
        let url = at("\"https://me:PW1@quay.io\"");
        let message = message_about(&file, url, "\"https://me:PW1@quay.io\" is not a registry".into());
        assert_eq!(message, format!("\"{}\" is not a registry", "*".repeat(22)));
        let other = at("\"bad host\"");
        let message = message_about(&file, other, "\"bad host\" is not a registry".into());
        assert_eq!(message, "\"bad host\" is not a registry");
    }

    #[test]
    fn commented_out_credentials() {
        let text = "kind: Pod\n# password: COMMENT1\n  #   --token=COMMENT2\n# just a note\nspec: {}\n";
        check(text, &["COMMENT1", "COMMENT2"], &["# just a note", "kind: Pod"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let text = "- ".repeat(100_000) + "password: DEEP1\n";
        check(&text, &["DEEP1"], &["password: "]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// Any mix of YAML's indicators, credential words and escapes: no panic, every byte offset
        /// and line break kept, and a `password` value never shown when the text loads.
        #[test]
        fn masking_keeps_offsets_on_any_text(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "kind: Secret", "data:", "stringData", "password: ", "token", "- ", "? ", ": ", "{", "}",
                "[", "]", ",", "\"", "'", "\\x65", "\\u0077", "&a ", "*a", "!!map ", "|\n", ">\n", "#",
                "\n", "  ", "\t", "---\n", "é", "😀", "=", "--token=", "https://u:p@h/", "\r\n", "x",
            ]), 0..40)
        ) {
            let text: String = parts.concat();
            shown(&text);
            if !yaml::load(&text).problems.iter().any(|p| matches!(p, LoadProblem::Syntax { .. })) {
                let with_value = format!("{text}\n---\npassword: PROP1\n");
                proptest::prop_assert!(!shown_or_same(&with_value).contains("PROP1"));
            }
        }
    }

    fn shown_or_same(text: &str) -> String {
        for_display(text).unwrap_or_else(|| text.to_owned())
    }

    #[test]
    fn alias_bombs_are_walked_once() {
        let mut text = String::from("kind: Secret\na0: &a0 [x]\n");
        for i in 1..40 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}]\n"));
        }
        text.push_str("data: *a39\n");
        let out = shown(&text);
        assert!(out.contains("a0: &a0 [*]"), "{out}");
    }
}
