//! Maven version order, after Maven's `ComparableVersion`.
//!
//! The text (lower-cased) is cut into items at `.`, at `-` and where
//! digits and other characters meet; a `-` or a digit/letter transition
//! starts a hyphen-prefixed part, so `1-1` is `1, -1` while `1.1` is
//! `1, .1`. Trailing "null" items (`0`, the release qualifier `` = `ga` =
//! `final` = `release`) are dropped at the end of each hyphen-separated
//! part: `1.0.0` is `1`, `1.0-foo.0` is `1-foo`, `1-ga-1` is `1-1`.
//! `a1`, `b1` and `m1` spell `alpha-1`, `beta-1` and `milestone-1`, and
//! `cr` is `rc`.
//!
//! Tokens then compare in turn. A shorter version is padded, and the
//! padding is the release point: qualifiers `alpha` < `beta` <
//! `milestone` < `rc` < `snapshot` are below it, `sp` and unknown
//! qualifiers (lexically) and non-zero numbers above it, so `1-rc` < `1`
//! < `1-sp` < `1-1` < `1.1`. On the same side of the padding, Maven's
//! kinds order `.qualifier` < `-qualifier` < `-number` < `.number`, so
//! `1.foo` < `1-foo` < `1-1` < `1.1`, and a zero sorts where what follows
//! it puts it: `1.0.1` sits just below `1.1` but above `1-1`, while
//! `1.0.RC1` is below `1`.
//!
//! `ComparableVersion` itself is not transitive: it puts `1.sp` above `1`
//! and `1` above `1-alpha-1`, yet `1.sp` below `1-alpha-1`, because it
//! ranks a hyphen part above a dot qualifier whatever their values. Rust's
//! sorting needs a total order, so here the side of the padding decides
//! first and Maven's kind order only breaks ties within a side; versions
//! that do not mix a dot qualifier with a hyphen part at the same place
//! order exactly as Maven orders them.

use std::cmp::Ordering;

/// Nested lists deeper than this are refused rather than recursed into.
const MAX_DEPTH: usize = 64;

/// Numbers with at most this many digits fit a `u64`.
const SMALL_DIGITS: usize = 18;

/// Known qualifiers, in order; anything else sorts after them.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// Index in [`QUALIFIERS`] of the release qualifier (the empty one).
const RELEASE: u8 = 5;

/// A parsed Maven version: its tokens, compared in turn.
#[derive(Clone, Debug)]
pub(super) struct MavenVersion {
    symbols: Vec<Symbol>,
}

enum Item {
    Number(u64),
    /// More than [`SMALL_DIGITS`] digits, leading zeros removed.
    BigNumber(Box<str>),
    Qualifier(Qualifier),
    List(Vec<Item>),
}

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
        Ok(MavenVersion {
            symbols: symbols(items),
        })
    }

    pub(super) fn cmp(&self, other: &MavenVersion) -> Ordering {
        for index in 0..self.symbols.len().max(other.symbols.len()) {
            let order = match (self.symbols.get(index), other.symbols.get(index)) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(a), None) => padding_order(a),
                (None, Some(b)) => padding_order(b).reverse(),
                (None, None) => Ordering::Equal,
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

/// How a token compares with the padding of a shorter version.
fn padding_order(symbol: &Symbol) -> Ordering {
    if symbol.above_padding() {
        Ordering::Greater
    } else {
        Ordering::Less
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

/// A token of the normalised version, in the order tokens compare. The
/// padding of a shorter version sits between [`Symbol::DotZeroBelow`] and
/// [`Symbol::DotAbove`]: everything before it is lower than a missing
/// token, everything after higher.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Symbol {
    /// `.alpha` to `.snapshot`, by qualifier rank.
    DotBelow(u8),
    /// `-alpha` to `-snapshot`, by qualifier rank.
    HyphenBelow(u8),
    /// `-0` (or `-ga`) followed by something lower than the padding.
    HyphenZeroBelow,
    /// `.0` (or `.ga`) followed by something lower than the padding.
    DotZeroBelow,
    /// `.sp` and unknown qualifiers after a dot.
    DotAbove(Rank),
    /// `-sp` and unknown qualifiers after a hyphen.
    HyphenAbove(Rank),
    /// `-N`; `-0` followed by something higher than the padding is `-0`.
    HyphenNumber(Number),
    /// `.0` followed by something higher than the padding.
    DotZeroAbove,
    /// `.N` with N > 0.
    DotNumber(Number),
}

/// Qualifiers above the release: known ones by rank, then others by text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Known(u8),
    Other(Box<str>),
}

/// A number: small ones by value, longer digit runs (no leading zeros) by
/// length then digits, which is their value order too.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Number {
    Small(u64),
    Big(usize, Box<str>),
}

/// What a token is before zeros are placed by what follows them.
enum Token {
    Definite(Symbol),
    Zero { hyphen: bool },
}

impl Symbol {
    fn above_padding(&self) -> bool {
        *self >= Symbol::DotAbove(Rank::Known(0))
    }
}

/// Turns the normalised item tree into tokens. Lists only ever end their
/// parent, so the tree is a chain and is walked without recursion; the
/// first item of each nested list is hyphen-prefixed.
fn symbols(items: Vec<Item>) -> Vec<Symbol> {
    let mut tokens = Vec::new();
    let mut current = items;
    let mut hyphen = false;
    loop {
        let mut nested = None;
        for (index, item) in current.into_iter().enumerate() {
            let hyphen = hyphen && index == 0;
            let token = match item {
                Item::List(inner) => {
                    nested = Some(inner);
                    continue;
                }
                Item::Number(0) => Token::Zero { hyphen },
                Item::Number(value) => number_symbol(hyphen, Number::Small(value)),
                Item::BigNumber(digits) => number_symbol(hyphen, Number::Big(digits.len(), digits)),
                Item::Qualifier(Qualifier::Known(RELEASE)) => Token::Zero { hyphen },
                Item::Qualifier(Qualifier::Known(rank)) if rank < RELEASE => {
                    Token::Definite(if hyphen {
                        Symbol::HyphenBelow(rank)
                    } else {
                        Symbol::DotBelow(rank)
                    })
                }
                Item::Qualifier(qualifier) => {
                    let rank = match qualifier {
                        Qualifier::Known(rank) => Rank::Known(rank),
                        Qualifier::Other(text) => Rank::Other(text),
                    };
                    Token::Definite(if hyphen {
                        Symbol::HyphenAbove(rank)
                    } else {
                        Symbol::DotAbove(rank)
                    })
                }
            };
            tokens.push(token);
        }
        match nested {
            Some(inner) => {
                current = inner;
                hyphen = true;
            }
            None => break,
        }
    }
    // A zero sorts by what follows it; zeros with nothing after them are
    // padding and go.
    let mut symbols = Vec::with_capacity(tokens.len());
    let mut above: Option<bool> = None;
    for token in tokens.into_iter().rev() {
        let symbol = match (token, above) {
            (Token::Definite(symbol), _) => symbol,
            (Token::Zero { .. }, None) => continue,
            (Token::Zero { hyphen: true }, Some(true)) => Symbol::HyphenNumber(Number::Small(0)),
            (Token::Zero { hyphen: true }, Some(false)) => Symbol::HyphenZeroBelow,
            (Token::Zero { hyphen: false }, Some(true)) => Symbol::DotZeroAbove,
            (Token::Zero { hyphen: false }, Some(false)) => Symbol::DotZeroBelow,
        };
        above = Some(symbol.above_padding());
        symbols.push(symbol);
    }
    symbols.reverse();
    symbols
}

fn number_symbol(hyphen: bool, number: Number) -> Token {
    Token::Definite(if hyphen {
        Symbol::HyphenNumber(number)
    } else {
        Symbol::DotNumber(number)
    })
}
