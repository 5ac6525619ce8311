//! What of a file may be shown to a person: its text with credential values masked.
//!
//! Human output quotes source lines around each finding, and a finding (or a syntax error) near a
//! Secret's `data` would otherwise print a registry password into a CI log. [`for_display`] masks,
//! byte for byte with `*`, so that every span still points at the same place:
//! - in a file that mentions `Secret`, every value under a `data:` or `stringData:` key;
//! - anywhere, the value of a key that names a credential (`password`, `auth`, `token`,
//!   `.dockerconfigjson`, …), in YAML (`key: value`, block scalars) and in inline JSON
//!   (`"password": "…"`).
//!
//! This works on lines, not on the YAML tree, so it also covers files that do not parse. It masks
//! more than strictly needed rather than less.

/// The text to show, or `None` when nothing in it needs masking.
pub fn for_display(text: &str) -> Option<String> {
    let secret_file = text.contains("Secret");
    let mut shown = String::with_capacity(text.len());
    let mut changed = false;
    // Indentation of the key whose nested lines are all masked (`data:`, or a credential key
    // holding a block scalar).
    let mut masking_under: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        if let Some(under) = masking_under
            && !content.is_empty()
            && !content.starts_with('#')
            && indent <= under
        {
            masking_under = None;
        }
        let masked = if masking_under.is_some() {
            match value_start(line) {
                Some(at) => mask_from(line, at),
                None => mask_from(line, indent),
            }
        } else {
            match key_and_value(line) {
                Some((key, at))
                    if is_credential_key(key) || (secret_file && (key == "data" || key == "stringData")) =>
                {
                    let value = line[at..].trim();
                    if value.is_empty() || value.starts_with('|') || value.starts_with('>') || value.starts_with('#') {
                        masking_under = Some(indent);
                    }
                    mask_from(line, at)
                }
                _ => mask_json_values(line),
            }
        };
        changed |= masked != line;
        shown.push_str(&masked);
    }
    changed.then_some(shown)
}

/// Keys whose values are credentials.
fn is_credential_key(key: &str) -> bool {
    let key = key.trim_matches(['"', '\'']).to_ascii_lowercase();
    key == "auth"
        || key.contains("password")
        || key.contains("passwd")
        || key.contains("token")
        || key.contains("apikey")
        || key.contains("api_key")
        || key.ends_with(".dockerconfigjson")
        || key.ends_with(".dockercfg")
}

/// A block-style `key: value` line (optionally a `- key: value` item): the key, and the byte offset
/// where the value starts.
fn key_and_value(line: &str) -> Option<(&str, usize)> {
    let at = value_start(line)?;
    let start = line.len() - line.trim_start().len();
    let start = if line[start..].starts_with("- ") {
        start + 2
    } else {
        start
    };
    let key = line.get(start..at)?.trim_end().strip_suffix(':')?.trim();
    (!key.is_empty() && !key.contains(' ') || key.starts_with('"')).then_some((key, at))
}

/// Where the value of a `key: value` line starts: just after `: ` (or a line-ending `:`).
fn value_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b':') if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r')) => {
                return Some(i + 1);
            }
            (None, b'#') if i > 0 && bytes[i - 1] == b' ' => return None,
            _ => {}
        }
    }
    None
}

/// `line` with every non-blank byte from `at` on replaced by `*`, up to a trailing comment.
fn mask_from(line: &str, at: usize) -> String {
    let at = at.min(line.len());
    let end = comment_start(line, at);
    let mut masked = String::with_capacity(line.len());
    masked.push_str(&line[..at]);
    for c in line[at..end].chars() {
        if c.is_whitespace() {
            masked.push(c);
        } else {
            masked.extend(std::iter::repeat_n('*', c.len_utf8()));
        }
    }
    masked.push_str(&line[end..]);
    masked
}

/// Where a `#` comment starts on `line` after `at` (outside quotes, after a blank), or its end.
fn comment_start(line: &str, at: usize) -> usize {
    let bytes = line.as_bytes();
    let mut quote = None;
    for i in at..bytes.len() {
        match (quote, bytes[i]) {
            (None, b'"' | b'\'') => quote = Some(bytes[i]),
            (Some(q), b) if b == q => quote = None,
            (None, b'#') if i > at && matches!(bytes[i - 1], b' ' | b'\t') => return i,
            _ => {}
        }
    }
    bytes.len()
}

/// Masks the string values of credential keys in inline JSON: `"password": "…"`.
fn mask_json_values(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut masked = line.as_bytes().to_vec();
    let mut i = 0;
    while let Some(open) = line[i..].find('"').map(|o| o + i) {
        let Some(close) = string_end(bytes, open) else { break };
        i = close + 1;
        if !is_credential_key(&line[open + 1..close]) {
            continue;
        }
        let mut j = close + 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if bytes.get(j) != Some(&b':') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if bytes.get(j) != Some(&b'"') {
            continue;
        }
        let end = string_end(bytes, j).unwrap_or(bytes.len());
        for byte in &mut masked[j + 1..end] {
            *byte = b'*';
        }
        i = end;
    }
    // Only ASCII `*` replaced whole strings' bytes; an unclosed string masks to the line's end,
    // which may split a multi-byte character: fall back to masking from a char boundary.
    String::from_utf8(masked).unwrap_or_else(|_| mask_from(line, 0))
}

/// The index of the quote that closes the JSON string opening at `open`.
fn string_end(bytes: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        let shown = for_display(text).unwrap_or_else(|| text.to_owned());
        assert_eq!(shown.len(), text.len(), "masking must keep every byte offset");
        shown
    }

    #[test]
    fn secret_data_is_masked_and_offsets_kept() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pull\ndata:\n  .dockerconfigjson: eyJhdXRocyI6e319\n  other: |\n    c2VjcmV0\n    bW9yZQ==\nstringData: {password: hunter2}\ntype: kubernetes.io/dockerconfigjson\n";
        let out = shown(text);
        for secret in ["eyJhdXRocyI6e319", "c2VjcmV0", "bW9yZQ==", "hunter2"] {
            assert!(!out.contains(secret), "{secret} shown:\n{out}");
        }
        for kept in [
            "name: pull",
            ".dockerconfigjson:",
            "type: kubernetes.io/dockerconfigjson",
        ] {
            assert!(out.contains(kept), "{kept} masked:\n{out}");
        }
    }

    #[test]
    fn credential_keys_are_masked_anywhere() {
        let text = "env:\n  - name: DB_PASSWORD\n    value: plain\nspec:\n  password: \"p@ss w0rd\"  # rotated\n  registryToken: abc.def\n  note: '{\"auths\": {\"x\": {\"auth\": \"dXNlcjpwYXNz\", \"user\": \"me\"}}}'\n";
        let out = shown(text);
        for secret in ["p@ss", "w0rd", "abc.def", "dXNlcjpwYXNz"] {
            assert!(!out.contains(secret), "{secret} shown:\n{out}");
        }
        assert!(out.contains("# rotated") && out.contains("\"user\": \"me\""), "{out}");
        // Not a Secret file: a ConfigMap-style `data:` block is left alone.
        assert_eq!(for_display("data:\n  colour: blue\n"), None);
    }

    #[test]
    fn files_that_do_not_parse_are_masked_too() {
        let text = "kind: Secret\nstringData:\n  password: \"unclosed secret\n  other: [\n";
        let out = shown(text);
        assert!(!out.contains("unclosed secret"), "{out}");
    }
}
