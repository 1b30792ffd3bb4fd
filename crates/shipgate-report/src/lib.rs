//! shipgate-report
