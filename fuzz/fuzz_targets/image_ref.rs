//! The image reference parser: never panics; a parsed reference rebuilds its input from its parts
//! and normalises to a reference that parses; an error's span lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pullcheck::image::ImageRef;

fuzz_target!(|text: &str| {
    match ImageRef::parse(text) {
        Ok(reference) => {
            let mut rebuilt = String::new();
            if let Some(registry) = reference.registry() {
                rebuilt.push_str(registry);
                rebuilt.push('/');
            }
            rebuilt.push_str(reference.path());
            if let Some(tag) = reference.tag() {
                rebuilt.push(':');
                rebuilt.push_str(tag);
            }
            if let Some(digest) = reference.digest() {
                rebuilt.push('@');
                rebuilt.push_str(digest);
            }
            assert_eq!(rebuilt, text);
            let normalized = reference.normalized();
            let again = ImageRef::parse(&normalized).expect("a normalised reference parses");
            assert_eq!(again.normalized(), normalized);
        }
        Err(error) => {
            assert!(error.span.end <= text.len());
            assert!(text.is_char_boundary(error.span.start) && text.is_char_boundary(error.span.end));
        }
    }
});
