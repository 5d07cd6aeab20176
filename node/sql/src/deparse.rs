//! Stored expressions printed as PostgreSQL prints them (its `ruleutils.c`): what
//! `pg_get_expr`, `pg_get_constraintdef` and psql's `\d` show for a default or a CHECK
//! constraint.
//!
//! PostgreSQL keeps an expression as its analyzed tree and prints it back from that tree, so
//! what it shows is not what was written: every coercion the parser added shows as a cast
//! (`b >= 0` on a numeric column prints `(b >= (0)::numeric)`), an untyped literal carries the
//! type it was given (`'x'::text`), `LIKE` is the operator `~~`, `IN (...)` is `= ANY
//! (ARRAY[...])`, `BETWEEN` is two comparisons. The binder builds a [`Node`] tree of that shape
//! from the statement's syntax with PostgreSQL's typing (`bind::deparse`); this module prints it.
//!
//! Two forms, as ruleutils has them:
//! - plain (`pretty` false): every operator, boolean and test node in its own parentheses, a
//!   cast's argument in parentheses unless it is a constant of the cast's own type;
//! - pretty (`pg_get_expr(e, rel, true)`, psql): parentheses only where precedence needs them
//!   (ruleutils' `isSimpleNode`: `+ -` below `* / %` need none, a left operand of equal
//!   priority none, an AND inside an OR none ...).
//!
//! Both break CASE over lines as PostgreSQL's PRETTYFLAG_INDENT does (`pg_get_expr` and
//! `pg_get_constraintdef` set it in either form).

use crate::types::DataType;

/// A node of PostgreSQL's analyzed expression tree, as far as printing tells them apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A column, already quoted (and qualified where the context wants it).
    Var(String),
    /// A column of a domain (over a base type): printed as a column, but relabeled to the base
    /// type where an operator or function takes it (`(total)::numeric`), as PostgreSQL's
    /// parser does.
    DomainVar(String, DataType),
    /// A constant: its text in the type's output form (None: NULL) and its type.
    Const(Option<String>, DataType),
    /// A coercion: `(arg)::type`. `implicit`: added by the parser (hidden at the top of a
    /// default's expression); `relabel`: a binary-compatible one (varchar to text) or one
    /// through text (PostgreSQL's CoerceViaIO), which ruleutils treats as simple exactly when
    /// its argument is.
    Cast {
        arg: Box<Node>,
        to: DataType,
        /// The target's modifier shows (`::character varying(5)`, a length coercion).
        typmod: bool,
        implicit: bool,
        relabel: bool,
    },
    /// An operator: binary (`left` Some) or prefix.
    Op {
        op: String,
        left: Option<Box<Node>>,
        right: Box<Node>,
    },
    /// AND / OR over two or more arguments (PostgreSQL flattens `a AND b AND c`).
    Bool(BoolOp, Vec<Node>),
    Not(Box<Node>),
    /// `arg IS [NOT] NULL`.
    NullTest(Box<Node>, bool),
    /// `arg IS [NOT] TRUE/FALSE/UNKNOWN`: the test's words.
    BoolTest(Box<Node>, &'static str),
    /// `a IS DISTINCT FROM b`.
    Distinct(Box<Node>, Box<Node>),
    /// `left op ANY/ALL (right)`.
    ArrayOp {
        left: Box<Node>,
        op: String,
        all: bool,
        right: Box<Node>,
    },
    /// `ARRAY[...]`.
    Array(Vec<Node>),
    /// A function call: `name(args)`.
    Func(String, Vec<Node>),
    /// A function PostgreSQL prints in the standard's syntax: the keyword, then each argument
    /// after its word (`SUBSTRING(b FROM 1 FOR 2)`: "", " FROM ", " FOR ").
    Syntax(&'static str, Vec<(&'static str, Node)>),
    /// A keyword that reads a value (`CURRENT_DATE`).
    Keyword(&'static str),
    /// `COALESCE(...)`, `GREATEST(...)`, `LEAST(...)`: the keyword and the arguments.
    Variadic(&'static str, Vec<Node>),
    /// `NULLIF(a, b)`.
    NullIf(Box<Node>, Box<Node>),
    /// A searched CASE: the WHEN/THEN pairs and the ELSE (a typed NULL when none was given).
    Case(Vec<(Node, Node)>, Box<Node>),
    /// A subquery in an expression (ruleutils' `get_sublink_expr`): scalar (`( SELECT ..)`),
    /// EXISTS, or a test of `left` against its rows (`= ANY` printed as IN). The query is
    /// printed already, plain and pretty, as a view's query at the top level; its lines after
    /// the first move in by the 8 columns a nested query adds.
    Sublink {
        kind: SublinkKind,
        plain: String,
        pretty: String,
    },
    /// A window function call: `call OVER window`, the window printed already (a name, or
    /// its definition in parentheses), plain and pretty.
    Over {
        call: Box<Node>,
        plain: String,
        pretty: String,
    },
}

/// What a [`Node::Sublink`] asks of its query.
#[derive(Debug, Clone, PartialEq)]
pub enum SublinkKind {
    /// Its one value.
    Scalar,
    Exists,
    /// `left op ANY (query)`, or `op ALL` when `all`.
    Test {
        left: Box<Node>,
        op: String,
        all: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

/// PostgreSQL's names of a type in a cast (`format_type`), without its modifier: `character
/// varying`, `bpchar` (char(n) without its length), `numeric`, `integer[]` ...
pub fn type_label(ty: DataType) -> String {
    match ty {
        DataType::Varchar(_) => "character varying".into(),
        DataType::Char(_) => "bpchar".into(),
        DataType::Array(elem) => format!("{}[]", type_label(elem.ty())),
        other => other.expression_type().name(),
    }
}

/// Whether two types are one type of PostgreSQL's, modifiers aside (varchar(5) and varchar,
/// numeric(10,2) and numeric).
pub fn same_type(a: DataType, b: DataType) -> bool {
    type_label(a) == type_label(b)
}

/// The node a parent passes down when it prints a child, for ruleutils' `isSimpleNode`.
#[derive(Clone, Copy)]
enum Parent<'a> {
    /// A binary operator; `first`: the child is its left operand.
    Op(&'a str, bool),
    /// A prefix operator.
    Prefix,
    Bool(Option<BoolOp>),
    /// A cast (FuncExpr or RelabelType with a cast's form).
    Cast,
    /// Anything else (tests, `= ANY`).
    Other,
}

/// Prints `node` in the plain form (`pretty` false) or the pretty one; `implicit`: whether a
/// cast the parser added at its top shows (false for a column default and a CHECK constraint,
/// as ruleutils' `showimplicit`).
pub fn print(node: &Node, pretty: bool, implicit: bool) -> String {
    print_at(node, pretty, implicit, 0)
}

/// [`print()`] at an indentation level (a CASE inside a view's query breaks to it).
pub fn print_at(node: &Node, pretty: bool, implicit: bool, indent: usize) -> String {
    let mut p = Printer {
        out: String::new(),
        pretty,
        indent,
    };
    p.expr(node, implicit);
    p.out
}

/// ruleutils' `appendContextKeyword` on a whole text: trailing spaces removed, a new line
/// indented by `spaces`, then `word`.
pub fn keyword_line(out: &mut String, word: &str, spaces: usize) {
    while out.ends_with(' ') {
        out.pop();
    }
    out.push('\n');
    out.push_str(&" ".repeat(spaces));
    out.push_str(word);
}

struct Printer {
    out: String,
    pretty: bool,
    indent: usize,
}

impl Printer {
    /// ruleutils' `get_rule_expr_paren`: parentheses in pretty form where `node` is not simple
    /// under `parent`.
    fn paren(&mut self, node: &Node, implicit: bool, parent: Parent<'_>) {
        let need = self.pretty && !simple(node, parent);
        if need {
            self.out.push('(');
        }
        self.expr(node, implicit);
        if need {
            self.out.push(')');
        }
    }

    fn open(&mut self) {
        if !self.pretty {
            self.out.push('(');
        }
    }

    fn close(&mut self) {
        if !self.pretty {
            self.out.push(')');
        }
    }

    /// ruleutils' `appendContextKeyword`: a new line indented to the current level (trailing
    /// spaces removed first), then the keyword.
    fn keyword(&mut self, word: &str, before: isize, after: isize) {
        self.indent = (self.indent as isize + before).max(0) as usize;
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push('\n');
        self.out.push_str(&" ".repeat(self.indent));
        self.out.push_str(word);
        self.indent = (self.indent as isize + after).max(0) as usize;
    }

    fn list(&mut self, args: &[Node]) {
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(arg, true);
        }
    }

    /// ruleutils' `get_rule_expr`.
    fn expr(&mut self, node: &Node, implicit: bool) {
        match node {
            Node::Var(name) | Node::DomainVar(name, _) => self.out.push_str(name),
            Node::Const(text, ty) => self.constant(text.as_deref(), *ty, true),
            Node::Cast {
                arg,
                to,
                typmod,
                implicit: added,
                ..
            } => {
                if *added && !implicit {
                    self.paren(arg, false, Parent::Cast);
                    return;
                }
                // A constant of the cast's own type prints bare before it (a length coercion
                // of a literal: `'abc'::character varying(5)`).
                match arg.as_ref() {
                    Node::Const(text, ty) if same_type(*ty, *to) => {
                        self.constant(text.as_deref(), *ty, false);
                    }
                    _ => {
                        self.open();
                        self.paren(arg, false, Parent::Cast);
                        self.close();
                    }
                }
                self.out.push_str("::");
                self.out
                    .push_str(&if *typmod { to.name() } else { type_label(*to) });
            }
            Node::Op { op, left, right } => {
                self.open();
                match left {
                    Some(left) => {
                        self.paren(left, true, Parent::Op(op, true));
                        self.out.push(' ');
                        self.out.push_str(op);
                        self.out.push(' ');
                        self.paren(right, true, Parent::Op(op, false));
                    }
                    None => {
                        self.out.push_str(op);
                        self.out.push(' ');
                        self.paren(right, true, Parent::Prefix);
                    }
                }
                self.close();
            }
            Node::Bool(op, args) => {
                self.open();
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(match op {
                            BoolOp::And => " AND ",
                            BoolOp::Or => " OR ",
                        });
                    }
                    self.paren(arg, false, Parent::Bool(Some(*op)));
                }
                self.close();
            }
            Node::Not(arg) => {
                self.open();
                self.out.push_str("NOT ");
                self.paren(arg, false, Parent::Bool(None));
                self.close();
            }
            Node::NullTest(arg, negated) => {
                self.open();
                self.paren(arg, true, Parent::Other);
                self.out
                    .push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
                self.close();
            }
            Node::BoolTest(arg, test) => {
                self.open();
                self.paren(arg, false, Parent::Other);
                self.out.push(' ');
                self.out.push_str(test);
                self.close();
            }
            Node::Distinct(left, right) => {
                self.open();
                self.paren(left, true, Parent::Other);
                self.out.push_str(" IS DISTINCT FROM ");
                self.paren(right, true, Parent::Other);
                self.close();
            }
            Node::ArrayOp {
                left,
                op,
                all,
                right,
            } => {
                self.open();
                self.paren(left, true, Parent::Other);
                self.out.push(' ');
                self.out.push_str(op);
                self.out.push_str(if *all { " ALL (" } else { " ANY (" });
                self.paren(right, true, Parent::Other);
                self.out.push(')');
                self.close();
            }
            Node::Array(elems) => {
                self.out.push_str("ARRAY[");
                self.list(elems);
                self.out.push(']');
            }
            Node::Func(name, args) => {
                self.out.push_str(name);
                self.out.push('(');
                self.list(args);
                self.out.push(')');
            }
            Node::Syntax(word, args) => {
                self.out.push_str(word);
                self.out.push('(');
                for (before, arg) in args {
                    self.out.push_str(before);
                    self.expr(arg, true);
                }
                self.out.push(')');
            }
            Node::Keyword(word) => self.out.push_str(word),
            Node::Variadic(word, args) => {
                self.out.push_str(word);
                self.out.push('(');
                self.list(args);
                self.out.push(')');
            }
            Node::NullIf(left, right) => {
                self.out.push_str("NULLIF(");
                self.list(&[left.as_ref().clone(), right.as_ref().clone()]);
                self.out.push(')');
            }
            Node::Sublink {
                kind,
                plain,
                pretty,
            } => {
                let query = if self.pretty { pretty } else { plain };
                // ruleutils prints the query at its own indentation level, eight columns in
                // from the one it is in (a view's top-level clauses are printed at level 8).
                let query = query.replace('\n', &format!("\n{}", " ".repeat(self.indent)));
                self.out.push('(');
                match kind {
                    SublinkKind::Scalar => {}
                    SublinkKind::Exists => self.out.push_str("EXISTS ("),
                    SublinkKind::Test { left, op, all } => {
                        self.expr(left, true);
                        match (op.as_str(), all) {
                            ("=", false) => self.out.push_str(" IN ("),
                            (op, all) => {
                                self.out.push(' ');
                                self.out.push_str(op);
                                self.out.push_str(if *all { " ALL (" } else { " ANY (" });
                            }
                        }
                    }
                }
                self.out.push_str(&query);
                self.out.push(')');
                if *kind != SublinkKind::Scalar {
                    self.out.push(')');
                }
            }
            Node::Over {
                call,
                plain,
                pretty,
            } => {
                self.expr(call, implicit);
                self.out.push_str(" OVER ");
                self.out.push_str(if self.pretty { pretty } else { plain });
            }
            Node::Case(whens, otherwise) => {
                self.keyword("CASE", 0, 4);
                for (when, then) in whens {
                    self.keyword("WHEN ", 0, 0);
                    self.expr(when, false);
                    self.out.push_str(" THEN ");
                    self.expr(then, true);
                }
                self.keyword("ELSE ", 0, 0);
                self.expr(otherwise, true);
                self.keyword("END", -4, 0);
            }
        }
    }

    /// ruleutils' `get_const_expr`: `labeled` false prints the value alone (showtype -1).
    fn constant(&mut self, text: Option<&str>, ty: DataType, labeled: bool) {
        let Some(text) = text else {
            self.out.push_str("NULL");
            if labeled {
                self.out.push_str("::");
                self.out.push_str(&type_label(ty));
            }
            return;
        };
        let mut label = true;
        match ty {
            DataType::Int4 if !text.starts_with('-') => {
                self.out.push_str(text);
                label = false;
            }
            DataType::Numeric | DataType::Decimal(..)
                if text.starts_with(|c: char| c.is_ascii_digit())
                    && text.contains(['e', 'E', '.']) =>
            {
                self.out.push_str(text);
                label = false;
            }
            DataType::Bool => {
                self.out.push_str(if text == "t" || text == "true" {
                    "true"
                } else {
                    "false"
                });
                label = false;
            }
            DataType::Unknown => {
                quote_literal(&mut self.out, text);
                label = false;
            }
            _ => quote_literal(&mut self.out, text),
        }
        if label && labeled {
            self.out.push_str("::");
            self.out.push_str(&type_label(ty));
        }
    }
}

/// ruleutils' `simple_quote_literal`: quotes doubled (and backslashes, which PostgreSQL
/// doubles only with standard_conforming_strings off: never here).
fn quote_literal(out: &mut String, text: &str) {
    out.push('\'');
    out.push_str(&text.replace('\'', "''"));
    out.push('\'');
}

/// Whether a binary operator is one of the arithmetic ones ruleutils knows the priority of:
/// Some(true) for `* / %`, Some(false) for `+ -`.
fn priority(op: &str) -> Option<bool> {
    match op {
        "*" | "/" | "%" => Some(true),
        "+" | "-" => Some(false),
        _ => None,
    }
}

/// ruleutils' `isSimpleNode`: whether `node` printed under `parent` in pretty form needs no
/// parentheses of its own.
fn simple(node: &Node, parent: Parent<'_>) -> bool {
    match node {
        Node::Var(_)
        | Node::DomainVar(..)
        | Node::Const(..)
        | Node::Func(..)
        | Node::Syntax(..)
        | Node::Keyword(_)
        | Node::Variadic(..)
        | Node::NullIf(..)
        | Node::Array(_)
        | Node::Case(..)
        | Node::Sublink { .. }
        | Node::Over { .. } => true,
        Node::Cast { arg, relabel, .. } => !relabel || simple(arg, Parent::Cast),
        Node::Op {
            op, left: Some(_), ..
        } => {
            if let Parent::Op(parent_op, first) = parent {
                let (Some(high), Some(parent_high)) = (priority(op), priority(parent_op)) else {
                    return false;
                };
                return match (high, parent_high) {
                    (true, false) => true,
                    (false, true) => false,
                    _ => first,
                };
            }
            under_separator(parent)
        }
        Node::Op { left: None, .. } => {
            // A prefix operator under a binary one: not one ruleutils names, so parenthesized.
            if matches!(parent, Parent::Op(..)) {
                return false;
            }
            under_separator(parent)
        }
        Node::NullTest(..) | Node::BoolTest(..) | Node::Distinct(..) => under_separator(parent),
        Node::Bool(op, _) => match parent {
            Parent::Bool(Some(parent_op)) => *op == BoolOp::And || parent_op == BoolOp::Or,
            Parent::Bool(None) => false,
            _ => under_separator(parent),
        },
        Node::Not(_) => match parent {
            Parent::Bool(Some(_)) => true,
            Parent::Bool(None) => false,
            _ => under_separator(parent),
        },
        Node::ArrayOp { .. } => false,
    }
}

/// The second half of `isSimpleNode` for operators and tests: simple as an operand of AND, OR
/// and NOT (lower precedence), never inside a cast. (Nodes with their own separators print
/// their arguments without asking: a function's, COALESCE's, CASE's.)
fn under_separator(parent: Parent<'_>) -> bool {
    matches!(parent, Parent::Bool(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str) -> Node {
        Node::Var(name.into())
    }

    fn int(v: &str) -> Node {
        Node::Const(Some(v.into()), DataType::Int4)
    }

    fn op(left: Node, op: &str, right: Node) -> Node {
        Node::Op {
            op: op.into(),
            left: Some(Box::new(left)),
            right: Box::new(right),
        }
    }

    #[test]
    fn arithmetic_keeps_parentheses_precedence_needs() {
        // ((a + (c * 2)) - (a - 1)) > -10
        let tree = op(
            op(
                op(var("a"), "+", op(var("c"), "*", int("2"))),
                "-",
                op(var("a"), "-", int("1")),
            ),
            ">",
            int("-10"),
        );
        assert_eq!(
            print(&tree, false, false),
            "(((a + (c * 2)) - (a - 1)) > '-10'::integer)"
        );
        assert_eq!(
            print(&tree, true, false),
            "(a + c * 2 - (a - 1)) > '-10'::integer"
        );
    }

    #[test]
    fn casts_and_booleans() {
        let cast = Node::Cast {
            arg: Box::new(int("0")),
            to: DataType::Numeric,
            typmod: false,
            implicit: true,
            relabel: false,
        };
        let tree = Node::Bool(
            BoolOp::Or,
            vec![
                Node::Not(Box::new(op(var("a"), "=", int("5")))),
                Node::Bool(
                    BoolOp::And,
                    vec![
                        op(var("b"), ">=", cast),
                        Node::NullTest(Box::new(var("b")), true),
                    ],
                ),
            ],
        );
        assert_eq!(
            print(&tree, false, false),
            "((NOT (a = 5)) OR ((b >= (0)::numeric) AND (b IS NOT NULL)))"
        );
        assert_eq!(
            print(&tree, true, false),
            "NOT a = 5 OR b >= 0::numeric AND b IS NOT NULL"
        );
    }
}
