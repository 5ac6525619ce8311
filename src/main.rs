//! `pullcheck`: parse the command line, run, print, and return the exit code.
//!
//! Exit codes: 0 when no finding reaches `--fail-on`, 1 when one does, 2 when the run could not
//! be made or is incomplete (usage, configuration or input selection errors; an input that could
//! not be read). `pullcheck lsp` exits as the protocol says: 0 after `shutdown` and `exit`, 1
//! otherwise.

mod cli;
mod other_commands;
mod progress;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use cli::{CheckArgs, Cli, Color, Command, FailOn, Format};
use pullcheck::baseline::Baseline;
use pullcheck::check::{self, Outcome, RunError};
use pullcheck::diagnostic::Severity;
use pullcheck::discover::{self, Selection};
use pullcheck::report::{self, human::HumanReport};
use pullcheck::setup::{Options, SetupError, Setups};
use pullcheck::{lsp, rules};

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
        Command::Init { force } => other_commands::init(force),
        Command::Completions { shell } => other_commands::completions(shell),
        Command::Man { command, dir } => other_commands::man(command.as_deref(), dir.as_deref()),
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
    let human = HumanReport::new(use_color(args));
    if let Err(message) = refuse_overwriting_an_input(args) {
        eprintln!("pullcheck: {message}");
        return ExitCode::from(EXIT_FAILURE);
    }
    let setups = match Setups::from_options(setup_options(args)) {
        Ok(setups) => setups,
        Err(error) => return setup_failed(&human, &error),
    };
    let progress = progress::FilesRead::on_stderr(args.quiet);
    let outcome = check::run_with_progress(&selection(args), &setups, &progress);
    progress.clear();
    let mut outcome = match outcome {
        Ok(outcome) => outcome,
        Err(RunError::Setup(error)) => return setup_failed(&human, &error),
        Err(error) => {
            eprintln!("pullcheck: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    if let Some(path) = record_baseline {
        return write_baseline(&outcome, path);
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
    if let Err(error) = write_report(args, &human, &outcome, started) {
        eprintln!("pullcheck: {error}");
        return ExitCode::from(EXIT_FAILURE);
    }
    exit_code(args, &outcome)
}

/// Colour for people at a terminal: never into a file, nor when `NO_COLOR` is set.
fn use_color(args: &CheckArgs) -> bool {
    match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// `--output` must not name one of the files checked: the report would replace the manifest.
fn refuse_overwriting_an_input(args: &CheckArgs) -> Result<(), String> {
    let Some(output) = args.output.as_deref() else {
        return Ok(());
    };
    if discover::would_read(&selection(args), output) {
        return Err(format!(
            "--output `{}` is one of the files checked, and the report would overwrite it: write it elsewhere, or leave the file out with --exclude",
            output.display()
        ));
    }
    Ok(())
}

fn setup_options(args: &CheckArgs) -> Options {
    Options {
        config: args.config.clone(),
        namespace: args.namespace.clone(),
        inventory: args.inventory.clone(),
        threads: threads(args),
        max_file_size: args.max_file_size,
    }
}

fn selection(args: &CheckArgs) -> Selection {
    Selection {
        paths: args.paths.clone(),
        stdin_name: args.stdin_filename.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        threads: threads(args),
        max_file_size: args.max_file_size,
    }
}

/// A configuration or inventory that cannot be used stops the run: shown at its place.
fn setup_failed(human: &HumanReport, error: &SetupError) -> ExitCode {
    match error {
        SetupError::Settings(error) => eprint!("{}", human.render_config_error(error)),
        SetupError::InventoryManifests { .. } => eprintln!("pullcheck: {error}"),
    }
    ExitCode::from(EXIT_FAILURE)
}

fn write_baseline(outcome: &Outcome, path: &Path) -> ExitCode {
    let baseline = Baseline::of(&outcome.diagnostics);
    if let Err(error) = std::fs::write(path, baseline.to_json()) {
        eprintln!("pullcheck: writing `{}`: {error}", path.display());
        return ExitCode::from(EXIT_FAILURE);
    }
    println!("recorded {} findings in {}", baseline.len(), path.display());
    ExitCode::SUCCESS
}

/// Writes the report as it is produced, never held whole in memory, to `--output` or the standard
/// output, and the summary line where it cannot spoil the report. Any error writing either is the
/// run's: a gate must not pass with no report. Only a reader that closed the standard output
/// early (`pullcheck check | head`) is not an error: it chose to stop reading.
fn write_report(args: &CheckArgs, human: &HumanReport, outcome: &Outcome, started: Instant) -> Result<(), String> {
    let summary = (!args.quiet).then(|| format!("{}\n", report::summary_line(outcome, started.elapsed())));
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            Format::Human => {
                for diagnostic in &outcome.diagnostics {
                    out.write_all(human.render(diagnostic).as_bytes())?;
                }
            }
            Format::Json => report::json::write(outcome, out)?,
            Format::Sarif => report::sarif::write(outcome, std::env::current_dir().ok().as_deref(), out)?,
            Format::Github => report::github::write(outcome, out)?,
        }
        Ok(())
    };
    let stdout_error = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(format!("writing the report to the standard output: {error}")),
    };
    match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut out = std::io::BufWriter::new(file);
                write(&mut out)?;
                out.into_inner()
                    .map_err(std::io::IntoInnerError::into_error)?
                    .sync_all()
            });
            written.map_err(|error| format!("writing `{}`: {error}", path.display()))?;
            if let Some(summary) = summary {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(summary.as_bytes())
                    .and_then(|()| stdout.flush())
                    .or_else(stdout_error)?;
            }
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out)
                .and_then(|()| match (summary, args.format) {
                    // The summary follows the report where it cannot spoil it: not inside JSON or SARIF.
                    (Some(summary), Format::Human | Format::Github) => out.write_all(summary.as_bytes()),
                    _ => Ok(()),
                })
                .and_then(|()| out.flush())
                .or_else(stdout_error)?;
        }
    }
    Ok(())
}

/// 2 when an input was not read (something asked for was not checked), whatever the findings;
/// else 1 when a finding reaches `--fail-on`.
fn exit_code(args: &CheckArgs, outcome: &Outcome) -> ExitCode {
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|threshold| outcome.diagnostics.iter().any(|d| d.severity >= threshold));
    if outcome.unread > 0 {
        ExitCode::from(EXIT_FAILURE)
    } else if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--jobs`, or one thread per CPU.
fn threads(args: &CheckArgs) -> usize {
    args.jobs.map_or_else(threads_per_cpu, |n| n.get())
}

fn threads_per_cpu() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
