//! `parse-floor [--jobs N] PATH...`: reads every *.yaml, *.yml and *.json file under the paths (as
//! pullcheck's walker finds them) and pulls every YAML event, on N threads. Prints the bytes and
//! events seen, so the work cannot be optimised away.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use saphyr_parser::Parser;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(i) = args.iter().position(|a| a == "--jobs") {
        jobs = args[i + 1].parse().expect("--jobs N");
        args.drain(i..=i + 1);
    }
    let mut walk = ignore::WalkBuilder::new(&args[0]);
    for path in &args[1..] {
        walk.add(path);
    }
    let files: Vec<_> = walk
        .threads(jobs)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json"))
        .collect();
    let bytes = AtomicUsize::new(0);
    let events = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build().unwrap();
    pool.install(|| {
        files.par_iter().for_each(|path| {
            let Ok(text) = std::fs::read_to_string(path) else { return };
            bytes.fetch_add(text.len(), Ordering::Relaxed);
            let mut parser = Parser::new_from_str(&text);
            let mut count = 0;
            while let Some(Ok(_)) = parser.next_event() {
                count += 1;
            }
            events.fetch_add(count, Ordering::Relaxed);
        });
    });
    println!("{} files, {} bytes, {} events", files.len(), bytes.into_inner(), events.into_inner());
}
