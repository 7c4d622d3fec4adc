//! The `trendsite` command line: parses arguments and reports; the work is
//! done by the library's pipeline.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use trendsite::diag;
use trendsite::shell::{Shell, Verbosity, count, plural};

// Rendering allocates and frees many small strings on both threads at once.
// jemalloc's per-thread caches take 14% off a 10,000-company build against
// the system malloc, and its peak memory is 20% lower (README, Benchmarks).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Has jemalloc keep the memory `serve` frees rather than hand it back to
/// the system. Every edit renders pages anew, some of many megabytes (the
/// changes page of a 30,000-change site is 17 MB), and memory handed back
/// must be faulted in again page by page: on that site it took the page's
/// assembly from 12 ms to 4 ms. A build exits instead, and is left as is.
fn keep_freed_memory() {
    // For the arenas to come, then for every arena already made
    // (`MALLCTL_ARENAS_ALL` is 4096); -1 turns purging off.
    for name in [
        &b"arenas.dirty_decay_ms\0"[..],
        b"arenas.muzzy_decay_ms\0",
        b"arena.4096.dirty_decay_ms\0",
        b"arena.4096.muzzy_decay_ms\0",
    ] {
        // SAFETY: each name is one of jemalloc's, NUL-terminated, and its
        // value is an ssize_t, as written. A failure leaves the default.
        let _ = unsafe { tikv_jemalloc_ctl::raw::write(name, -1isize) };
    }
}

#[derive(Parser)]
#[command(
    name = "trendsite",
    version,
    about = "Builds the AI pricing trends site from content/"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print errors only: no progress, notes or warnings.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// The site folder, holding site.toml and content/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; replaced whole on success.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The public URL the site is served under (default: base_url in site.toml).
        #[arg(long)]
        base_url: Option<String>,
        /// Print the wall time of each pipeline stage.
        #[arg(long)]
        timings: bool,
        /// Build the site as it stood on this date (YYYY-MM-DD): every
        /// company replayed from its dated changes, later changes left out.
        #[arg(long, value_name = "DATE", value_parser = past_date)]
        as_of: Option<trendsite::model::Date>,
    },
    /// Validate everything, report every error and data-quality warning of
    /// the whole site grouped by file, and write nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// `text` (to stderr) or `json` (to stdout, for editors' tooling).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write a new company or trend entry with every field laid out.
    New {
        #[arg(value_enum)]
        kind: NewKind,
        /// The slug: the file name and URL of the new entry.
        slug: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build the site for its public URL and commit the output as the whole
    /// tree of a branch (gh-pages), then push it: GitHub Pages serves it.
    Publish {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The branch that holds the published site; never the one you work on.
        #[arg(long, default_value = "gh-pages")]
        branch: String,
        /// The remote to fetch the branch from and push it to.
        #[arg(long, default_value = "origin")]
        remote: String,
        /// The commit message (default: `Publish <short sha of HEAD>`).
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
        /// The public URL the site is served under (default: base_url in site.toml).
        #[arg(long)]
        base_url: Option<String>,
        /// Publish even when content/, templates/, static/ or site.toml have
        /// uncommitted changes.
        #[arg(long)]
        allow_dirty: bool,
        /// Commit to the local branch only; push later with `git push`.
        #[arg(long)]
        no_push: bool,
    },
    /// Preview the site: build it in memory, serve it, rebuild on every save
    /// and reload open pages.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; loopback unless you ask for another.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Milliseconds file events must pause before a rebuild starts.
        #[arg(long, default_value_t = 5, hide = true)]
        debounce_ms: u64,
        /// Serve the site as it stood on this date (YYYY-MM-DD), also while
        /// you edit.
        #[arg(long, value_name = "DATE", value_parser = past_date)]
        as_of: Option<trendsite::model::Date>,
    },
}

/// A `--as-of` date: a real day, not after today, since no change after
/// today can be entered (a site as of a later day is the site now).
fn past_date(text: &str) -> Result<trendsite::model::Date, String> {
    let date: trendsite::model::Date = text.parse()?;
    let today = trendsite::scaffold::today();
    if date > today {
        return Err(format!(
            "{date} is after today ({today}); the site can be shown as of today or an earlier date"
        ));
    }
    Ok(date)
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum NewKind {
    Company,
    Trend,
}

/// `trendsite check`: every problem of the site, grouped by file, then the
/// counts; exit 1 on errors, or on warnings with `--deny-warnings`.
fn check(shell: &Shell, root: &std::path::Path, deny_warnings: bool, format: Format) -> ExitCode {
    let (diags, checked) = match trendsite::build(root, None) {
        Ok(built) => (built.warnings, Some((built.companies, built.trends))),
        Err(diags) => (diags, None),
    };
    let failed = diags.has_errors() || (deny_warnings && diags.warning_count() > 0);
    match format {
        Format::Json => {
            let written = match diags.to_json() {
                Ok(json) => shell.stdout(json),
                Err(e) => {
                    shell.error(format_args!("cannot write the report as JSON: {e}"));
                    return ExitCode::FAILURE;
                }
            };
            if let Err(e) = written {
                shell.error(format_args!("cannot write the report to stdout: {e}"));
                return ExitCode::FAILURE;
            }
        }
        Format::Text => {
            diag::print_by_file(shell, &diags, deny_warnings);
            match checked {
                Some((companies, trends)) if !failed => shell.status(
                    "Checked",
                    format_args!(
                        "{} and {}: {}",
                        plural(companies, "company", "companies"),
                        count(trends, "trend"),
                        diags.summary()
                    ),
                ),
                Some(_) => shell.error(format_args!(
                    "check failed: {} (--deny-warnings)",
                    diags.summary()
                )),
                None => shell.error(format_args!("check failed: {}", diags.summary())),
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The warnings of a successful build, and how many more `check` lists.
fn report_written(shell: &Shell, written: &trendsite::Written) {
    diag::print(shell, &written.warnings);
    if !written.base_url.has_host() {
        shell.note(format_args!(
            "the base URL {} is only a path, so sitemap.xml and atom.xml were not written: they need absolute URLs (set base_url in site.toml or pass --base-url https://…)",
            written.base_url
        ));
    }
    shell.more_warnings(written.more_warnings);
}

/// `trendsite publish`: the work is in `trendsite::publish`; this reports it.
fn publish(shell: &Shell, opts: &trendsite::publish::Options) -> ExitCode {
    use trendsite::publish::{Commit, PublishError, Push};
    let published = match trendsite::publish::publish(opts) {
        Ok(p) => p,
        Err(PublishError::Build(trendsite::BuildError::Content(diags))) => {
            diag::print(shell, &diags);
            shell.error(format_args!(
                "publish failed: {}; nothing was committed or pushed",
                diags.summary()
            ));
            return ExitCode::FAILURE;
        }
        Err(e) => {
            shell.error(e);
            return ExitCode::FAILURE;
        }
    };
    report_written(shell, &published.written);
    if !published.dirty.is_empty() {
        let files: String = published
            .dirty
            .iter()
            .map(|file| format!("\n  {file}"))
            .collect();
        shell.warn(format_args!(
            "published with uncommitted changes (--allow-dirty):{files}"
        ));
    }
    if !published.base_url.has_host() {
        shell.note(format_args!(
            "pages link from {} on whatever host serves them, and have no absolute canonical URL; pass --base-url https://<user>.github.io/<repo>/ or set base_url in site.toml",
            published.base_url
        ));
    }
    let written = &published.written;
    match &published.commit {
        Commit::New { sha, parent } => shell.status(
            "Published",
            format_args!(
                "{}, {} KB built for {} → {} as commit {sha} on {} ({})",
                count(written.files, "file"),
                written.bytes / 1024,
                published.base_url,
                published.out.display(),
                opts.branch,
                match parent {
                    Some(p) => format!("after {p}"),
                    None => "its first commit".to_string(),
                }
            ),
        ),
        Commit::Unchanged { tip } => shell.info(format_args!(
            "nothing changed since the last publish ({} at {tip}); no commit made",
            opts.branch
        )),
    }
    match published.push {
        Push::Pushed => shell.status("Pushed", format_args!("{} to {}", opts.branch, opts.remote)),
        Push::Skipped => shell.info(format_args!(
            "Not pushed (--no-push); `git push {} {}` sends it",
            opts.remote, opts.branch
        )),
        Push::UpToDate => {}
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let shell = Arc::new(Shell::new(if cli.quiet {
        Verbosity::Quiet
    } else {
        Verbosity::Normal
    }));
    match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            timings,
            as_of,
        } => {
            let start = Instant::now();
            let out = match out {
                Some(o) => o,
                None => match trendsite::config::load(&root) {
                    Ok(c) => root.join(c.output_dir),
                    Err(_) => root.join("public"),
                },
            };
            let out = match trendsite::output::check_out_dir(&root, &out) {
                Ok(o) => o,
                Err(e) => {
                    shell.error(e);
                    return ExitCode::FAILURE;
                }
            };
            match trendsite::build_to_as_of(&root, base_url.as_deref(), as_of, &out) {
                Ok(written) => {
                    report_written(&shell, &written);
                    if timings {
                        // Asked for by a flag, so shown in quiet mode too.
                        for (stage, time) in &written.timings.0 {
                            shell.print(format_args!(
                                "{:>9.1} ms  {stage}",
                                time.as_secs_f64() * 1000.0
                            ));
                        }
                    }
                    shell.status(
                        "Built",
                        format_args!(
                            "{} and {}{}: {}, {} KB in {} ms → {}",
                            plural(written.companies, "company", "companies"),
                            count(written.trends, "trend"),
                            as_of.map(|d| format!(" as of {d}")).unwrap_or_default(),
                            count(written.files, "file"),
                            written.bytes / 1024,
                            start.elapsed().as_millis(),
                            out.display()
                        ),
                    );
                    ExitCode::SUCCESS
                }
                Err(trendsite::BuildError::Content(diags)) => {
                    diag::print(&shell, &diags);
                    shell.error(format_args!(
                        "build failed: {}; nothing was written",
                        diags.summary()
                    ));
                    ExitCode::FAILURE
                }
                Err(trendsite::BuildError::Output(e)) => {
                    shell.error(format_args!("{e}; the previous output is unchanged"));
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
            debounce_ms,
            as_of,
        } => {
            let opts = trendsite::serve::Options {
                root,
                bind,
                port,
                open,
                quiet: std::time::Duration::from_millis(debounce_ms),
                as_of,
            };
            keep_freed_memory();
            match trendsite::serve::run(opts, shell.clone()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    shell.error(e);
                    ExitCode::FAILURE
                }
            }
        }
        Command::New { kind, slug, root } => {
            let kind = match kind {
                NewKind::Company => trendsite::scaffold::Kind::Company,
                NewKind::Trend => trendsite::scaffold::Kind::Trend,
            };
            match trendsite::scaffold::new_entry(&root, kind, &slug) {
                Ok(path) => {
                    shell.status(
                        "Created",
                        format_args!(
                            "{}: fill in the blanks, then run `trendsite check`",
                            path.display()
                        ),
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    shell.error(e);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check {
            root,
            deny_warnings,
            format,
        } => check(&shell, &root, deny_warnings, format),
        Command::Publish {
            root,
            branch,
            remote,
            message,
            base_url,
            allow_dirty,
            no_push,
        } => publish(
            &shell,
            &trendsite::publish::Options {
                root,
                branch,
                remote,
                message,
                base_url,
                allow_dirty,
                push: !no_push,
            },
        ),
    }
}
