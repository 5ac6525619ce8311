//! Helpers shared by the end-to-end tests: the real binary, and files written for it.
// Each test crate uses a part of this module.
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;

/// A Deployment with one finding: `latest-image-tag` on line 11, column 22 (the `latest` of
/// `nginx:latest`); its sidecar is clean.
pub const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:latest
      - name: sidecar
        image: \"registry.k8s.io/pause:3.9\"
";

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
