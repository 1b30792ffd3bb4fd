//! Arbitrary text as a JUnit report: reading must never panic, and an
//! accepted report's overall result must agree with its test lists.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_attest::test_result::{TestOutcome, from_junit};

fuzz_target!(|data: &[u8]| {
    let xml = String::from_utf8_lossy(data);
    let Ok(result) = from_junit(&xml, Vec::new(), None) else {
        return;
    };
    let expected = if !result.failed_tests.is_empty() {
        TestOutcome::Failed
    } else if !result.warned_tests.is_empty() {
        TestOutcome::Warned
    } else {
        TestOutcome::Passed
    };
    assert_eq!(result.result, expected);
    assert!(
        result.passed_tests.len() + result.warned_tests.len() + result.failed_tests.len() > 0,
        "a report without test cases was accepted"
    );
});
