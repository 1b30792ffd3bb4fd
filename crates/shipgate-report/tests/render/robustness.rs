//! Property-style check: inconsistent positions, spans and snippets never
//! make any renderer panic or fail, and SARIF output stays schema-valid.

use serde_json::Value;
use shipgate_model::{
    CommitInfo, Confidence, Finding, Note, NoteKind, Position, ScanReport, Severity, Snippet,
};
use shipgate_report::{Format, RulesFormat, render_explanation, render_rules};

use crate::fixture::{empty_report, full_report};
use crate::{assert_valid, rendered};

const LINES: [u32; 6] = [0, 1, 2, 3, 1000, u32::MAX];
const COLUMNS: [u32; 5] = [0, 1, 5, 1000, u32::MAX];
const BYTES: [(usize, usize); 4] = [(0, 0), (10, 5), (usize::MAX, 0), (0, usize::MAX)];

fn snippets() -> Vec<Snippet> {
    let snippet = |first_line, text: &str| Snippet {
        first_line,
        text: text.into(),
    };
    vec![
        snippet(0, ""),
        snippet(1, "x"),
        snippet(u32::MAX, "\n\n"),
        snippet(2, "tab\there\r\nçé😀\u{200d}👩‍👩‍👧 wide 漢字"),
        snippet(3, &"long-line ".repeat(1000)),
        snippet(1, "\u{202e}rtl\u{1b}[31m ansi \u{0} nul"),
        snippet(999, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl"),
    ]
}

/// A small deterministic generator, so failures reproduce.
struct Xorshift(u64);

impl Xorshift {
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        items[(self.0 % items.len() as u64) as usize]
    }
}

fn odd_findings(count: usize) -> Vec<Finding> {
    let template = full_report().findings[0].clone();
    let snippets = snippets();
    let indices: Vec<usize> = (0..snippets.len()).collect();
    let mut random = Xorshift(0x9E37_79B9_7F4A_7C15);
    (0..count)
        .map(|n| {
            let mut finding = template.clone();
            finding.location.start = Position {
                line: random.pick(&LINES),
                column: random.pick(&COLUMNS),
            };
            finding.location.end = Position {
                line: random.pick(&LINES),
                column: random.pick(&COLUMNS),
            };
            (finding.location.byte_start, finding.location.byte_end) = random.pick(&BYTES);
            finding.snippet = snippets[random.pick(&indices)].clone();
            finding.severity = random.pick(&Severity::ALL);
            finding.confidence = random.pick(&Confidence::ALL);
            if n % 3 == 0 {
                finding.rule_id = format!("unknown/rule-{n}");
            }
            if n % 5 == 0 {
                finding.location.path = String::new();
                finding.message = "<&>\"'|`*_\n\r\u{0}".into();
                finding.location.commit = Some(CommitInfo {
                    id: String::new(),
                    author: "\u{1b}".into(),
                    email: String::new(),
                    date: String::new(),
                });
            }
            finding
        })
        .collect()
}

#[test]
fn no_renderer_fails_on_inconsistent_findings() {
    let validator = crate::sarif_validator();
    for (chunk_index, chunk) in odd_findings(240).chunks(20).enumerate() {
        let mut report: ScanReport = empty_report();
        report.findings = chunk.to_vec();
        report.notes = vec![Note {
            kind: NoteKind::Git,
            path: None,
            message: format!("chunk {chunk_index}"),
        }];
        for format in Format::ALL {
            let output = rendered(&report, format);
            assert!(!output.is_empty(), "{format} wrote nothing");
        }
        let sarif: Value =
            serde_json::from_str(&rendered(&report, Format::Sarif)).expect("SARIF is JSON");
        assert_valid(&validator, &sarif);
        let junit = rendered(&report, Format::Junit);
        let mut reader = quick_xml::Reader::from_str(&junit);
        while !matches!(
            reader.read_event().expect("JUnit output is well-formed"),
            quick_xml::events::Event::Eof
        ) {}
    }
}

#[test]
fn rule_renderers_accept_empty_and_odd_rules() {
    let mut rules = full_report().rules;
    rules[0].id = String::new();
    rules[1].id = "no-domain".into();
    rules[2].docs = "```\n## inside a fence\n".into();
    rules[3].title = "| pipe ` tick <b>".into();
    for format in RulesFormat::ALL {
        let mut out = Vec::new();
        render_rules(&rules, format, &mut out).expect("rules render");
        assert!(!out.is_empty());
        let mut out = Vec::new();
        render_rules(&[], format, &mut out).expect("no rules render");
        assert!(!out.is_empty());
    }
    let mut out = Vec::new();
    render_explanation(&rules[0], true, &mut out).expect("explanation renders");
    assert!(!out.is_empty());
}
