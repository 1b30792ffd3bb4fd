//! Finding `${{ … }}` inside larger strings.

use std::ops::Range;

/// One `${{ … }}` in a larger string (a `run:` script, an `if:`, a `with:` value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embedded<'a> {
    /// Byte range of the whole `${{ … }}`, delimiters included.
    pub range: Range<usize>,
    /// The text between the delimiters, ready for [`super::parse`].
    pub inner: &'a str,
    /// Byte range of `inner` in the larger string; add its start to spans
    /// from parsing `inner` to place them in the larger string.
    pub inner_range: Range<usize>,
}

/// Every `${{ … }}` in `text`, in order. A `}}` inside a quoted string
/// literal does not close an expression, as in GitHub's template reader; an
/// unterminated `${{` (or an unterminated string inside one) ends the list.
pub fn embedded(text: &str) -> Vec<Embedded<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find("${{")) {
        let start = from + open;
        let inner_start = start + 3;
        let Some(inner_end) = closing_braces(bytes, inner_start) else {
            break;
        };
        let end = inner_end + 2;
        found.push(Embedded {
            range: start..end,
            inner: text.get(inner_start..inner_end).unwrap_or(""),
            inner_range: inner_start..inner_end,
        });
        from = end;
    }
    found
}

/// Offset of the `}}` that closes an expression whose text starts at `from`.
fn closing_braces(bytes: &[u8], from: usize) -> Option<usize> {
    let mut in_string = false;
    let mut index = from;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            // `''` inside a string toggles twice, so escapes need no case.
            b'\'' => in_string = !in_string,
            b'}' if !in_string && bytes.get(index + 1) == Some(&b'}') => return Some(index),
            _ => {}
        }
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inners(text: &str) -> Vec<&str> {
        embedded(text)
            .into_iter()
            .map(|found| found.inner)
            .collect()
    }

    #[test]
    fn finds_each_expression_with_ranges() {
        let text = "echo ${{ github.head_ref }} and ${{x}}";
        let found = embedded(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].range.clone()], "${{ github.head_ref }}");
        assert_eq!(found[0].inner, " github.head_ref ");
        assert_eq!(&text[found[0].inner_range.clone()], " github.head_ref ");
        assert_eq!(&text[found[1].range.clone()], "${{x}}");
        assert_eq!(found[1].inner_range, 35..36);
    }

    #[test]
    fn braces_inside_string_literals_do_not_close() {
        assert_eq!(
            inners("a ${{ format('}}{0}', x) }} b"),
            [" format('}}{0}', x) "]
        );
        assert_eq!(inners("${{ 'it''s }}' }}"), [" 'it''s }}' "]);
    }

    #[test]
    fn unterminated_expression_ends_the_list() {
        assert_eq!(inners("${{ a }} ${{ b } c"), [" a "]);
        assert_eq!(inners("${{ 'open }} ${{ b }}"), Vec::<&str>::new());
        assert!(embedded("${{").is_empty());
    }

    #[test]
    fn plain_text_and_lone_dollars_have_none() {
        assert!(embedded("echo $HOME ${ x } {{ y }}").is_empty());
        assert_eq!(inners("$${{a}}"), ["a"]);
        assert_eq!(inners("${{}}"), [""]);
    }

    #[test]
    fn multibyte_text_around_expressions() {
        let text = "é ${{ 'ü' }} ñ";
        let found = embedded(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].inner, " 'ü' ");
    }
}
