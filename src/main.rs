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
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};

use cli::{CheckArgs, Cli, Color, Command, FailOn, Format, RulesFormat};
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
        Command::Rules { format } => {
            print_rules(format);
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
                eprintln!("pullcheck: {}", rules::unknown_rule(&rule));
                ExitCode::from(EXIT_FAILURE)
            }
        },
        Command::Init { force } => other_commands::init(force),
        Command::Inventory { inputs, output } => other_commands::inventory(&inputs, output.as_deref()),
        Command::Completions { shell } => other_commands::completions(shell),
        Command::Man { command, dir } => other_commands::man(command.as_deref(), dir.as_deref()),
    }
}

fn print_rules(format: RulesFormat) {
    let mut out = std::io::stdout().lock();
    if format == RulesFormat::Json {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct RuleEntry {
            id: &'static str,
            default_severity: &'static str,
            summary: &'static str,
            doc_url: String,
        }
        let rules: Vec<RuleEntry> = rules::RULES
            .iter()
            .map(|rule| RuleEntry {
                id: rule.id,
                default_severity: rule.default_severity.map_or("off", Severity::as_str),
                summary: rule.summary,
                doc_url: rule.doc_url(),
            })
            .collect();
        // A closed pipe is not an error worth a panic (as below).
        if serde_json::to_writer_pretty(&mut out, &rules).is_ok() {
            let _ = writeln!(out);
        }
        return;
    }
    let width = rules::RULES.iter().map(|rule| rule.id.len()).max().unwrap_or(0);
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
    if let Err(error) = write_reports(args, &human, &outcome, started) {
        eprintln!("pullcheck: {error}");
        return ExitCode::from(EXIT_FAILURE);
    }
    exit_code(args, &outcome)
}

/// Colour for people: `--color always` or `never` as said; else on a terminal that receives the
/// human report, unless `NO_COLOR` is set, or anywhere when `FORCE_COLOR` or `CLICOLOR_FORCE` is
/// (a CI log that renders colours). `NO_COLOR` wins over both (no-color.org, force-color.org).
fn use_color(args: &CheckArgs) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let clicolor_force = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto if set("NO_COLOR") => false,
        Color::Auto if set("FORCE_COLOR") || clicolor_force => true,
        Color::Auto => {
            let human_on_stdout = report_targets(args)
                .unwrap_or_default()
                .iter()
                .any(|(format, path)| *format == Format::Human && path.is_none());
            human_on_stdout && std::io::stdout().is_terminal()
        }
    }
}

/// No report may be written to one of the files checked: it would replace the manifest.
fn refuse_overwriting_an_input(args: &CheckArgs) -> Result<(), String> {
    let selection = selection(args);
    for (_, path) in report_targets(args)? {
        if let Some(path) = path
            && discover::would_read(&selection, &path)
        {
            return Err(format!(
                "the report file `{}` is one of the files checked, and the report would overwrite it: write it elsewhere, or leave the file out with --exclude",
                path.display()
            ));
        }
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
        select: args.select.clone(),
        ignore: args.ignore.clone(),
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

/// Where each report goes: `--format FORMAT=FILE` to its file, the one `--format` without a file
/// to `--output` or the standard output. Two reports for one stream or file are refused.
fn report_targets(args: &CheckArgs) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    let mut targets: Vec<(Format, Option<PathBuf>)> = Vec::new();
    for report in &args.format {
        let file = report.file.clone().or_else(|| args.output.clone());
        if let Some((other, _)) = targets.iter().find(|(_, taken)| *taken == file) {
            let place = file
                .as_deref()
                .map_or("the standard output".to_owned(), |f| format!("`{}`", f.display()));
            return Err(format!(
                "--format {} and --format {} would both write to {place}: give one of them a file (--format FORMAT=FILE)",
                format_name(*other),
                format_name(report.format)
            ));
        }
        targets.push((report.format, file));
    }
    Ok(targets)
}

fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .map_or_else(String::new, |value| value.get_name().to_owned())
}

/// Writes every report as it is produced, never held whole in memory, and the summary line where
/// it cannot spoil a report: after a report for people on the standard output, or alone there.
/// Any error writing is the run's: a gate must not pass with no report. Only a reader that closed
/// the standard output early (`pullcheck check | head`) is not an error: it chose to stop reading.
fn write_reports(args: &CheckArgs, human: &HumanReport, outcome: &Outcome, started: Instant) -> Result<(), String> {
    let summary = report::summary_line(outcome, started.elapsed());
    let targets = report_targets(args)?;
    let write = |format: Format, out: &mut dyn Write| -> std::io::Result<()> {
        match format {
            Format::Human => {
                for diagnostic in &outcome.diagnostics {
                    out.write_all(human.render(diagnostic).as_bytes())?;
                }
            }
            Format::Json => report::json::write(outcome, out)?,
            Format::Sarif => report::sarif::write(outcome, std::env::current_dir().ok().as_deref(), out)?,
            Format::Github => report::github::write(outcome, out)?,
            Format::Gitlab => report::gitlab::write(outcome, std::env::current_dir().ok().as_deref(), out)?,
            Format::Junit => report::junit::write(outcome, fail_threshold(args), &summary, out)?,
        }
        Ok(())
    };
    for (format, path) in &targets {
        let Some(path) = path else { continue };
        let written = std::fs::File::create(path).and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            write(*format, &mut out)?;
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()
        });
        written.map_err(|error| format!("writing `{}`: {error}", path.display()))?;
    }
    let on_stdout = targets
        .iter()
        .find(|(_, path)| path.is_none())
        .map(|(format, _)| *format);
    let stdout_error = |error: std::io::Error| match error.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(format!("writing the report to the standard output: {error}")),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    on_stdout
        .map_or(Ok(()), |format| write(format, &mut out))
        .and_then(|()| match on_stdout {
            _ if args.quiet => Ok(()),
            Some(format) if format.is_document() => Ok(()),
            _ => writeln!(out, "{summary}"),
        })
        .and_then(|()| out.flush())
        .or_else(stdout_error)
}

/// 2 when an input was not read (something asked for was not checked), whatever the findings;
/// else 1 when a finding reaches `--fail-on`.
fn exit_code(args: &CheckArgs, outcome: &Outcome) -> ExitCode {
    let threshold = fail_threshold(args);
    let failed = threshold.is_some_and(|threshold| outcome.diagnostics.iter().any(|d| d.severity >= threshold));
    if outcome.unread > 0 {
        ExitCode::from(EXIT_FAILURE)
    } else if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// The least severity that fails the run, or `None` when nothing does.
fn fail_threshold(args: &CheckArgs) -> Option<Severity> {
    match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    }
}

/// `--jobs`, or one thread per CPU.
fn threads(args: &CheckArgs) -> usize {
    args.jobs.map_or_else(threads_per_cpu, |n| n.get())
}

fn threads_per_cpu() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
