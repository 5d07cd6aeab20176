//! SQL/JSON path language (PostgreSQL's `jsonpath`): `jsonb_path_exists`, `jsonb_path_match`,
//! `jsonb_path_query[_array|_first]`, and the `@?` and `@@` operators.
//!
//! A path is parsed into a tree (`Node`): a primary (`$`, `@`, `$var`, `last`, a literal or a
//! parenthesized expression) followed by accessors (`.key`, `.*`, `[subscripts]`, `[*]`,
//! `.**{levels}`, `.method()`, `? (filter)`), joined by arithmetic, comparisons and the logic of
//! predicates. Evaluation maps a sequence of JSON items through each accessor, as PostgreSQL's
//! `executeItem` does:
//!
//! - **lax** mode (the default) unwraps an array where an accessor wants its elements (`.key`,
//!   `.*`, filters, numeric methods, comparison and arithmetic operands), wraps a non-array where
//!   an array accessor wants an array, and turns structural errors (a missing key, a subscript
//!   out of range) into empty results; **strict** mode raises them.
//! - Predicates are three-valued: true, false, unknown. A comparison of two sequences is true
//!   when some pair compares true; items of different types (other than null) are not
//!   comparable, which makes the comparison unknown. A filter keeps the items for which its
//!   predicate is true.
//! - `silent` (the functions' fourth argument, always on for `@?` and `@@`) suppresses the
//!   errors of evaluation: the result is then empty (`jsonb_path_query`) or NULL.
//!
//! Items are [`Json`] trees from [`crate::json`]; numbers compute as [`Numeric`].

use std::cmp::Ordering;

use crate::error::{code, SqlError, SqlResult};
use crate::json::{Json, Kind};
use crate::numeric::{Numeric, Rounding};

/// A parsed path: its mode and its expression.
#[derive(Debug, Clone)]
pub struct JsonPath {
    strict: bool,
    expr: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Root,
    Current,
    Var(String),
    Last,
    Literal(Json),
    /// A primary followed by accessors.
    Chain(Box<Node>, Vec<Accessor>),
    Unary(char, Box<Node>),
    Arith(char, Box<Node>, Box<Node>),
    Compare(Cmp, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Exists(Box<Node>),
    IsUnknown(Box<Node>),
    StartsWith(Box<Node>, Box<Node>),
    /// The compiled expression, with the pattern and flags as written.
    LikeRegex(Box<Node>, Box<(regex::Regex, (String, String))>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
enum Accessor {
    Key(String),
    AnyKey,
    /// `[a, b to c, ...]`
    Subscripts(Vec<(Node, Option<Node>)>),
    AnyIndex,
    /// `.**{first to last}` (u32::MAX: `last`).
    Recursive(u32, u32),
    Method(Method),
    Filter(Box<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Type,
    Size,
    Double,
    Ceiling,
    Floor,
    Abs,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Type => "type",
            Method::Size => "size",
            Method::Double => "double",
            Method::Ceiling => "ceiling",
            Method::Floor => "floor",
            Method::Abs => "abs",
        }
    }
}

/// A predicate's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn of(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `$`, `@`, `$name`
    Dollar(Option<String>),
    At,
    /// A bare word (keys, keywords, method names).
    Word(String),
    Str(String),
    Number(String),
    Punct(&'static str),
}

fn syntax_error(detail: Option<String>, near: Option<&str>) -> SqlError {
    match (detail, near) {
        (Some(detail), _) => SqlError::new(
            code::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type jsonpath",
        )
        .with_detail(detail),
        (None, Some(near)) => SqlError::syntax(format!(
            "syntax error at or near \"{near}\" of jsonpath input"
        )),
        (None, None) => SqlError::syntax("syntax error at end of jsonpath input"),
    }
}

/// The tokens of `text`, each with the character after it (PostgreSQL's scanner reports a
/// syntax error at a bare word by that character).
fn lex(text: &str) -> SqlResult<Vec<(Tok, Option<char>)>> {
    const PUNCT: [&str; 22] = [
        "&&", "||", "==", "!=", "<>", "<=", ">=", "**", "<", ">", "!", "(", ")", "[", "]", "{",
        "}", ".", ",", "?", "+", "-",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut follows: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let word_char =
        |c: char| c.is_alphanumeric() || c == '_' || !c.is_ascii() && !c.is_whitespace();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '"' {
            let (s, next) = string_literal(&chars, i + 1)?;
            out.push(Tok::Str(s));
            i = next;
            continue;
        }
        if c == '$' || c == '@' {
            i += 1;
            if c == '@' {
                out.push(Tok::At);
                continue;
            }
            if i < chars.len() && chars[i] == '"' {
                let (s, next) = string_literal(&chars, i + 1)?;
                out.push(Tok::Dollar(Some(s)));
                i = next;
                continue;
            }
            let start = i;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            out.push(Tok::Dollar((!name.is_empty()).then_some(name)));
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i < chars.len()
                && chars[i] == '.'
                && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
            {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            } else if i < chars.len()
                && chars[i] == '.'
                && !chars
                    .get(i + 1)
                    .is_some_and(|d| d.is_alphabetic() || *d == '"' || *d == '*')
            {
                // `1.` is a number; `1.a` is a key of the number 1.
                i += 1;
            }
            if i < chars.len() && matches!(chars[i], 'e' | 'E') {
                let mut j = i + 1;
                if j < chars.len() && matches!(chars[j], '+' | '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            if i < chars.len() && word_char(chars[i]) {
                let bad: String = chars[start..=i].iter().collect();
                return Err(syntax_error(
                    Some(format!(
                        "trailing junk after numeric literal at or near \"{bad}\""
                    )),
                    None,
                ));
            }
            out.push(Tok::Number(chars[start..i].iter().collect()));
            continue;
        }
        if word_char(c) {
            let start = i;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
            follows.push((out.len(), i));
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let Some(p) = PUNCT.iter().find(|p| rest.starts_with(**p)) else {
            // `*`, `/`, `%` (after `**`, which PUNCT tries first).
            let single = match c {
                '*' => "*",
                '/' => "/",
                '%' => "%",
                _ => return Err(syntax_error(None, Some(&c.to_string()))),
            };
            out.push(Tok::Punct(single));
            i += 1;
            continue;
        };
        out.push(Tok::Punct(p));
        i += p.chars().count();
    }
    let mut after = vec![None; out.len()];
    for (count, at) in follows {
        after[count - 1] = chars.get(at).copied();
    }
    Ok(out.into_iter().zip(after).collect())
}

/// A double-quoted string from `chars[from..]` (after the quote): its value and the index
/// after the closing quote.
fn string_literal(chars: &[char], from: usize) -> SqlResult<(String, usize)> {
    let mut out = String::new();
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '"' => return Ok((out, i + 1)),
            '\\' => {
                i += 1;
                let Some(&e) = chars.get(i) else { break };
                match e {
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    'u' => {
                        let hex: String = chars.iter().skip(i + 1).take(4).collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .and_then(char::from_u32)
                            .ok_or_else(|| {
                                syntax_error(Some("invalid Unicode escape sequence".into()), None)
                            })?;
                        out.push(code);
                        i += 4;
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    Err(syntax_error(
        Some("unexpected end of quoted string".into()),
        None,
    ))
}

struct Parser {
    toks: Vec<Tok>,
    /// What follows each bare word (see [`lex`]).
    after: Vec<Option<char>>,
    at: usize,
    /// How many filters and subscripts enclose the token being read (`@` belongs in a filter,
    /// `last` in a subscript).
    filters: usize,
    subscripts: usize,
    /// Levels of nesting read so far (see [`Parser::deeper`]).
    depth: usize,
}

/// How deeply a path may nest.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn peek_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(q)) if q == w)
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        let found = self.peek_punct(p);
        if found {
            self.at += 1;
        }
        found
    }
    fn eat_word(&mut self, w: &str) -> bool {
        let found = self.peek_word(w);
        if found {
            self.at += 1;
        }
        found
    }
    fn error(&self) -> SqlError {
        match self.peek() {
            None => syntax_error(None, None),
            Some(Tok::Word(_)) => match self.after[self.at] {
                Some(c) => syntax_error(None, Some(&c.to_string())),
                None => syntax_error(None, None),
            },
            Some(tok) => {
                let near = match tok {
                    Tok::Dollar(None) => "$".to_string(),
                    Tok::Dollar(Some(name)) => format!("${name}"),
                    Tok::At => "@".into(),
                    Tok::Word(w) | Tok::Number(w) => w.clone(),
                    Tok::Str(s) => format!("\"{s}\""),
                    Tok::Punct(p) => p.to_string(),
                };
                syntax_error(None, Some(&near))
            }
        }
    }
    fn expect_punct(&mut self, p: &str) -> SqlResult<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// expr_or_predicate: an expression, or a predicate over expressions.
    fn predicate(&mut self) -> SqlResult<Node> {
        self.deeper()?;
        let node = self.disjunction();
        self.depth -= 1;
        node
    }

    /// Counts one more level of nesting (parentheses, filters, unary operators): a path nested
    /// deeper than [`MAX_DEPTH`] is refused as PostgreSQL refuses one past its stack limit,
    /// instead of overflowing the worker's stack.
    fn deeper(&mut self) -> SqlResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SqlError::new("54001", "stack depth limit exceeded"));
        }
        Ok(())
    }

    fn disjunction(&mut self) -> SqlResult<Node> {
        self.left_to_right(&["||"], Self::conjunction, |_, a, b| Node::Or(a, b))
    }

    fn conjunction(&mut self) -> SqlResult<Node> {
        self.left_to_right(&["&&"], Self::negation, |_, a, b| Node::And(a, b))
    }

    fn negation(&mut self) -> SqlResult<Node> {
        if self.eat_punct("!") {
            // `! (predicate)` or `! exists (...)`.
            let inner = if self.peek_word("exists") {
                self.comparison()?
            } else {
                self.expect_punct("(")?;
                let inner = self.predicate()?;
                self.expect_punct(")")?;
                inner
            };
            return Ok(Node::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> SqlResult<Node> {
        if self.peek_word("exists") && matches!(self.toks.get(self.at + 1), Some(Tok::Punct("("))) {
            self.at += 2;
            let inner = self.predicate()?;
            self.expect_punct(")")?;
            return Ok(Node::Exists(Box::new(inner)));
        }
        let left = self.additive()?;
        let cmp = match self.peek() {
            Some(Tok::Punct("==")) => Some(Cmp::Eq),
            Some(Tok::Punct("!=" | "<>")) => Some(Cmp::Ne),
            Some(Tok::Punct("<")) => Some(Cmp::Lt),
            Some(Tok::Punct("<=")) => Some(Cmp::Le),
            Some(Tok::Punct(">")) => Some(Cmp::Gt),
            Some(Tok::Punct(">=")) => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(cmp) = cmp {
            self.at += 1;
            let right = self.additive()?;
            return Ok(Node::Compare(cmp, Box::new(left), Box::new(right)));
        }
        if self.eat_word("starts") {
            if !self.eat_word("with") {
                return Err(self.error());
            }
            let right = match self.peek().cloned() {
                Some(Tok::Str(s)) => {
                    self.at += 1;
                    Node::Literal(string(s))
                }
                Some(Tok::Dollar(Some(name))) => {
                    self.at += 1;
                    Node::Var(name)
                }
                _ => return Err(self.error()),
            };
            return Ok(Node::StartsWith(Box::new(left), Box::new(right)));
        }
        if self.eat_word("like_regex") {
            let Some(Tok::Str(pattern)) = self.peek().cloned() else {
                return Err(self.error());
            };
            self.at += 1;
            let mut flags = String::new();
            if self.eat_word("flag") {
                let Some(Tok::Str(f)) = self.peek().cloned() else {
                    return Err(self.error());
                };
                self.at += 1;
                flags = f;
            }
            let regex = like_regex(&pattern, &flags)?;
            return Ok(Node::LikeRegex(
                Box::new(left),
                Box::new((regex, (pattern, flags))),
            ));
        }
        if self.peek_word("is")
            && matches!(self.toks.get(self.at + 1), Some(Tok::Word(w)) if w == "unknown")
        {
            self.at += 2;
            return Ok(Node::IsUnknown(Box::new(left)));
        }
        Ok(left)
    }

    fn additive(&mut self) -> SqlResult<Node> {
        self.left_to_right(&["+", "-"], Self::multiplicative, Self::arith)
    }

    fn multiplicative(&mut self) -> SqlResult<Node> {
        self.left_to_right(&["*", "/", "%"], Self::unary, Self::arith)
    }

    fn arith(op: &str, left: Box<Node>, right: Box<Node>) -> Node {
        Node::Arith(op.chars().next().expect("one character"), left, right)
    }

    /// Operands from `operand` joined left to right by the operators `ops` (one priority),
    /// each pair by `make`.
    fn left_to_right(
        &mut self,
        ops: &[&'static str],
        operand: fn(&mut Self) -> SqlResult<Node>,
        make: fn(&str, Box<Node>, Box<Node>) -> Node,
    ) -> SqlResult<Node> {
        let mut left = operand(self)?;
        while let Some(op) = ops.iter().find(|op| self.peek_punct(op)) {
            self.at += 1;
            let right = operand(self)?;
            left = make(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> SqlResult<Node> {
        let op = if self.eat_punct("-") {
            '-'
        } else if self.eat_punct("+") {
            '+'
        } else {
            return self.accessor_expr();
        };
        self.deeper()?;
        let operand = self.unary();
        self.depth -= 1;
        Ok(Node::Unary(op, Box::new(operand?)))
    }

    fn accessor_expr(&mut self) -> SqlResult<Node> {
        let primary = match self.peek().cloned() {
            Some(Tok::Dollar(None)) => Node::Root,
            Some(Tok::Dollar(Some(name))) => Node::Var(name),
            Some(Tok::At) if self.filters == 0 => {
                return Err(SqlError::syntax("@ is not allowed in root expressions"))
            }
            Some(Tok::At) => Node::Current,
            Some(Tok::Word(w)) if w == "last" && self.subscripts == 0 => {
                return Err(SqlError::syntax("LAST is allowed only in array subscripts"))
            }
            Some(Tok::Word(w)) if w == "last" => Node::Last,
            Some(Tok::Word(w)) if w == "true" || w == "false" => Node::Literal(Json {
                kind: Kind::Bool(w == "true"),
                span: (0, 0),
            }),
            Some(Tok::Word(w)) if w == "null" => Node::Literal(Json {
                kind: Kind::Null,
                span: (0, 0),
            }),
            Some(Tok::Str(s)) => Node::Literal(string(s)),
            Some(Tok::Number(n)) => {
                let parsed = Numeric::parse(&n).map_err(|_| self.error())?;
                Node::Literal(number(parsed))
            }
            Some(Tok::Punct("(")) => {
                self.at += 1;
                let inner = self.predicate()?;
                self.expect_punct(")")?;
                self.at -= 1;
                inner
            }
            _ => return Err(self.error()),
        };
        self.at += 1;
        let mut accessors = Vec::new();
        loop {
            if self.eat_punct(".") {
                accessors.push(self.member()?);
            } else if self.eat_punct("[") {
                if self.eat_punct("*") {
                    self.expect_punct("]")?;
                    accessors.push(Accessor::AnyIndex);
                    continue;
                }
                let mut subscripts = Vec::new();
                self.subscripts += 1;
                loop {
                    let from = self.additive()?;
                    let to = if self.eat_word("to") {
                        Some(self.additive()?)
                    } else {
                        None
                    };
                    subscripts.push((from, to));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.subscripts -= 1;
                self.expect_punct("]")?;
                accessors.push(Accessor::Subscripts(subscripts));
            } else if self.eat_punct("?") {
                self.expect_punct("(")?;
                self.filters += 1;
                let filter = self.predicate()?;
                self.filters -= 1;
                self.expect_punct(")")?;
                accessors.push(Accessor::Filter(Box::new(filter)));
            } else {
                break;
            }
        }
        Ok(if accessors.is_empty() {
            primary
        } else {
            Node::Chain(Box::new(primary), accessors)
        })
    }

    /// After `.`: a key, `*`, `**{levels}` or a method call.
    fn member(&mut self) -> SqlResult<Accessor> {
        if self.eat_punct("*") {
            return Ok(Accessor::AnyKey);
        }
        if self.eat_punct("**") {
            let (mut first, mut last) = (0, u32::MAX);
            if self.eat_punct("{") {
                first = self.level()?;
                last = if self.eat_word("to") {
                    self.level()?
                } else {
                    first
                };
                self.expect_punct("}")?;
            }
            return Ok(Accessor::Recursive(first, last));
        }
        match self.peek().cloned() {
            Some(Tok::Str(key)) => {
                self.at += 1;
                Ok(Accessor::Key(key))
            }
            Some(Tok::Word(word)) => {
                self.at += 1;
                if self.peek_punct("(") {
                    let method = match word.as_str() {
                        "type" => Method::Type,
                        "size" => Method::Size,
                        "double" => Method::Double,
                        "ceiling" => Method::Ceiling,
                        "floor" => Method::Floor,
                        "abs" => Method::Abs,
                        "datetime" | "keyvalue" => {
                            return Err(SqlError::unsupported(format!(
                                "jsonpath item method .{word}()"
                            )))
                        }
                        _ => return Err(self.error()),
                    };
                    self.at += 1;
                    self.expect_punct(")")?;
                    return Ok(Accessor::Method(method));
                }
                Ok(Accessor::Key(word))
            }
            // `$.$var` and `$.@` are not keys.
            _ => Err(self.error()),
        }
    }

    fn level(&mut self) -> SqlResult<u32> {
        match self.peek().cloned() {
            Some(Tok::Word(w)) if w == "last" => {
                self.at += 1;
                Ok(u32::MAX)
            }
            Some(Tok::Number(n)) => {
                self.at += 1;
                n.parse().map_err(|_| self.error())
            }
            _ => Err(self.error()),
        }
    }
}

fn like_regex(pattern: &str, flags: &str) -> SqlResult<regex::Regex> {
    let mut builder_flags = String::new();
    let mut quote = false;
    for f in flags.chars() {
        match f {
            'i' | 's' | 'm' | 'x' => builder_flags.push(f),
            'q' => quote = true,
            other => {
                return Err(syntax_error(
                    Some(format!(
                        "Unrecognized flag character \"{other}\" in LIKE_REGEX predicate."
                    )),
                    None,
                ))
            }
        }
    }
    let body = if quote {
        regex::escape(pattern)
    } else {
        pattern.to_string()
    };
    let full = if builder_flags.is_empty() {
        body
    } else {
        format!("(?{builder_flags}){body}")
    };
    regex::Regex::new(&full)
        .map_err(|e| SqlError::new("2201B", format!("invalid regular expression: {e}")))
}

fn string(s: String) -> Json {
    Json {
        kind: Kind::String(s),
        span: (0, 0),
    }
}

fn number(n: Numeric) -> Json {
    Json {
        kind: Kind::Number(n.to_string()),
        span: (0, 0),
    }
}

fn boolean(b: bool) -> Json {
    Json {
        kind: Kind::Bool(b),
        span: (0, 0),
    }
}

const NULL: Json = Json {
    kind: Kind::Null,
    span: (0, 0),
};

/// Parses a path (`[lax | strict] expression`).
pub fn parse(text: &str) -> SqlResult<JsonPath> {
    let (toks, after): (Vec<Tok>, Vec<Option<char>>) = lex(text)?.into_iter().unzip();
    let mut parser = Parser {
        toks,
        after,
        at: 0,
        filters: 0,
        subscripts: 0,
        depth: 0,
    };
    let mut strict = false;
    match parser.peek() {
        Some(Tok::Word(w)) if w == "strict" => {
            strict = true;
            parser.at += 1;
        }
        Some(Tok::Word(w)) if w == "lax" => parser.at += 1,
        _ => {}
    }
    let expr = parser.predicate()?;
    if parser.at < parser.toks.len() {
        return Err(parser.error());
    }
    Ok(JsonPath { strict, expr })
}

/// A path in PostgreSQL's canonical text form (`jsonpath_out`): `strict` when strict, keys
/// and variables quoted, numbers as numeric prints them, binary operators bracketed where their
/// priority needs it and at the top.
pub fn normalize(text: &str) -> SqlResult<String> {
    let path = parse(text)?;
    let mut out = String::new();
    if path.strict {
        out.push_str("strict ");
    }
    print(&path.expr, &mut out, true);
    Ok(out)
}

/// An operator's binding strength, as PostgreSQL's `operationPriority`.
fn priority(node: &Node) -> u8 {
    match node {
        Node::Or(..) => 0,
        Node::And(..) => 1,
        Node::Compare(..) | Node::StartsWith(..) | Node::LikeRegex(..) => 2,
        Node::Arith('+' | '-', ..) => 3,
        Node::Arith(..) => 4,
        Node::Unary(..) => 5,
        _ => 6,
    }
}

fn print(node: &Node, out: &mut String, brackets: bool) {
    let binary = |out: &mut String, op: &str, left: &Node, right: &Node| {
        if brackets {
            out.push('(');
        }
        print(left, out, priority(left) <= priority(node));
        out.push(' ');
        out.push_str(op);
        out.push(' ');
        print(right, out, priority(right) <= priority(node));
        if brackets {
            out.push(')');
        }
    };
    match node {
        Node::Root => out.push('$'),
        Node::Current => out.push('@'),
        Node::Last => out.push_str("last"),
        Node::Var(name) => {
            out.push('$');
            crate::json::write_string(name, out);
        }
        Node::Literal(json) => json.write(out),
        Node::Chain(primary, accessors) => {
            print(primary, out, true);
            for accessor in accessors {
                print_accessor(accessor, out);
            }
        }
        Node::Unary(op, operand) => {
            if brackets {
                out.push('(');
            }
            out.push(*op);
            print(operand, out, priority(operand) <= priority(node));
            if brackets {
                out.push(')');
            }
        }
        Node::Arith(op, left, right) => binary(out, &op.to_string(), left, right),
        Node::Compare(cmp, left, right) => {
            let op = match cmp {
                Cmp::Eq => "==",
                Cmp::Ne => "!=",
                Cmp::Lt => "<",
                Cmp::Le => "<=",
                Cmp::Gt => ">",
                Cmp::Ge => ">=",
            };
            binary(out, op, left, right)
        }
        Node::And(left, right) => binary(out, "&&", left, right),
        Node::Or(left, right) => binary(out, "||", left, right),
        Node::StartsWith(left, right) => binary(out, "starts with", left, right),
        Node::Not(inner) => {
            out.push_str("!(");
            print(inner, out, false);
            out.push(')');
        }
        Node::Exists(inner) => {
            out.push_str("exists (");
            print(inner, out, false);
            out.push(')');
        }
        Node::IsUnknown(inner) => {
            out.push('(');
            print(inner, out, false);
            out.push_str(") is unknown");
        }
        Node::LikeRegex(left, regex) => {
            if brackets {
                out.push('(');
            }
            print(left, out, priority(left) <= priority(node));
            let (pattern, flags) = &regex.1;
            out.push_str(" like_regex ");
            crate::json::write_string(pattern, out);
            if !flags.is_empty() {
                out.push_str(" flag ");
                crate::json::write_string(flags, out);
            }
            if brackets {
                out.push(')');
            }
        }
    }
}

fn print_accessor(accessor: &Accessor, out: &mut String) {
    match accessor {
        Accessor::Key(key) => {
            out.push('.');
            crate::json::write_string(key, out);
        }
        Accessor::AnyKey => out.push_str(".*"),
        Accessor::AnyIndex => out.push_str("[*]"),
        Accessor::Subscripts(subscripts) => {
            out.push('[');
            for (i, (from, to)) in subscripts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                print(from, out, false);
                if let Some(to) = to {
                    out.push_str(" to ");
                    print(to, out, false);
                }
            }
            out.push(']');
        }
        Accessor::Recursive(first, last) => {
            out.push_str(".**");
            let level = |n: u32| {
                if n == u32::MAX {
                    "last".to_string()
                } else {
                    n.to_string()
                }
            };
            if *first == *last {
                out.push_str(&format!("{{{}}}", level(*first)));
            } else if !(*first == 0 && *last == u32::MAX) {
                out.push_str(&format!("{{{} to {}}}", level(*first), level(*last)));
            }
        }
        Accessor::Method(method) => {
            out.push('.');
            out.push_str(method.name());
            out.push_str("()");
        }
        Accessor::Filter(predicate) => {
            out.push_str("?(");
            print(predicate, out, false);
            out.push(')');
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

struct Ctx<'a> {
    root: &'a Json,
    vars: Option<&'a Json>,
    strict: bool,
}

/// Errors of evaluation, which `silent` suppresses.
type Eval<T> = Result<T, SqlError>;

fn err(code: &'static str, message: impl Into<String>) -> SqlError {
    SqlError::new(code, message.into())
}

fn as_numeric(item: &Json) -> Option<Numeric> {
    match &item.kind {
        Kind::Number(n) => Numeric::parse(n).ok(),
        _ => None,
    }
}

impl Ctx<'_> {
    /// The items of `node` evaluated at `current` (`last`: the size of the array a subscript
    /// applies to, less one).
    fn items(&self, node: &Node, current: &Json, last: Option<i64>) -> Eval<Vec<Json>> {
        match node {
            Node::Root => Ok(vec![self.root.clone()]),
            Node::Current => Ok(vec![current.clone()]),
            Node::Var(name) => {
                let value = self.vars.and_then(|vars| vars.field(name));
                match value {
                    Some(value) => Ok(vec![value.clone()]),
                    None => Err(err(
                        code::UNDEFINED_OBJECT,
                        format!("could not find jsonpath variable \"{name}\""),
                    )),
                }
            }
            Node::Last => match last {
                Some(last) => Ok(vec![number(Numeric::from(last))]),
                None => Err(err(
                    code::SYNTAX_ERROR,
                    "LAST is allowed only in array subscripts",
                )),
            },
            Node::Literal(json) => Ok(vec![json.clone()]),
            Node::Chain(primary, accessors) => {
                let mut items = self.items(primary, current, last)?;
                for accessor in accessors {
                    let mut next = Vec::new();
                    for item in &items {
                        self.access(accessor, item, current, &mut next)?;
                    }
                    items = next;
                }
                Ok(items)
            }
            Node::Unary(op, operand) => {
                let mut out = Vec::new();
                for item in self.unwrapped(operand, current, last)? {
                    let Some(n) = as_numeric(&item) else {
                        return Err(err(
                            "2203B",
                            format!(
                                "operand of unary jsonpath operator {op} is not a numeric value"
                            ),
                        ));
                    };
                    out.push(number(if *op == '-' { n.neg() } else { n }));
                }
                Ok(out)
            }
            Node::Arith(op, left, right) => {
                let single = |node: &Node, side: &str| -> Eval<Numeric> {
                    let items = self.unwrapped(node, current, last)?;
                    match items.as_slice() {
                        [one] => as_numeric(one),
                        _ => None,
                    }
                    .ok_or_else(|| {
                        err(
                            "22038",
                            format!("{side} operand of jsonpath operator {op} is not a single numeric value"),
                        )
                    })
                };
                let a = single(left, "left")?;
                let b = single(right, "right")?;
                let n = match op {
                    '+' => a.add(&b)?,
                    '-' => a.sub(&b)?,
                    '*' => a.mul(&b)?,
                    '/' => a.div(&b)?,
                    _ => a.rem(&b)?,
                };
                Ok(vec![number(n)])
            }
            // A predicate used as an expression: true, false or null (unknown).
            _ => Ok(vec![match self.truth(node, current)? {
                Truth::True => boolean(true),
                Truth::False => boolean(false),
                Truth::Unknown => NULL,
            }]),
        }
    }

    /// The items of `node`, arrays among them unwrapped in lax mode.
    fn unwrapped(&self, node: &Node, current: &Json, last: Option<i64>) -> Eval<Vec<Json>> {
        let items = self.items(node, current, last)?;
        if self.strict {
            return Ok(items);
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.kind {
                Kind::Array(elements) => out.extend(elements),
                _ => out.push(item),
            }
        }
        Ok(out)
    }

    /// Applies one accessor to `item`, appending what it yields.
    fn access(
        &self,
        accessor: &Accessor,
        item: &Json,
        current: &Json,
        out: &mut Vec<Json>,
    ) -> Eval<()> {
        let lax_array = !self.strict && matches!(item.kind, Kind::Array(_));
        match accessor {
            Accessor::Key(key) => match &item.kind {
                Kind::Object(_) => match item.field(key) {
                    Some(value) => out.push(value.clone()),
                    None if self.strict => {
                        return Err(err(
                            "2203A",
                            format!("JSON object does not contain key \"{key}\""),
                        ))
                    }
                    None => {}
                },
                Kind::Array(elements) if lax_array => {
                    for element in elements {
                        if matches!(element.kind, Kind::Object(_)) {
                            self.access(accessor, element, current, out)?;
                        }
                    }
                }
                _ if self.strict => {
                    return Err(err(
                        "2203A",
                        "jsonpath member accessor can only be applied to an object",
                    ))
                }
                _ => {}
            },
            Accessor::AnyKey => match &item.kind {
                Kind::Object(members) => out.extend(members.iter().map(|(_, v)| v.clone())),
                Kind::Array(elements) if lax_array => {
                    for element in elements {
                        if let Kind::Object(members) = &element.kind {
                            out.extend(members.iter().map(|(_, v)| v.clone()));
                        }
                    }
                }
                _ if self.strict => {
                    return Err(err(
                        "2203C",
                        "jsonpath wildcard member accessor can only be applied to an object",
                    ))
                }
                _ => {}
            },
            Accessor::AnyIndex => match &item.kind {
                Kind::Array(elements) => out.extend(elements.iter().cloned()),
                _ if self.strict => {
                    return Err(err(
                        "22039",
                        "jsonpath wildcard array accessor can only be applied to an array",
                    ))
                }
                _ => out.push(item.clone()),
            },
            Accessor::Subscripts(subscripts) => {
                let wrapped;
                let elements: &[Json] = match &item.kind {
                    Kind::Array(elements) => elements,
                    _ if self.strict => {
                        return Err(err(
                            "22039",
                            "jsonpath array accessor can only be applied to an array",
                        ))
                    }
                    _ => {
                        wrapped = [item.clone()];
                        &wrapped
                    }
                };
                let size = elements.len() as i64;
                let index = |node: &Node| -> Eval<i64> {
                    let items = self.unwrapped(node, current, Some(size - 1))?;
                    match items.as_slice() {
                        [one] => as_numeric(one).and_then(|n| n.to_i128(Rounding::Trunc)),
                        _ => None,
                    }
                    .map(|n| n.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
                    .ok_or_else(|| {
                        err(
                            "22033",
                            "jsonpath array subscript is not a single numeric value",
                        )
                    })
                };
                for (from, to) in subscripts {
                    let first = index(from)?;
                    let last = match to {
                        Some(to) => index(to)?,
                        None => first,
                    };
                    let out_of_range = first < 0 || first > last || last >= size;
                    if out_of_range && self.strict {
                        return Err(err("22033", "jsonpath array subscript is out of bounds"));
                    }
                    let (first, last) = (first.max(0), last.min(size - 1));
                    for i in first..=last {
                        out.push(elements[i as usize].clone());
                    }
                }
            }
            Accessor::Recursive(first, last) => {
                recurse(item, 0, *first, *last, out);
            }
            Accessor::Method(method) => self.method(*method, item, out)?,
            Accessor::Filter(predicate) => match &item.kind {
                Kind::Array(elements) if lax_array => {
                    for element in elements {
                        if self.truth(predicate, element)? == Truth::True {
                            out.push(element.clone());
                        }
                    }
                }
                _ => {
                    if self.truth(predicate, item)? == Truth::True {
                        out.push(item.clone());
                    }
                }
            },
        }
        Ok(())
    }

    fn method(&self, method: Method, item: &Json, out: &mut Vec<Json>) -> Eval<()> {
        let name = method.name();
        let numeric_method = !matches!(method, Method::Type | Method::Size);
        if let (Kind::Array(elements), true, false) = (&item.kind, numeric_method, self.strict) {
            for element in elements {
                self.method(method, element, out)?;
            }
            return Ok(());
        }
        match method {
            Method::Type => out.push(string(item.type_name().into())),
            Method::Size => match &item.kind {
                Kind::Array(elements) => out.push(number(Numeric::from(elements.len() as i64))),
                _ if self.strict => {
                    return Err(err(
                        "22039",
                        "jsonpath item method .size() can only be applied to an array",
                    ))
                }
                _ => out.push(number(Numeric::from(1))),
            },
            Method::Double => {
                let bad_string = || {
                    err(
                        "22036",
                        "string argument of jsonpath item method .double() is not a valid representation of a double precision number",
                    )
                };
                let f = match &item.kind {
                    Kind::Number(n) => Numeric::parse(n).map(|n| n.to_f64()).map_err(|_| bad_string())?,
                    Kind::String(s) => {
                        let f: f64 = s.trim().parse().map_err(|_| bad_string())?;
                        if !f.is_finite() {
                            return Err(bad_string());
                        }
                        f
                    }
                    _ => {
                        return Err(err(
                            "22036",
                            "jsonpath item method .double() can only be applied to a string or numeric value",
                        ))
                    }
                };
                if !f.is_finite() {
                    return Err(bad_string());
                }
                out.push(number(Numeric::from_f64(f, 15)));
            }
            Method::Ceiling | Method::Floor | Method::Abs => {
                let Some(n) = as_numeric(item) else {
                    return Err(err(
                        "22036",
                        format!(
                            "jsonpath item method .{name}() can only be applied to a numeric value"
                        ),
                    ));
                };
                out.push(number(match method {
                    Method::Ceiling => n.round(0, Rounding::Ceil)?,
                    Method::Floor => n.round(0, Rounding::Floor)?,
                    _ => n.abs(),
                }));
            }
        }
        Ok(())
    }

    /// A predicate's truth at `current`; errors of its operands make it unknown.
    fn truth(&self, node: &Node, current: &Json) -> Eval<Truth> {
        Ok(match node {
            Node::And(a, b) => match self.truth(a, current)? {
                Truth::False => Truth::False,
                left => match (left, self.truth(b, current)?) {
                    (_, Truth::False) => Truth::False,
                    (Truth::True, Truth::True) => Truth::True,
                    _ => Truth::Unknown,
                },
            },
            Node::Or(a, b) => match self.truth(a, current)? {
                Truth::True => Truth::True,
                left => match (left, self.truth(b, current)?) {
                    (_, Truth::True) => Truth::True,
                    (Truth::False, Truth::False) => Truth::False,
                    _ => Truth::Unknown,
                },
            },
            Node::Not(inner) => match self.truth(inner, current)? {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            Node::IsUnknown(inner) => Truth::of(self.truth(inner, current)? == Truth::Unknown),
            Node::Exists(inner) => match self.items(inner, current, None) {
                Ok(items) => Truth::of(!items.is_empty()),
                Err(_) => Truth::Unknown,
            },
            Node::Compare(cmp, left, right) => {
                let (Ok(left), Ok(right)) = (
                    self.unwrapped(left, current, None),
                    self.unwrapped(right, current, None),
                ) else {
                    return Ok(Truth::Unknown);
                };
                let mut found = false;
                let mut error = false;
                for a in &left {
                    for b in &right {
                        match compare(*cmp, a, b) {
                            Truth::True => {
                                if !self.strict {
                                    return Ok(Truth::True);
                                }
                                found = true;
                            }
                            Truth::Unknown => {
                                if self.strict {
                                    return Ok(Truth::Unknown);
                                }
                                error = true;
                            }
                            Truth::False => {}
                        }
                    }
                }
                if found {
                    Truth::True
                } else if error {
                    Truth::Unknown
                } else {
                    Truth::False
                }
            }
            Node::StartsWith(left, prefix) => {
                let (Ok(items), Ok(prefix)) = (
                    self.unwrapped(left, current, None),
                    self.items(prefix, current, None),
                ) else {
                    return Ok(Truth::Unknown);
                };
                let [Json {
                    kind: Kind::String(prefix),
                    ..
                }] = prefix.as_slice()
                else {
                    return Ok(Truth::Unknown);
                };
                self.any_string(&items, |s| s.starts_with(prefix.as_str()))?
            }
            Node::LikeRegex(left, regex) => {
                let Ok(items) = self.unwrapped(left, current, None) else {
                    return Ok(Truth::Unknown);
                };
                self.any_string(&items, |s| regex.0.is_match(s))?
            }
            // An expression where a predicate belongs (`$ ? (@.flag)`) is not one.
            _ => return Err(syntax_error(None, Some("("))),
        })
    }

    /// Whether some item is a string that passes `test` (a non-string: unknown).
    fn any_string(&self, items: &[Json], test: impl Fn(&str) -> bool) -> Eval<Truth> {
        let mut found = false;
        let mut error = false;
        for item in items {
            match &item.kind {
                Kind::String(s) if test(s) => {
                    if !self.strict {
                        return Ok(Truth::True);
                    }
                    found = true;
                }
                Kind::String(_) => {}
                _ => {
                    if self.strict {
                        return Ok(Truth::Unknown);
                    }
                    error = true;
                }
            }
        }
        Ok(if found {
            Truth::True
        } else if error {
            Truth::Unknown
        } else {
            Truth::False
        })
    }
}

/// `.**{first to last}`: `item` at `level`, then its members and elements a level down, in
/// document order.
fn recurse(item: &Json, level: u32, first: u32, last: u32, out: &mut Vec<Json>) {
    if level >= first {
        out.push(item.clone());
    }
    if level >= last {
        return;
    }
    match &item.kind {
        Kind::Array(elements) => {
            for element in elements {
                recurse(element, level + 1, first, last, out);
            }
        }
        Kind::Object(members) => {
            for (_, value) in members {
                recurse(value, level + 1, first, last, out);
            }
        }
        _ => {}
    }
}

/// One comparison of two items.
fn compare(cmp: Cmp, a: &Json, b: &Json) -> Truth {
    let order = match (&a.kind, &b.kind) {
        (Kind::Null, Kind::Null) => Ordering::Equal,
        (Kind::Null, _) | (_, Kind::Null) => return Truth::of(cmp == Cmp::Ne),
        (Kind::Bool(x), Kind::Bool(y)) => x.cmp(y),
        (Kind::Number(_), Kind::Number(_)) => match (as_numeric(a), as_numeric(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => return Truth::Unknown,
        },
        (Kind::String(x), Kind::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => return Truth::Unknown,
    };
    Truth::of(match cmp {
        Cmp::Eq => order == Ordering::Equal,
        Cmp::Ne => order != Ordering::Equal,
        Cmp::Lt => order == Ordering::Less,
        Cmp::Le => order != Ordering::Greater,
        Cmp::Gt => order == Ordering::Greater,
        Cmp::Ge => order != Ordering::Less,
    })
}

/// What a path function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathFunc {
    /// `jsonb_path_exists` and `@?`: whether the path yields any item (NULL on an error when
    /// silent).
    Exists,
    /// `jsonb_path_match` and `@@`: the single boolean the path yields.
    Match,
    /// `jsonb_path_query`: every item (a set-returning function).
    Query,
    /// `jsonb_path_query_array`: the items as one array.
    QueryArray,
    /// `jsonb_path_query_first`: the first item, or NULL.
    QueryFirst,
}

impl PathFunc {
    pub fn named(name: &str) -> Option<PathFunc> {
        Some(match name {
            "jsonb_path_exists" => PathFunc::Exists,
            "jsonb_path_match" => PathFunc::Match,
            "jsonb_path_query" => PathFunc::Query,
            "jsonb_path_query_array" => PathFunc::QueryArray,
            "jsonb_path_query_first" => PathFunc::QueryFirst,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            PathFunc::Exists => "jsonb_path_exists",
            PathFunc::Match => "jsonb_path_match",
            PathFunc::Query => "jsonb_path_query",
            PathFunc::QueryArray => "jsonb_path_query_array",
            PathFunc::QueryFirst => "jsonb_path_query_first",
        }
    }
}

/// The items `path` yields over the jsonb document `doc` with variables `vars` (a jsonb
/// object); `None` when an error was suppressed (`silent`).
pub fn query(
    doc: &str,
    path: &str,
    vars: Option<&str>,
    silent: bool,
) -> SqlResult<Option<Vec<Json>>> {
    let path = parse(path)?;
    let root = crate::json::parse(doc, "jsonb")?;
    let vars = match vars {
        Some(vars) => {
            let vars = crate::json::parse(vars, "jsonb")?;
            if !matches!(vars.kind, Kind::Object(_)) {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "\"vars\" argument is not an object",
                )
                .with_detail(
                    "Jsonpath parameters should be encoded as key-value pairs of \"vars\" object.",
                ));
            }
            Some(vars)
        }
        None => None,
    };
    let ctx = Ctx {
        root: &root,
        vars: vars.as_ref(),
        strict: path.strict,
    };
    match ctx.items(&path.expr, &root, None) {
        Ok(items) => Ok(Some(items)),
        Err(_) if silent => Ok(None),
        Err(error) => Err(error),
    }
}

/// A path function over text arguments: the jsonb document, the path, the variables (NULL:
/// none) and `silent`. Returns the rows (one value each) of `jsonb_path_query`, or one row.
pub fn call(
    func: PathFunc,
    doc: &str,
    path: &str,
    vars: Option<&str>,
    silent: bool,
) -> SqlResult<Vec<crate::types::Value>> {
    use crate::types::Value;
    let items = query(doc, path, vars, silent)?;
    let jsonb = |item: &Json| Value::Text(item.to_text());
    Ok(match (func, items) {
        (PathFunc::Query, items) => items.unwrap_or_default().iter().map(jsonb).collect(),
        (_, None) => vec![Value::Null],
        (PathFunc::Exists, Some(items)) => vec![Value::Bool(!items.is_empty())],
        (PathFunc::Match, Some(items)) => match items.as_slice() {
            [Json {
                kind: Kind::Bool(b),
                ..
            }] => vec![Value::Bool(*b)],
            [Json {
                kind: Kind::Null, ..
            }] => vec![Value::Null],
            _ if silent => vec![Value::Null],
            _ => return Err(SqlError::new("22038", "single boolean result is expected")),
        },
        (PathFunc::QueryArray, Some(items)) => vec![jsonb(&Json {
            kind: Kind::Array(items),
            span: (0, 0),
        })],
        (PathFunc::QueryFirst, Some(items)) => {
            vec![items.first().map_or(Value::Null, jsonb)]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(doc: &str, path: &str) -> Vec<String> {
        query(doc, path, None, false)
            .unwrap()
            .unwrap()
            .iter()
            .map(Json::to_text)
            .collect()
    }

    #[test]
    fn lax_paths_unwrap_and_strict_paths_raise() {
        let doc = r#"{"a": [{"b": 1}, {"b": 2}, 3], "c": {"d": "x"}}"#;
        assert_eq!(run(doc, "$.a.b"), ["1", "2"]);
        assert_eq!(run(doc, "$.a[*] ? (@ > 1)"), ["3"]);
        assert_eq!(run(doc, "$.a[last]"), ["3"]);
        assert_eq!(run(doc, "$.a[0 to 1].b"), ["1", "2"]);
        assert_eq!(run(doc, "$.c.d[0]"), [r#""x""#]);
        assert!(run(doc, "$.missing").is_empty());
        let e = query(doc, "strict $.missing", None, false).unwrap_err();
        assert_eq!(e.code, "2203A");
        assert_eq!(query(doc, "strict $.missing", None, true).unwrap(), None);
        assert_eq!(
            run(doc, "$.**{2}"),
            ["{\"b\": 1}", "{\"b\": 2}", "3", "\"x\""]
        );
    }

    #[test]
    fn predicates_are_three_valued() {
        assert_eq!(run(r#"[1, "a", null]"#, "$[*] ? (@ == null)"), ["null"]);
        assert_eq!(run(r#"[1, "a", null]"#, "$[*] ? (@ != 1)"), ["null"]);
        assert_eq!(run(r#""x""#, "$ < 1"), ["null"]);
        assert_eq!(
            run(r#"[1, "x"]"#, "$[*] ? ((@ > 0) is unknown)"),
            [r#""x""#]
        );
        assert_eq!(run(r#""abc""#, r#"$ ? (@ starts with "ab")"#), [r#""abc""#]);
        assert_eq!(
            run(r#"{"a":"X"}"#, r#"$.a ? (@ like_regex "x" flag "i")"#),
            [r#""X""#]
        );
        assert_eq!(
            run("[{\"a\":1},{\"b\":2}]", "$ ? (exists(@.a))"),
            ["{\"a\": 1}"]
        );
    }

    #[test]
    fn arithmetic_needs_single_numbers() {
        assert_eq!(
            run("1", "1 + 2 * 3 - 4 % 3 / 2"),
            ["6.50000000000000000000"]
        );
        assert_eq!(run("[1, 2]", "- $"), ["-1", "-2"]);
        assert_eq!(
            query("[1, 2]", "$ + 1", None, false).unwrap_err().code,
            "22038"
        );
        assert_eq!(query("1", "$ / 0", None, false).unwrap_err().code, "22012");
        assert_eq!(run(r#""1.5e1""#, "$.double()"), ["15"]);
        assert_eq!(run("[1.5, -2]", "$.ceiling()"), ["2", "-2"]);
    }

    #[test]
    fn syntax_errors_name_the_token() {
        let e = parse("$.a ? (@ ==)").unwrap_err();
        assert_eq!(e.code, code::SYNTAX_ERROR);
        assert_eq!(e.message, "syntax error at or near \")\" of jsonpath input");
        let e = parse("$.a +").unwrap_err();
        assert_eq!(e.message, "syntax error at end of jsonpath input");
        assert!(parse("$.a ? (@ like_regex \"x\" flag \"z\")").is_err());
        assert!(parse("strict $.a[*].b ? (@.c == \"x\" && !(@.d < 1))").is_ok());
        // Nesting past the limit is an error, not a stack overflow.
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(parse(&deep).unwrap_err().code, "54001");
        assert_eq!(parse(&"-".repeat(100_000)).unwrap_err().code, "54001");
        assert!(parse(&format!("{}1{}", "(".repeat(50), ")".repeat(50))).is_ok());
    }
}
