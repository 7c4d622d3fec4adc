//! Diagnostics drawn to the terminal through the [`Shell`].

use super::{Diagnostic, Diagnostics};
use crate::shell::Shell;

/// Draws each diagnostic with its excerpt on the shell's stderr, a blank
/// line after each; a quiet shell shows the errors only.
pub fn print<'a>(shell: &Shell, diags: impl IntoIterator<Item = &'a Diagnostic>) {
    let mut out = String::new();
    for d in diags {
        if shell.is_quiet() && !d.is_error() {
            continue;
        }
        out.push_str(&d.render(shell.err_color()));
        out.push_str("\n\n");
    }
    if !out.is_empty() {
        shell.write_err(&out);
    }
}

/// `check`'s report: [`Diagnostics::render_by_file`] on the shell's stderr.
/// A quiet shell shows what fails the run: the errors, and the warnings too
/// when `warnings_fail` (`--deny-warnings`).
pub fn print_by_file(shell: &Shell, diags: &Diagnostics, warnings_fail: bool) {
    let report = if shell.is_quiet() && !warnings_fail {
        let mut errors = Diagnostics::new();
        errors.extend(diags.iter().filter(|d| d.is_error()).cloned());
        errors.render_by_file(shell.err_color())
    } else {
        diags.render_by_file(shell.err_color())
    };
    shell.write_err(&report);
}
