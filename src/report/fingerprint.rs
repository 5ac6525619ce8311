//! What identifies a finding across commits, for the reports that let a platform track findings
//! (SARIF's `partialFingerprints`, GitLab Code Quality's `fingerprint`): a hash of everything but
//! where the finding is in its file, so that a finding keeps its fingerprint when lines are added
//! above it, and a number telling apart findings that hash the same in one run.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;

/// The fingerprints of one report's findings, given in report order.
#[derive(Default)]
pub struct Fingerprints {
    seen: HashMap<u64, usize>,
}

impl Fingerprints {
    /// The fingerprint of `d`, whose file is `path` (relative to the directory pullcheck ran in,
    /// as a URI reference, so that it is the same on every machine): `HASH:N`, the Nth finding of
    /// this run with that hash.
    pub fn of(&mut self, d: &Diagnostic, path: &str) -> String {
        let hash = hash(d, path);
        let occurrence = self.seen.entry(hash).or_insert(0);
        *occurrence += 1;
        format!("{hash:016x}:{occurrence}")
    }
}

/// 64-bit FNV-1a (Fowler–Noll–Vo): small, well known, and the same everywhere.
struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Fnv1a {
        Fnv1a(Self::OFFSET_BASIS)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// A field that may be absent, framed so that no two sequences of fields hash the same bytes.
    fn field(&mut self, value: Option<&str>) {
        match value {
            None => self.write(&[0]),
            Some(value) => {
                self.write(&[1]);
                self.write(&(value.len() as u64).to_le_bytes());
                self.write(value.as_bytes());
            }
        }
    }
}

/// What identifies a finding across commits: everything but where it is in the file.
fn hash(d: &Diagnostic, uri: &str) -> u64 {
    let object = d.object.as_ref();
    let mut hash = Fnv1a::new();
    hash.field(Some(d.rule));
    hash.field(Some(uri));
    hash.field(object.map(|o| &*o.kind));
    hash.field(object.map(|o| o.namespace.as_str()));
    hash.field(object.and_then(|o| o.name.as_deref()));
    hash.field(d.container.as_deref());
    hash.field(d.field.as_deref());
    hash.field(Some(&d.message));
    hash.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        let hash = |text: &str| {
            let mut hash = Fnv1a::new();
            hash.write(text.as_bytes());
            hash.0
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x85944171f73967e8);
    }
}
