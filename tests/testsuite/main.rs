//! trendsite's integration tests: one binary, a module per feature, driving
//! the real `trendsite` executable against fixture sites in temp folders.

mod browser;
mod build;
mod check;
mod errors;
mod faults;
mod incremental;
mod repo_site;
mod scaffold;
mod serve;
mod support;
