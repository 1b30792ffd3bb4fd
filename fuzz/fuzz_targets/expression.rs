//! Arbitrary text as a string holding `${{ … }}` expressions: finding,
//! parsing and every analysis of the result must never panic, and spans
//! must stay inside the text they describe.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_ci::expr::{classify, embedded, parse};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut inners: Vec<&str> = embedded(&text)
        .iter()
        .map(|found| {
            assert_eq!(text.get(found.inner_range.clone()), Some(found.inner));
            found.inner
        })
        .collect();
    // Whole inputs reach the parser too, not only what sits between braces.
    inners.push(&text);
    for inner in inners {
        let expr = match parse(inner) {
            Ok(expr) => expr,
            Err(error) => {
                assert!(error.offset <= inner.len(), "{error}");
                continue;
            }
        };
        expr.walk(&mut |node| {
            assert!(inner.get(node.span.clone()).is_some());
            if let Some(path) = node.context_path() {
                let _ = classify(&path);
            }
        });
        for source in expr.value_sources() {
            assert!(source.span.start >= expr.span.start && source.span.end <= expr.span.end);
        }
        for reference in expr.context_refs() {
            assert!(reference.context_path().is_some());
        }
        if let Some(value) = expr.constant() {
            let _ = value.truthy();
            let _ = value.to_text();
        }
    }
});
