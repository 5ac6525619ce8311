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

/// `pullcheck`, run in `dir`, without colour, and without the variables that would change its
/// reports when the tests run in a CI job that sets them.
pub fn pullcheck(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("pullcheck").unwrap();
    command.current_dir(dir).env("NO_COLOR", "1");
    for variable in ["PULLCHECK_FORMAT", "PULLCHECK_OUTPUT", "PULLCHECK_CONFIG"] {
        command.env_remove(variable);
    }
    command
}

/// Writes `dir/name`, creating the folders on the way.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Everything `pullcheck lsp`, run in `dir`, writes (standard output, then standard error) when an
/// editor opens `files` of `dir` as YAML documents in one session that ends with `shutdown` and
/// `exit`; the server must exit with 0.
pub fn lsp_session(dir: &Path, files: &[(String, String)]) -> String {
    let mut input = String::new();
    let mut send = |message: serde_json::Value| {
        let body = message.to_string();
        input.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    };
    send(serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    for (name, text) in files {
        let uri = format!("file://{}", dir.join(name).display());
        send(
            serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}}),
        );
    }
    send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    let output = Command::cargo_bin("pullcheck")
        .unwrap()
        .current_dir(dir)
        .arg("lsp")
        .write_stdin(input)
        .output()
        .unwrap();
    let mut all = String::from_utf8_lossy(&output.stdout).into_owned();
    all.push_str(&String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{all}");
    all
}
