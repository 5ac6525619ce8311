//! End-to-end tests of `pullcheck lsp`: the real binary, driven over its standard input and output
//! as an editor would, with exact positions, configuration discovery, reloads and exit codes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

/// How long to wait for any one message: generous, for a loaded CI machine.
const TIMEOUT: Duration = Duration::from_secs(30);

/// An editor, as far as the protocol goes.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Every message the server wrote, in order; an `Err` when its output was not LSP framing.
    messages: Receiver<Result<Value, String>>,
    /// Messages read while waiting for another one.
    unclaimed: Vec<Value>,
    /// Reads the server's standard error to its end.
    stderr: Option<JoinHandle<String>>,
    next_id: i64,
}

impl Client {
    fn start(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pullcheck"))
            .arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pullcheck lsp starts");
        let mut pipe = child.stderr.take().unwrap();
        let stderr = Some(std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        }));
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                let failed = message.is_err();
                if sender.send(message).is_err() || failed {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            messages,
            unclaimed: Vec::new(),
            stderr,
            next_id: 1,
        }
    }

    /// `initialize` with these client capabilities, then `initialized`; the server's result.
    fn initialize(&mut self, capabilities: Value, root: &Path) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "capabilities": capabilities,
                "workspaceFolders": [{"uri": file_uri(root), "name": "root"}],
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_bytes(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Writes bytes as they are: framing of any quality.
    fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response: the result, or the error as `{"error": …}`.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(|m| m["id"] == id && m.get("method").is_none());
        match response.get("error") {
            Some(error) => json!({ "error": error }),
            None => response["result"].clone(),
        }
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unclaimed.iter().position(&wanted) {
            return self.unclaimed.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(Ok(message)) => message,
                Ok(Err(junk)) => panic!("the server wrote something that is not an LSP message: {junk}"),
                Err(_) => panic!("no such message within {TIMEOUT:?}; seen: {:#?}", self.unclaimed),
            };
            if wanted(&message) {
                return message;
            }
            self.unclaimed.push(message);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)["params"]
            .clone()
    }

    fn open(&mut self, uri: &str, language: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// Closes the server's input and waits for it to exit; its exit code and standard error.
    fn exit(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Nothing may follow the last message but the end of the output.
                while let Ok(message) = self.messages.try_recv() {
                    let message = message.unwrap_or_else(|junk| panic!("not an LSP message: {junk}"));
                    self.unclaimed.push(message);
                }
                let code = status.code().expect("exited, not killed");
                let stderr = self.stderr.take().unwrap().join().unwrap();
                return (code, stderr);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One message in LSP's base protocol framing; `None` at the end of the output.
fn read_message(reader: &mut impl BufRead) -> Option<Result<Value, String>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        let Some((name, value)) = line.trim_end().split_once(": ") else {
            return Some(Err(line));
        };
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "content-type" => {}
            _ => return Some(Err(line)),
        }
    }
    let Some(length) = length else {
        return Some(Err("a header without Content-Length".to_owned()));
    };
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).map_err(|error| format!("{error}: {}", String::from_utf8_lossy(&body))))
}

fn file_uri(path: &Path) -> String {
    // Temporary directories have plain names: nothing to percent-encode.
    format!("file://{}", path.display())
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A project with a configuration, an inventory that declares namespaces `shop` (with the pull
/// secret `ghcr-pull`) and `payments` (with nothing), and an empty `deploy/` folder. Its real path.
fn project() -> (TempDir, PathBuf) {
    let dir = TempDir::new().unwrap();
    let root = dir.path().canonicalize().unwrap();
    write(&root.join(".pullcheck.yaml"), "inventory: [cluster/inventory.yaml]\n");
    write(
        &root.join("cluster/inventory.yaml"),
        "namespaces:\n  shop:\n    secrets:\n      - name: ghcr-pull\n        registries: [ghcr.io]\n  payments: {}\n",
    );
    std::fs::create_dir_all(root.join("deploy")).unwrap();
    (dir, root)
}

/// A pod in `payments` that uses the secret of `shop`, and `nginx:latest` after "é😀" on its line:
/// `  - {name: "é😀", image: "nginx:` is 31 characters, 32 UTF-16 units and 35 bytes.
const POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: café, namespace: payments}
spec:
  imagePullSecrets: [{name: ghcr-pull}]
  containers:
  - {name: \"é😀\", image: \"nginx:latest\"}
";

const FIXED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: café, namespace: shop}
spec:
  imagePullSecrets: [{name: ghcr-pull}]
  containers:
  - {name: \"é😀\", image: \"nginx:1.27\"}
";

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}})
}

#[test]
fn diagnostics_follow_the_buffer_in_utf16_and_clear_and_the_server_exits_cleanly() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    let result = client.initialize(json!({}), &root);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16", "{result:#}");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 1, "full sync");
    assert_eq!(result["serverInfo"]["name"], "pullcheck");

    // An unsaved buffer: the file does not exist, its folder does.
    let uri = file_uri(&root.join("deploy/web.yaml"));
    client.open(&uri, "yaml", 1, POD);
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 2, "{published:#}");

    let secret = &diagnostics[0];
    assert_eq!(secret["code"], "unknown-pull-secret");
    assert_eq!(secret["severity"], 1, "error");
    assert_eq!(secret["range"], range((4, 28), (4, 37)));
    // The secret of that name, in the inventory: another file, by its own URI.
    assert_eq!(
        secret["relatedInformation"],
        json!([{
            "location": {"uri": file_uri(&root.join("cluster/inventory.yaml")), "range": range((3, 14), (3, 23))},
            "message": "defined in namespace \"shop\"",
        }])
    );

    let tag = &diagnostics[1];
    assert_eq!(tag["code"], "latest-image-tag");
    assert_eq!(tag["severity"], 2, "warning");
    assert_eq!(tag["source"], "pullcheck");
    assert_eq!(
        tag["codeDescription"]["href"],
        "https://github.com/pullcheck/pullcheck/blob/main/rules/latest-image-tag.md"
    );
    // "latest" after "é😀": UTF-16 columns 32 to 38 (characters would say 31, bytes 35).
    assert_eq!(tag["range"], range((6, 32), (6, 38)), "{tag:#}");
    let message = tag["message"].as_str().unwrap();
    assert!(
        message.starts_with("image \"nginx:latest\" uses the tag \"latest\""),
        "{message}"
    );
    assert!(message.contains("\nhelp: pin a version tag"), "{message}");
    assert!(tag.get("relatedInformation").is_none(), "{tag:#}");

    // Fixing the buffer clears its diagnostics; so does closing it.
    client.change(&uri, 2, FIXED_POD);
    let published = client.diagnostics(&uri);
    assert_eq!(published, json!({"uri": uri, "version": 2, "diagnostics": []}));
    client.change(&uri, 3, POD);
    assert_eq!(client.diagnostics(&uri)["diagnostics"].as_array().unwrap().len(), 2);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert_eq!(client.diagnostics(&uri)["diagnostics"], json!([]));

    // Requests pullcheck does not serve are errors, not silence.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["error"]["code"], -32601, "{hover:#}");

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    let after = client.request("shutdown", Value::Null);
    assert_eq!(after["error"]["code"], -32600, "{after:#}");
    client.notify("exit", Value::Null);
    assert_eq!(
        client.exit(),
        (0, String::new()),
        "a clean session says nothing on stderr"
    );
}

#[test]
fn utf8_positions_when_offered_and_exit_without_shutdown_fails() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    let result = client.initialize(json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}), &root);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let uri = file_uri(&root.join("deploy/web.yaml"));
    client.open(&uri, "yaml", 7, POD);
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 7);
    assert_eq!(published["diagnostics"][1]["range"], range((6, 35), (6, 41)));

    client.notify("exit", Value::Null);
    let (code, stderr) = client.exit();
    assert_eq!(code, 1, "exit before shutdown");
    assert_eq!(stderr, "pullcheck lsp: the client sent `exit` before `shutdown`\n");

    // A client that goes away without a word: also 1.
    let mut client = Client::start(&root);
    client.initialize(json!({}), &root);
    let (code, stderr) = client.exit();
    assert_eq!(code, 1);
    assert!(stderr.contains("without `shutdown`"), "{stderr}");
}

#[test]
fn configuration_is_found_per_document_and_reloaded_when_saved() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    client.initialize(json!({}), &root);

    // JSON documents are checked too, by language id or by name.
    let json_uri = file_uri(&root.join("deploy/pod.json"));
    let pod_json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
 "spec": {"containers": [{"name": "x", "image": "nginx:1.27"}]}}"#;
    client.open(&json_uri, "json", 1, pod_json);
    assert_eq!(client.diagnostics(&json_uri)["diagnostics"], json!([]));
    // Not YAML nor JSON: left alone (a later publish for pod.json proves nothing came for it).
    let text_uri = file_uri(&root.join("deploy/notes.txt"));
    client.open(&text_uri, "plaintext", 1, "image: nginx:latest\n");

    // Saving a new configuration applies it to every open document.
    let config = root.join(".pullcheck.yaml");
    write(
        &config,
        "inventory: [cluster/inventory.yaml]\nrules:\n  implicit-registry: error\n",
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    let published = client.diagnostics(&json_uri);
    assert_eq!(
        published["diagnostics"][0]["code"], "implicit-registry",
        "{published:#}"
    );
    assert_eq!(published["diagnostics"][0]["range"], range((1, 49), (1, 54)));

    // A configuration being edited is checked as one, at the exact place of the mistake.
    let bad = "rules:\n  implicit-registry: loud\n";
    client.open(&file_uri(&config), "yaml", 1, bad);
    let published = client.diagnostics(&file_uri(&config));
    let error = &published["diagnostics"][0];
    assert!(
        error["message"].as_str().unwrap().contains("unknown severity \"loud\""),
        "{error:#}"
    );
    assert_eq!(error["range"], range((1, 21), (1, 25)));

    // Saved broken, it stops the checks and says why, at the top of each document.
    std::fs::write(&config, bad).unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    let published = client.diagnostics(&json_uri);
    let unusable = &published["diagnostics"][0];
    let message = unusable["message"].as_str().unwrap();
    assert!(
        message.starts_with("not checked: the configuration cannot be used: "),
        "{message}"
    );
    assert_eq!(unusable["range"], range((0, 0), (0, 0)));
    assert_eq!(
        unusable["relatedInformation"][0]["location"],
        json!({"uri": file_uri(&config), "range": range((1, 21), (1, 25))})
    );

    // A document in a folder without configuration gets the defaults.
    let elsewhere = TempDir::new().unwrap();
    let outside_uri = file_uri(&elsewhere.path().canonicalize().unwrap().join("pod.yaml"));
    client.open(&outside_uri, "yaml", 1, POD);
    let published = client.diagnostics(&outside_uri);
    let codes: Vec<&Value> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["code"])
        .collect();
    assert_eq!(codes, [&json!("latest-image-tag")], "{published:#}");

    let all = client.unclaimed.clone();
    assert!(all.iter().all(|m| m["params"]["uri"] != text_uri.as_str()), "{all:#?}");
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit(), (0, String::new()));
}

/// The README promises the editor sees what `pullcheck check -` sees: the same configuration, the
/// same inventory (its `inventoryManifests` included), the same findings at the same places.
#[test]
fn the_language_server_and_check_stdin_agree() {
    let (_dir, root) = project();
    write(
        &root.join(".pullcheck.yaml"),
        "inventory: [cluster/inventory.yaml]\ninventoryManifests: [access]\n",
    );
    // The service account exists only in `inventoryManifests`: without them, `shop` (declared
    // complete by the inventory) would have no `builder`.
    write(
        &root.join("access/builder.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: shop}\nimagePullSecrets: [{name: ghcr-pull}]\n",
    );
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: builder\n  containers:\n  - {name: web, image: \"ghcr.io/acme/web:latest\"}\n  - {name: side, image: \"quay.io/acme/side:1.0\", imagePullPolicy: Sometimes}\n";

    let checked = Command::new(env!("CARGO_BIN_EXE_pullcheck"))
        .args(["check", "-", "--stdin-filename", "deploy/pod.yaml", "--format", "json"])
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(pod.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let report: Value = serde_json::from_slice(&checked.stdout).unwrap();
    let mut from_check: Vec<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            (
                d["rule"].as_str().unwrap().to_owned(),
                start["line"].as_u64().unwrap() - 1,
                start["column"].as_u64().unwrap() - 1,
            )
        })
        .collect();

    let mut client = Client::start(&root);
    client.initialize(json!({"general": {"positionEncodings": ["utf-32"]}}), &root);
    let uri = file_uri(&root.join("deploy/pod.yaml"));
    client.open(&uri, "yaml", 1, pod);
    let published = client.diagnostics(&uri);
    let mut from_editor: Vec<(String, u64, u64)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let start = &d["range"]["start"];
            (
                d["code"].as_str().unwrap().to_owned(),
                start["line"].as_u64().unwrap(),
                start["character"].as_u64().unwrap(),
            )
        })
        .collect();
    from_check.sort();
    from_editor.sort();
    let rules: Vec<&str> = from_check.iter().map(|(rule, ..)| rule.as_str()).collect();
    assert_eq!(rules, ["invalid-pull-policy", "latest-image-tag"], "{report:#}");
    assert_eq!(from_editor, from_check, "{published:#}");
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit(), (0, String::new()));
}

/// A document whose text holds a credential, in a message that is not JSON.
const LEAKY: &str =
    r#"{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"text": "password: hunter2"#;

#[test]
fn malformed_messages_are_answered_and_the_server_keeps_serving() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    client.initialize(json!({}), &root);
    let parse_error = |client: &mut Client| {
        let reply = client.wait_for(|m| m["id"].is_null() && m.get("error").is_some());
        assert_eq!(reply["error"]["code"], -32700, "{reply:#}");
        reply["error"]["message"].as_str().unwrap().to_owned()
    };

    // Message 3 (after `initialize` and `initialized`): not JSON.
    client.send_bytes(format!("Content-Length: {}\r\n\r\n{LEAKY}", LEAKY.len()).as_bytes());
    assert_eq!(parse_error(&mut client), "message 3: not JSON at line 1, column 107");
    // Not UTF-8.
    client.send_bytes(b"Content-Length: 4\r\n\r\n\"\xff\xfe\"");
    assert_eq!(parse_error(&mut client), "message 4: not UTF-8 at byte 1");
    // A header without a colon: the body is skipped up to the next Content-Length.
    client.send_bytes(format!("Content-Length {}\r\n\r\n{LEAKY}", LEAKY.len()).as_bytes());
    assert_eq!(parse_error(&mut client), "message 5: a header line has no `:`");
    // One byte over the limit of 64 MiB: read past, not kept.
    let limit = 64 << 20;
    let mut huge = format!("Content-Length: {}\r\n\r\n", limit + 1).into_bytes();
    huge.resize(huge.len() + limit + 1, b'x');
    client.send_bytes(&huge);
    drop(huge);
    assert_eq!(
        parse_error(&mut client),
        "message 6: 67108865 bytes, more than the limit of 67108864; skipped"
    );
    // JSON, but not a request: an invalid request, answered with its id.
    let reply = client.request("textDocument/hover", json!(null));
    assert_eq!(
        reply["error"]["code"], -32601,
        "a well-formed request still gets its answer"
    );
    client.send(json!({"jsonrpc": "2.0", "id": 99, "method": ["shutdown"]}));
    let reply = client.wait_for(|m| m["id"] == 99);
    assert_eq!(reply["error"]["code"], -32600, "{reply:#}");

    // Headers ending in a bare line feed are read as well.
    let uri = file_uri(&root.join("deploy/web.yaml"));
    let open = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": POD}}})
    .to_string();
    client.send_bytes(format!("Content-Length: {}\n\n{open}", open.len()).as_bytes());
    assert_eq!(client.diagnostics(&uri)["diagnostics"].as_array().unwrap().len(), 2);

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let (code, stderr) = client.exit();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "pullcheck lsp: ignoring message 3: not JSON at line 1, column 107\n\
         pullcheck lsp: ignoring message 4: not UTF-8 at byte 1\n\
         pullcheck lsp: ignoring message 5: a header line has no `:`\n\
         pullcheck lsp: ignoring message 6: 67108865 bytes, more than the limit of 67108864; skipped\n\
         pullcheck lsp: ignoring message 8: JSON, but not a request, notification or response\n"
    );
}

#[test]
fn a_length_no_memory_holds_is_not_reserved() {
    let (_dir, root) = project();
    for length in ["2000000000", "100000000000", "18446744073709551615"] {
        let mut client = Client::start(&root);
        client.initialize(json!({}), &root);
        client.send_bytes(format!("Content-Length: {length}\r\n\r\n{{}}").as_bytes());
        // The input ends inside that body: the client is gone, and the server says so.
        let (code, stderr) = client.exit();
        assert_eq!(code, 1, "{length}: {stderr}");
        assert_eq!(
            stderr, "pullcheck lsp: the client closed the connection without `shutdown`\n",
            "{length}"
        );
    }
}

#[test]
fn malformed_parameters_are_named_without_their_content() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    client.initialize(json!({}), &root);
    let uri = file_uri(&root.join("deploy/web.yaml"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": "password: hunter2", "text": POD}}),
    );
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let (code, stderr) = client.exit();
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "pullcheck lsp: ignoring a textDocument/didOpen whose parameters are not what the protocol says (a field is missing or of the wrong type)\n"
    );
}

#[test]
fn a_burst_of_changes_is_checked_at_its_latest_version() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    client.initialize(json!({}), &root);
    let uri = file_uri(&root.join("deploy/web.yaml"));
    client.open(&uri, "yaml", 0, POD);
    assert_eq!(client.diagnostics(&uri)["version"], 0);

    // A thousand keystrokes, as fast as the pipe takes them; the last one fixes the pod.
    const CHANGES: i32 = 1000;
    let mut burst = Vec::new();
    for version in 1..=CHANGES {
        let text = if version == CHANGES { FIXED_POD } else { POD };
        let change = json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}})
        .to_string();
        write!(burst, "Content-Length: {}\r\n\r\n{change}", change.len()).unwrap();
    }
    client.send_bytes(&burst);
    // What came before `shutdown` is published before its answer.
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    let seen = std::mem::take(&mut client.unclaimed);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit(), (0, String::new()));

    let published: Vec<&Value> = seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| &m["params"])
        .collect();
    let last = published.last().expect("the burst is checked");
    assert_eq!(**last, json!({"uri": uri, "version": CHANGES, "diagnostics": []}));
    // Versions only grow; most changes were read before a check began, and checked as one.
    assert!(
        published
            .windows(2)
            .all(|pair| pair[0]["version"].as_i64() < pair[1]["version"].as_i64())
    );
    assert!(
        published.len() <= 100,
        "{} publishes for {CHANGES} changes",
        published.len()
    );
}

/// A generated document with thousands of findings: the first thousand are published, with one
/// more diagnostic saying how many there were.
#[test]
fn findings_past_a_thousand_are_counted_not_published() {
    let (_dir, root) = project();
    let mut client = Client::start(&root);
    client.initialize(json!({}), &root);
    let containers: String = (0..1_200)
        .map(|i| format!("  - {{name: c{i}, image: \"nginx:latest\"}}\n"))
        .collect();
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: many, namespace: shop}}\nspec:\n  containers:\n{containers}"
    );
    let uri = file_uri(&root.join("deploy/many.yaml"));
    client.open(&uri, "yaml", 1, &text);
    let published = client.diagnostics(&uri);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1_001);
    let tagged = diagnostics.iter().filter(|d| d["code"] == "latest-image-tag").count();
    assert_eq!(tagged, 1_000);
    let note = diagnostics.last().unwrap();
    assert_eq!(
        note["message"],
        "1000 of the 1200 findings in this document are shown; `pullcheck check` on the file lists them all"
    );
    assert_eq!(note["severity"], 3, "information");
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit(), (0, String::new()));
}
