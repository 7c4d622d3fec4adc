//! Terminal output in one place, as cargo's `Shell`: every line the
//! `trendsite` binary and `serve` print goes through a [`Shell`], so colour,
//! quiet mode and the wording of counts are decided once.
//!
//! Colour is anstream's decision, made once per stream when the shell is
//! created: styles on a terminal, plain text for a pipe, a file, `NO_COLOR`
//! or `TERM=dumb`, and styles anyway with `CLICOLOR_FORCE`. Messages are
//! written styled and the stream strips the styles it must not pass on, so
//! the plain text is the same bytes whatever the colour. Diagnostics are drawn
//! by [`crate::diag`], which asks the shell for its colour and verbosity.

use std::fmt::Display;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

/// How much the shell prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Status lines, notes, warnings and errors.
    Normal,
    /// Errors only (`--quiet`): for scripts, which read the exit code.
    Quiet,
}

// The colours annotate-snippets gives the same words in a diagnostic, so a
// status line and a drawn report read as one tool's output.
const ERROR: Style = AnsiColor::BrightRed.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::BrightGreen.on_default().bold();
const STATUS: Style = AnsiColor::BrightGreen.on_default().bold();
/// The header over each file's diagnostics in `check`.
pub(crate) const HEADER: Style = Style::new().bold();

enum Stream {
    Stdout(AutoStream<std::io::Stdout>),
    Stderr(AutoStream<std::io::Stderr>),
    #[cfg(test)]
    Buffer(AutoStream<Vec<u8>>),
}

impl Stream {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Stream::Stdout(s) => s,
            Stream::Stderr(s) => s,
            #[cfg(test)]
            Stream::Buffer(s) => s,
        }
    }
}

/// The process's stdout and stderr, with the colour and verbosity of this
/// run. Shared between threads (`serve` prints from its rebuild thread): each
/// message is written whole under a lock, so lines never interleave.
pub struct Shell {
    verbosity: Verbosity,
    err_color: bool,
    out: Mutex<Stream>,
    err: Mutex<Stream>,
}

impl Shell {
    /// The shell of the running process.
    pub fn new(verbosity: Verbosity) -> Shell {
        let (out, err) = (std::io::stdout(), std::io::stderr());
        let out_choice = AutoStream::choice(&out);
        let err_choice = AutoStream::choice(&err);
        Shell {
            verbosity,
            err_color: err_choice != ColorChoice::Never,
            out: Mutex::new(Stream::Stdout(AutoStream::new(out, out_choice))),
            err: Mutex::new(Stream::Stderr(AutoStream::new(err, err_choice))),
        }
    }

    /// A shell writing into memory, with colour on or off, for tests.
    #[cfg(test)]
    fn buffered(verbosity: Verbosity, color: bool) -> Shell {
        let stream = || {
            let choice = if color {
                ColorChoice::AlwaysAnsi
            } else {
                ColorChoice::Never
            };
            Mutex::new(Stream::Buffer(AutoStream::new(Vec::new(), choice)))
        };
        Shell {
            verbosity,
            err_color: color,
            out: stream(),
            err: stream(),
        }
    }

    /// What was written to stdout and stderr so far, for tests.
    #[cfg(test)]
    fn written(&self) -> (String, String) {
        let text = |stream: &Mutex<Stream>| match &*lock(stream) {
            Stream::Buffer(s) => String::from_utf8_lossy(s.as_inner()).into_owned(),
            _ => String::new(),
        };
        (text(&self.out), text(&self.err))
    }

    pub(crate) fn is_quiet(&self) -> bool {
        self.verbosity == Verbosity::Quiet
    }

    /// Whether stderr shows styles: what a renderer that draws its own
    /// styles (annotate-snippets) is told.
    pub(crate) fn err_color(&self) -> bool {
        self.err_color
    }

    /// `Built 3 companies …`: what a command did, the first word styled.
    /// Not shown in quiet mode.
    pub fn status(&self, status: &str, message: impl Display) {
        if !self.is_quiet() {
            self.print(format_args!("{STATUS}{status}{STATUS:#} {message}"));
        }
    }

    /// A plain line of progress. Not shown in quiet mode.
    pub fn info(&self, message: impl Display) {
        if !self.is_quiet() {
            self.print(message);
        }
    }

    /// `note: …`. Not shown in quiet mode.
    pub fn note(&self, message: impl Display) {
        if !self.is_quiet() {
            self.print(format_args!("{NOTE}note{NOTE:#}: {message}"));
        }
    }

    /// `warning: …`. Not shown in quiet mode.
    pub fn warn(&self, message: impl Display) {
        if !self.is_quiet() {
            self.print(format_args!("{WARNING}warning{WARNING:#}: {message}"));
        }
    }

    /// `error: …`, shown in quiet mode too.
    pub fn error(&self, message: impl Display) {
        self.print(format_args!("{ERROR}error{ERROR:#}: {message}"));
    }

    /// The note a run ends with when it printed only some of its
    /// data-quality warnings.
    pub fn more_warnings(&self, more: usize) {
        if more > 0 {
            self.note(format_args!(
                "{}; `trendsite check` lists them",
                count(more, "more data-quality warning")
            ));
        }
    }

    /// A line on stderr whatever the verbosity: part of an error report, or
    /// output a flag asked for (`--timings`).
    pub fn print(&self, message: impl Display) {
        self.write_err(&format!("{message}\n"));
    }

    /// Text exactly as given on stderr, whatever the verbosity (a drawn
    /// report brings its own line breaks).
    pub(crate) fn write_err(&self, text: &str) {
        // Nowhere is left to report a failed write to the terminal.
        let _ = write_all(&mut lock(&self.err), text);
    }

    /// A command's result on stdout (`check --format json`), whatever the
    /// verbosity: it is what the command was asked for.
    pub fn stdout(&self, text: impl Display) -> std::io::Result<()> {
        write_all(&mut lock(&self.out), &format!("{text}\n"))
    }
}

fn lock(stream: &Mutex<Stream>) -> MutexGuard<'_, Stream> {
    // A thread that panicked mid-message leaves at worst half a line.
    stream.lock().unwrap_or_else(|e| e.into_inner())
}

fn write_all(stream: &mut Stream, text: &str) -> std::io::Result<()> {
    let w = stream.writer();
    w.write_all(text.as_bytes())?;
    w.flush()
}

/// `n` and the form of a noun that goes with it: `plural(2, "company",
/// "companies")` is "2 companies", `plural(1, …)` "1 company".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", agree(n, one, many))
}

/// [`plural`] of a noun that takes an `s`: `count(3, "warning")` is
/// "3 warnings".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The one of two words that agrees with `n` (a verb after a count: "is",
/// "are"), without the number.
pub fn agree<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_singular_for_one_only() {
        assert_eq!(count(0, "warning"), "0 warnings");
        assert_eq!(count(1, "warning"), "1 warning");
        assert_eq!(count(2, "warning"), "2 warnings");
        assert_eq!(plural(0, "company", "companies"), "0 companies");
        assert_eq!(plural(1, "company", "companies"), "1 company");
        assert_eq!(plural(10_000, "company", "companies"), "10000 companies");
        assert_eq!(agree(1, "is", "are"), "is");
        assert_eq!(agree(3, "is", "are"), "are");
    }

    fn say_everything(shell: &Shell) {
        shell.status("Built", "3 companies");
        shell.info("initial build: 1 page re-rendered");
        shell.note("the base URL is only a path");
        shell.warn("could not open a browser");
        shell.more_warnings(1);
        shell.error("build failed");
        shell.print("1 error; serving the last good site");
        shell.stdout("{}").unwrap();
    }

    #[test]
    fn normal_shell_prints_every_line_in_plain_text_without_colour() {
        let shell = Shell::buffered(Verbosity::Normal, false);
        say_everything(&shell);
        let (out, err) = shell.written();
        assert_eq!(out, "{}\n");
        assert_eq!(
            err,
            "Built 3 companies\n\
             initial build: 1 page re-rendered\n\
             note: the base URL is only a path\n\
             warning: could not open a browser\n\
             note: 1 more data-quality warning; `trendsite check` lists them\n\
             error: build failed\n\
             1 error; serving the last good site\n"
        );
    }

    #[test]
    fn quiet_shell_prints_errors_and_results_only() {
        let shell = Shell::buffered(Verbosity::Quiet, false);
        say_everything(&shell);
        let (out, err) = shell.written();
        assert_eq!(out, "{}\n");
        assert_eq!(
            err,
            "error: build failed\n1 error; serving the last good site\n"
        );
    }

    #[test]
    fn coloured_shell_styles_the_leading_word_only() {
        let shell = Shell::buffered(Verbosity::Normal, true);
        shell.status("Built", "3 companies");
        shell.error("build failed");
        let (_, err) = shell.written();
        assert_eq!(
            err,
            format!("{STATUS}Built{STATUS:#} 3 companies\n{ERROR}error{ERROR:#}: build failed\n")
        );
        assert!(err.contains("\x1b["), "{err:?}");
        assert!(shell.err_color());
    }

    #[test]
    fn a_stream_without_colour_strips_styles_it_is_handed() {
        let shell = Shell::buffered(Verbosity::Normal, false);
        shell.write_err(&format!("{HEADER}=== a.md (1 error){HEADER:#}\n"));
        assert_eq!(shell.written().1, "=== a.md (1 error)\n");
    }
}
