//! The language server's framing reader on arbitrary bytes: never panics, always reaches the end of
//! the input, numbers frames one by one, and answers every malformed frame (but a response) with a
//! JSON-RPC error whose message stays short: it names the problem, never the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pullcheck::lsp::transport::{Frame, MessageReader};

fuzz_target!(|data: &[u8]| {
    // A small limit, so that the fuzzer reaches the oversized path too.
    let mut reader = MessageReader::new(data, 256);
    let mut last = 0;
    for _ in 0..=data.len() {
        match reader.read().expect("reading memory does not fail") {
            Frame::End => return,
            Frame::Message(_) => {}
            Frame::Malformed(malformed) => {
                assert!(malformed.number > last);
                last = malformed.number;
                match malformed.reply() {
                    Some(reply) => {
                        assert_eq!(reply["jsonrpc"], "2.0");
                        assert!(reply["error"]["message"].as_str().is_some_and(|m| m.len() < 120));
                    }
                    None => assert!(malformed.response),
                }
            }
        }
    }
    panic!("more frames than bytes");
});
