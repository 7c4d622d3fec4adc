//! Charts drawn at build time as inline SVG: bar charts of counts, a
//! packaging × mechanic matrix and group sizes over time. Each carries
//! `<title>` and `<desc>` for screen readers, text labels instead of a
//! legend, and draws with `currentColor` and the stylesheet's colours, so
//! dark mode needs nothing more; presentation attributes keep them readable
//! under a site's own stylesheet.
//!
//! A chart whose parts link somewhere is a labelled `role="group"`, not
//! `role="img"`: an image's children are hidden from assistive technology,
//! links included. Each link then carries its own accessible name, and the
//! drawing around the links is hidden, since the description already says
//! what it shows.

mod lines;

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Renderer;
use super::views::{GroupView, IndexCharts, OverTimeView, QuarterRow};
use crate::escape::escape_html as esc;
use crate::model::{Company, Mechanic, Packaging, Term};
use crate::query::{Grouped, Index, Quarter};

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

/// "1 company", "3 companies".
fn companies(n: usize) -> String {
    if n == 1 {
        "1 company".to_string()
    } else {
        format!("{n} companies")
    }
}

/// An `<svg>` being drawn: whether it holds links decides how assistive
/// technology sees it.
struct Svg {
    out: String,
    links: bool,
}

impl Svg {
    /// Opens an `<svg>` with its title and description. `id` must be unique
    /// within the page. With `links`, the chart is a group named by its
    /// title and described by its description; without, an image.
    fn open(id: &str, title: &str, desc: &str, width: usize, height: usize, links: bool) -> Svg {
        let mut out = String::with_capacity(1024);
        let role = if links {
            format!("role=\"group\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\"")
        } else {
            format!("role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"")
        };
        let _ = write!(
            out,
            "<svg class=\"chart\" {role} \
             viewBox=\"0 0 {width} {height}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" \
             style=\"max-width:{width}px\" {FONT} fill=\"currentColor\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            esc(title),
            esc(desc)
        );
        Svg { out, links }
    }

    /// A link named `name` around `inner` when there is a page to go to;
    /// else `inner` as drawing only.
    fn linked(&mut self, url: Option<&str>, name: &str, inner: &str) {
        match url {
            Some(url) => {
                let _ = write!(
                    self.out,
                    "<a href=\"{}\" aria-label=\"{}\">{inner}</a>",
                    esc(url),
                    esc(name)
                );
            }
            None => self.drawing(inner),
        }
    }

    /// What the description already says: hidden beside links, so a screen
    /// reader does not read loose numbers between them.
    fn drawing(&mut self, inner: &str) {
        if self.links {
            let _ = write!(self.out, "<g aria-hidden=\"true\">{inner}</g>");
        } else {
            self.out.push_str(inner);
        }
    }

    fn close(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
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
    fn url<'b>(b: &Bar<'b>) -> Option<&'b str> {
        b.url.filter(|_| b.value > 0)
    }
    let mut svg = Svg::open(
        id,
        title,
        &desc,
        WIDTH,
        height,
        bars.iter().any(|b| url(b).is_some()),
    );
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
             fill=\"#0b57d0\" rx=\"2\"/> \
             <text x=\"{}\" y=\"{text_y}\" class=\"chart-value\">{}</text>",
            label_w - 8,
            esc(b.label),
            label_w + len + 6,
            b.value
        );
        let name = format!("{}: {}", b.label, companies(b.value));
        svg.linked(url(b), &name, &row);
    }
    svg.close()
}

/// A grid of counts: one row per `rows` entry, one column per `cols`
/// entry, `counts[r][c]` in each cell, shaded by size. `axes` names what
/// the rows and the columns are, for the links' names.
pub(super) fn matrix(
    id: &str,
    title: &str,
    axes: (&str, &str),
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
    let any_link = rows.iter().chain(cols).any(|(_, url)| url.is_some());
    let mut svg = Svg::open(id, title, &desc, width, height, any_link);
    for (c, (col, url)) in cols.iter().enumerate() {
        let x = label_w + c * CELL + CELL / 2;
        let label = format!(
            "<text transform=\"translate({x} {}) rotate(-45)\" class=\"chart-label\">{}</text>",
            head - 6,
            esc(col)
        );
        let total = (0..rows.len()).map(|r| count(r, c)).sum();
        let name = format!("{} {col}: {}", axes.1, companies(total));
        svg.linked(*url, &name, &label);
    }
    let mut cells = String::with_capacity(rows.len() * cols.len() * 200);
    for (r, (row, url)) in rows.iter().enumerate() {
        let y = head + r * CELL;
        let label = format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\">{}</text>",
            label_w - 8,
            y + CELL / 2 + 5,
            esc(row)
        );
        let total = (0..cols.len()).map(|c| count(r, c)).sum();
        let name = format!("{} {row}: {}", axes.0, companies(total));
        svg.linked(*url, &name, &label);
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
                cells,
                "<rect class=\"chart-cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                 fill=\"#0b57d0\" fill-opacity=\"{shade:.2}\" stroke=\"#8888\"/>",
                x + 1,
                y + 1,
                CELL - 2,
                CELL - 2
            );
            if n > 0 {
                let _ = write!(
                    cells,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-value{strong}\">{n}</text>",
                    x + CELL / 2,
                    y + CELL / 2 + 5
                );
            }
        }
    }
    svg.drawing(&cells);
    svg.close()
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
                ("AI packaging", "Metering"),
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
    use super::lines::{Series, lines, tick_step};
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
        // Links are not hidden in an image: the chart is a named group and
        // each link is named.
        assert!(
            svg.contains("role=\"group\" aria-labelledby=\"p-title\" aria-describedby=\"p-desc\"")
        );
        assert!(!svg.contains("role=\"img\""));
        assert!(
            svg.contains("<a href=\"/packaging/bundled/\" aria-label=\"bundled: 4 companies\">")
        );
        // The bar without a link is drawing the description already gives.
        assert!(svg.contains("<g aria-hidden=\"true\"><text"));
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
        // Nothing links: an image, named by its title and description.
        assert!(svg.contains("role=\"img\" aria-labelledby=\"m-title m-desc\""));
        assert!(!svg.contains("aria-hidden"));
    }

    #[test]
    fn the_matrix_names_its_axis_links() {
        let svg = matrix(
            "x",
            "Packaging by mechanic",
            ("AI packaging", "Metering"),
            &[("bundled", Some("/packaging/bundled/")), ("add-on", None)],
            &[("credits", Some("/metering/credits/")), ("seats", None)],
            &[vec![3, 0], vec![2, 1]],
        );
        assert!(svg.contains("role=\"group\""));
        assert!(svg.contains(
            "<a href=\"/packaging/bundled/\" aria-label=\"AI packaging bundled: 3 companies\">"
        ));
        assert!(svg.contains(
            "<a href=\"/metering/credits/\" aria-label=\"Metering credits: 5 companies\">"
        ));
        assert_eq!(svg.matches("<a ").count(), 2);
    }

    fn series<'a>(label: &'a str, values: &[usize], url: Option<&'a str>) -> Series<'a> {
        Series {
            label,
            values: values.to_vec(),
            url,
        }
    }

    #[test]
    fn lines_end_in_named_links_and_keep_the_year_once() {
        let svg = lines(
            "t",
            "Over time",
            &["2025 Q3", "2025 Q4", "2026 Q1"],
            &[
                series("Bundled", &[0, 2, 12], Some("/trends/x/#bundled")),
                series("Other", &[1, 1, 1], None),
            ],
            true,
        );
        assert!(svg.contains("role=\"group\" aria-labelledby=\"t-title\""));
        assert!(svg.contains(
            "<desc id=\"t-desc\">2025 Q3 to 2026 Q1: Bundled from 0 to 12; Other from 1 to 1."
        ));
        assert!(svg.contains(
            "<a href=\"/trends/x/#bundled\" aria-label=\"Bundled: 12 companies at the end of 2026 Q1\">"
        ));
        assert!(svg.contains(">Bundled 12</text></a>"));
        // "Other" has no link here: drawn, hidden, the description says it.
        assert!(svg.contains(">Other 1</text></g>"));
        assert_eq!(svg.matches(">2025</text>").count(), 1);
        assert_eq!(svg.matches(">2026</text>").count(), 1);
        assert_eq!(svg.matches("class=\"chart-dot").count(), 6);
        assert!(svg.contains("chart-line chart-s1") && svg.contains("chart-line chart-muted"));
    }

    #[test]
    fn line_ends_that_meet_are_moved_apart() {
        let svg = lines(
            "t",
            "t",
            &["2025 Q1", "2025 Q2"],
            &[series("A", &[1, 5], None), series("B", &[2, 5], None)],
            false,
        );
        let y_of = |label: &str| -> i64 {
            let end = svg.find(&format!(">{label}</text>")).expect("label");
            let start = svg[..end].rfind(" y=\"").expect("y") + 4;
            svg[start..start + svg[start..].find('"').expect("\"")]
                .parse()
                .expect("a number")
        };
        assert!(y_of("B 5") - y_of("A 5") >= 16, "{svg}");
    }

    #[test]
    fn value_steps_are_round() {
        assert_eq!(tick_step(1), 1);
        assert_eq!(tick_step(5), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(21), 5);
        assert_eq!(tick_step(240), 50);
    }

    #[test]
    fn the_matrix_shows_counts_where_there_are_some() {
        let svg = matrix(
            "x",
            "Packaging by mechanic",
            ("AI packaging", "Metering"),
            &[("bundled", None), ("add-on", None)],
            &[("credits", None), ("seats", None)],
            &[vec![3, 0], vec![0, 1]],
        );
        assert!(svg.contains("bundled × credits: 3; add-on × seats: 1"));
        assert_eq!(svg.matches("class=\"chart-cell\"").count(), 4);
        assert_eq!(svg.matches("class=\"chart-value").count(), 2);
    }
}
