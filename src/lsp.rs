//! `pullcheck lsp`: a Language Server over the standard input and output, so editors show findings
//! as the manifest is written.
//!
//! The server publishes diagnostics for YAML and JSON documents (language id `yaml` or `json`, or a
//! `.yaml`, `.yml` or `.json` name) when they are opened, changed (full-text sync) and saved, and
//! clears them when they are closed. Each document is checked on its own, like `pullcheck check -`
//! with `--stdin-filename`: with the configuration found from its directory upward and the
//! inventory that configuration names, loaded once per configuration file and loaded again when
//! one of those files changes. A `.pullcheck.yaml` being edited is itself checked as a configuration.
//! How findings become LSP diagnostics is [`diagnostics`]'s job.
//!
//! It deliberately does not read the rest of the workspace: Secrets and ServiceAccounts in other
//! manifests count only when an inventory file lists them. Nothing but LSP messages is written to
//! the standard output; the standard error gets a line only when something goes wrong, and it says
//! what went wrong, never what a message held. Reading and writing the messages is [`transport`]'s
//! job: a malformed message is answered with a JSON-RPC error and the server keeps serving.

mod diagnostics;
pub mod transport;

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use lsp_server::{Connection, ErrorCode, ExtractError, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{Initialize, Request as _, Shutdown};
use lsp_types::{
    InitializeParams, InitializeResult, PositionEncodingKind, PublishDiagnosticsParams, SaveOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use crate::check;
use crate::config::{self, Config};
use crate::diagnostic::Diagnostic;
use crate::setup::{self, Options, Setup, SetupError};
use crate::source::{ColumnUnit, SourceFile};

/// Serves one client on the standard input and output until it says `exit`. `Ok` when it asked
/// for `shutdown` first, as the protocol wants; the error says what went wrong otherwise.
pub fn serve_stdio() -> Result<(), String> {
    // A panic's message can quote the text it failed on (a string slice's does): say only where.
    std::panic::set_hook(Box::new(|info| match info.location() {
        Some(location) => eprintln!("pullcheck lsp: internal error at {location}"),
        None => eprintln!("pullcheck lsp: internal error"),
    }));
    let (connection, io_threads) = transport::spawn_stdio(transport::MAX_MESSAGE_BYTES);
    let served = serve(&connection);
    // The writer thread ends when the connection's sender is gone.
    drop(connection);
    let joined = io_threads
        .join()
        .map_err(|error| format!("the connection failed: {error}"));
    served.and(joined)
}

/// Serves one client on `connection`: the handshake, then messages until `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = initialize_request(connection)?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_else(|error| {
        eprintln!(
            "pullcheck lsp: the initialize parameters are not what the protocol says ({}); using the defaults",
            json_problem(&error)
        );
        InitializeParams::default()
    });
    let (encoding, unit) = position_encoding(&params);
    let result = InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            })),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "pullcheck".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|error| error.to_string())?;
    // The `initialized` notification that follows needs no answer: the loop ignores it.
    let _ = connection.sender.send(Response::new_ok(id, result).into());

    let root = params
        .workspace_folders
        .iter()
        .flatten()
        .find_map(|folder| crate::uri::file_path(folder.uri.as_str()));
    Server {
        connection,
        unit,
        root,
        documents: HashMap::new(),
        configurations: HashMap::new(),
        pending: BTreeSet::new(),
        shutting_down: false,
    }
    .run()
}

/// Waits for `initialize`, answering the requests before it with an error, as the protocol says.
fn initialize_request(connection: &Connection) -> Result<(RequestId, serde_json::Value), String> {
    loop {
        match connection.receiver.recv() {
            Err(_) => return Err("the client closed the connection before `initialize`".to_owned()),
            Ok(Message::Request(request)) if request.method == Initialize::METHOD => {
                return Ok((request.id, request.params));
            }
            Ok(Message::Request(request)) => {
                let response = Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".to_owned(),
                );
                let _ = connection.sender.send(response.into());
            }
            Ok(Message::Notification(notification)) if notification.method == Exit::METHOD => {
                return Err("the client sent `exit` before `initialize`".to_owned());
            }
            Ok(_) => {}
        }
    }
}

/// What kind of mistake made a JSON value unreadable, without the value (a document's text can
/// hold credentials).
fn json_problem(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Data => "a field is missing or of the wrong type",
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "not JSON",
        serde_json::error::Category::Io => "unreadable",
    }
}

/// The client's preferred position encoding among those pullcheck counts in, and its unit. UTF-8
/// first, as pullcheck's spans are bytes; UTF-16 when the client offers nothing else, as the
/// protocol requires.
fn position_encoding(params: &InitializeParams) -> (PositionEncodingKind, ColumnUnit) {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_deref())
        .unwrap_or_default();
    [
        (PositionEncodingKind::UTF8, ColumnUnit::Bytes),
        (PositionEncodingKind::UTF32, ColumnUnit::Chars),
    ]
    .into_iter()
    .find(|(kind, _)| offered.contains(kind))
    .unwrap_or((PositionEncodingKind::UTF16, ColumnUnit::Utf16))
}

/// An open document.
struct Document {
    text: String,
    version: i32,
    /// The file it is, when it is one (not an `untitled:` buffer).
    path: Option<PathBuf>,
    kind: DocumentKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocumentKind {
    /// YAML or JSON: checked as manifests.
    Manifest,
    /// A `.pullcheck.yaml`: checked as a configuration.
    Configuration,
    /// Anything else: left alone.
    Other,
}

impl DocumentKind {
    fn of(language_id: &str, path: Option<&Path>) -> DocumentKind {
        let name = path.and_then(Path::file_name).and_then(|name| name.to_str());
        if name == Some(config::FILE_NAME) {
            return DocumentKind::Configuration;
        }
        let extension = path
            .and_then(Path::extension)
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase);
        let manifest =
            matches!(language_id, "yaml" | "json") || matches!(extension.as_deref(), Some("yaml" | "yml" | "json"));
        if manifest {
            DocumentKind::Manifest
        } else {
            DocumentKind::Other
        }
    }
}

/// The setup of a configuration file (or of none), as loaded, with the modification times of the
/// files it was loaded from, to know when to load it again.
struct Loaded {
    result: Result<Setup, SetupError>,
    stamps: Vec<(PathBuf, Option<SystemTime>)>,
}

impl Loaded {
    fn load(path: Option<&Path>) -> Loaded {
        let result = Setup::load(path, &Options::default());
        // What a setup was read from; when it could not be made, at least the configuration.
        let sources = match &result {
            Ok(setup) => setup.sources.clone(),
            Err(_) => path.map(Path::to_owned).into_iter().collect(),
        };
        let stamps = sources.iter().map(|source| stamp(source)).collect();
        Loaded { result, stamps }
    }

    fn is_current(&self) -> bool {
        self.stamps.iter().all(|(path, time)| stamp(path).1 == *time)
    }

    /// Whether `path` is one of the files the setup was read from, or in one of its folders of
    /// `inventoryManifests`.
    fn mentions(&self, path: &Path) -> bool {
        self.stamps
            .iter()
            .any(|(source, _)| same_file(source, path) || within(path, source))
    }
}

fn stamp(path: &Path) -> (PathBuf, Option<SystemTime>) {
    let time = std::fs::metadata(path).and_then(|metadata| metadata.modified()).ok();
    (path.to_owned(), time)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// Whether `path` is inside the folder `folder`.
fn within(path: &Path, folder: &Path) -> bool {
    folder.is_dir()
        && matches!((path.canonicalize(), folder.canonicalize()), (Ok(path), Ok(folder)) if path.starts_with(&folder))
}

/// The most findings published for one document; past it, one more diagnostic says how many
/// were left out.
const MAX_PUBLISHED: usize = 1_000;

struct Server<'c> {
    connection: &'c Connection,
    unit: ColumnUnit,
    /// The first workspace folder: where an `untitled:` buffer finds its configuration.
    root: Option<PathBuf>,
    documents: HashMap<Uri, Document>,
    /// By configuration file; `None` for documents that have none.
    configurations: HashMap<Option<PathBuf>, Arc<Loaded>>,
    /// Documents to check once the messages waiting have been read.
    pending: BTreeSet<Uri>,
    shutting_down: bool,
}

/// What the main loop does after a message.
enum Flow {
    Continue,
    Exit(Result<(), String>),
}

impl Server<'_> {
    fn run(mut self) -> Result<(), String> {
        loop {
            let Ok(message) = self.connection.receiver.recv() else {
                return if self.shutting_down {
                    Ok(())
                } else {
                    Err("the client closed the connection without `shutdown`".to_owned())
                };
            };
            if let Flow::Exit(result) = self.handle(message) {
                return result;
            }
            // A burst of edits is checked once, after its last message.
            while let Ok(message) = self.connection.receiver.try_recv() {
                if let Flow::Exit(result) = self.handle(message) {
                    return result;
                }
            }
            self.check_pending();
        }
    }

    fn handle(&mut self, message: Message) -> Flow {
        match message {
            Message::Request(request) => self.request(request),
            Message::Notification(notification) => return self.notification(notification),
            // pullcheck sends no requests, so expects no responses.
            Message::Response(_) => {}
        }
        Flow::Continue
    }

    fn request(&mut self, request: Request) {
        let response = if self.shutting_down {
            Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            )
        } else if request.method == Shutdown::METHOD {
            // What was sent before `shutdown` is still answered.
            self.check_pending();
            self.shutting_down = true;
            Response::new_ok(request.id, ())
        } else {
            Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("pullcheck does not handle {}", request.method),
            )
        };
        self.send(response.into());
    }

    fn notification(&mut self, notification: Notification) -> Flow {
        let method = notification.method.as_str();
        if method == Exit::METHOD {
            return Flow::Exit(if self.shutting_down {
                Ok(())
            } else {
                Err("the client sent `exit` before `shutdown`".to_owned())
            });
        }
        if self.shutting_down {
            return Flow::Continue;
        }
        match method {
            DidOpenTextDocument::METHOD => {
                if let Some(params) = params::<DidOpenTextDocument>(notification) {
                    let item = params.text_document;
                    let path = crate::uri::file_path(item.uri.as_str());
                    let kind = DocumentKind::of(&item.language_id, path.as_deref());
                    let document = Document {
                        text: item.text,
                        version: item.version,
                        path,
                        kind,
                    };
                    self.documents.insert(item.uri.clone(), document);
                    self.pending.insert(item.uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(params) = params::<DidChangeTextDocument>(notification)
                    && let Some(document) = self.documents.get_mut(&params.text_document.uri)
                {
                    // Full sync: each change is the whole text, and the last one stands.
                    if let Some(change) = params.content_changes.into_iter().last() {
                        document.text = change.text;
                    }
                    document.version = params.text_document.version;
                    self.pending.insert(params.text_document.uri);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Some(params) = params::<DidSaveTextDocument>(notification) {
                    self.saved(params.text_document.uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(params) = params::<DidCloseTextDocument>(notification) {
                    let uri = params.text_document.uri;
                    self.documents.remove(&uri);
                    self.pending.remove(&uri);
                    self.publish(uri, Vec::new(), None);
                }
            }
            // Cancellations, configuration changes, traces: nothing to do.
            _ => {}
        }
        Flow::Continue
    }

    /// A saved configuration or inventory file changes what every open document is checked with.
    fn saved(&mut self, uri: Uri) {
        let settings = crate::uri::file_path(uri.as_str()).filter(|path| {
            path.file_name().is_some_and(|name| name == config::FILE_NAME)
                || self.configurations.values().any(|loaded| loaded.mentions(path))
        });
        if let Some(path) = settings {
            // Loaded again whatever the clock's resolution says about modification times.
            self.configurations
                .retain(|_, loaded| !loaded.mentions(&path) && loaded.is_current());
            self.pending.extend(self.documents.keys().cloned());
        } else if self.documents.contains_key(&uri) {
            self.pending.insert(uri);
        }
    }

    fn check_pending(&mut self) {
        for uri in std::mem::take(&mut self.pending) {
            let Some(document) = self.documents.get(&uri) else {
                continue;
            };
            let (version, kind) = (document.version, document.kind);
            let found = match kind {
                DocumentKind::Other => continue,
                DocumentKind::Configuration => self.check_configuration(&uri),
                DocumentKind::Manifest => self.check_manifest(&uri),
            };
            self.publish(uri, found, Some(version));
        }
    }

    fn check_manifest(&mut self, uri: &Uri) -> Vec<lsp_types::Diagnostic> {
        let document = &self.documents[uri];
        let name = display_name(uri, document.path.as_deref());
        // The configuration `pullcheck check FILE` would use; an `untitled:` buffer's is the
        // workspace's.
        let directory = match &document.path {
            Some(path) => path.parent().map(Path::to_owned),
            None => self.root.clone(),
        };
        let config_path = directory.as_deref().and_then(setup::find_config);
        let loaded = self.loaded(config_path);
        let document = &self.documents[uri];
        match &loaded.result {
            Ok(setup) => {
                let checked = catch_unwind(AssertUnwindSafe(|| check::check_text(&name, &document.text, setup)));
                match checked {
                    Ok(outcome) => {
                        let mine: Vec<&Diagnostic> =
                            outcome.diagnostics.iter().filter(|d| d.file.path == name).collect();
                        // An editor shows a few hundred findings at most; a generated document
                        // with a hundred thousand would cost the editor and the server far more
                        // than the document itself. The first ones, in order, and a word on the rest.
                        let mut published: Vec<lsp_types::Diagnostic> = mine
                            .iter()
                            .take(MAX_PUBLISHED)
                            .map(|d| diagnostics::from_finding(d, uri, self.unit))
                            .collect();
                        if mine.len() > MAX_PUBLISHED {
                            published.push(diagnostics::more_not_shown(MAX_PUBLISHED, mine.len()));
                        }
                        published
                    }
                    // Where it failed is on the standard error already.
                    Err(_) => vec![diagnostics::internal_error()],
                }
            }
            Err(error) => vec![diagnostics::unusable_configuration(error, self.unit)],
        }
    }

    fn check_configuration(&self, uri: &Uri) -> Vec<lsp_types::Diagnostic> {
        let document = &self.documents[uri];
        let file = Arc::new(SourceFile::new(
            display_name(uri, document.path.as_deref()),
            document.text.as_str(),
        ));
        match Config::parse(&file, &crate::rules::ids()) {
            Ok(_) => Vec::new(),
            Err(error) => vec![diagnostics::from_config_error(&error, self.unit)],
        }
    }

    /// The configuration at `path`, loaded now or before (and still current).
    fn loaded(&mut self, path: Option<PathBuf>) -> Arc<Loaded> {
        if let Some(loaded) = self.configurations.get(&path)
            && loaded.is_current()
        {
            return Arc::clone(loaded);
        }
        let loaded = Arc::new(Loaded::load(path.as_deref()));
        self.configurations.insert(path, Arc::clone(&loaded));
        loaded
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params).into());
    }

    fn send(&self, message: Message) {
        // Only fails when the writer is gone, and then the next receive ends the loop.
        let _ = self.connection.sender.send(message);
    }
}

/// The notification's parameters, or `None` (and a line on the standard error) when they are not
/// what the protocol says.
fn params<N: lsp_types::notification::Notification>(notification: Notification) -> Option<N::Params> {
    match notification.extract::<N::Params>(N::METHOD) {
        Ok(params) => Some(params),
        Err(ExtractError::JsonError { error, .. }) => {
            eprintln!(
                "pullcheck lsp: ignoring a {} whose parameters are not what the protocol says ({})",
                N::METHOD,
                json_problem(&error)
            );
            None
        }
        Err(ExtractError::MethodMismatch(_)) => None,
    }
}

/// The name a document's findings are reported under: its path, or its URI when it is not a file.
fn display_name(uri: &Uri, path: Option<&Path>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => uri.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_documents_are_checked() {
        let kind = |language: &str, path: &str| DocumentKind::of(language, Some(Path::new(path)));
        assert_eq!(kind("yaml", "/a/deploy.yaml"), DocumentKind::Manifest);
        assert_eq!(kind("json", "/a/list"), DocumentKind::Manifest);
        assert_eq!(kind("yaml.ansible", "/a/x.YML"), DocumentKind::Manifest);
        assert_eq!(kind("plaintext", "/a/x.json"), DocumentKind::Manifest);
        assert_eq!(kind("yaml", "/a/.pullcheck.yaml"), DocumentKind::Configuration);
        assert_eq!(kind("helm", "/chart/templates/x.tpl"), DocumentKind::Other);
        assert_eq!(kind("markdown", "/a/README.md"), DocumentKind::Other);
        assert_eq!(DocumentKind::of("yaml", None), DocumentKind::Manifest);
    }

    #[test]
    fn position_encoding_prefers_bytes_and_defaults_to_utf16() {
        let offering = |kinds: Option<Vec<&'static str>>| {
            let mut params = InitializeParams::default();
            params.capabilities.general = Some(lsp_types::GeneralClientCapabilities {
                position_encodings: kinds.map(|kinds| kinds.into_iter().map(PositionEncodingKind::from).collect()),
                ..Default::default()
            });
            position_encoding(&params).1
        };
        assert_eq!(position_encoding(&InitializeParams::default()).1, ColumnUnit::Utf16);
        assert_eq!(offering(None), ColumnUnit::Utf16);
        assert_eq!(offering(Some(vec!["utf-16"])), ColumnUnit::Utf16);
        assert_eq!(offering(Some(vec!["utf-16", "utf-32"])), ColumnUnit::Chars);
        assert_eq!(offering(Some(vec!["utf-16", "utf-32", "utf-8"])), ColumnUnit::Bytes);
        assert_eq!(offering(Some(vec!["utf-7"])), ColumnUnit::Utf16);
    }
}
