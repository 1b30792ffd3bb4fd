use super::*;

/// A compact rendering of the tree, for asserting structure and precedence.
fn shape(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Null => "null".to_owned(),
        ExprKind::Bool(value) => value.to_string(),
        ExprKind::Number(value) => format!("{value}"),
        ExprKind::String(value) => format!("'{value}'"),
        ExprKind::Ident(name) => name.clone(),
        ExprKind::Property { base, name } => format!("{}.{name}", shape(base)),
        ExprKind::Index { base, index } => format!("{}[{}]", shape(base), shape(index)),
        ExprKind::Star { base } => format!("{}.*", shape(base)),
        ExprKind::Call { name, args } => {
            let args: Vec<String> = args.iter().map(shape).collect();
            format!("{name}({})", args.join(", "))
        }
        ExprKind::Not(operand) => format!("!{}", shape(operand)),
        ExprKind::Binary { op, lhs, rhs } => {
            let op = match op {
                BinaryOp::And => "&&",
                BinaryOp::Or => "||",
                BinaryOp::Eq => "==",
                BinaryOp::Ne => "!=",
                BinaryOp::Lt => "<",
                BinaryOp::Le => "<=",
                BinaryOp::Gt => ">",
                BinaryOp::Ge => ">=",
            };
            format!("({} {op} {})", shape(lhs), shape(rhs))
        }
    }
}

fn parsed(text: &str) -> String {
    shape(&parse(text).unwrap_or_else(|error| panic!("{text}: {error}")))
}

fn error(text: &str) -> ParseError {
    match parse(text) {
        Ok(expr) => panic!("{text} parsed as {}", shape(&expr)),
        Err(error) => error,
    }
}

fn paths(exprs: &[&Expr]) -> Vec<String> {
    exprs
        .iter()
        .map(|expr| expr.context_path().unwrap_or_else(|| shape(expr)))
        .collect()
}

fn sources(text: &str) -> Vec<String> {
    paths(&parse(text).unwrap().value_sources())
}

#[test]
fn literals() {
    assert_eq!(parsed("null"), "null");
    assert_eq!(parsed("true"), "true");
    assert_eq!(parsed(" false "), "false");
    assert_eq!(parsed("42"), "42");
    assert_eq!(parsed("-9.5"), "-9.5");
    assert_eq!(parsed("0xff"), "255");
    assert_eq!(parsed("1e3"), "1000");
    assert_eq!(parsed("'it''s'"), "'it's'");
    assert_eq!(parsed("''''''"), "''''");
    assert_eq!(parsed("''"), "''");
    assert_eq!(parsed("'a\nb'"), "'a\nb'");
    let Ok(Expr {
        kind: ExprKind::Number(nan),
        ..
    }) = parse("NaN")
    else {
        panic!("NaN is a number");
    };
    assert!(nan.is_nan());
}

#[test]
fn precedence() {
    assert_eq!(parsed("a || b && c"), "(a || (b && c))");
    assert_eq!(parsed("a && b || c"), "((a && b) || c)");
    assert_eq!(parsed("a == b && c != d"), "((a == b) && (c != d))");
    assert_eq!(parsed("a < b == c >= d"), "((a < b) == (c >= d))");
    assert_eq!(parsed("!a == b"), "(!a == b)");
    assert_eq!(parsed("!a.b"), "!a.b");
    assert_eq!(parsed("(a || b) && c"), "((a || b) && c)");
    assert_eq!(parsed("a || b || c"), "((a || b) || c)");
    assert_eq!(parsed("1 < 2 < 3"), "((1 < 2) < 3)");
    assert_eq!(parsed("!!a"), "!!a");
}

#[test]
fn property_index_and_star_chains() {
    assert_eq!(
        parsed("github.event.issue.title"),
        "github.event.issue.title"
    );
    assert_eq!(parsed("a['b'][0][x.y]"), "a['b'][0][x.y]");
    assert_eq!(parsed("a.*.b"), "a.*.b");
    assert_eq!(parsed("a[*].b"), "a.*.b");
    assert_eq!(
        parsed("steps.my-step.outputs.x_1"),
        "steps.my-step.outputs.x_1"
    );
    assert_eq!(parsed("a.true.null"), "a.true.null");
    assert_eq!(parsed("a . b"), "a.b");
    assert_eq!(parsed("fromJSON(x).foo[0]"), "fromJSON(x).foo[0]");
    assert_eq!(parsed("(a || b).c"), "(a || b).c");
}

#[test]
fn calls() {
    assert_eq!(parsed("success()"), "success()");
    assert_eq!(
        parsed("format('{0} {1}', a.b, 'c')"),
        "format('{0} {1}', a.b, 'c')"
    );
    assert_eq!(
        parsed("contains(toJSON(a), 'x')"),
        "contains(toJSON(a), 'x')"
    );
    assert_eq!(parsed("myFunc(1)"), "myFunc(1)");
    assert_eq!(Function::from_name("TOJSON"), Some(Function::ToJson));
    assert_eq!(
        Function::from_name("startsWith"),
        Some(Function::StartsWith)
    );
    assert_eq!(Function::from_name("HashFiles"), Some(Function::HashFiles));
    assert_eq!(Function::from_name("case"), Some(Function::Case));
    assert_eq!(Function::from_name("mystery"), None);
}

#[test]
fn spans_are_byte_ranges_of_the_text() {
    let text = "  github.event['a'] && f(x.y) ";
    let expr = parse(text).unwrap();
    assert_eq!(&text[expr.span.clone()], "github.event['a'] && f(x.y)");
    let mut spans = Vec::new();
    expr.walk(&mut |node| spans.push(&text[node.span.clone()]));
    assert_eq!(
        spans,
        [
            "github.event['a'] && f(x.y)",
            "github.event['a']",
            "github.event",
            "github",
            "'a'",
            "f(x.y)",
            "x.y",
            "x",
        ]
    );
    let text = "!(é == 'ü')";
    let error = parse(text).unwrap_err();
    assert_eq!(error.offset, 2);
    let text = "('ü' == a) || b";
    let expr = parse(text).unwrap();
    let ExprKind::Binary { lhs, .. } = &expr.kind else {
        panic!("binary");
    };
    assert_eq!(&text[lhs.span.clone()], "('ü' == a)");
}

#[test]
fn errors_have_sensible_offsets() {
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("   ", 3),
        ("'abc", 0),
        ("a == 'abc", 5),
        ("a $ b", 2),
        ("a = b", 2),
        ("a & b", 2),
        ("a | b", 2),
        ("a b", 2),
        ("a == b c", 7),
        ("(a", 2),
        ("a)", 1),
        ("f(a,", 4),
        ("f(a,)", 4),
        ("f(,a)", 2),
        ("a[", 2),
        ("a[0", 3),
        ("a[*", 3),
        ("a.", 2),
        ("a.'b'", 2),
        ("a.(b)", 2),
        ("'x'.y", 3),
        ("'x'[0]", 3),
        ("1.2.3", 0),
        ("1-2", 0),
        ("a ==", 4),
        ("!", 1),
        ("&&", 0),
        ("]", 0),
        ("-", 0),
        ("a.b$", 2),
        ("${{", 0),
        ("}}", 0),
        ("\u{a0}a", 0),
    ];
    for &(text, offset) in cases {
        let error = error(text);
        assert_eq!(error.offset, offset, "{text:?}: {error}");
        assert!(!error.message.is_empty());
        assert_eq!(error.to_string(), error.message);
    }
    assert_eq!(error("").message, "empty expression");
    assert_eq!(error("'abc").message, "unterminated string literal");
    assert_eq!(error("a b").message, "unexpected symbol 'b'");
    assert_eq!(error("(a").message, "unexpected end of expression");
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    let deep_groups = format!("{}a{}", "(".repeat(64), ")".repeat(64));
    assert!(error(&deep_groups).message.contains("nests deeper"));
    let shallow_groups = format!("{}a{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(parsed(&shallow_groups), "a");
    let deep_not = format!("{}a", "!".repeat(64));
    assert!(error(&deep_not).message.contains("nests deeper"));
    let deep_index = format!("a{}{}", "[a".repeat(64), "]".repeat(64));
    assert!(parse(&deep_index).is_err());
    let deep_calls = format!("{}{}", "f(".repeat(64), ")".repeat(64));
    assert!(parse(&deep_calls).is_err());
    let long_chain = format!("a{}", ".b".repeat(100_000));
    assert!(error(&long_chain).message.contains("deeper than"));
    let long_or = vec!["a"; 100_000].join(" || ");
    assert!(parse(&long_or).is_err());
    let usual_or = vec!["github.event_name == 'x'"; 100].join(" || ");
    assert!(parse(&usual_or).is_ok());
    // Trees just under the limit stay usable by every recursive helper.
    for tall in [
        format!("a{}", ".b".repeat(250)),
        vec!["!(x == y)"; 120].join(" || "),
    ] {
        let expr = parse(&tall).unwrap();
        let mut nodes = 0;
        expr.walk(&mut |_| nodes += 1);
        assert!(nodes > 250);
        let _ = (
            expr.context_path(),
            expr.value_sources(),
            expr.context_refs(),
        );
        assert_eq!(expr.constant(), None);
        assert_eq!(expr.clone(), expr);
    }
    let huge_string = format!("'{}'", "x".repeat(1_000_000));
    assert!(parse(&huge_string).is_ok());
}

#[test]
fn context_paths_are_normalised() {
    let path = |text: &str| parse(text).unwrap().context_path();
    assert_eq!(
        path("github.event.pull_request.title").as_deref(),
        Some("github.event.pull_request.title")
    );
    assert_eq!(
        path("GitHub.Event.Commits[0].Message").as_deref(),
        Some("github.event.commits.*.message")
    );
    assert_eq!(
        path("github.event.commits.*.message"),
        path("github.event.commits[*].message")
    );
    assert_eq!(
        path("github['event']['Issue'].title").as_deref(),
        Some("github.event.issue.title")
    );
    assert_eq!(
        path("github.event[inputs.key]").as_deref(),
        Some("github.event.*")
    );
    assert_eq!(path("matrix").as_deref(), Some("matrix"));
    assert_eq!(path("fromJSON(x).a"), None);
    assert_eq!(path("(a).b"), path("a.b"));
    assert_eq!(path("'a'"), None);
    assert_eq!(path("a == b"), None);
}

#[test]
fn value_sources_follow_value_flow() {
    assert!(sources("github.event.issue.title == 'x'").is_empty());
    assert!(sources("!github.event.issue.title").is_empty());
    assert!(sources("contains(github.event.issue.title, 'x')").is_empty());
    assert!(sources("startsWith(github.head_ref, 'x')").is_empty());
    assert!(sources("hashFiles(github.head_ref)").is_empty());
    assert!(sources("success()").is_empty());
    assert!(sources("'literal'").is_empty());
    assert_eq!(
        sources("format('{0}', github.head_ref)"),
        ["github.head_ref"]
    );
    assert_eq!(sources("FORMAT('{0}', A.B)"), ["a.b"]);
    assert!(sources("CONTAINS(a, 'x') || StartsWith(b, 'y')").is_empty());
    assert_eq!(sources("a && b || c"), ["a", "b", "c"]);
    assert_eq!(sources("a.b || 'default'"), ["a.b"]);
    assert_eq!(
        sources("join(github.event.issue.labels.*.name, ', ')"),
        ["github.event.issue.labels.*.name"]
    );
    assert_eq!(sources("toJSON(github.event)"), ["github.event"]);
    assert_eq!(
        sources("fromJSON(steps.x.outputs.json).foo[0]"),
        ["steps.x.outputs.json"]
    );
    assert_eq!(
        sources("case(github.event_name == 'push', github.ref_name, inputs.a, env.b, vars.c)"),
        ["github.ref_name", "env.b", "vars.c"]
    );
    assert_eq!(sources("case(a, b, c, d)"), ["b", "d"]);
    assert_eq!(sources("myAction(x.y)"), ["myAction(x.y)"]);
    assert_eq!(sources("github.event[inputs.key]"), ["github.event.*"]);
    assert_eq!(sources("(a == b) || c.d"), ["c.d"]);
}

#[test]
fn value_sources_are_the_outermost_chain_nodes() {
    let text = "format('{0}', github.event.issue.title)";
    let expr = parse(text).unwrap();
    let found = expr.value_sources();
    assert_eq!(found.len(), 1);
    assert_eq!(&text[found[0].span.clone()], "github.event.issue.title");
}

#[test]
fn context_refs_include_conditions_and_indexes() {
    let refs = |text: &str| paths(&parse(text).unwrap().context_refs());
    assert_eq!(
        refs("github.event.issue.title == 'x' && !contains(env.A, matrix.b)"),
        ["github.event.issue.title", "env.a", "matrix.b"]
    );
    assert_eq!(
        refs("github.event[inputs.key].x"),
        ["github.event.*.x", "inputs.key"]
    );
    assert_eq!(refs("fromJSON(needs.a.outputs.j).x"), ["needs.a.outputs.j"]);
    assert!(refs("success() && 1 == 1").is_empty());
}

#[test]
fn walk_visits_parents_first() {
    let expr = parse("!a || f(b, c[d])").unwrap();
    let mut order = Vec::new();
    expr.walk(&mut |node| order.push(shape(node)));
    assert_eq!(
        order,
        [
            "(!a || f(b, c[d]))",
            "!a",
            "a",
            "f(b, c[d])",
            "b",
            "c[d]",
            "c",
            "d"
        ]
    );
}

#[test]
fn embedded_then_parse_maps_spans_into_the_script() {
    let script = "echo \"${{ github.event.issue.title }}\"\n";
    let found = embedded(script);
    assert_eq!(found.len(), 1);
    let expr = parse(found[0].inner).unwrap();
    let start = found[0].inner_range.start + expr.span.start;
    let end = found[0].inner_range.start + expr.span.end;
    assert_eq!(&script[start..end], "github.event.issue.title");
    assert_eq!(
        classify(&expr.context_path().unwrap()),
        Origin::Attacker { free_text: true }
    );
}
