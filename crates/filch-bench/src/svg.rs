//! The speedup chart: a hand-written SVG, one horizontal bar per workload.

use std::fmt::Write;

/// Width of the whole image.
const WIDTH: f64 = 820.0;
/// Room on the left for the workload names.
const LABEL_WIDTH: f64 = 200.0;
/// Room on the right of the longest bar for its value.
const VALUE_WIDTH: f64 = 70.0;
/// Height of one workload's row.
const ROW: f64 = 26.0;
/// Room above the bars for the title.
const TOP: f64 = 48.0;
/// Room below the bars for the axis note.
const BOTTOM: f64 = 36.0;

/// An SVG bar chart of `(workload, speedup)` pairs with a dashed line at 1.0 (parity with
/// tokio). Bars at or above 1.0 are green, below red. A speedup that is not finite (a zero
/// median) is drawn as a full-length bar labelled `inf`, or as no bar labelled `n/a`.
///
/// ```
/// let svg = filch_bench::svg::speedups(&[("ping_pong", 1.4), ("yield_many", 0.9)]);
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
/// assert!(svg.contains(">ping_pong<") && svg.contains(">1.40x<"));
/// ```
pub fn speedups(rows: &[(&str, f64)]) -> String {
    let chart_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let height = TOP + ROW * rows.len() as f64 + BOTTOM;
    let largest = rows
        .iter()
        .map(|&(_, s)| s)
        .filter(|s| s.is_finite())
        .fold(1.0, f64::max);
    // Leave headroom so the 1.0 line never sits on the right edge.
    let scale_max = largest * 1.1;
    let x = |speedup: f64| LABEL_WIDTH + speedup.clamp(0.0, scale_max) / scale_max * chart_width;

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
    for (i, &(name, speedup)) in rows.iter().enumerate() {
        let top = TOP + ROW * i as f64;
        let middle = top + ROW / 2.0 + 4.0;
        let (bar_end, label) = match speedup {
            s if s.is_finite() => (x(s), format!("{s:.2}x")),
            s if s == f64::INFINITY => (x(scale_max), "inf".to_owned()),
            _ => (LABEL_WIDTH, "n/a".to_owned()),
        };
        let colour = if speedup >= 1.0 { "#2e8b57" } else { "#c0392b" };
        w(format_args!(
            "<text x=\"{}\" y=\"{middle}\" text-anchor=\"end\">{}</text>\n",
            LABEL_WIDTH - 8.0,
            escape(name)
        ));
        w(format_args!(
            "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\"/>\n",
            top + 4.0,
            bar_end - LABEL_WIDTH,
            ROW - 8.0
        ));
        w(format_args!(
            "<text x=\"{:.1}\" y=\"{middle}\">{label}</text>\n",
            bar_end + 6.0
        ));
    }
    let parity = x(1.0);
    let bottom = TOP + ROW * rows.len() as f64;
    w(format_args!(
        "<line x1=\"{parity:.1}\" y1=\"{}\" x2=\"{parity:.1}\" y2=\"{}\" stroke=\"black\" \
         stroke-dasharray=\"4 3\"/>\n",
        TOP - 4.0,
        bottom + 4.0
    ));
    w(format_args!(
        "<text x=\"{parity:.1}\" y=\"{}\" text-anchor=\"middle\">1.0 = as fast as tokio</text>\n",
        bottom + 22.0
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

    #[test]
    fn chart_is_well_formed_with_one_bar_per_workload() {
        let svg = speedups(&[
            ("spawn_many_local", 1.7),
            ("ping_pong", 0.8),
            ("a<b&c", 1.0),
        ]);
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // One bar per workload plus the white background.
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(">a&lt;b&amp;c<"));
        assert!(svg.contains(">1.70x<") && svg.contains(">0.80x<"));
        assert_eq!(
            svg.matches("#c0392b").count(),
            1,
            "only the slower bar is red"
        );
        assert_eq!(svg.matches("<line").count(), 1, "one parity line");
    }

    #[test]
    fn bars_are_proportional_and_parity_sits_at_one() {
        let svg = speedups(&[("a", 2.0), ("b", 1.0)]);
        let chart_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
        let full = 2.0 / 2.2 * chart_width;
        assert!(svg.contains(&format!("width=\"{full:.1}\"")));
        assert!(svg.contains(&format!("width=\"{:.1}\"", full / 2.0)));
        assert!(svg.contains(&format!("x1=\"{:.1}\"", LABEL_WIDTH + full / 2.0)));
    }

    #[test]
    fn odd_values_still_make_a_valid_chart() {
        let svg = speedups(&[("inf", f64::INFINITY), ("nan", f64::NAN), ("zero", 0.0)]);
        assert_well_formed(&svg);
        assert!(svg.contains(">inf<") && svg.contains(">n/a<") && svg.contains(">0.00x<"));
        assert_well_formed(&speedups(&[]));
    }
}
