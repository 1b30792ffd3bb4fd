//! Makes text from scanned files safe to print on a terminal.
//!
//! File names, snippets and messages come from the repository being scanned,
//! which may be hostile: an escape sequence in a file name could otherwise
//! retitle the window, hide output or fake a clean result. Every control
//! character and every bidirectional override becomes U+FFFD, one character
//! for one, so code-point columns stay true.

/// For text that must stay on one line: paths, titles, messages.
pub(crate) fn single_line(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// For snippets and documentation: keeps line breaks and tabs, and drops a
/// carriage return that ends a line.
pub(crate) fn multi_line(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => safe.push(c),
            '\r' if chars.peek() == Some(&'\n') => {}
            c if is_unsafe(c) => safe.push('\u{FFFD}'),
            c => safe.push(c),
        }
    }
    safe
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_overrides_become_replacement_characters() {
        assert_eq!(single_line("a\u{1b}]0;x\u{7}b"), "a\u{FFFD}]0;x\u{FFFD}b");
        assert_eq!(single_line("csi\u{9b}2J"), "csi\u{FFFD}2J");
        assert_eq!(
            single_line("rtl\u{202e}x\nnext"),
            "rtl\u{FFFD}x\u{FFFD}next"
        );
        assert_eq!(multi_line("a\tb\r\nc\rd\u{0}"), "a\tb\nc\u{FFFD}d\u{FFFD}");
        assert_eq!(single_line("été 漢字"), "été 漢字");
    }
}
