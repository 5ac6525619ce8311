//! The whole path, parse → extract → check → report, on arbitrary bytes: never panics, every
//! diagnostic's span lies inside the text, on character boundaries, and every report format (human
//! with and without colour, JSON, SARIF, GitHub annotations) renders the outcome. The same text read
//! as a `.pullcheck.yaml` either parses or gives an error the human report renders.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use pullcheck::check::check_text;
use pullcheck::config::Config;
use pullcheck::registry::RegistryPattern;
use pullcheck::report;
use pullcheck::report::human::HumanReport;
use pullcheck::rules;
use pullcheck::setup::Setup;
use pullcheck::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut setup = Setup::default();
    setup.config.private_registries = vec![RegistryPattern::parse("*.icr.io").expect("a valid pattern")];
    let outcome = check_text("fuzz.yaml", text, &setup);
    for diagnostic in &outcome.diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= text.len());
        assert!(text.is_char_boundary(diagnostic.span.start) && text.is_char_boundary(diagnostic.span.end));
    }

    for color in [false, true] {
        let human = HumanReport::new(color);
        for diagnostic in &outcome.diagnostics {
            assert!(!human.render(diagnostic).is_empty());
        }
    }
    let mut out = Vec::new();
    report::json::write(&outcome, &mut out).expect("writing to memory");
    serde_json::from_slice::<serde_json::Value>(&out).expect("the JSON report is JSON");
    out.clear();
    report::sarif::write(&outcome, None, &mut out).expect("writing to memory");
    serde_json::from_slice::<serde_json::Value>(&out).expect("the SARIF report is JSON");
    out.clear();
    report::github::write(&outcome, &mut out).expect("writing to memory");
    std::str::from_utf8(&out).expect("the annotations are UTF-8");

    let file = Arc::new(SourceFile::new(".pullcheck.yaml".to_owned(), text));
    if let Err(error) = Config::parse(&file, &rules::ids()) {
        if let Some(span) = error.span {
            assert!(span.start <= span.end && span.end <= text.len());
        }
        for color in [false, true] {
            assert!(!HumanReport::new(color).render_config_error(&error).is_empty());
        }
    }
});
