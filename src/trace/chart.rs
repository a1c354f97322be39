//! A traced run drawn as a message sequence chart (`mpl run
//! --trace-html=OUT.html`): one self-contained HTML page with an inline
//! SVG and no script. Each process is a lifeline from where it started to
//! where it ended, named as in the source with its arguments when they are
//! short; each built-in service the program opened is a lifeline too. Each
//! message is an arrow from the row of its `put` to the row of its `get`,
//! coloured by channel, with its label or value on it; hovering an arrow
//! shows (as the SVG's own tooltip) the value in full and the source lines
//! of both sides. Time runs down: one row per event, in the run's order.
//!
//! Only the layout is here; what happened is `trace::Recorded`.

use super::{BRIEF, End, Event, Message, ProcessId, Recorded, Trace, What, cut, name_of};
use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;

const LEFT: usize = 30;
const COLUMN: usize = 170;
const TOP: usize = 70;
const ROW: usize = 26;
/// Channel colours (readable on white, told apart from each other).
const COLOURS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

/// A lifeline: a process, or a service the program opened.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Line {
    Process(ProcessId),
    /// A service, by the program's end of its connection.
    Service(End),
}

/// One arrow: from a lifeline at a row to a lifeline at a row.
struct Arrow<'e> {
    from: (Line, usize),
    to: (Line, usize),
    put: Option<&'e Message>,
    get: Option<&'e Message>,
}

/// The chart of `recorded` as an HTML page titled `title`.
pub fn page(trace: &Trace, recorded: &Recorded, title: &str) -> String {
    let layout = Layout::new(recorded);
    let mut svg = String::new();
    layout.lifelines(&mut svg, recorded);
    for arrow in &layout.arrows {
        layout.arrow(&mut svg, trace, arrow);
    }
    let messages = layout.arrows.len();
    let processes = recorded.names.len();
    let cut_note = match recorded.dropped {
        0 => String::new(),
        n => format!(
            "<p class=\"cut\">The trace was cut: {n} more events happened after the last one \
             drawn (<code>--trace-limit</code>).</p>"
        ),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{t} — mpl trace</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>A run of {t}</h1>\n<p>{processes} processes, {messages} messages. Time runs \
         down; hover an arrow for its value in full and its source lines.</p>\n{cut_note}\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\">\n{svg}</svg>\n</body>\n</html>\n",
        t = escape(title),
        w = LEFT * 2 + COLUMN * layout.order.len().max(1),
        h = TOP + ROW * (layout.rows + 2),
    )
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:16px;color:#222}\
h1{font-size:18px;margin:0 0 4px}p{margin:4px 0}.cut{color:#b00}\
svg text{font:12px ui-monospace,monospace}\
.name{font-weight:bold}.life{stroke:#999;stroke-dasharray:4 3}\
.box{fill:#f4f4f4;stroke:#666}.svc{fill:#eef6ff;stroke:#69c}\
.end{stroke:#444;stroke-width:2}.failed{stroke:#c00;stroke-width:3}\
.msg line{stroke-width:1.6}.msg:hover line{stroke-width:3.5}\
.msg text{paint-order:stroke;stroke:#fff;stroke-width:3px}\
.label{font-style:italic;font-weight:bold}";

struct Layout<'e> {
    /// The lifelines, left to right, in the order they appeared.
    order: Vec<Line>,
    /// Each lifeline's place in `order`.
    column: HashMap<Line, usize>,
    /// Each process's names: as it started, then what it became.
    names: HashMap<ProcessId, Vec<String>>,
    /// Each service's name, by the program's end of it.
    services: HashMap<End, String>,
    /// Where each lifeline starts and ends (rows), and whether it failed.
    spans: HashMap<Line, (usize, Option<usize>, bool)>,
    arrows: Vec<Arrow<'e>>,
    rows: usize,
}

impl<'e> Layout<'e> {
    fn new(recorded: &'e Recorded) -> Layout<'e> {
        let mut layout = Layout {
            order: Vec::new(),
            column: HashMap::new(),
            names: HashMap::new(),
            services: HashMap::new(),
            spans: HashMap::new(),
            arrows: Vec::new(),
            rows: recorded.events.len(),
        };
        let mut services: HashMap<End, Line> = HashMap::new();
        // Puts not yet got, by the end they arrive at.
        let mut waiting: HashMap<End, VecDeque<(Line, usize, &Message)>> = HashMap::new();
        for (row, Event { process, what }) in recorded.events.iter().enumerate() {
            let me = Line::Process(*process);
            match what {
                What::Start { name, args } | What::Became { name, args } => {
                    layout.appear(me, row);
                    let names = layout.names.entry(*process).or_default();
                    names.push(format!("{name}({args})"));
                }
                What::End { failed } => {
                    layout.appear(me, row);
                    if let Some(span) = layout.spans.get_mut(&me) {
                        *span = (span.0, Some(row), *failed);
                    }
                }
                What::Service { end, name } => {
                    let line = Line::Service(*end);
                    layout.appear(line, row);
                    services.insert(*end, line);
                    layout.services.insert(*end, name.clone());
                }
                What::Put(m) => {
                    layout.appear(me, row);
                    let queue = waiting.entry(m.end.other()).or_default();
                    queue.push_back((me, row, m));
                }
                What::Get(m) => {
                    layout.appear(me, row);
                    let put = waiting.get_mut(&m.end).and_then(|q| q.pop_front());
                    let from = match (put, services.get(&m.end)) {
                        (Some((line, at, _)), _) => (line, at),
                        (None, Some(service)) => (*service, row),
                        // Put before the trace began, or by a service end
                        // the trace did not see open.
                        (None, None) => (me, row),
                    };
                    layout.arrows.push(Arrow {
                        from,
                        to: (me, row),
                        put: put.map(|p| p.2),
                        get: Some(m),
                    });
                }
            }
        }
        // Puts no process got: to a service, or never received.
        for (end, queue) in waiting {
            for (line, row, m) in queue {
                let to = services
                    .get(&end.other())
                    .map_or((line, row), |s| (*s, row));
                layout.arrows.push(Arrow {
                    from: (line, row),
                    to,
                    put: Some(m),
                    get: None,
                });
            }
        }
        layout
    }

    fn appear(&mut self, line: Line, row: usize) {
        if !self.spans.contains_key(&line) {
            self.column.insert(line, self.order.len());
            self.order.push(line);
            self.spans.insert(line, (row, None, false));
        }
    }

    fn x(&self, line: Line) -> usize {
        let i = self.column.get(&line).copied().unwrap_or(0);
        LEFT + COLUMN / 2 + i * COLUMN
    }

    fn y(row: usize) -> usize {
        TOP + ROW * (row + 1)
    }

    fn lifelines(&self, svg: &mut String, recorded: &Recorded) {
        for line in &self.order {
            let Some(&(start, end, failed)) = self.spans.get(line) else {
                continue;
            };
            let x = self.x(*line);
            let top = Self::y(start) - ROW / 2;
            let bottom = end.map_or(Self::y(self.rows), Self::y);
            let (name, full, class) = match line {
                Line::Process(p) => {
                    let (name, full) = process_name(recorded, self.names.get(p), *p);
                    (name, full, "box")
                }
                Line::Service(end) => {
                    let name = self.services.get(end).map_or("service", |n| n.as_str());
                    (name.to_string(), name.to_string(), "svc")
                }
            };
            let _ = writeln!(
                svg,
                "<g class=\"lifeline\"><title>{}</title>\
                 <line class=\"life\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\"/>\
                 <rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"22\" rx=\"4\"/>\
                 <text class=\"name\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
                escape(&full),
                x - COLUMN / 2 + 8,
                top - 22,
                COLUMN - 16,
                top - 7,
                escape(&name),
            );
            if let Some(end) = end {
                let y = Self::y(end);
                let class = if failed { "failed" } else { "end" };
                let _ = writeln!(
                    svg,
                    "<line class=\"{class}\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>",
                    x - 14,
                    x + 14
                );
            }
        }
    }

    fn arrow(&self, svg: &mut String, trace: &Trace, arrow: &Arrow<'_>) {
        let (x1, y1) = (self.x(arrow.from.0), Self::y(arrow.from.1));
        let (x2, y2) = (self.x(arrow.to.0), Self::y(arrow.to.1));
        let m = arrow.put.or(arrow.get);
        let Some(m) = m else { return };
        let colour = COLOURS[(m.end.channel as usize) % COLOURS.len()];
        let mut tip = format!("{}\n", m.value);
        for (side, msg) in [("put", arrow.put), ("get", arrow.get)] {
            match msg {
                Some(msg) => {
                    let _ = write!(
                        tip,
                        "\n{side} at {}: {}",
                        trace.place(msg.at),
                        trace.source_line(msg.at)
                    );
                }
                None => {
                    let _ = write!(tip, "\n{side}: (not in the trace, or by a service)");
                }
            }
        }
        // An arrow to its own lifeline (a message whose other side is not
        // known) is drawn as a short stub.
        let x2 = if x1 == x2 { x1 + COLUMN / 3 } else { x2 };
        let dir = if x2 >= x1 { 1.0 } else { -1.0 };
        let head = format!(
            "{x2},{y2} {},{} {},{}",
            x2 as f64 - dir * 8.0,
            y2 as f64 - 4.0,
            x2 as f64 - dir * 8.0,
            y2 as f64 + 4.0
        );
        let class = if m.label { "label" } else { "value" };
        let channel = trace.channel_name(m.channel);
        let text = format!("{channel}: {}", cut(&m.value, BRIEF));
        let _ = writeln!(
            svg,
            "<g class=\"msg\"><title>{}</title>\
             <line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"{colour}\"/>\
             <polygon points=\"{head}\" fill=\"{colour}\"/>\
             <text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{colour}\">{}</text></g>",
            escape(&tip),
            (x1 + x2) / 2,
            (y1 + y2) / 2 - 4,
            escape(&text),
        );
    }
}

/// A process's name for its lifeline (with its arguments when short) and
/// in full: as it started, and what it became (`wiring → main(c)`).
fn process_name(
    recorded: &Recorded,
    names: Option<&Vec<String>>,
    p: ProcessId,
) -> (String, String) {
    let mut names = names.cloned().unwrap_or_default();
    if names.is_empty() {
        names.push(format!("{}(…)", name_of(&recorded.names, p)));
    }
    let full = names.join(" → ");
    let last = names.last().map_or("", |n| n.as_str());
    let shown = match names.len() {
        1 => last.to_string(),
        _ => format!("→ {last}"),
    };
    let shown = if shown.chars().count() <= 22 {
        shown
    } else {
        cut(&shown, 20)
    };
    (shown, format!("{full} #{p}"))
}

/// Text for HTML and SVG: `&`, `<`, `>` and quotes escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
