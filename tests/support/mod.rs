//! Helpers shared by the end-to-end tests: the real binary, and files written for it.
// Each test crate uses a part of this module.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;

/// `pullcheck`, run in `dir`, without colour.
pub fn pullcheck(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("pullcheck").unwrap();
    command.current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Writes `dir/name`, creating the folders on the way.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}
