//! Tokens of the expression language, produced one at a time so parsing
//! never holds a token vector.
//!
//! The rules follow GitHub's own expression lexer: a word runs until a
//! boundary character and must then be a legal identifier; a number runs
//! until a boundary other than `.` and must then convert; `true`, `false`,
//! `null`, `NaN` and `Infinity` are keywords (case-sensitive) except right
//! after a `.`, where any word is a property name.

use std::ops::Range;

use super::ParseError;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum TokenKind {
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Bang,
    BangEqual,
    EqualEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    And,
    Or,
    Star,
    Number(f64),
    /// A quoted string; the value is unescaped on demand by [`Lexer::string_value`].
    String,
    /// A word; its text is the token's span.
    Identifier,
    True,
    False,
    Null,
    End,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

/// Produces tokens from expression text on request.
pub(super) struct Lexer<'a> {
    text: &'a str,
    offset: usize,
    /// The kind of the last token produced: a `.` means a property name or a
    /// number depending on it, and keywords are plain names after a `.`.
    previous: Option<TokenKind>,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Lexer {
            text,
            offset: 0,
            previous: None,
        }
    }

    /// The source text of `span`.
    pub fn slice(&self, span: &Range<usize>) -> &'a str {
        self.text.get(span.clone()).unwrap_or("")
    }

    /// The value of a string token: quotes removed, `''` turned into `'`.
    pub fn string_value(&self, span: &Range<usize>) -> String {
        let quoted = self.slice(span);
        let inner = quoted
            .strip_prefix('\'')
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or("");
        inner.replace("''", "'")
    }

    pub fn next_token(&mut self) -> Result<Token, ParseError> {
        let bytes = self.text.as_bytes();
        while let Some(&byte) = bytes.get(self.offset) {
            if matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
                self.offset += 1;
            } else {
                break;
            }
        }
        let start = self.offset;
        let Some(&first) = bytes.get(start) else {
            return Ok(Token {
                kind: TokenKind::End,
                span: start..start,
            });
        };
        let next = bytes.get(start + 1).copied();
        let (kind, len) = match first {
            b'(' => (TokenKind::LeftParen, 1),
            b')' => (TokenKind::RightParen, 1),
            b'[' => (TokenKind::LeftBracket, 1),
            b']' => (TokenKind::RightBracket, 1),
            b',' => (TokenKind::Comma, 1),
            b'*' => (TokenKind::Star, 1),
            b'.' if self.dot_is_property() => (TokenKind::Dot, 1),
            b'.' | b'-' | b'+' | b'0'..=b'9' => return self.number(start),
            b'!' if next == Some(b'=') => (TokenKind::BangEqual, 2),
            b'!' => (TokenKind::Bang, 1),
            b'=' if next == Some(b'=') => (TokenKind::EqualEqual, 2),
            b'<' if next == Some(b'=') => (TokenKind::LessEqual, 2),
            b'<' => (TokenKind::Less, 1),
            b'>' if next == Some(b'=') => (TokenKind::GreaterEqual, 2),
            b'>' => (TokenKind::Greater, 1),
            b'&' if next == Some(b'&') => (TokenKind::And, 2),
            b'|' if next == Some(b'|') => (TokenKind::Or, 2),
            b'\'' => return self.string(start),
            _ => return self.word(start),
        };
        Ok(self.emit(kind, start, start + len))
    }

    fn emit(&mut self, kind: TokenKind, start: usize, end: usize) -> Token {
        self.offset = end;
        self.previous = Some(kind);
        Token {
            kind,
            span: start..end,
        }
    }

    fn dot_is_property(&self) -> bool {
        matches!(
            self.previous,
            Some(
                TokenKind::Identifier
                    | TokenKind::RightBracket
                    | TokenKind::RightParen
                    | TokenKind::Star
            )
        )
    }

    /// End of the run starting at `start` that stops at a boundary character
    /// (`.` too, unless `dots` is set).
    fn run_end(&self, start: usize, dots: bool) -> usize {
        self.text
            .get(start..)
            .unwrap_or("")
            .char_indices()
            .find(|&(_, c)| is_boundary(c) && !(dots && c == '.'))
            .map_or(self.text.len(), |(index, _)| start + index)
    }

    fn number(&mut self, start: usize) -> Result<Token, ParseError> {
        let end = self.run_end(start, true);
        let lexeme = self.slice(&(start..end));
        match parse_number(lexeme) {
            Some(value) => Ok(self.emit(TokenKind::Number(value), start, end)),
            None => Err(unexpected(lexeme, start)),
        }
    }

    fn string(&mut self, start: usize) -> Result<Token, ParseError> {
        let bytes = self.text.as_bytes();
        let mut index = start + 1;
        loop {
            match bytes.get(index) {
                None => {
                    return Err(ParseError {
                        message: "unterminated string literal".to_owned(),
                        offset: start,
                    });
                }
                Some(b'\'') if bytes.get(index + 1) == Some(&b'\'') => index += 2,
                Some(b'\'') => return Ok(self.emit(TokenKind::String, start, index + 1)),
                Some(_) => index += 1,
            }
        }
    }

    fn word(&mut self, start: usize) -> Result<Token, ParseError> {
        let end = self.run_end(start, false).max(start + 1);
        let end = self.text.ceil_char_boundary(end);
        let lexeme = self.slice(&(start..end));
        if !is_identifier(lexeme) {
            return Err(unexpected(lexeme, start));
        }
        let kind = if self.previous == Some(TokenKind::Dot) {
            TokenKind::Identifier
        } else {
            match lexeme {
                "true" => TokenKind::True,
                "false" => TokenKind::False,
                "null" => TokenKind::Null,
                "NaN" => TokenKind::Number(f64::NAN),
                "Infinity" => TokenKind::Number(f64::INFINITY),
                _ => TokenKind::Identifier,
            }
        };
        Ok(self.emit(kind, start, end))
    }
}

/// The error for a token that cannot stand where it is.
pub(super) fn unexpected(lexeme: &str, offset: usize) -> ParseError {
    let shown: String = lexeme.chars().take(40).collect();
    ParseError {
        message: format!("unexpected symbol '{shown}'"),
        offset,
    }
}

fn is_boundary(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | ')' | ']' | ',' | '.' | '!' | '>' | '<' | '=' | '&' | '|'
    ) || c.is_whitespace()
}

/// A context or function name: a letter or `_`, then letters, digits, `_`, `-`.
fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Converts number text the way GitHub does (JavaScript `Number()` rules):
/// decimal with optional sign, fraction and exponent; `0x`, `0o` and `0b`
/// integers without a sign; `Infinity` with an optional sign. Also used to
/// coerce strings to numbers, so surrounding whitespace is ignored and empty
/// text is 0.
pub(super) fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0.0);
    }
    let radix = match text.get(..2) {
        Some("0x" | "0X") => Some(16),
        Some("0o" | "0O") => Some(8),
        Some("0b" | "0B") => Some(2),
        _ => None,
    };
    if let Some(radix) = radix {
        let digits = text.get(2..)?;
        if digits.is_empty() {
            return None;
        }
        return digits.chars().try_fold(0.0_f64, |value, c| {
            c.to_digit(radix)
                .map(|digit| value * f64::from(radix) + f64::from(digit))
        });
    }
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let magnitude = if unsigned == "Infinity" {
        f64::INFINITY
    } else if is_decimal(unsigned) {
        unsigned.parse::<f64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Digits with at most one `.` and at least one digit, then an optional
/// exponent: the only shapes handed to Rust's float parser, which would
/// otherwise also accept `inf` and `nan`.
fn is_decimal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let mut dots = 0;
    let mut digits = 0;
    for byte in mantissa.bytes() {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            _ => return false,
        }
    }
    let exponent_ok = exponent.is_none_or(|exponent| {
        let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        !unsigned.is_empty() && unsigned.bytes().all(|byte| byte.is_ascii_digit())
    });
    digits > 0 && dots <= 1 && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let mut lexer = Lexer::new(text);
        let mut kinds = Vec::new();
        loop {
            let token = lexer.next_token().unwrap();
            if token.kind == TokenKind::End {
                return kinds;
            }
            kinds.push(token.kind);
        }
    }

    #[test]
    fn numbers_follow_javascript_conversion() {
        assert_eq!(parse_number("42"), Some(42.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        assert_eq!(parse_number("+2"), Some(2.0));
        assert_eq!(parse_number(".5"), Some(0.5));
        assert_eq!(parse_number("5."), Some(5.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("2.5E-1"), Some(0.25));
        assert_eq!(parse_number("0xff"), Some(255.0));
        assert_eq!(parse_number("0o17"), Some(15.0));
        assert_eq!(parse_number("0b101"), Some(5.0));
        assert_eq!(parse_number("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number("  7 "), Some(7.0));
        assert_eq!(parse_number(""), Some(0.0));
        for bad in [
            "inf", "nan", "1.2.3", "1e", "e5", "-", "0x", "0xg", "-0x1", "1-2", "abc", ".",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dot_is_a_property_after_names_and_a_number_elsewhere() {
        assert_eq!(
            kinds("a.b"),
            [TokenKind::Identifier, TokenKind::Dot, TokenKind::Identifier]
        );
        assert_eq!(kinds(".5"), [TokenKind::Number(0.5)]);
        assert_eq!(
            kinds("x.*.y"),
            [
                TokenKind::Identifier,
                TokenKind::Dot,
                TokenKind::Star,
                TokenKind::Dot,
                TokenKind::Identifier
            ]
        );
    }

    #[test]
    fn keywords_are_case_sensitive_and_plain_after_a_dot() {
        assert_eq!(kinds("true"), [TokenKind::True]);
        assert_eq!(kinds("TRUE"), [TokenKind::Identifier]);
        assert_eq!(
            kinds("a.null"),
            [TokenKind::Identifier, TokenKind::Dot, TokenKind::Identifier]
        );
    }

    #[test]
    fn operators() {
        assert_eq!(
            kinds("! != == < <= > >= && ||"),
            [
                TokenKind::Bang,
                TokenKind::BangEqual,
                TokenKind::EqualEqual,
                TokenKind::Less,
                TokenKind::LessEqual,
                TokenKind::Greater,
                TokenKind::GreaterEqual,
                TokenKind::And,
                TokenKind::Or
            ]
        );
    }

    #[test]
    fn non_ascii_words_are_rejected_at_their_start() {
        let error = Lexer::new("  é").next_token().unwrap_err();
        assert_eq!(error.offset, 2);
        let error = Lexer::new("a€b").next_token().unwrap_err();
        assert_eq!(error.offset, 0);
    }
}
