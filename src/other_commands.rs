//! The commands that set pullcheck up rather than check anything: `init`, `inventory`,
//! `completions` and `man`. Each prints what it wrote or the text asked for, and returns the exit code.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::{EXIT_FAILURE, threads_per_cpu};
use pullcheck::cluster::{ClusterFacts, ImportError};
use pullcheck::config;
use pullcheck::discover::{DEFAULT_MAX_FILE_SIZE, Selection};
use pullcheck::init::{self, INVENTORY_FILE};
use pullcheck::read;
use pullcheck::setup::Setup;

/// `pullcheck inventory`: kubectl's output, from files or the standard input, as an inventory
/// file, written only when every input was read.
pub fn inventory(inputs: &[std::path::PathBuf], output: Option<&Path>) -> ExitCode {
    let stdin = [std::path::PathBuf::from("-")];
    let inputs = if inputs.is_empty() { &stdin[..] } else { inputs };
    let mut facts = ClusterFacts::default();
    for input in inputs {
        let read = if input.as_os_str() == "-" {
            facts.read("the standard input", std::io::stdin().lock())
        } else {
            let name = input.display().to_string();
            std::fs::File::open(input)
                .map_err(|error| ImportError {
                    input: name.clone(),
                    message: error.to_string(),
                })
                .and_then(|file| facts.read(&name, file))
        };
        if let Err(error) = read {
            eprintln!("pullcheck: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    let sources: Vec<String> = inputs
        .iter()
        .map(|input| match input.as_os_str() == "-" {
            true => "the standard input".to_owned(),
            false => format!("`{}`", input.display()),
        })
        .collect();
    let text = facts.to_inventory(&sources.join(", "));
    let written = match output {
        Some(path) => std::fs::write(path, text).map_err(|error| format!("writing `{}`: {error}", path.display())),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|error| format!("writing the inventory: {error}")),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pullcheck: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// `pullcheck init`: the starter configuration and inventory, in the current directory.
pub fn init(force: bool) -> ExitCode {
    let config_path = Path::new(config::FILE_NAME);
    let inventory_path = Path::new(INVENTORY_FILE);
    if !force && let Some(existing) = [config_path, inventory_path].into_iter().find(|p| p.exists()) {
        eprintln!(
            "pullcheck: `{}` already exists; `pullcheck init --force` overwrites it",
            existing.display()
        );
        return ExitCode::from(EXIT_FAILURE);
    }
    let selection = Selection {
        threads: threads_per_cpu(),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        ..Selection::default()
    };
    // The manifests are read as `check` reads them with no configuration: `init` writes the first.
    let found = match read::find(&selection, &Setup::default().config) {
        Ok(found) => found,
        Err(error) => {
            eprintln!("pullcheck: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let starter = init::starter(&found);
    for (path, text) in [(inventory_path, &starter.inventory), (config_path, &starter.config)] {
        if let Err(error) = std::fs::write(path, text) {
            eprintln!("pullcheck: writing `{}`: {error}", path.display());
            return ExitCode::from(EXIT_FAILURE);
        }
    }

    let mut out = std::io::stdout().lock();
    let manifests = if starter.inventory_manifests.is_empty() {
        String::new()
    } else {
        format!("; inventoryManifests: {}", starter.inventory_manifests.join(", "))
    };
    let _ = writeln!(
        out,
        "wrote {} (inventory: {INVENTORY_FILE}{manifests})",
        config::FILE_NAME
    );
    let _ = writeln!(
        out,
        "wrote {INVENTORY_FILE}: {}, {}, {}, from {} read",
        count(starter.namespaces, "namespace", "namespaces"),
        count(starter.secrets, "secret", "secrets"),
        count(starter.service_accounts, "service account", "service accounts"),
        count(found.files, "file", "files"),
    );
    if starter.undefined > 0 {
        let _ = writeln!(
            out,
            "  {} used but not defined here, left as comments in {INVENTORY_FILE}: add them if they exist in the cluster",
            count(
                starter.undefined,
                "secret or service account is",
                "secrets or service accounts are"
            ),
        );
    }
    if !starter.undeclared.is_empty() {
        let _ = writeln!(
            out,
            "  {} not declared, left as comments: {} (a declared namespace is complete, and each of these uses secrets or service accounts that no manifest here defines)",
            count(starter.undeclared.len(), "namespace", "namespaces"),
            starter.undeclared.join(", ")
        );
    }
    if found.unread > 0 {
        let _ = writeln!(
            out,
            "  {} could not be read; `pullcheck check` says which",
            count(found.unread, "file", "files")
        );
    }
    let _ = writeln!(
        out,
        "next: list your private registries under registries.private in {}, add to {INVENTORY_FILE} what exists only in the cluster, then run `pullcheck check`",
        config::FILE_NAME
    );
    ExitCode::SUCCESS
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `pullcheck completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "pullcheck", &mut script);
    // A closed pipe is the reader's choice.
    let _ = std::io::stdout().lock().write_all(&script);
    ExitCode::SUCCESS
}

/// `pullcheck man [COMMAND]` prints a page; `pullcheck man --dir DIR` writes them all.
pub fn man(command_name: Option<&str>, dir: Option<&Path>) -> ExitCode {
    let mut command = Cli::command().disable_help_subcommand(true);
    if let Some(dir) = dir {
        return match write_man_pages(command, dir) {
            Ok(written) => {
                for path in written {
                    println!("wrote {}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("pullcheck: writing man pages to `{}`: {error}", dir.display());
                ExitCode::from(EXIT_FAILURE)
            }
        };
    }
    // Built, subcommands get their display names (`pullcheck-check`) and usage lines.
    command.build();
    let page = match command_name {
        None => command,
        Some(name) => match command.find_subcommand(name) {
            Some(subcommand) => subcommand.clone(),
            None => {
                let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!(
                    "pullcheck: no command \"{name}\"; pages: pullcheck, {}",
                    names.join(", ")
                );
                return ExitCode::from(EXIT_FAILURE);
            }
        },
    };
    let mut roff = Vec::new();
    if let Err(error) = man_page(page).render(&mut roff) {
        eprintln!("pullcheck: {error}");
        return ExitCode::from(EXIT_FAILURE);
    }
    // A closed pipe is the reader's choice.
    let _ = std::io::stdout().lock().write_all(&roff);
    ExitCode::SUCCESS
}

/// Writes pullcheck.1 and a page per command to `dir`, which is created if need be.
fn write_man_pages(command: clap::Command, dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut command = command;
    command.build();
    let mut written = Vec::new();
    for page in std::iter::once(&command).chain(command.get_subcommands()) {
        written.push(man_page(page.clone()).generate_to(dir)?);
    }
    Ok(written)
}

/// A page, whose footer names pullcheck and its version (for a command's page too).
fn man_page(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("pullcheck {}", env!("CARGO_PKG_VERSION")))
}
