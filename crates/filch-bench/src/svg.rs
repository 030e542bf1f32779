//! The speedup chart: a hand-written SVG, one horizontal bar per workload, on a fixed scale.
//!
//! The scale is the same for every run: log2, from [`SCALE_MIN`] (1/4x) to [`SCALE_MAX`]
//! (64x), one tick per doubling. Each bar starts at the 1x line (as fast as tokio) and runs
//! right for a speedup, left for a slowdown, so a bar's length is how many doublings filch is
//! ahead or behind, and the same speedup is the same bar in every chart: two charts can be
//! laid side by side. A value beyond either end is drawn to the edge and labelled with its
//! true value and "off scale".

use crate::report::RunInfo;
use std::fmt::Write;

/// The left end of the scale: filch at a quarter of tokio's speed.
pub const SCALE_MIN: f64 = 0.25;
/// The right end of the scale: filch 64 times as fast as tokio.
pub const SCALE_MAX: f64 = 64.0;

/// Width of the whole image.
const WIDTH: f64 = 820.0;
/// Room on the left for the workload names.
const LABEL_WIDTH: f64 = 200.0;
/// Room on the right of the scale for the value of a bar that reaches it.
const VALUE_WIDTH: f64 = 110.0;
/// Width of the scale itself.
const CHART_WIDTH: f64 = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
/// Height of one workload's row.
const ROW: f64 = 26.0;
/// Room above the bars for the title and the run's line.
const TOP: f64 = 66.0;
/// Room below the bars for the tick labels and the axis title.
const BOTTOM: f64 = 56.0;
/// Colours of a speedup, a slowdown, and the grid.
const FASTER: &str = "#2e8b57";
const SLOWER: &str = "#c0392b";
const GRID: &str = "#d0d0d0";

/// Where a speedup sits on the fixed log2 scale, clamped to its ends (0 and NaN to the left).
fn x(speedup: f64) -> f64 {
    let octaves = (SCALE_MAX / SCALE_MIN).log2();
    let clamped = speedup.clamp(SCALE_MIN, SCALE_MAX);
    let at = if clamped.is_nan() { SCALE_MIN } else { clamped };
    LABEL_WIDTH + (at / SCALE_MIN).log2() / octaves * CHART_WIDTH
}

/// The tick values: every power of two from [`SCALE_MIN`] to [`SCALE_MAX`].
fn ticks() -> impl Iterator<Item = f64> {
    let (low, high) = (SCALE_MIN.log2() as i32, SCALE_MAX.log2() as i32);
    (low..=high).map(|e| 2f64.powi(e))
}

/// An SVG bar chart of `(workload, speedup)` pairs from `run`, on the fixed log2 scale from
/// 1/4x to 64x (see the module docs), with a tick and a grid line per doubling and the
/// dashed 1x line (parity with tokio). The title carries the run's commit, date, machine and
/// worker count. Bars at or above 1x are green, below red. A speedup that is not finite (a
/// zero median) is drawn to the right edge labelled `inf`, or as no bar labelled `n/a`.
///
/// ```
/// use filch_bench::report::RunInfo;
///
/// let run = RunInfo {
///     commit: "23152b0".into(),
///     date: "2026-12-01".into(),
///     machine: "Intel Xeon, 2 cores".into(),
///     workers: 2,
///     versions: "tokio 1.54.1, async-executor 1.14.1, rayon 1.12.0".into(),
/// };
/// let svg = filch_bench::svg::speedups(&[("ping_pong", 1.4), ("yield_many", 0.9)], &run);
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
/// assert!(svg.contains(">ping_pong<") && svg.contains(">1.40x<"));
/// assert!(svg.contains("filch 23152b0, 2026-12-01, Intel Xeon, 2 cores, 2 workers; tokio 1.54.1"));
/// assert!(svg.contains(">0.25x<") && svg.contains(">64x<"));
/// ```
pub fn speedups(rows: &[(&str, f64)], run: &RunInfo) -> String {
    let height = TOP + ROW * rows.len() as f64 + BOTTOM;
    let bottom = TOP + ROW * rows.len() as f64;
    let parity = x(1.0);

    let mut svg = String::new();
    let mut w = |s: std::fmt::Arguments<'_>| svg.write_fmt(s).expect("writing to a String");
    w(format_args!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"13\">\n"
    ));
    w(format_args!(
        "<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"white\"/>\n"
    ));
    w(format_args!(
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\
         filch speedup over tokio (tokio median / filch median; higher is better)</text>\n",
        WIDTH / 2.0
    ));
    w(format_args!(
        "<text x=\"{}\" y=\"46\" text-anchor=\"middle\">{}</text>\n",
        WIDTH / 2.0,
        escape(&run.to_string())
    ));

    // The grid and the ticks first, so the bars are drawn over them.
    for tick in ticks() {
        let at = x(tick);
        w(format_args!(
            "<line x1=\"{at:.1}\" y1=\"{}\" x2=\"{at:.1}\" y2=\"{}\" stroke=\"{GRID}\"/>\n",
            TOP - 4.0,
            bottom + 4.0
        ));
        w(format_args!(
            "<text x=\"{at:.1}\" y=\"{}\" text-anchor=\"middle\">{tick}x</text>\n",
            bottom + 20.0
        ));
    }
    w(format_args!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">speedup, log2 scale fixed from \
         0.25x to 64x (dashed: 1x = as fast as tokio)</text>\n",
        LABEL_WIDTH + CHART_WIDTH / 2.0,
        bottom + 42.0
    ));

    for (i, &(name, speedup)) in rows.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let middle = top + ROW / 2.0 + 4.0;
        let off_scale = !(SCALE_MIN..=SCALE_MAX).contains(&speedup);
        let (bar_end, label) = match speedup {
            s if s.is_nan() => (parity, "n/a".to_owned()),
            s if s == f64::INFINITY => (x(s), "inf".to_owned()),
            s if off_scale => (x(s), format!("{s:.2}x off scale")),
            s => (x(s), format!("{s:.2}x")),
        };
        let colour = if speedup >= 1.0 { FASTER } else { SLOWER };
        w(format_args!(
            "<text x=\"{}\" y=\"{middle}\" text-anchor=\"end\">{}</text>\n",
            LABEL_WIDTH - 8.0,
            escape(name)
        ));
        w(format_args!(
            "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\"/>\n",
            bar_end.min(parity),
            top + 4.0,
            (bar_end - parity).abs(),
            ROW - 8.0
        ));
        // A slowdown's bar runs left, so its value goes just right of the 1x line, where
        // that row has no bar.
        w(format_args!(
            "<text x=\"{:.1}\" y=\"{middle}\">{label}</text>\n",
            bar_end.max(parity) + 6.0
        ));
    }
    w(format_args!(
        "<line x1=\"{parity:.1}\" y1=\"{}\" x2=\"{parity:.1}\" y2=\"{}\" stroke=\"black\" \
         stroke-dasharray=\"4 3\"/>\n",
        TOP - 4.0,
        bottom + 4.0
    ));
    w(format_args!("</svg>\n"));
    svg
}

/// Escapes the characters XML gives meaning to in text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that every tag is closed in order and that `&` starts only an entity: enough
    /// to know a browser will parse the chart, without an XML parser dependency.
    fn assert_well_formed(svg: &str) {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "bare & in {text:?}"
                );
            }
            let end = rest[start..].find('>').expect("an unterminated tag") + start;
            let tag = &rest[start + 1..end];
            let name = tag
                .trim_start_matches('/')
                .split_whitespace()
                .next()
                .expect("a tag name");
            if let Some(closing) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(closing.trim()), "mismatched </{closing}>");
            } else if !tag.ends_with('/') {
                open.push(name);
            }
            rest = &rest[end + 1..];
        }
        assert!(open.is_empty(), "unclosed tags: {open:?}");
        assert_eq!(rest.trim(), "", "text after the root element");
    }

    fn run() -> RunInfo {
        RunInfo {
            commit: "abc1234-dirty".into(),
            date: "2026-12-02".into(),
            machine: "Xeon <v4> & co, 2 cores".into(),
            workers: 2,
            versions: "tokio 1.54.1, async-executor 1.14.1, rayon 1.12.0".into(),
        }
    }

    /// The `x` and `width` of the bar in the row of `name`: the `<rect>` after its label.
    fn bar_of(svg: &str, name: &str) -> (f64, f64) {
        let row = &svg[svg.find(&format!(">{name}<")).expect("the row's label")..];
        let rect = &row[row.find("<rect").expect("the row's bar")..];
        let attr = |key: &str| -> f64 {
            let at = rect.find(&format!(" {key}=\"")).expect("the attribute") + key.len() + 3;
            rect[at..at + rect[at..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        (attr("x"), attr("width"))
    }

    #[test]
    fn chart_is_well_formed_with_one_bar_per_workload() {
        let svg = speedups(
            &[
                ("spawn_many_local", 1.7),
                ("ping_pong", 0.8),
                ("a<b&c", 1.0),
            ],
            &run(),
        );
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // One bar per workload plus the white background.
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(">a&lt;b&amp;c<"));
        assert!(svg.contains(">1.70x<") && svg.contains(">0.80x<"));
        assert_eq!(svg.matches(SLOWER).count(), 1, "only the slower bar is red");
        assert_eq!(
            svg.matches("stroke-dasharray").count(),
            1,
            "one parity line"
        );
    }

    #[test]
    fn the_run_is_named_in_the_chart() {
        let svg = speedups(&[("ping_pong", 1.0)], &run());
        assert!(svg.contains(
            ">filch abc1234-dirty, 2026-12-02, Xeon &lt;v4&gt; &amp; co, 2 cores, 2 workers; \
             tokio 1.54.1, async-executor 1.14.1, rayon 1.12.0<"
        ));
    }

    #[test]
    fn the_axis_has_a_labelled_tick_per_doubling() {
        let svg = speedups(&[], &run());
        let labels = ["0.25x", "0.5x", "1x", "2x", "4x", "8x", "16x", "32x", "64x"];
        let mut rest = svg.as_str();
        for (i, label) in labels.iter().enumerate() {
            let at = rest
                .find(&format!(">{label}<"))
                .expect("every tick label, in order");
            // Evenly spaced: an eighth of the scale per doubling.
            let tick = format!("x=\"{:.1}\"", LABEL_WIDTH + CHART_WIDTH * i as f64 / 8.0);
            assert!(rest[..at].contains(&tick), "{label} sits at {tick}");
            rest = &rest[at..];
        }
        assert!(svg.contains("log2 scale fixed from 0.25x to 64x"));
    }

    #[test]
    fn the_scale_is_fixed_so_two_charts_compare() {
        // The same speedup is the same bar whatever else the run measured.
        let alone = speedups(&[("a", 2.0)], &run());
        let beside_a_big_one = speedups(&[("a", 2.0), ("b", 40.0), ("c", 0.3)], &run());
        assert_eq!(bar_of(&alone, "a"), bar_of(&beside_a_big_one, "a"));

        // Log2 from 1/4x to 64x: 1x two doublings from the left, each doubling an eighth.
        let octave = CHART_WIDTH / 8.0;
        let parity = LABEL_WIDTH + 2.0 * octave;
        let svg = speedups(&[("two", 2.0), ("four", 4.0), ("half", 0.5)], &run());
        let close = |(x, width): (f64, f64), want: (f64, f64)| {
            (x - want.0).abs() < 0.06 && (width - want.1).abs() < 0.06
        };
        assert!(close(bar_of(&svg, "two"), (parity, octave)));
        assert!(close(bar_of(&svg, "four"), (parity, 2.0 * octave)));
        // A slowdown runs left from the 1x line.
        assert!(close(bar_of(&svg, "half"), (parity - octave, octave)));
        assert!(svg.contains(&format!("x1=\"{parity:.1}\" y1=\"{}\" x2=", TOP - 4.0)));
    }

    #[test]
    fn odd_values_still_make_a_valid_chart() {
        let svg = speedups(
            &[
                ("inf", f64::INFINITY),
                ("nan", f64::NAN),
                ("zero", 0.0),
                ("huge", 100.0),
            ],
            &run(),
        );
        assert_well_formed(&svg);
        assert!(svg.contains(">inf<") && svg.contains(">n/a<"));
        assert!(svg.contains(">0.00x off scale<") && svg.contains(">100.00x off scale<"));
        // Off-scale bars stop at the ends of the scale.
        let right_end = LABEL_WIDTH + CHART_WIDTH;
        let (x, width) = bar_of(&svg, "huge");
        assert!((x + width - right_end).abs() < 0.1);
        assert_eq!(bar_of(&svg, "inf"), bar_of(&svg, "huge"));
        assert!((bar_of(&svg, "zero").0 - LABEL_WIDTH).abs() < 0.1);
        assert_eq!(bar_of(&svg, "nan").1, 0.0);
        assert_well_formed(&speedups(&[], &run()));
    }
}
