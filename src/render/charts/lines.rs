//! The chart over time: each group's size at the end of every quarter, a
//! line per group, and the same numbers for the table beside it.

use std::fmt::Write;

use super::*;

/// One line of a chart over time: its label, its value at each point and,
/// when there is one, the place it opens.
pub(super) struct Series<'a> {
    pub label: &'a str,
    pub values: Vec<usize>,
    pub url: Option<&'a str>,
}

/// Stroke patterns, one per line, so lines differ without colour too.
const DASHES: [&str; 4] = ["", "7 4", "2 3", "9 3 2 3"];
/// Each line's colour where the stylesheet does not set one.
const LINE_COLOURS: [&str; 4] = ["#0b57d0", "#b3261e", "#1e7d32", "#8a4d00"];

/// A step of the value axis that gives at most five steps up to `max`.
pub(super) fn tick_step(max: usize) -> usize {
    let mut scale = 1;
    loop {
        for step in [1, 2, 5] {
            if max <= step * scale * 5 {
                return step * scale;
            }
        }
        scale *= 10;
    }
}

/// A line chart of `series` over `points` (`2025 Q2` labels: the year is
/// written once, under its first quarter). Each line ends in its label and
/// last value, linked to `url` when it has one; the last series is drawn
/// muted when `last_muted` (the "Other" of a trend).
pub(super) fn lines(
    id: &str,
    title: &str,
    points: &[&str],
    series: &[Series<'_>],
    last_muted: bool,
) -> String {
    const TOP: usize = 10;
    const PLOT: usize = 160;
    const PAD: usize = 10;
    const KEY: usize = 18;
    let n = points.len();
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let step_y = tick_step(max);
    let top_value = max.div_ceil(step_y) * step_y;
    let axis_w = label_width(std::iter::once(top_value.to_string().as_str())).max(24);
    let ends: Vec<String> = series
        .iter()
        .map(|s| format!("{} {}", s.label, s.values.last().copied().unwrap_or(0)))
        .collect();
    let key_w = KEY + 6 + label_width(ends.iter().map(String::as_str));
    // Wide enough for "2025" under each quarter, narrow enough for the
    // page's measure however many quarters there are.
    let step_x =
        (560usize.saturating_sub(axis_w + key_w) / n.saturating_sub(1).max(1)).clamp(30, 72);
    let plot_w = 2 * PAD + n.saturating_sub(1) * step_x;
    let width = axis_w + plot_w + key_w;
    let x = |i: usize| axis_w + PAD + i * step_x;
    let y = |v: usize| TOP + PLOT - v * PLOT / top_value;
    // Each line's key and last value stand at its end, moved apart where
    // lines end close together.
    let end_y = |k: usize| y(series[k].values.last().copied().unwrap_or(0));
    let mut order: Vec<usize> = (0..series.len()).collect();
    order.sort_by_key(|&k| (end_y(k), k));
    let mut placed = vec![0; series.len()];
    let mut floor = 0;
    for (nth, &k) in order.iter().enumerate() {
        placed[k] = if nth == 0 {
            end_y(k)
        } else {
            end_y(k).max(floor + 16)
        };
        floor = placed[k];
    }
    let height = (TOP + PLOT + 40).max(floor + 10);

    let desc = format!(
        "{} to {}: {}. The table that follows gives every value.",
        points.first().copied().unwrap_or(""),
        points.last().copied().unwrap_or(""),
        series
            .iter()
            .map(|s| format!(
                "{} from {} to {}",
                s.label,
                s.values.first().copied().unwrap_or(0),
                s.values.last().copied().unwrap_or(0)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut svg = Svg::open(
        id,
        title,
        &desc,
        width,
        height,
        series.iter().any(|s| s.url.is_some()),
    );

    // The axes: a line per value step, quarters below.
    let mut grid = String::new();
    for v in (0..=top_value).step_by(step_y) {
        let _ = write!(
            grid,
            "<line class=\"chart-grid\" x1=\"{axis_w}\" x2=\"{}\" y1=\"{yv}\" y2=\"{yv}\" stroke=\"#8884\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-tick\">{v}</text>",
            axis_w + plot_w,
            axis_w - 6,
            y(v) + 4,
            yv = y(v),
        );
    }
    let mut year = "";
    for (i, label) in points.iter().enumerate() {
        let (y_label, q) = label.split_once(' ').unwrap_or(("", label));
        let _ = write!(
            grid,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-tick\">{}</text>",
            x(i),
            TOP + PLOT + 17,
            esc(q)
        );
        if y_label != year {
            year = y_label;
            let _ = write!(
                grid,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"chart-tick\">{}</text>",
                x(i),
                TOP + PLOT + 33,
                esc(year)
            );
        }
    }
    // The lines, each with a dot per point.
    let style = |k: usize| {
        if last_muted && k + 1 == series.len() {
            ("chart-muted".to_string(), "#6b7178", "3 3")
        } else {
            (
                format!("chart-s{}", k % 4 + 1),
                LINE_COLOURS[k % 4],
                DASHES[k % 4],
            )
        }
    };
    for (k, s) in series.iter().enumerate() {
        let (class, colour, dash) = style(k);
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{},{}", x(i), y(v)))
            .collect();
        let _ = write!(
            grid,
            "<polyline class=\"chart-line {class}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"2.5\" stroke-dasharray=\"{dash}\" stroke-linejoin=\"round\"/>",
            points.join(" ")
        );
        for (i, &v) in s.values.iter().enumerate() {
            let _ = write!(
                grid,
                "<circle class=\"chart-dot {class}\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{colour}\"/>",
                x(i),
                y(v)
            );
        }
    }
    svg.drawing(&grid);

    let key_x = axis_w + plot_w + 4;
    for (k, s) in series.iter().enumerate() {
        let (class, colour, dash) = style(k);
        let at = placed[k];
        let key = format!(
            "<line class=\"chart-line {class}\" x1=\"{key_x}\" x2=\"{}\" y1=\"{at}\" y2=\"{at}\" \
             stroke=\"{colour}\" stroke-width=\"2.5\" stroke-dasharray=\"{dash}\"/>\
             <text x=\"{}\" y=\"{}\" class=\"chart-label\">{}</text>",
            key_x + KEY,
            key_x + KEY + 6,
            at + 4,
            esc(&ends[k])
        );
        let last = s.values.last().copied().unwrap_or(0);
        let name = format!(
            "{}: {} at the end of {}",
            s.label,
            companies(last),
            points.last().copied().unwrap_or("")
        );
        svg.linked(s.url, &name, &key);
    }
    svg.close()
}

impl Renderer<'_> {
    /// Each group's size (and "Other"'s) at the end of every quarter, as a
    /// chart and a table; `None` under two quarters, which make no line.
    /// A line links to its group's place on the page.
    pub(in crate::render) fn trend_over_time<'s>(
        &'s self,
        t: usize,
        g: &Grouped<'_>,
        groups: &[GroupView<'s>],
        quarters: &'s [Quarter],
    ) -> Option<OverTimeView<'s>> {
        if quarters.len() < 2 {
            return None;
        }
        let at = |q: &Quarter, k: usize| q.counts.get(t).and_then(|c| c.get(k)).copied();
        let other = groups.len();
        let with_other = groups.is_empty() || quarters.iter().any(|q| at(q, other) > Some(0));
        let mut columns: Vec<&str> = groups.iter().map(|group| group.title).collect();
        if with_other {
            columns.push(if groups.is_empty() { "All" } else { "Other" });
        }
        let rows: Vec<QuarterRow<'_>> = quarters
            .iter()
            .map(|q| QuarterRow {
                label: &q.label,
                counts: (0..columns.len()).map(|k| at(q, k).unwrap_or(0)).collect(),
            })
            .collect();
        // "Other" has a place on the page only while someone is in it.
        let anchors: Vec<Option<String>> = groups
            .iter()
            .map(|group| Some(format!("{}#{}", self.urls.trends[t], group.id)))
            .chain([(!groups.is_empty() && !g.other.is_empty())
                .then(|| format!("{}#other", self.urls.trends[t]))])
            .collect();
        let series: Vec<Series<'_>> = columns
            .iter()
            .enumerate()
            .map(|(k, &label)| Series {
                label,
                values: rows.iter().map(|r| r.counts[k]).collect(),
                url: anchors.get(k).and_then(Option::as_deref),
            })
            .collect();
        let points: Vec<&str> = rows.iter().map(|r| r.label).collect();
        let chart = lines(
            "chart-over-time",
            &format!(
                "Companies per group at the end of each quarter: {}",
                g.trend.title
            ),
            &points,
            &series,
            with_other && !groups.is_empty(),
        );
        Some(OverTimeView {
            chart,
            columns,
            rows,
        })
    }
}
