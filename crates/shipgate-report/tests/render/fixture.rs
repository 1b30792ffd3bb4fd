//! A fixed, hand-built report that exercises every feature the renderers
//! must show: several files, every severity, a multi-line span, a history
//! finding, Unicode, markup characters in a message, and skipped files.

use shipgate_model::{
    CommitInfo, Confidence, Finding, Fingerprint, Location, Note, NoteKind, Position, RuleMeta,
    ScanReport, ScanStats, Severity, Snippet, ToolInfo,
};

pub struct Spec<'a> {
    pub rule_id: &'a str,
    pub title: &'a str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: &'a str,
    pub path: &'a str,
    pub start: (u32, u32),
    pub end: (u32, u32),
    pub bytes: (usize, usize),
    pub snippet: (u32, &'a str),
}

pub fn finding(spec: Spec<'_>) -> Finding {
    Finding {
        rule_id: spec.rule_id.into(),
        title: spec.title.into(),
        severity: spec.severity,
        confidence: spec.confidence,
        message: spec.message.into(),
        location: Location {
            path: spec.path.into(),
            start: Position {
                line: spec.start.0,
                column: spec.start.1,
            },
            end: Position {
                line: spec.end.0,
                column: spec.end.1,
            },
            byte_start: spec.bytes.0,
            byte_end: spec.bytes.1,
            commit: None,
            symbolic: None,
        },
        snippet: Snippet {
            first_line: spec.snippet.0,
            text: spec.snippet.1.into(),
        },
        secret: None,
        fingerprint: Fingerprint::new(spec.rule_id, spec.path, spec.message.as_bytes()),
        controls: vec!["checklist-1".into(), "CICD-SEC-6".into()],
        note: None,
        properties: Default::default(),
    }
}

pub fn rule(id: &str, title: &str, severity: Severity, confidence: Confidence) -> RuleMeta {
    RuleMeta {
        id: id.into(),
        title: title.into(),
        severity,
        confidence,
        controls: vec![
            "checklist-1".into(),
            "CICD-SEC-6".into(),
            "SOC2-CC6.1".into(),
        ],
        docs: format!(
            "Finds {title}s committed to the repository.\n\n\
             An attacker who reads the repository can use the credential.\n\n\
             ## Fix\n\nRevoke the credential at the provider, then move it to a secret manager."
        ),
    }
}

pub fn empty_report() -> ScanReport {
    ScanReport {
        schema_version: 1,
        tool: ToolInfo {
            name: "shipgate".into(),
            version: "0.1.0".into(),
        },
        root: ".".into(),
        scanners: vec!["secrets".into()],
        findings: vec![],
        notes: vec![],
        stats: ScanStats {
            files_scanned: 3,
            bytes_scanned: 2048,
            files_skipped: 0,
            suppressed_inline: 0,
            suppressed_baseline: 0,
            duration_ms: 5,
        },
        rules: vec![],
    }
}

pub fn full_report() -> ScanReport {
    let mut findings = vec![
        finding(Spec {
            rule_id: "secrets/aws-access-key-id",
            title: "AWS access key ID",
            severity: Severity::Critical,
            confidence: Confidence::High,
            message: "AWS access key ID found",
            path: "config/prod.env",
            start: (3, 19),
            end: (3, 39),
            bytes: (40, 60),
            snippet: (
                2,
                "REGION=eu-west-1\nAWS_ACCESS_KEY_ID=AKIA****************\nDEBUG=false",
            ),
        }),
        finding(Spec {
            rule_id: "secrets/generic-api-key",
            title: "Generic API key",
            severity: Severity::Medium,
            confidence: Confidence::Low,
            message: "API key in `api|key` <script>alert(1)</script> & friends",
            path: "config/prod.env",
            start: (5, 9),
            end: (5, 21),
            bytes: (80, 92),
            snippet: (5, "api|key=abcd********"),
        }),
        finding(Spec {
            rule_id: "secrets/private-key",
            title: "Private key",
            severity: Severity::High,
            confidence: Confidence::High,
            message: "PEM private key block found",
            path: "keys/deploy.pem",
            start: (1, 1),
            end: (4, 30),
            bytes: (0, 120),
            snippet: (
                1,
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE****************\n****************\n-----END RSA PRIVATE KEY-----",
            ),
        }),
        finding(Spec {
            rule_id: "secrets/generic-password",
            title: "Hard-coded password",
            severity: Severity::Low,
            confidence: Confidence::Medium,
            message: "Password assigned to « mot_de_passe »",
            path: "données/clé.env",
            start: (1, 15),
            end: (1, 25),
            bytes: (16, 30),
            snippet: (1, "mot_de_passe=«s*********» # été"),
        }),
        finding(Spec {
            rule_id: "secrets/slack-webhook",
            title: "Slack incoming webhook",
            severity: Severity::Info,
            confidence: Confidence::High,
            message: "Slack webhook URL (documentation example)",
            path: "README.md",
            start: (12, 5),
            end: (12, 56),
            bytes: (300, 335),
            snippet: (
                12,
                "    https://hooks.slack.com/services/T000/B000/XXXX****",
            ),
        }),
        finding(Spec {
            rule_id: "secrets/github-pat",
            title: "GitHub personal access token",
            severity: Severity::High,
            confidence: Confidence::High,
            message: "GitHub classic personal access token found",
            path: ".github/workflows/ci.yml",
            start: (7, 21),
            end: (7, 61),
            bytes: (150, 190),
            snippet: (
                7,
                "      GITHUB_TOKEN: ghp_************************************",
            ),
        }),
    ];
    findings[4].note = Some("known placeholder/example value".into());
    findings[5].location.commit = Some(CommitInfo {
        id: "9fceb02d0ae598e95dc970b74767f19372d61af8".into(),
        author: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        date: "2024-05-01T10:00:00Z".into(),
    });
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let mut notes: Vec<Note> = (1..=6)
        .map(|n| Note {
            kind: NoteKind::Binary,
            path: Some(format!("assets/image-{n}.png")),
            message: "looks binary (NUL byte in the first 8 KiB)".into(),
        })
        .collect();
    notes.push(Note {
        kind: NoteKind::TooLarge,
        path: Some("data/dump.sql".into()),
        message: "larger than the 10 MiB limit".into(),
    });
    notes.push(Note {
        kind: NoteKind::Unreadable,
        path: Some("secrets/locked.txt".into()),
        message: "permission denied".into(),
    });
    notes.push(Note {
        kind: NoteKind::Walk,
        path: Some("vendor/loop".into()),
        message: "symlink loop <vendor/loop → ..> & skipped".into(),
    });

    let rules = vec![
        rule(
            "secrets/aws-access-key-id",
            "AWS access key ID",
            Severity::Critical,
            Confidence::High,
        ),
        rule(
            "secrets/generic-api-key",
            "Generic API key",
            Severity::Medium,
            Confidence::Low,
        ),
        rule(
            "secrets/generic-password",
            "Hard-coded password",
            Severity::Low,
            Confidence::Medium,
        ),
        rule(
            "secrets/github-pat",
            "GitHub personal access token",
            Severity::High,
            Confidence::High,
        ),
        rule(
            "secrets/private-key",
            "Private key",
            Severity::High,
            Confidence::High,
        ),
        rule(
            "secrets/slack-webhook",
            "Slack incoming webhook",
            Severity::Info,
            Confidence::High,
        ),
    ];

    ScanReport {
        schema_version: 1,
        tool: ToolInfo {
            name: "shipgate".into(),
            version: "0.1.0".into(),
        },
        root: "/work/project".into(),
        scanners: vec!["secrets".into()],
        findings,
        notes,
        stats: ScanStats {
            files_scanned: 42,
            bytes_scanned: 123_456,
            files_skipped: 8,
            suppressed_inline: 1,
            suppressed_baseline: 2,
            duration_ms: 87,
        },
        rules,
    }
}
