//! `pullcheck`: parse the command line, run, print, and return the exit code.
//!
//! Exit codes: 0 when no finding reaches `--fail-on`, 1 when one does, 2 when the run could not
//! be made or is incomplete (usage, configuration or input selection errors; an input that could
//! not be read). `pullcheck lsp` exits as the protocol says: 0 after `shutdown` and `exit`, 1
//! otherwise.

mod cli;
mod progress;
mod setup;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use cli::{CheckArgs, Cli, Color, Command, FailOn, Format};
use pullcheck::baseline::Baseline;
use pullcheck::config::Config;
use pullcheck::diagnostic::Severity;
use pullcheck::discover::Selection;
use pullcheck::inventory::DeclaredInventory;
use pullcheck::report::{self, human::HumanReport};
use pullcheck::{check, lsp, rules};

const EXIT_FINDINGS: u8 = 1;
const EXIT_FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(&args, None),
        Command::Baseline { file, check } => run_check(&check, Some(&file)),
        Command::Rules => {
            print_rules();
            ExitCode::SUCCESS
        }
        Command::Lsp { .. } => match lsp::serve_stdio() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("pullcheck lsp: {error}");
                ExitCode::FAILURE
            }
        },
        Command::Explain { rule } => match rules::find(&rule) {
            Some(rule) => {
                print!("{}", rule.doc);
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("pullcheck: unknown rule \"{rule}\"; `pullcheck rules` lists them");
                ExitCode::from(EXIT_FAILURE)
            }
        },
        Command::Init { force } => setup::init(force),
        Command::Completions { shell } => setup::completions(shell),
        Command::Man { command, dir } => setup::man(command.as_deref(), dir.as_deref()),
    }
}

fn print_rules() {
    let width = rules::RULES.iter().map(|rule| rule.id.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for rule in rules::RULES {
        let severity = rule.default_severity.map_or("off", Severity::as_str);
        // A closed pipe (`pullcheck rules | head`) is not an error worth a panic.
        if writeln!(out, "{:width$}  {severity:7}  {}", rule.id, rule.summary).is_err() {
            return;
        }
    }
}

/// Runs `check`; with `record_baseline`, writes the findings there instead of reporting them.
fn run_check(args: &CheckArgs, record_baseline: Option<&Path>) -> ExitCode {
    let started = Instant::now();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        // With --output the report goes to a file, not to the terminal.
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let human = HumanReport::new(color);

    // An editor piping a buffer names its file: its configuration is the one beside that file.
    let reads_stdin = args.paths.iter().any(|path| path.as_os_str() == "-");
    let stdin_start = args
        .stdin_filename
        .as_deref()
        .filter(|_| reads_stdin)
        .and_then(|name| Config::discovery_start(Path::new(name)));
    let config_path = args.config.clone().or_else(|| match stdin_start {
        Some(start) => Config::discover(&start),
        None => discover_config(),
    });
    let mut config = match config_path.as_deref().map(Config::load).transpose() {
        Ok(config) => config.unwrap_or_default(),
        Err(error) => {
            eprint!("{}", human.render_config_error(&error));
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if let Some(namespace) = &args.namespace {
        config.default_namespace = namespace.clone();
    }
    config.inventory.extend(args.inventory.iter().cloned());
    let mut declared = match DeclaredInventory::load(&config.inventory, &config.default_namespace) {
        Ok(declared) => declared,
        Err(error) => {
            eprint!("{}", human.render_config_error(&error));
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if let Err(error) = add_inventory_manifests(&mut declared, &config, args) {
        eprintln!("pullcheck: {error}");
        return ExitCode::from(EXIT_FAILURE);
    }

    let selection = Selection {
        paths: args.paths.clone(),
        stdin_name: args.stdin_filename.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        threads: threads(args),
        max_file_size: args.max_file_size,
    };
    let progress = progress::FilesRead::on_stderr(args.quiet);
    let outcome = check::run_with_progress(&selection, &config, &declared, &progress);
    progress.clear();
    let mut outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("pullcheck: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if let Some(path) = record_baseline {
        let baseline = Baseline::of(&outcome.diagnostics);
        if let Err(error) = std::fs::write(path, baseline.to_json()) {
            eprintln!("pullcheck: writing `{}`: {error}", path.display());
            return ExitCode::from(EXIT_FAILURE);
        }
        println!("recorded {} findings in {}", baseline.len(), path.display());
        return ExitCode::SUCCESS;
    }
    if let Some(path) = &args.baseline {
        match Baseline::load(path) {
            Ok(baseline) => outcome.baselined = baseline.filter(&mut outcome.diagnostics),
            Err(error) => {
                eprintln!("pullcheck: {error}");
                return ExitCode::from(EXIT_FAILURE);
            }
        }
    }

    let summary = (!args.quiet).then(|| format!("{}\n", report::summary_line(&outcome, started.elapsed())));
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            Format::Human => {
                for diagnostic in &outcome.diagnostics {
                    out.write_all(human.render(diagnostic).as_bytes())?;
                }
            }
            Format::Json => report::json::write(&outcome, out)?,
            Format::Sarif => report::sarif::write(&outcome, std::env::current_dir().ok().as_deref(), out)?,
            Format::Github => report::github::write(&outcome, out)?,
        }
        Ok(())
    };
    // The report is written as it is produced, never held whole in memory.
    match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                write(&mut out)?;
                out.flush()
            });
            if let Err(error) = written {
                eprintln!("pullcheck: writing `{}`: {error}", path.display());
                return ExitCode::from(EXIT_FAILURE);
            }
            if let Some(summary) = summary {
                let _ = std::io::stdout().lock().write_all(summary.as_bytes());
            }
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe is the reader's choice; the exit code still tells the result.
            let _ = write(&mut out).and_then(|()| {
                // The summary follows the report where it cannot spoil it: not inside JSON or SARIF.
                match (summary, args.format) {
                    (Some(summary), Format::Human | Format::Github) => out.write_all(summary.as_bytes()),
                    _ => Ok(()),
                }
            });
            let _ = out.flush();
        }
    }

    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|threshold| outcome.diagnostics.iter().any(|d| d.severity >= threshold));
    if outcome.unread > 0 {
        // Something asked for was not checked: say so whatever the findings.
        ExitCode::from(EXIT_FAILURE)
    } else if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// Adds the Secrets and ServiceAccounts of the configuration's `inventoryManifests` to what is
/// known, read as the files checked are.
fn add_inventory_manifests(declared: &mut DeclaredInventory, config: &Config, args: &CheckArgs) -> Result<(), String> {
    if config.inventory_manifests.is_empty() {
        return Ok(());
    }
    let selection = Selection {
        paths: config.inventory_manifests.clone(),
        threads: threads(args),
        max_file_size: args.max_file_size,
        ..Selection::default()
    };
    let found = check::find(&selection, config).map_err(|error| {
        let file = config
            .path
            .as_deref()
            .map_or_else(String::new, |path| format!(" of `{}`", path.display()));
        format!("inventoryManifests{file}: {error}")
    })?;
    declared.add_found(found.facts);
    Ok(())
}

/// `--jobs`, or one thread per CPU.
fn threads(args: &CheckArgs) -> usize {
    args.jobs.map_or_else(threads_per_cpu, |n| n.get())
}

fn threads_per_cpu() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `.pullcheck.yaml` in the working directory or the nearest one above, named relative to the
/// working directory (`.pullcheck.yaml`, `../.pullcheck.yaml`), so that the files it names are
/// shown the way the files checked are: pre-commit runs from the repository's root.
fn discover_config() -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let found = Config::discover(&cwd)?;
    let Some(depth) = found.parent().and_then(|dir| cwd.strip_prefix(dir).ok()) else {
        return Some(found);
    };
    let up: std::path::PathBuf = depth.components().map(|_| "..").collect();
    Some(up.join(pullcheck::config::FILE_NAME))
}
