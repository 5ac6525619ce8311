//! The whole path, parse → extract → check → report, on arbitrary bytes: never panics, and every
//! diagnostic's span lies inside the text, on character boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pullcheck::check::check_text;
use pullcheck::config::Config;
use pullcheck::inventory::DeclaredInventory;
use pullcheck::report;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut config = Config::default();
    config.private_registries = vec![pullcheck::registry::RegistryPattern::parse("*.icr.io").unwrap()];
    let outcome = check_text("fuzz.yaml", text, &config, &DeclaredInventory::default());
    for diagnostic in &outcome.diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= text.len());
        assert!(text.is_char_boundary(diagnostic.span.start) && text.is_char_boundary(diagnostic.span.end));
    }
    let _ = report::json::render(&outcome);
    let human = report::human::HumanReport::new(false);
    for diagnostic in &outcome.diagnostics {
        let _ = human.render(diagnostic);
    }
});
