//! Recursive-descent parser with GitHub's precedence, lowest first:
//! `||`, `&&`, `==` `!=`, `<` `<=` `>` `>=`, `!`, then `.`/`[ ]` postfix
//! access on names, calls and groups.

use std::ops::Range;

use super::lexer::{Lexer, Token, TokenKind, unexpected};
use super::{BinaryOp, Expr, ExprKind, ParseError};

/// Deepest nesting of groups, indexes, call arguments and `!` accepted. GitHub
/// stops at the same depth, so no working workflow goes deeper, and recursion
/// stays far from the stack limit.
const MAX_NESTING: usize = 50;

/// Tallest tree accepted. Long `a || b || c` chains and `a.b.c` paths add a
/// level per operator without nesting; every recursive helper (and `Drop`)
/// follows the tree, so its height must be bounded for hostile input.
const MAX_HEIGHT: usize = 256;

/// A parsed sub-expression and the height of its tree.
struct Parsed {
    expr: Expr,
    height: usize,
}

pub(super) fn parse(text: &str) -> Result<Expr, ParseError> {
    let mut parser = Parser {
        lexer: Lexer::new(text),
        current: Token {
            kind: TokenKind::End,
            span: 0..0,
        },
        nesting: 0,
    };
    parser.advance()?;
    if parser.current.kind == TokenKind::End {
        return Err(ParseError {
            message: "empty expression".to_owned(),
            offset: parser.current.span.start,
        });
    }
    let parsed = parser.expression()?;
    if parser.current.kind != TokenKind::End {
        return Err(parser.unexpected());
    }
    Ok(parsed.expr)
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    current: Token,
    nesting: usize,
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<Token, ParseError> {
        let next = self.lexer.next_token()?;
        Ok(std::mem::replace(&mut self.current, next))
    }

    fn eat(&mut self, kind: TokenKind) -> Result<bool, ParseError> {
        if self.current.kind == kind {
            self.advance()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn expect(&mut self, kind: TokenKind) -> Result<Token, ParseError> {
        if self.current.kind == kind {
            self.advance()
        } else {
            Err(self.unexpected())
        }
    }

    fn unexpected(&self) -> ParseError {
        unexpected_token(&self.lexer, &self.current)
    }

    fn nested<T>(
        &mut self,
        inner: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        if self.nesting >= MAX_NESTING {
            return Err(ParseError {
                message: format!("expression nests deeper than {MAX_NESTING} levels"),
                offset: self.current.span.start,
            });
        }
        self.nesting += 1;
        let result = inner(self);
        self.nesting -= 1;
        result
    }

    fn node(
        &self,
        kind: ExprKind,
        span: Range<usize>,
        child_height: usize,
    ) -> Result<Parsed, ParseError> {
        let height = child_height + 1;
        if height > MAX_HEIGHT {
            return Err(ParseError {
                message: format!("expression tree is deeper than {MAX_HEIGHT} levels"),
                offset: span.start,
            });
        }
        Ok(Parsed {
            expr: Expr { kind, span },
            height,
        })
    }

    fn expression(&mut self) -> Result<Parsed, ParseError> {
        self.nested(Self::or)
    }

    fn binary_chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Parsed, ParseError>,
        operator: fn(TokenKind) -> Option<BinaryOp>,
    ) -> Result<Parsed, ParseError> {
        let mut lhs = operand(self)?;
        while let Some(op) = operator(self.current.kind) {
            self.advance()?;
            let rhs = operand(self)?;
            let span = lhs.expr.span.start..rhs.expr.span.end;
            let height = lhs.height.max(rhs.height);
            let kind = ExprKind::Binary {
                op,
                lhs: Box::new(lhs.expr),
                rhs: Box::new(rhs.expr),
            };
            lhs = self.node(kind, span, height)?;
        }
        Ok(lhs)
    }

    fn or(&mut self) -> Result<Parsed, ParseError> {
        self.binary_chain(Self::and, |kind| {
            (kind == TokenKind::Or).then_some(BinaryOp::Or)
        })
    }

    fn and(&mut self) -> Result<Parsed, ParseError> {
        self.binary_chain(Self::equality, |kind| {
            (kind == TokenKind::And).then_some(BinaryOp::And)
        })
    }

    fn equality(&mut self) -> Result<Parsed, ParseError> {
        self.binary_chain(Self::comparison, |kind| match kind {
            TokenKind::EqualEqual => Some(BinaryOp::Eq),
            TokenKind::BangEqual => Some(BinaryOp::Ne),
            _ => None,
        })
    }

    fn comparison(&mut self) -> Result<Parsed, ParseError> {
        self.binary_chain(Self::unary, |kind| match kind {
            TokenKind::Less => Some(BinaryOp::Lt),
            TokenKind::LessEqual => Some(BinaryOp::Le),
            TokenKind::Greater => Some(BinaryOp::Gt),
            TokenKind::GreaterEqual => Some(BinaryOp::Ge),
            _ => None,
        })
    }

    fn unary(&mut self) -> Result<Parsed, ParseError> {
        if self.current.kind != TokenKind::Bang {
            return self.postfix();
        }
        let bang = self.advance()?;
        let operand = self.nested(Self::unary)?;
        let span = bang.span.start..operand.expr.span.end;
        self.node(ExprKind::Not(Box::new(operand.expr)), span, operand.height)
    }

    /// A primary, then `.name`, `.*`, `[index]` and `[*]` for as long as they
    /// follow. Literals take no access, as in GitHub.
    fn postfix(&mut self) -> Result<Parsed, ParseError> {
        let (mut parsed, accessible) = self.primary()?;
        if !accessible {
            return Ok(parsed);
        }
        loop {
            let start = parsed.expr.span.start;
            let (kind, end, height) = match self.current.kind {
                TokenKind::Dot => {
                    self.advance()?;
                    let name = self.advance()?;
                    let base = Box::new(parsed.expr);
                    let kind = match name.kind {
                        TokenKind::Identifier => ExprKind::Property {
                            base,
                            name: self.lexer.slice(&name.span).to_owned(),
                        },
                        TokenKind::Star => ExprKind::Star { base },
                        _ => return Err(unexpected_token(&self.lexer, &name)),
                    };
                    (kind, name.span.end, parsed.height)
                }
                TokenKind::LeftBracket => {
                    self.advance()?;
                    if self.eat(TokenKind::Star)? {
                        let close = self.expect(TokenKind::RightBracket)?;
                        let base = Box::new(parsed.expr);
                        (ExprKind::Star { base }, close.span.end, parsed.height)
                    } else {
                        let index = self.expression()?;
                        let close = self.expect(TokenKind::RightBracket)?;
                        let height = parsed.height.max(index.height);
                        let kind = ExprKind::Index {
                            base: Box::new(parsed.expr),
                            index: Box::new(index.expr),
                        };
                        (kind, close.span.end, height)
                    }
                }
                _ => return Ok(parsed),
            };
            parsed = self.node(kind, start..end, height)?;
        }
    }

    /// A literal, name, call or group; the flag says whether property and
    /// index access may follow.
    fn primary(&mut self) -> Result<(Parsed, bool), ParseError> {
        let token = self.advance()?;
        let literal = match token.kind {
            TokenKind::Null => Some(ExprKind::Null),
            TokenKind::True => Some(ExprKind::Bool(true)),
            TokenKind::False => Some(ExprKind::Bool(false)),
            TokenKind::Number(value) => Some(ExprKind::Number(value)),
            TokenKind::String => Some(ExprKind::String(self.lexer.string_value(&token.span))),
            _ => None,
        };
        if let Some(kind) = literal {
            return Ok((self.node(kind, token.span, 0)?, false));
        }
        match token.kind {
            TokenKind::Identifier => {
                let name = self.lexer.slice(&token.span).to_owned();
                if self.current.kind == TokenKind::LeftParen {
                    self.call(name, token.span.start).map(|call| (call, true))
                } else {
                    Ok((self.node(ExprKind::Ident(name), token.span, 0)?, true))
                }
            }
            TokenKind::LeftParen => {
                let mut inner = self.expression()?;
                let close = self.expect(TokenKind::RightParen)?;
                // The group's span takes in its parentheses, so `(a || b).c`
                // starts where it is written.
                inner.expr.span = token.span.start..close.span.end;
                Ok((inner, true))
            }
            _ => Err(unexpected_token(&self.lexer, &token)),
        }
    }

    fn call(&mut self, name: String, start: usize) -> Result<Parsed, ParseError> {
        self.expect(TokenKind::LeftParen)?;
        let mut args = Vec::new();
        let mut height = 0;
        if self.current.kind != TokenKind::RightParen {
            loop {
                let arg = self.expression()?;
                height = height.max(arg.height);
                args.push(arg.expr);
                if !self.eat(TokenKind::Comma)? {
                    break;
                }
            }
        }
        let close = self.expect(TokenKind::RightParen)?;
        self.node(ExprKind::Call { name, args }, start..close.span.end, height)
    }
}

fn unexpected_token(lexer: &Lexer<'_>, token: &Token) -> ParseError {
    if token.kind == TokenKind::End {
        ParseError {
            message: "unexpected end of expression".to_owned(),
            offset: token.span.start,
        }
    } else {
        unexpected(lexer.slice(&token.span), token.span.start)
    }
}
