//! Every rule has a fixture repository under `tests/fixtures/<rule-id>/`.
//! Files whose path contains `positive` must produce the rule, files whose
//! path contains `negative` must not, and the rendered findings of the rule
//! are snapshotted. An optional `shipgate.toml` there sets `[ci]` options.
//! Every run gets the OSV advisory records under `tests/fixtures/osv-actions/`
//! as the "GitHub Actions" advisories of the local database.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use shipgate_ci::{CiScanner, Settings};
use shipgate_deps::osv::Advisory;
use shipgate_deps::osv::record::{Record, parse_record};
use shipgate_model::{Finding, LoadedConfig, Persona, ScanReport, ScanStats, Scanner, ToolInfo};
use shipgate_report::{Format, RenderOptions};
use shipgate_walk::{NoProgress, WalkOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture advisories, read once for every rule's run.
static ACTION_ADVISORIES: LazyLock<Arc<[Advisory]>> = LazyLock::new(|| {
    let dir = fixtures().join("osv-actions");
    let mut advisories = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("readable advisory fixtures") {
        let path = entry.expect("entry").path();
        let json = std::fs::read(&path).expect("readable advisory");
        match parse_record(&json) {
            Ok(Record::Advisory(advisory)) => advisories.push(*advisory),
            other => panic!("{}: not a live advisory: {other:?}", path.display()),
        }
    }
    advisories.sort_by(|a, b| a.id.cmp(&b.id));
    assert!(!advisories.is_empty(), "no advisory fixtures");
    advisories.into()
});

fn scan(root: &Path) -> Vec<Finding> {
    let config_path = root.join("shipgate.toml");
    let mut settings = if config_path.exists() {
        let loaded = LoadedConfig::load(&config_path).expect("fixture config is valid");
        Settings::from_config(&loaded.config.ci)
    } else {
        Settings::default()
    };
    settings.persona = Persona::Auditor;
    settings.action_advisories = Arc::clone(&ACTION_ADVISORIES);
    let scanner = CiScanner::new(settings);
    let mut options = WalkOptions::new(root);
    options.threads = 1;
    let outcome = shipgate_walk::scan_tree(&options, &[&scanner as &dyn Scanner], &NoProgress)
        .expect("fixture walks");
    outcome.findings
}

fn render(findings: Vec<Finding>) -> String {
    let report = ScanReport {
        schema_version: shipgate_model::scan::REPORT_SCHEMA_VERSION,
        tool: ToolInfo {
            name: "shipgate".into(),
            version: "test".into(),
        },
        root: ".".into(),
        scanners: vec!["ci".into()],
        findings,
        notes: vec![],
        stats: ScanStats::default(),
        rules: vec![],
    };
    let mut out = Vec::new();
    shipgate_report::render(
        &report,
        Format::Table,
        &RenderOptions {
            color: false,
            fail_on: None,
        },
        &mut out,
    )
    .expect("renders");
    let text = String::from_utf8(out).expect("utf-8");
    // The summary carries a wall-clock duration.
    text.lines()
        .filter(|line| !line.contains(" in ") || !line.contains("ms"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_has_a_fixture_that_proves_it() {
    let mut missing = Vec::new();
    for rule in CiScanner::rule_metas() {
        let dir = fixtures().join(&rule.id);
        if !dir.is_dir() {
            missing.push(rule.id.clone());
            continue;
        }
        let findings: Vec<Finding> = scan(&dir)
            .into_iter()
            .filter(|f| f.rule_id == rule.id)
            .collect();
        let files = fixture_files(&dir);
        let positives: Vec<&String> = files.iter().filter(|p| p.contains("positive")).collect();
        assert!(!positives.is_empty(), "{}: no positive fixture", rule.id);
        for positive in positives {
            assert!(
                findings.iter().any(|f| &f.location.path == positive),
                "{}: nothing reported in {positive}",
                rule.id
            );
        }
        for finding in &findings {
            assert!(
                !finding.location.path.contains("negative"),
                "{}: false positive in {} at line {}: {}",
                rule.id,
                finding.location.path,
                finding.location.start.line,
                finding.message
            );
        }
        insta::assert_snapshot!(rule.id.replace('/', "__"), render(findings));
    }
    assert!(missing.is_empty(), "rules without a fixture: {missing:?}");
}

fn fixture_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("readable fixture dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}
