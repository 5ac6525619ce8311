//! The command line, as clap reads it. Only definitions: `main` acts on them.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Find the image references, pull policies and pull secrets in Kubernetes manifests that would
/// leave a pod in ErrImagePull or ImagePullBackOff. Offline: pullcheck never touches the network.
#[derive(Debug, Parser)]
#[command(name = "pullcheck", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests in files and directories (default: the current directory).
    Check(CheckArgs),
    /// List every rule with its default severity and summary.
    Rules {
        /// `text` for people; `json` for programs: an array of {id, defaultSeverity, summary,
        /// docUrl}.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Record today's findings in FILE, so that `check --baseline FILE` reports only new ones.
    /// Takes the same options as `check`.
    Baseline {
        /// The baseline file to write (JSON).
        file: PathBuf,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule id, as `pullcheck rules` lists it.
        rule: String,
    },
    /// Run a Language Server on the standard input and output, for editors: findings in YAML and
    /// JSON documents as they are edited, with the configuration found from each file's directory.
    Lsp {
        /// Accepted and ignored: stdio is the only transport (some clients pass it).
        #[arg(long)]
        stdio: bool,
    },
    /// Write a starter .pullcheck.yaml and inventory in the current directory.
    ///
    /// The configuration is commented, key by key. The inventory (pullcheck-inventory.yaml) lists
    /// the namespaces, Secrets and ServiceAccounts of the manifests found here (names, types and
    /// registry keys, never credentials), and as comments to fill in those that are used but not
    /// defined. Existing files are left alone unless --force is given.
    Init {
        /// Overwrite .pullcheck.yaml and pullcheck-inventory.yaml when they exist.
        #[arg(long)]
        force: bool,
    },
    /// Write an inventory of the cluster's namespaces, pull secrets, service accounts and node
    /// images from what kubectl prints: `kubectl get namespaces,secrets,serviceaccounts,nodes -A -o
    /// json | pullcheck inventory > cluster.yaml`. Names, types and registry keys only: credentials are dropped as
    /// they are read.
    Inventory {
        /// kubectl's output (`-o json` or `-o yaml`): files, or `-` (the default) for the
        /// standard input.
        #[arg(value_name = "FILE")]
        inputs: Vec<PathBuf>,
        /// Write the inventory to FILE instead of the standard output (written only when every
        /// input was read).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the completion script for a shell.
    ///
    /// bash: pullcheck completions bash > ~/.local/share/bash-completion/completions/pullcheck
    ///
    /// zsh: pullcheck completions zsh > ~/.zfunc/_pullcheck (with fpath+=~/.zfunc before compinit
    /// in ~/.zshrc)
    ///
    /// fish: pullcheck completions fish > ~/.config/fish/completions/pullcheck.fish
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page of pullcheck, or of one of its commands.
    ///
    /// The page is roff, for man: `pullcheck man check | man -l -`, or install every page with
    /// `pullcheck man --dir ~/.local/share/man/man1`.
    Man {
        /// A command, for its own page (pullcheck-check(1)); default: pullcheck(1).
        command: Option<String>,
        /// Write every page (pullcheck.1, pullcheck-check.1, ...) to this directory instead.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check; `-` reads the standard input. Files named here are read
    /// whatever their extension; directories are walked, honouring .gitignore and .ignore.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The name to show for the standard input in diagnostics. When its directory exists, the
    /// configuration is looked for from there upward, as for a file of that name; else from the
    /// working directory.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Only check walked files whose path matches GLOB (repeatable; default: *.yaml, *.yml, *.json, and files named Kustomization).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip walked files and directories whose path matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Report format, and the file to write it to: human, json, sarif, github, gitlab (Code
    /// Quality) or junit, each as FORMAT or FORMAT=FILE. Repeatable, so that one scan gives the
    /// log and the platform's file (`--format human --format sarif=pullcheck.sarif`); at most one
    /// report goes without a file, to --output or the standard output.
    #[arg(
        long,
        value_name = "FORMAT[=FILE]",
        default_value = "human",
        value_parser = report_arg,
        env = "PULLCHECK_FORMAT",
        value_delimiter = ','
    )]
    pub format: Vec<ReportArg>,

    /// Write the report given without a file to FILE instead of the standard output; the summary
    /// line is still printed (unless --quiet).
    #[arg(long, short, value_name = "FILE", env = "PULLCHECK_OUTPUT")]
    pub output: Option<PathBuf>,

    /// Check only these rules (comma-separated, or repeated), over the configuration's choice; a
    /// rule that is off and selected reports at warning.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_id)]
    pub select: Vec<&'static str>,

    /// Leave these rules out (comma-separated, or repeated), over the configuration's choice.
    #[arg(long, value_name = "RULE", value_delimiter = ',', value_parser = rule_id)]
    pub ignore: Vec<&'static str>,

    /// Exit with 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,

    /// Number of threads (default: one per CPU).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// Skip inputs larger than this many bytes, with an unreadable-file diagnostic (suffixes K, M
    /// and G count in 1024s; 0: no limit).
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Print only the diagnostics, without the summary line.
    #[arg(long, short)]
    pub quiet: bool,

    /// Report only findings that are not in this baseline (written by `pullcheck baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Configuration file for every input (default: each file's own, the .pullcheck.yaml in its
    /// directory or the nearest one above; for the standard input, from the --stdin-filename
    /// directory, else the current directory).
    #[arg(long, value_name = "FILE", env = "PULLCHECK_CONFIG")]
    pub config: Option<PathBuf>,

    /// Inventory file of namespaces, pull secrets and service accounts (repeatable; added to the
    /// configuration's `inventory`).
    #[arg(long, value_name = "FILE")]
    pub inventory: Vec<PathBuf>,

    /// Namespace of objects that do not name one (default: the configuration's, else "default").
    #[arg(long, short, value_name = "NAMESPACE", value_parser = namespace_name)]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Annotated snippets, for people.
    Human,
    /// One versioned JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// GitHub Actions workflow commands, which annotate a pull request's diff.
    Github,
    /// GitLab Code Quality JSON, for a merge request's widget and diff.
    Gitlab,
    /// JUnit XML, for the test reports of Jenkins, GitLab and Azure DevOps.
    Junit,
}

impl Format {
    /// Whether the report is a document a program reads whole, which nothing else may share a
    /// stream with (the summary line goes elsewhere).
    pub fn is_document(self) -> bool {
        !matches!(self, Format::Human | Format::Github)
    }
}

/// A `--format` value: a format, and the file it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportArg {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// `sarif`, `sarif=pullcheck.sarif`.
fn report_arg(text: &str) -> Result<ReportArg, String> {
    let (name, file) = match text.split_once('=') {
        Some((_, "")) => return Err(format!("\"{text}\": a file name must follow `=`")),
        Some((name, file)) => (name, Some(PathBuf::from(file))),
        None => (text, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let known: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|format| format.to_possible_value())
            .map(|value| value.get_name().to_owned())
            .collect();
        format!("unknown format \"{name}\" (known: {})", known.join(", "))
    })?;
    Ok(ReportArg { format, file })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// `1000`, `512K`, `64M`, `1G`.
fn parse_size(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_uppercase()),
        _ => (text, ' '),
    };
    let shift = match unit {
        ' ' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return Err(format!("unknown size suffix '{unit}': use K, M or G")),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("\"{text}\" is not a size such as 1000, 512K or 64M"))?;
    number
        .checked_shl(shift)
        .filter(|n| n >> shift == number)
        .ok_or_else(|| format!("\"{text}\" is too large"))
}

/// A rule id, as `pullcheck rules` lists it.
fn rule_id(written: &str) -> Result<&'static str, String> {
    pullcheck::rules::find(written)
        .map(|rule| rule.id)
        .ok_or_else(|| pullcheck::rules::unknown_rule(written))
}

/// `--namespace` must be a Kubernetes namespace name.
fn namespace_name(written: &str) -> Result<String, String> {
    match pullcheck::inventory::namespace_name_problem(written) {
        Some(problem) => Err(problem),
        None => Ok(written.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_args() {
        assert_eq!(
            report_arg("sarif=out/pullcheck.sarif"),
            Ok(ReportArg {
                format: Format::Sarif,
                file: Some(PathBuf::from("out/pullcheck.sarif"))
            })
        );
        assert_eq!(
            report_arg("GitLab"),
            Ok(ReportArg {
                format: Format::Gitlab,
                file: None
            })
        );
        assert!(report_arg("sarif=").unwrap_err().contains("a file name"));
        assert!(
            report_arg("xml")
                .unwrap_err()
                .contains("known: human, json, sarif, github, gitlab, junit")
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("0"), Ok(0));
        assert!(parse_size("64X").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
