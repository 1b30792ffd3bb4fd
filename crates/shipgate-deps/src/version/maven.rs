//! Maven version order, as Maven's `ComparableVersion` computes it.
//!
//! The text (lower-cased) is cut into items at `.`, at `-` and where
//! digits and other characters meet. A `-` or a digit/letter transition
//! opens a nested list, so `1-1` is `[1, [1]]` while `1.1` is `[1, 1]`.
//! Each list then drops its trailing "null" items (`0`, the release
//! qualifier, empty lists), skipping over nested lists while doing so:
//! `1.0.0` is `1`, `1.0-foo.0` is `1-foo`.
//!
//! Items compare as: number > list > qualifier, numbers by value,
//! qualifiers in the order `alpha` (`a1`) < `beta` (`b1`) < `milestone`
//! (`m1`) < `rc` = `cr` < `snapshot` < `` = `ga` = `final` = `release` <
//! `sp` < any other qualifier, others lexically. A missing item is
//! padding: `0` against numbers, the release qualifier against
//! qualifiers, so `1-rc` < `1` < `1-sp` and `1` < `1.1`. A nested list
//! compared with padding compares all its items with it, as current
//! Maven does.

use std::cmp::Ordering;

/// Nested lists deeper than this are refused rather than recursed into.
const MAX_DEPTH: usize = 64;

/// Numbers with at most this many digits fit a `u64`.
const SMALL_DIGITS: usize = 18;

/// Known qualifiers, in order; anything else sorts after them.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// Index in [`QUALIFIERS`] of the release qualifier (the empty one).
const RELEASE: u8 = 5;

/// A parsed Maven version: its normalised item list.
#[derive(Clone, Debug)]
pub(super) struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Clone, Debug)]
enum Item {
    Number(u64),
    /// More than [`SMALL_DIGITS`] digits, leading zeros removed.
    BigNumber(Box<str>),
    Qualifier(Qualifier),
    List(Vec<Item>),
}

#[derive(Clone, Debug)]
enum Qualifier {
    Known(u8),
    Other(Box<str>),
}

impl MavenVersion {
    pub(super) fn parse(text: &str) -> Result<MavenVersion, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err("empty version".to_owned());
        }
        let lowered;
        let version = if trimmed.chars().any(char::is_uppercase) {
            lowered = trimmed.to_lowercase();
            lowered.as_str()
        } else {
            trimmed
        };
        let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
        let mut in_digits = false;
        let mut start = 0;
        for (at, ch) in version.char_indices() {
            match ch {
                '.' | '-' => {
                    let item = if at == start {
                        Item::Number(0)
                    } else {
                        parse_item(in_digits, &version[start..at])
                    };
                    push(&mut lists, item);
                    start = at + 1;
                    if ch == '-' {
                        open_list(&mut lists)?;
                    }
                }
                _ if ch.is_ascii_digit() => {
                    if !in_digits && at > start {
                        let qualifier = qualifier(&version[start..at], true);
                        push(&mut lists, Item::Qualifier(qualifier));
                        start = at;
                        open_list(&mut lists)?;
                    }
                    in_digits = true;
                }
                _ => {
                    if in_digits && at > start {
                        push(&mut lists, parse_item(true, &version[start..at]));
                        start = at;
                        open_list(&mut lists)?;
                    }
                    in_digits = false;
                }
            }
        }
        if version.len() > start {
            push(&mut lists, parse_item(in_digits, &version[start..]));
        }
        // Innermost lists first, so an emptied list is null to its parent.
        let mut items = Vec::new();
        while let Some(mut list) = lists.pop() {
            normalize(&mut list);
            match lists.last_mut() {
                Some(parent) => parent.push(Item::List(list)),
                None => items = list,
            }
        }
        Ok(MavenVersion { items })
    }

    pub(super) fn cmp(&self, other: &MavenVersion) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

fn push(lists: &mut [Vec<Item>], item: Item) {
    if let Some(list) = lists.last_mut() {
        list.push(item);
    }
}

fn open_list(lists: &mut Vec<Vec<Item>>) -> Result<(), String> {
    if lists.len() >= MAX_DEPTH {
        return Err(format!("more than {MAX_DEPTH} nested parts"));
    }
    lists.push(Vec::new());
    Ok(())
}

fn parse_item(digits: bool, text: &str) -> Item {
    if !digits {
        return Item::Qualifier(qualifier(text, false));
    }
    let significant = text.trim_start_matches('0');
    if significant.len() <= SMALL_DIGITS {
        // Up to 18 ASCII digits always fit a u64.
        Item::Number(significant.parse().unwrap_or(0))
    } else {
        Item::BigNumber(significant.into())
    }
}

fn qualifier(text: &str, followed_by_digit: bool) -> Qualifier {
    let name = match text {
        "a" if followed_by_digit => "alpha",
        "b" if followed_by_digit => "beta",
        "m" if followed_by_digit => "milestone",
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    match QUALIFIERS.iter().position(|known| *known == name) {
        Some(index) => Qualifier::Known(u8::try_from(index).unwrap_or(u8::MAX)),
        None => Qualifier::Other(name.into()),
    }
}

/// Drops trailing null items, looking past nested lists.
fn normalize(list: &mut Vec<Item>) {
    let mut index = list.len();
    while index > 0 {
        index -= 1;
        if is_null(&list[index]) {
            list.remove(index);
        } else if !matches!(list[index], Item::List(_)) {
            break;
        }
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Number(value) => *value == 0,
        Item::BigNumber(_) => false,
        Item::Qualifier(qualifier) => matches!(qualifier, Qualifier::Known(RELEASE)),
        Item::List(items) => items.is_empty(),
    }
}

fn compare_lists(left: &[Item], right: &[Item]) -> Ordering {
    for index in 0..left.len().max(right.len()) {
        let order = match (left.get(index), right.get(index)) {
            (Some(a), Some(b)) => compare_items(a, b),
            (Some(a), None) => compare_with_padding(a),
            (None, Some(b)) => compare_with_padding(b).reverse(),
            (None, None) => Ordering::Equal,
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

fn compare_items(left: &Item, right: &Item) -> Ordering {
    use Item::{BigNumber, List, Number, Qualifier as Word};
    match (left, right) {
        (Number(a), Number(b)) => a.cmp(b),
        (Number(_), BigNumber(_)) => Ordering::Less,
        (BigNumber(_), Number(_)) => Ordering::Greater,
        (BigNumber(a), BigNumber(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (Number(_) | BigNumber(_), _) => Ordering::Greater,
        (Word(a), Word(b)) => compare_qualifiers(a, b),
        (Word(_), _) => Ordering::Less,
        (List(a), List(b)) => compare_lists(a, b),
        (List(_), Number(_) | BigNumber(_)) => Ordering::Less,
        (List(_), Word(_)) => Ordering::Greater,
    }
}

/// How an item compares with the padding of a shorter version.
fn compare_with_padding(item: &Item) -> Ordering {
    match item {
        Item::Number(value) => value.cmp(&0),
        Item::BigNumber(_) => Ordering::Greater,
        Item::Qualifier(qualifier) => compare_qualifiers(qualifier, &Qualifier::Known(RELEASE)),
        Item::List(items) => items
            .iter()
            .map(compare_with_padding)
            .find(|order| *order != Ordering::Equal)
            .unwrap_or(Ordering::Equal),
    }
}

fn compare_qualifiers(left: &Qualifier, right: &Qualifier) -> Ordering {
    match (left, right) {
        (Qualifier::Known(a), Qualifier::Known(b)) => a.cmp(b),
        (Qualifier::Known(_), Qualifier::Other(_)) => Ordering::Less,
        (Qualifier::Other(_), Qualifier::Known(_)) => Ordering::Greater,
        (Qualifier::Other(a), Qualifier::Other(b)) => a.cmp(b),
    }
}
