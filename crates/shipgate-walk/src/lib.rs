//! shipgate-walk
