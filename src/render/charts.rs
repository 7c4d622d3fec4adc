//! Charts drawn at build time as inline SVG: bar charts of counts and a
//! packaging × mechanic matrix. Each carries `<title>` and `<desc>` for
//! screen readers, text labels instead of a legend, and draws with
//! `currentColor` and the stylesheet's colours, so dark mode needs nothing
//! more; presentation attributes keep them readable under a site's own
//! stylesheet.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Renderer;
use super::views::{GroupView, IndexCharts};
use crate::escape::escape_html as esc;
use crate::model::{Company, Mechanic, Packaging, Term};
use crate::query::{Grouped, Index};

/// One bar: its label, its count and, when there is one, the page it opens.
pub(super) struct Bar<'a> {
    pub label: &'a str,
    pub value: usize,
    pub url: Option<&'a str>,
}

const WIDTH: usize = 360;
const ROW: usize = 26;
const BAR: usize = 18;
/// An estimate of a label character's width at the charts' 13px font, to
/// leave room for the longest label without measuring text.
const CHAR: f64 = 7.4;
const FONT: &str = "font-family=\"system-ui, sans-serif\" font-size=\"13\"";

fn label_width<'l>(labels: impl Iterator<Item = &'l str>) -> usize {
    let chars = labels.map(|l| l.chars().count()).max().unwrap_or(0);
    (chars as f64 * CHAR).ceil() as usize + 12
}

/// Opens an `<svg>` with its title and description, labelled for
/// assistive technology. `id` must be unique within the page.
fn open(out: &mut String, id: &str, title: &str, desc: &str, width: usize, height: usize) {
    let _ = write!(
        out,
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" \
         style=\"max-width:{width}px\" {FONT} fill=\"currentColor\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc)
    );
}

/// Wraps `inner` in a link when there is a page to go to.
fn linked(out: &mut String, url: Option<&str>, inner: &str) {
    match url {
        Some(url) => {
            let _ = write!(out, "<a href=\"{}\">{inner}</a>", esc(url));
        }
        None => out.push_str(inner),
    }
}

/// A horizontal bar chart, one labelled bar per entry, counts at the ends.
pub(super) fn bars(id: &str, title: &str, bars: &[Bar<'_>]) -> String {
    let desc = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.value))
        .collect::<Vec<_>>()
        .join("; ");
    let label_w = label_width(bars.iter().map(|b| b.label));
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let room = WIDTH.saturating_sub(label_w + 48).max(40);
    let height = bars.len() * ROW + 4;
    let mut out = String::with_capacity(256 + bars.len() * 256);
    open(&mut out, id, title, &desc, WIDTH, height);
    for (i, b) in bars.iter().enumerate() {
        let y = i * ROW + 2;
        let text_y = y + BAR / 2 + 5;
        let len = if b.value == 0 {
            0
        } else {
            (b.value * room).div_ceil(max).max(2)
        };
        let mut row = String::new();
        let _ = write!(
            row,
            "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\" class=\"chart-label\">{}</text>\
             <rect class=\"chart-bar\" x=\"{label_w}\" y=\"{y}\" width=\"{len}\" height=\"{BAR}\" \
             fill=\"#0b57d0\" rx=\"2\"/>\
             <text x=\"{}\" y=\"{text_y}\" class=\"chart-value\">{}</text>",
            label_w - 8,
            esc(b.label),
            label_w + len + 6,
            b.value
        );
        linked(&mut out, b.url.filter(|_| b.value > 0), &row);
    }
    out.push_str("</svg>");
    out
}

/// A grid of counts: one row per `rows` entry, one column per `cols`
/// entry, `counts[r][c]` in each cell, shaded by size.
pub(super) fn matrix(
    id: &str,
    title: &str,
    rows: &[(&str, Option<&str>)],
    cols: &[(&str, Option<&str>)],
    counts: &[Vec<usize>],
) -> String {
    const CELL: usize = 40;
    let count = |r: usize, c: usize| {
        counts
            .get(r)
            .and_then(|row| row.get(c))
            .copied()
            .unwrap_or(0)
    };
    let mut desc = Vec::new();
    for (r, (row, _)) in rows.iter().enumerate() {
        for (c, (col, _)) in cols.iter().enumerate() {
            if count(r, c) > 0 {
                desc.push(format!("{row} × {col}: {}", count(r, c)));
            }
        }
    }
    let desc = if desc.is_empty() {
        "No companies.".to_string()
    } else {
        desc.join("; ")
    };
    let label_w = label_width(rows.iter().map(|r| r.0));
    // Column labels stand at 45°: their height is their length over √2.
    let head = (label_width(cols.iter().map(|c| c.0)) as f64 * std::f64::consts::FRAC_1_SQRT_2)
        .ceil() as usize
        + 8;
    let width = label_w + cols.len() * CELL + head;
    let height = head + rows.len() * CELL + 4;
    let max = counts.iter().flatten().copied().max().unwrap_or(0).max(1);
    let mut out = String::with_capacity(1024 + rows.len() * cols.len() * 200);
    open(&mut out, id, title, &desc, width, height);
    for (c, (col, url)) in cols.iter().enumerate() {
        let x = label_w + c * CELL + CELL / 2;
        let label = format!(
            "<text transform=\"translate({x} {}) rotate(-45)\" class=\"chart-label\">{}</text>",
            head - 6,
            esc(col)
        );
        linked(&mut out, *url, &label);
    }
    for (r, (row, url)) in rows.iter().enumerate() {
        let y = head + r * CELL;
        let label = format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\">{}</text>",
            label_w - 8,
            y + CELL / 2 + 5,
            esc(row)
        );
        linked(&mut out, *url, &label);
        for c in 0..cols.len() {
            let n = count(r, c);
            let x = label_w + c * CELL;
            let shade = if n == 0 {
                0.0
            } else {
                0.15 + 0.85 * n as f64 / max as f64
            };
            let strong = if shade > 0.55 { " chart-strong" } else { "" };
            let _ = write!(
                out,
                "<rect class=\"chart-cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                 fill=\"#0b57d0\" fill-opacity=\"{shade:.2}\" stroke=\"#8888\"/>",
                x + 1,
                y + 1,
                CELL - 2,
                CELL - 2
            );
            if n > 0 {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-value{strong}\">{n}</text>",
                    x + CELL / 2,
                    y + CELL / 2 + 5
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// A bar per value of a taxonomy, those no company has included, each
/// linked to its page.
fn term_bars<'r, T: Term>(
    by: &BTreeMap<T, Vec<usize>>,
    url: impl Fn(T) -> &'r str,
) -> Vec<Bar<'r>> {
    T::ALL
        .iter()
        .map(|&t| Bar {
            label: t.as_str(),
            value: by.get(&t).map_or(0, Vec::len),
            url: Some(url(t)),
        })
        .collect()
}

/// Every value of a taxonomy as an axis of the matrix, linked to its page
/// when it has one.
fn term_axis<'r, T: Term>(
    by: &BTreeMap<T, Vec<usize>>,
    url: impl Fn(T) -> &'r str,
) -> Vec<(&'static str, Option<&'r str>)> {
    T::ALL
        .iter()
        .map(|&t| (t.as_str(), by.contains_key(&t).then(|| url(t))))
        .collect()
}

impl Renderer<'_> {
    /// Companies per packaging value and per mechanic, as bars, and the
    /// two crossed. Every value shows, so a reader sees what no one uses.
    pub(super) fn index_charts(&self, companies: &[Company], index: &Index<'_>) -> IndexCharts {
        let urls = &self.urls;
        let mut counts = vec![vec![0usize; Mechanic::ALL.len()]; Packaging::ALL.len()];
        for c in companies {
            // ALL lists the variants in declaration order.
            counts[c.packaging as usize][c.mechanic() as usize] += 1;
        }
        let packaging = |p: Packaging| urls.packaging(p);
        let mechanic = |m: Mechanic| urls.mechanic(m);
        IndexCharts {
            packaging: bars(
                "chart-packaging",
                "Companies per AI packaging",
                &term_bars(&index.by_packaging, packaging),
            ),
            mechanic: bars(
                "chart-mechanic",
                "Companies per metering mechanic",
                &term_bars(&index.by_mechanic, mechanic),
            ),
            matrix: matrix(
                "chart-matrix",
                "Companies per AI packaging and metering mechanic",
                &term_axis(&index.by_packaging, packaging),
                &term_axis(&index.by_mechanic, mechanic),
                &counts,
            ),
        }
    }

    /// The size of each group (and of "Other"), linked to its place on the
    /// page; nothing when the trend selects no company.
    pub(super) fn trend_chart(
        &self,
        t: usize,
        g: &Grouped<'_>,
        groups: &[GroupView<'_>],
    ) -> String {
        if g.total == 0 {
            return String::new();
        }
        let anchors: Vec<String> = groups
            .iter()
            .map(|group| format!("{}#{}", self.urls.trends[t], group.id))
            .chain([format!("{}#other", self.urls.trends[t])])
            .collect();
        let mut list: Vec<Bar<'_>> = groups
            .iter()
            .zip(&anchors)
            .map(|(group, url)| Bar {
                label: group.title,
                value: group.count,
                url: Some(url),
            })
            .collect();
        if !g.other.is_empty() {
            list.push(Bar {
                label: if groups.is_empty() { "All" } else { "Other" },
                value: g.other.len(),
                url: anchors
                    .last()
                    .map(String::as_str)
                    .filter(|_| !groups.is_empty()),
            });
        }
        bars(
            "chart-groups",
            &format!("Companies per group: {}", g.trend.title),
            &list,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_labelled_described_and_linked() {
        let svg = bars(
            "p",
            "Companies per <packaging>",
            &[
                Bar {
                    label: "bundled",
                    value: 4,
                    url: Some("/packaging/bundled/"),
                },
                Bar {
                    label: "none",
                    value: 0,
                    url: Some("/packaging/none/"),
                },
            ],
        );
        assert!(svg.contains("<title id=\"p-title\">Companies per &lt;packaging&gt;</title>"));
        assert!(svg.contains("<desc id=\"p-desc\">bundled: 4; none: 0</desc>"));
        assert!(svg.contains("<a href=\"/packaging/bundled/\">"));
        // A value no company has has no page to link to.
        assert!(!svg.contains("/packaging/none/"));
        assert!(svg.contains(">bundled</text>") && svg.contains(">4</text>"));
    }

    #[test]
    fn the_largest_bar_fills_the_room_and_zero_draws_nothing() {
        let svg = bars(
            "m",
            "t",
            &[
                Bar {
                    label: "a",
                    value: 10,
                    url: None,
                },
                Bar {
                    label: "b",
                    value: 0,
                    url: None,
                },
            ],
        );
        let widths: Vec<&str> = svg
            .match_indices("class=\"chart-bar\"")
            .map(|(i, _)| {
                let rest = &svg[i..];
                let w = rest.find("width=\"").unwrap() + 7;
                &rest[w..w + rest[w..].find('"').unwrap()]
            })
            .collect();
        assert_eq!(widths.len(), 2);
        assert!(widths[0].parse::<usize>().unwrap() > 250, "{widths:?}");
        assert_eq!(widths[1], "0");
    }

    #[test]
    fn the_matrix_shows_counts_where_there_are_some() {
        let svg = matrix(
            "x",
            "Packaging by mechanic",
            &[("bundled", None), ("add-on", None)],
            &[("credits", None), ("seats", None)],
            &[vec![3, 0], vec![0, 1]],
        );
        assert!(svg.contains("bundled × credits: 3; add-on × seats: 1"));
        assert_eq!(svg.matches("class=\"chart-cell\"").count(), 4);
        assert_eq!(svg.matches("class=\"chart-value").count(), 2);
    }
}
