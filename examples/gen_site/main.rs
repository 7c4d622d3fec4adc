//! Writes a synthetic site for the benchmarks: N made-up companies and
//! eight trends, as a trendsite site or as the same data for Hugo.
//!
//!     cargo run --release --example gen_site -- --companies 10000 --out DIR \
//!         [--flavor trendsite|hugo|hugo-modern] [--seed N] [--changes N]
//!
//! `hugo` is for Hugo before 0.146 (Debian's 0.111), `hugo-modern` for 0.146
//! and later; both give the same pages. What is in each flavor is described
//! in synthetic.rs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

mod synthetic;

use synthetic::{Flavor, Spec};

/// Writes a synthetic trendsite or Hugo site for the benchmarks.
#[derive(Parser)]
struct Args {
    /// Number of companies.
    #[arg(long, value_name = "N")]
    companies: usize,
    /// Output folder: absent, empty or written by gen_site before (then
    /// replaced, unless it holds this very site already).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// trendsite, hugo (Hugo before 0.146) or hugo-modern (Hugo 0.146 and later).
    #[arg(long, default_value = "trendsite")]
    flavor: Flavor,
    /// Same seed, same site.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Dated changes per company, in the trendsite flavor.
    #[arg(long, default_value_t = 0)]
    changes: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let spec = Spec {
        companies: args.companies,
        flavor: args.flavor,
        seed: args.seed,
        changes: args.changes,
    };
    match synthetic::generate(&args.out, &spec) {
        Ok(outcome) => {
            eprintln!(
                "{}: {} companies, {} flavor, seed {}: {outcome}",
                args.out.display(),
                spec.companies,
                spec.flavor,
                spec.seed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_site: {e}");
            ExitCode::FAILURE
        }
    }
}
