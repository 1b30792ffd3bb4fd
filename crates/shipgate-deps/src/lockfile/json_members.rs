//! Lines of the members of top-level JSON values, found in one forward
//! pass, since serde_json keeps no positions. Only the root object's
//! members named by the caller are looked into: for an object value, each
//! key's line; for an array value, each element's first line.

use std::collections::HashMap;

/// One member of a watched top-level value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MemberLine {
    /// The key as written between its quotes (escapes not decoded); `None`
    /// for array elements.
    pub(crate) key: Option<String>,
    /// 1-based line where the key or element starts.
    pub(crate) line: u32,
}

/// For each of `watched` top-level keys, the lines of its value's members
/// in file order. Malformed text gives whatever was found before it goes
/// wrong; the caller has already parsed the text, so positions only
/// decorate what the parser read.
pub(crate) fn member_lines(text: &str, watched: &[&str]) -> HashMap<String, Vec<MemberLine>> {
    let bytes = text.as_bytes();
    let mut found: HashMap<String, Vec<MemberLine>> = HashMap::new();
    let mut line: u32 = 1;
    let mut depth: usize = 0;
    // Whether the container at depth 1 or 2 is an object waiting for a key
    // (true) or a value (false); for an array, whether an element may start.
    let mut expecting = [false; 3];
    let mut is_object = [false; 3];
    let mut top_key: Option<String> = None;
    let mut collecting: Option<String> = None;
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'\n' => line = line.saturating_add(1),
            b' ' | b'\t' | b'\r' | b',' | b':' => {
                if byte == b',' && (1..=2).contains(&depth) {
                    expecting[depth] = true;
                }
                if byte == b':' && (1..=2).contains(&depth) {
                    expecting[depth] = false;
                }
            }
            b'"' => {
                let end = string_end(bytes, index);
                let content_end = if end > index + 1 && bytes.get(end - 1) == Some(&b'"') {
                    end - 1
                } else {
                    end
                };
                let content = text.get(index + 1..content_end).unwrap_or_default();
                if depth == 1 && is_object[1] && expecting[1] {
                    top_key = Some(content.to_owned());
                } else if depth == 2 {
                    record(
                        &mut found,
                        &collecting,
                        &is_object,
                        &expecting,
                        content,
                        line,
                    );
                }
                if (1..=2).contains(&depth) {
                    expecting[depth] = false;
                }
                index = end;
                continue;
            }
            b'{' | b'[' => {
                if depth == 2 {
                    record(&mut found, &collecting, &is_object, &expecting, "", line);
                }
                if (1..=2).contains(&depth) {
                    expecting[depth] = false;
                }
                depth += 1;
                if depth == 2 {
                    collecting = top_key.take().filter(|key| watched.contains(&key.as_str()));
                }
                if depth <= 2 {
                    is_object[depth] = byte == b'{';
                    expecting[depth] = true;
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    collecting = None;
                }
            }
            _ => {
                if depth == 2 {
                    record(&mut found, &collecting, &is_object, &expecting, "", line);
                }
                if (1..=2).contains(&depth) {
                    expecting[depth] = false;
                }
            }
        }
        index += 1;
    }
    found
}

/// Records a member start at depth 2: an object key, or an array element.
fn record(
    found: &mut HashMap<String, Vec<MemberLine>>,
    collecting: &Option<String>,
    is_object: &[bool; 3],
    expecting: &[bool; 3],
    content: &str,
    line: u32,
) {
    let Some(watched) = collecting else {
        return;
    };
    if !expecting[2] {
        return;
    }
    let key = is_object[2].then(|| content.to_owned());
    found
        .entry(watched.clone())
        .or_default()
        .push(MemberLine { key, line });
}

/// The index just past the closing quote of the string starting at
/// `start`, or the end of the text when it is unterminated.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'\\' => index += 2,
            b'"' => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_elements_of_watched_members_get_their_lines() {
        let text = "{\n \"_meta\": {\"a\": 1},\n \"default\": {\n  \"six\": {\"version\": \"==1\"},\n  \"q\\\"x\": {}\n },\n \"packages\": [\n  {\"name\": \"a/b\"},\n  {\n   \"name\": \"c/d\"}\n ],\n \"other\": [1, 2]\n}\n";
        let found = member_lines(text, &["default", "packages"]);
        assert_eq!(
            found["default"],
            [
                MemberLine {
                    key: Some("six".into()),
                    line: 4
                },
                MemberLine {
                    key: Some("q\\\"x".into()),
                    line: 5
                }
            ]
        );
        assert_eq!(
            found["packages"],
            [
                MemberLine { key: None, line: 8 },
                MemberLine { key: None, line: 9 }
            ]
        );
        assert!(!found.contains_key("other"));
        assert!(!found.contains_key("_meta"));
    }

    #[test]
    fn broken_text_never_panics() {
        for text in [
            "{\"default\": {\"a",
            "{\"packages\": [[[[",
            "]]]}}}",
            "\"",
            "{\"default\":{\"\\",
        ] {
            let _ = member_lines(text, &["default", "packages"]);
        }
    }
}
