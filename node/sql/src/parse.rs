//! From a query string to statements.
//!
//! A query string is first split at top-level semicolons by a lexer that knows PostgreSQL's quoting
//! (`'..'`, `E'..'`, `".."`, `$tag$..$tag$`, `--` and nested `/* */` comments), keeping each statement's
//! character offset so that error positions point into the string the client sent.
//!
//! Statements whose grammar sqlparser does not cover the way PostgreSQL does (transaction control,
//! `SET`/`SHOW`/`RESET`, `VACUUM`, `ANALYZE`, `COPY`, including pgbench's `COPY .. WITH (FREEZE ON)` and
//! `VACUUM ANALYZE t`) are read by the small hand parser here; everything else goes to sqlparser's
//! PostgreSqlDialect, whose errors are rewritten into PostgreSQL's `syntax error at or near "x"` form
//! with a position.

use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};

use crate::error::{code, SqlError, SqlResult};

/// One statement of a query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementText<'a> {
    pub text: &'a str,
    /// Character offset of `text` in the query string.
    pub offset: usize,
    /// Character offset of the `;` that ended the statement, if one did.
    pub semicolon: Option<usize>,
}

/// Splits a query string into statements (empty ones are dropped).
pub fn split_statements<'a>(sql: &'a str) -> Vec<StatementText<'a>> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut at = 0;
    let mut has_content = false;
    let push = |statements: &mut Vec<StatementText<'a>>, from: usize, to: usize| {
        let text = &sql[from..to];
        let lead = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        let semicolon = (sql.as_bytes().get(to) == Some(&b';')).then(|| sql[..to].chars().count());
        statements.push(StatementText {
            text: trimmed,
            offset: sql[..from + lead].chars().count(),
            semicolon,
        });
    };
    while at < bytes.len() {
        match bytes[at] {
            b'\'' => {
                let escapes = at > 0
                    && matches!(bytes[at - 1], b'e' | b'E')
                    && (at < 2 || !bytes[at - 2].is_ascii_alphanumeric());
                at += 1;
                while at < bytes.len() {
                    if escapes && bytes[at] == b'\\' {
                        at += 2;
                        continue;
                    }
                    if bytes[at] == b'\'' {
                        if at + 1 < bytes.len() && bytes[at + 1] == b'\'' {
                            at += 2;
                            continue;
                        }
                        break;
                    }
                    at += 1;
                }
                at += 1;
                has_content = true;
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += 1;
                }
                at += 1;
                has_content = true;
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let mut depth = 0;
                while at < bytes.len() {
                    if bytes[at] == b'/' && bytes.get(at + 1) == Some(&b'*') {
                        depth += 1;
                        at += 2;
                    } else if bytes[at] == b'*' && bytes.get(at + 1) == Some(&b'/') {
                        depth -= 1;
                        at += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        at += 1;
                    }
                }
            }
            b'$' => {
                // $tag$ ... $tag$ (tag empty or an identifier); `$1` is a parameter.
                let tag_end = sql[at + 1..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .map(|i| at + 1 + i);
                match tag_end {
                    Some(end) if bytes[end] == b'$' && !bytes[at + 1].is_ascii_digit() => {
                        let tag = &sql[at..=end];
                        at = match sql[end + 1..].find(tag) {
                            Some(close) => end + 1 + close + tag.len(),
                            None => bytes.len(),
                        };
                    }
                    _ => at += 1,
                }
                has_content = true;
            }
            b';' => {
                if has_content {
                    push(&mut statements, start, at);
                }
                at += 1;
                start = at;
                has_content = false;
            }
            b if b.is_ascii_whitespace() => at += 1,
            _ => {
                at += 1;
                has_content = true;
            }
        }
    }
    if has_content {
        push(&mut statements, start, bytes.len().min(at));
    }
    statements
}

impl StatementText<'_> {
    /// PostgreSQL parses the terminating `;` too, so "end of input" errors point at it.
    pub fn locate_end_error(&self, error: SqlError) -> SqlError {
        match self.semicolon {
            Some(at)
                if error.code == code::SYNTAX_ERROR
                    && error.message == "syntax error at end of input" =>
            {
                let mut error = error;
                error.message = "syntax error at or near \";\"".into();
                error.position = Some(at + 1);
                error
            }
            _ => error,
        }
    }
}

/// A token of the hand parser.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// An unquoted word, lower-cased.
    Word(String),
    /// A double-quoted identifier, case kept.
    Quoted(String),
    /// A string literal's value.
    Str(String),
    Number(String),
    Punct(char),
}

/// A token and its character offset within the statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub token: Token,
    pub offset: usize,
}

/// Tokenizes a statement for the hand parser.
pub fn lex(text: &str) -> SqlResult<Vec<Tok>> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let offset = at;
        if c.is_whitespace() {
            at += 1;
        } else if c == '-' && chars.get(at + 1) == Some(&'-') {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let mut word = String::new();
            while at < chars.len()
                && (chars[at].is_alphanumeric() || chars[at] == '_' || chars[at] == '$')
            {
                word.extend(chars[at].to_lowercase());
                at += 1;
            }
            tokens.push(Tok {
                token: Token::Word(word),
                offset,
            });
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(at + 1).is_some_and(char::is_ascii_digit))
        {
            let mut number = String::new();
            while at < chars.len() && (chars[at].is_ascii_alphanumeric() || chars[at] == '.') {
                number.push(chars[at]);
                at += 1;
            }
            tokens.push(Tok {
                token: Token::Number(number),
                offset,
            });
        } else if c == '\'' || c == '"' {
            let mut value = String::new();
            at += 1;
            loop {
                match chars.get(at) {
                    None => {
                        let what = if c == '\'' {
                            "unterminated quoted string"
                        } else {
                            "unterminated quoted identifier"
                        };
                        let rest: String = chars[offset..].iter().collect();
                        return Err(SqlError::syntax(format!("{what} at or near \"{rest}\""))
                            .at(Some(offset + 1)));
                    }
                    Some(&q) if q == c && chars.get(at + 1) == Some(&c) => {
                        value.push(c);
                        at += 2;
                    }
                    Some(&q) if q == c => {
                        at += 1;
                        break;
                    }
                    Some(&other) => {
                        value.push(other);
                        at += 1;
                    }
                }
            }
            tokens.push(Tok {
                token: if c == '\'' {
                    Token::Str(value)
                } else {
                    Token::Quoted(value)
                },
                offset,
            });
        } else {
            tokens.push(Tok {
                token: Token::Punct(c),
                offset,
            });
            at += 1;
        }
    }
    Ok(tokens)
}

/// Options of `COPY .. FROM STDIN` (text format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    pub delimiter: char,
    pub null: String,
    pub freeze: bool,
    /// FORMAT csv: quoted fields, HEADER, QUOTE and ESCAPE.
    pub csv: bool,
    pub header: bool,
    pub quote: char,
    pub escape: char,
    /// FORCE_QUOTE (COPY TO, csv): these columns' non-NULL values are always quoted.
    pub force_quote: Vec<String>,
    /// FORCE_QUOTE *.
    pub force_quote_all: bool,
    /// FORMAT binary: PostgreSQL's binary COPY stream (PGCOPY header, tuples of binary fields).
    pub binary: bool,
    delimiter_set: bool,
    null_set: bool,
    escape_set: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            delimiter: '\t',
            null: "\\N".into(),
            freeze: false,
            csv: false,
            header: false,
            quote: '"',
            escape: '"',
            force_quote: Vec::new(),
            force_quote_all: false,
            binary: false,
            delimiter_set: false,
            null_set: false,
            escape_set: false,
        }
    }
}

impl CopyOptions {
    /// Applies the format's defaults to what the statement left unset (CSV: comma, empty NULL,
    /// escape = quote) and checks the combination, as PostgreSQL does.
    fn finish(mut self) -> SqlResult<CopyOptions> {
        if self.binary {
            let given = [(self.delimiter_set, "DELIMITER"), (self.null_set, "NULL")];
            if let Some((_, option)) = given.iter().find(|(set, _)| *set) {
                return Err(SqlError::syntax(format!(
                    "cannot specify {option} in BINARY mode"
                )));
            }
            if self.header {
                return Err(SqlError::new(
                    code::FEATURE_NOT_SUPPORTED,
                    "cannot specify HEADER in BINARY mode",
                ));
            }
        }
        if self.csv {
            if !self.delimiter_set {
                self.delimiter = ',';
            }
            if !self.null_set {
                self.null = String::new();
            }
            if !self.escape_set {
                self.escape = self.quote;
            }
            if self.delimiter == self.quote {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    "COPY delimiter and quote must be different",
                ));
            }
        }
        Ok(self)
    }
}

/// Transaction isolation levels as written in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    ReadCommitted,
    RepeatableRead,
    Serializable,
}

/// Transaction characteristics given by BEGIN or SET TRANSACTION (None: not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TxnMode {
    pub isolation: Option<Isolation>,
    pub read_only: Option<bool>,
}

/// Where FETCH and MOVE go, PostgreSQL's four kinds: NEXT is `Forward(Some(1))`, PRIOR
/// `Backward(Some(1))`, FIRST `Absolute(1)`, LAST `Absolute(-1)`, a bare count `Forward`;
/// `None` is ALL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchDirection {
    Forward(Option<i64>),
    Backward(Option<i64>),
    Absolute(i64),
    Relative(i64),
}

/// What DISCARD resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discard {
    /// Everything below, and the session's settings and role (a pooler's reset).
    All,
    /// Cached plans: Keel caches none beyond prepared statements, which PLANS keeps.
    Plans,
    /// currval/lastval.
    Sequences,
    /// The session's temporary tables.
    Temp,
}

/// A parsed statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// `start`: spelled START TRANSACTION (the command tag differs).
    Begin {
        mode: TxnMode,
        start: bool,
    },
    Commit,
    Rollback,
    Savepoint {
        name: String,
    },
    /// `DEALLOCATE [PREPARE] name | ALL` (None: all).
    Deallocate {
        name: Option<String>,
    },
    /// `CHECKPOINT`.
    Checkpoint,
    /// `DROP OWNED BY role [, ...] [CASCADE | RESTRICT]`.
    DropOwned {
        roles: Vec<String>,
        cascade: bool,
    },
    /// `REASSIGN OWNED BY role [, ...] TO role` (role names or current_user, current_role,
    /// session_user as words).
    ReassignOwned {
        from: Vec<String>,
        to: String,
    },
    /// `DISCARD ALL | PLANS | SEQUENCES | TEMP[ORARY]`.
    Discard {
        what: Discard,
    },
    /// `ROLLBACK TO [SAVEPOINT] name`.
    RollbackTo {
        name: String,
    },
    /// `RELEASE [SAVEPOINT] name`.
    Release {
        name: String,
    },
    /// `SET [SESSION|LOCAL] name {TO|=} value`; `None`: DEFAULT.
    Set {
        name: String,
        value: Option<String>,
        local: bool,
    },
    SetTransaction {
        mode: TxnMode,
    },
    Show {
        name: String,
    },
    /// `RESET name` or `RESET ALL` (`None`).
    Reset {
        name: Option<String>,
    },
    /// VACUUM and/or ANALYZE of the tables named (none: every table). VACUUM itself has
    /// nothing to do (undo is trimmed as snapshots end); ANALYZE gathers statistics.
    Maintenance {
        vacuum: bool,
        analyze: bool,
        tables: Vec<(String, usize)>,
        /// Per table, the columns listed after it (empty: all).
        columns: Vec<Vec<String>>,
    },
    Copy {
        table: String,
        table_offset: usize,
        columns: Vec<(String, usize)>,
        options: CopyOptions,
    },
    /// `PREPARE name [(types)] AS statement`: the statement's text and offset, the type names.
    Prepare {
        name: String,
        types: Vec<String>,
        statement: String,
        offset: usize,
    },
    /// `DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR [{WITH | WITHOUT}
    /// HOLD] FOR query`: the query's text and offset.
    Declare {
        name: String,
        /// `Some(true)`: SCROLL, `Some(false)`: NO SCROLL, None: as the query allows.
        scroll: Option<bool>,
        hold: bool,
        binary: bool,
        query: String,
        offset: usize,
    },
    /// `FETCH [direction] [FROM | IN] name`, or MOVE (`fetch: false`) with the same arguments.
    Fetch {
        name: String,
        direction: FetchDirection,
        fetch: bool,
    },
    /// `CLOSE name | ALL` (None: all).
    Close {
        name: Option<String>,
    },
    /// `EXECUTE name [(arguments)]`: the arguments' text and offset.
    Execute {
        name: String,
        args: Option<(String, usize)>,
    },
    /// `COPY table [(columns)] TO STDOUT` or `COPY (query) TO STDOUT`.
    CopyTo {
        source: CopySource,
        options: CopyOptions,
    },
    /// `SET CONSTRAINTS ALL | name, ... DEFERRED | IMMEDIATE` (no names: ALL).
    SetConstraints {
        names: Vec<String>,
        deferred: bool,
    },
    /// `ALTER SEQUENCE` (sqlparser has no such statement).
    AlterSequence(AlterSequence),
    /// `GRANT role, ... TO member, ... [WITH ADMIN OPTION]` or `REVOKE [ADMIN OPTION FOR]
    /// role, ... FROM member, ...` (sqlparser reads only privileges ON objects).
    GrantRole {
        grant: bool,
        roles: Vec<String>,
        members: Vec<String>,
        admin: bool,
        /// `GRANTED BY role` (as written: a name or `current_user` and its kin).
        grantor: Option<String>,
    },
    /// `ALTER ROLE | USER name [IN DATABASE db] SET name {TO | =} value | RESET name | ALL`
    /// (sqlparser reads one expression as the value, not a list like search_path's).
    /// Also `ALTER DATABASE db SET | RESET ...` (no role).
    RoleSetting {
        role: Option<String>,
        database: Option<String>,
        setting: Option<String>,
        value: Option<String>,
        /// `ALTER ROLE ALL`.
        all_roles: bool,
        /// `SET name FROM CURRENT`.
        from_current: bool,
    },
    /// `LOCK [TABLE] [ONLY] name [*], ... [IN mode MODE] [NOWAIT]` (sqlparser reads MySQL's
    /// LOCK TABLES only); ACCESS EXCLUSIVE when no mode is given.
    Lock {
        tables: Vec<(String, usize)>,
        mode: crate::locks::LockMode,
        nowait: bool,
    },
    /// `ALTER TYPE name OWNER TO role` (sqlparser reads RENAME and ADD/RENAME VALUE only):
    /// the type's name (a catalog key when qualified) and the role.
    AlterTypeOwner {
        name: (String, usize),
        role: String,
    },
    /// `ALTER TYPE name` with attribute actions, RENAME ATTRIBUTE or SET SCHEMA (sqlparser
    /// reads RENAME TO and ADD/RENAME VALUE only): the name as written and the action.
    AlterType {
        name: Piece,
        action: TypeAlteration,
    },
    /// `ALTER VIEW [IF EXISTS] name RENAME TO new` (sqlparser reads ALTER VIEW ... AS only).
    RenameView {
        name: (String, usize),
        if_exists: bool,
        to: String,
    },
    /// `ALTER TABLE [IF EXISTS] [ONLY] name ALTER [COLUMN] column` with identity actions (SET
    /// GENERATED, SET sequence option, RESTART, DROP IDENTITY) or DROP EXPRESSION, one or more
    /// separated by commas (sqlparser reads ADD GENERATED only).
    AlterIdentity {
        table: (String, usize),
        if_exists: bool,
        actions: Vec<IdentityAction>,
    },
    /// `ALTER TABLE [IF EXISTS] [ONLY] name SET LOGGED | UNLOGGED` or `RESET (parameter,
    /// ...)`, which sqlparser does not read.
    AlterStorage {
        table: (String, usize),
        if_exists: bool,
        change: StorageChange,
    },
    /// `REINDEX [(VERBOSE | CONCURRENTLY [boolean], ...)] INDEX | TABLE | SCHEMA | DATABASE |
    /// SYSTEM [CONCURRENTLY] name`.
    Reindex {
        target: ReindexTarget,
        name: (String, usize),
        concurrently: bool,
    },
    /// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]` (`data`: not NO DATA).
    Refresh {
        name: (String, usize),
        concurrently: bool,
        data: bool,
    },
    /// `ALTER TABLE | VIEW | MATERIALIZED VIEW | SEQUENCE [IF EXISTS] name SET SCHEMA schema`
    /// (`tag`: the command's), which sqlparser does not read.
    SetSchema {
        tag: &'static str,
        name: (String, usize),
        if_exists: bool,
        schema: String,
    },
    /// `CLUSTER [VERBOSE] [table [USING index]]` (also `CLUSTER (VERBOSE) ...`).
    Cluster {
        table: Option<(String, usize)>,
        index: Option<String>,
    },
    /// `ALTER VIEW [IF EXISTS] name OWNER TO role`.
    ViewOwner {
        name: (String, usize),
        if_exists: bool,
        role: String,
    },
    /// CREATE, ALTER and DROP DOMAIN (sqlparser reads only some of their forms).
    Domain(DomainStatement),
    Sql(Box<Statement>),
}

/// A piece of SQL text inside a hand-parsed statement (an expression, a type) and the
/// character offset it starts at.
pub type Piece = (String, usize);

/// What an `ALTER TYPE` the hand parser reads does (see [`Parsed::AlterType`]).
#[derive(Debug, Clone, PartialEq)]
pub enum TypeAlteration {
    /// `action [, action]...` on a composite type's attributes.
    Attributes(Vec<AttributeAction>),
    /// `RENAME ATTRIBUTE a TO b`.
    RenameAttribute { from: String, to: String },
    /// `SET SCHEMA s`.
    SetSchema(String),
}

/// One attribute action of `ALTER TYPE` (CASCADE and RESTRICT are read and change nothing:
/// Keel has no typed tables for them to reach).
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeAction {
    /// `ADD ATTRIBUTE name type [COLLATE c]`.
    Add {
        name: String,
        ty: Piece,
        collation: Option<String>,
    },
    /// `DROP ATTRIBUTE [IF EXISTS] name`.
    Drop { name: String, if_exists: bool },
    /// `ALTER ATTRIBUTE name [SET DATA] TYPE type [COLLATE c]`.
    Alter {
        name: String,
        ty: Piece,
        collation: Option<String>,
    },
}

/// `CREATE DOMAIN`, `ALTER DOMAIN` or `DROP DOMAIN` (see `crate::domains`); names are as written
/// (`s.d`, `"D"`), for the binder to read as it reads any object name.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainStatement {
    /// `CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT expr] [constraint ...]`.
    Create {
        name: Piece,
        base: Piece,
        collation: Option<String>,
        default: Option<Piece>,
        constraints: Vec<DomainConstraint>,
    },
    Alter {
        name: Piece,
        action: DomainAlteration,
    },
    /// `DROP DOMAIN [IF EXISTS] name [, ...] [CASCADE | RESTRICT]`.
    Drop {
        names: Vec<Piece>,
        if_exists: bool,
        cascade: bool,
    },
}

/// A domain constraint: `[CONSTRAINT name] { NOT NULL | NULL | CHECK (expr) }`.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainConstraint {
    NotNull(Option<String>),
    Null(Option<String>),
    Check {
        name: Option<String>,
        /// The condition, without the parentheses around it.
        condition: Piece,
        not_valid: bool,
    },
}

/// What an `ALTER DOMAIN` does.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainAlteration {
    /// `SET DEFAULT expr`, or `DROP DEFAULT` (None).
    Default(Option<Piece>),
    /// `SET NOT NULL` (true) or `DROP NOT NULL`.
    NotNull(bool),
    /// `ADD constraint [NOT VALID]`.
    Add(DomainConstraint),
    /// `DROP CONSTRAINT [IF EXISTS] name [CASCADE | RESTRICT]`.
    DropConstraint { name: String, if_exists: bool },
    /// `RENAME CONSTRAINT name TO new`.
    RenameConstraint { from: String, to: String },
    /// `VALIDATE CONSTRAINT name`.
    Validate(String),
    /// `RENAME TO new`.
    Rename(String),
    /// `OWNER TO role`.
    Owner(String),
    /// `SET SCHEMA schema`.
    SetSchema(String),
}

/// What a REINDEX rebuilds the indexes of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReindexTarget {
    Index,
    Table,
    Schema,
    Database,
    System,
}

impl ReindexTarget {
    /// As PostgreSQL's messages name it (`REINDEX SCHEMA cannot run inside ...`).
    pub fn word(self) -> &'static str {
        match self {
            ReindexTarget::Index => "INDEX",
            ReindexTarget::Table => "TABLE",
            ReindexTarget::Schema => "SCHEMA",
            ReindexTarget::Database => "DATABASE",
            ReindexTarget::System => "SYSTEM",
        }
    }
}

/// `ALTER SEQUENCE [IF EXISTS] name action`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlterSequence {
    pub name: String,
    /// Character offset of the name in the statement.
    pub offset: usize,
    pub if_exists: bool,
    pub action: SequenceAlteration,
}

/// What `ALTER [COLUMN] column ...` does to an identity column.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityAction {
    /// The column's name and offset.
    pub column: (String, usize),
    pub change: IdentityChange,
}

/// An identity column's change.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityChange {
    /// `SET GENERATED ALWAYS | BY DEFAULT` (`Some(true)`: ALWAYS), `SET` sequence options and
    /// `RESTART [[WITH] n]`, in any number.
    Set {
        always: Option<bool>,
        options: SequenceChanges,
    },
    /// `DROP IDENTITY [IF EXISTS]`.
    Drop { if_exists: bool },
    /// `DROP EXPRESSION [IF EXISTS]`: a stored generated column becomes a plain one, keeping
    /// its values (not an identity action, but sqlparser reads neither).
    DropExpression { if_exists: bool },
    /// `SET STATISTICS n`: the column's statistics target (-1: the default), which ANALYZE
    /// reads (neither is an identity action either).
    Statistics(i64),
    /// `SET STORAGE PLAIN | EXTERNAL | EXTENDED | MAIN`, as written (lower case).
    Storage(String),
}

/// What an `ALTER SEQUENCE` changes.
#[derive(Debug, Clone, PartialEq)]
pub enum SequenceAlteration {
    /// The options given (each `None` when not given).
    Options(SequenceChanges),
    RenameTo(String),
    /// A role name, or `current_user`, `current_role`, `session_user` (as words).
    OwnerTo(String),
}

/// Options of `ALTER SEQUENCE`: `None` leaves a setting as it is; for MINVALUE, MAXVALUE and
/// RESTART, `Some(None)` is `NO MINVALUE`, `NO MAXVALUE` and `RESTART` without a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SequenceChanges {
    pub data_type: Option<String>,
    pub increment: Option<i64>,
    pub min: Option<Option<i64>>,
    pub max: Option<Option<i64>>,
    pub start: Option<i64>,
    pub restart: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// `OWNED BY table.column` (`Some(None)`: `OWNED BY NONE`).
    pub owned_by: Option<Option<(String, String)>>,
}

/// What COPY TO writes out.
#[derive(Debug, Clone, PartialEq)]
pub enum CopySource {
    Table {
        table: String,
        table_offset: usize,
        columns: Vec<(String, usize)>,
    },
    /// The query's text and its character offset in the statement.
    Query { text: String, offset: usize },
}

/// A small cursor over hand-lexed tokens.
struct Cursor {
    tokens: Vec<Tok>,
    at: usize,
    len: usize,
    /// The text, for errors that quote a word as it was written.
    text: String,
}

impl Cursor {
    /// A cursor over `text`'s tokens, at the `at`th.
    fn new(text: &str, at: usize) -> SqlResult<Cursor> {
        Ok(Cursor {
            tokens: lex(text)?,
            at,
            len: text.chars().count(),
            text: text.to_string(),
        })
    }
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|tok| &tok.token)
    }
    fn offset(&self) -> usize {
        self.tokens.get(self.at).map_or(self.len, |tok| tok.offset)
    }
    fn word(&mut self, word: &str) -> bool {
        if self.peek() == Some(&Token::Word(word.to_string())) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    /// With a parenthesis at the cursor: the text of `text` up to its matching one, and that
    /// text's character offset (the cursor moves past it).
    fn parenthesized(&mut self, text: &str) -> SqlResult<Option<(String, usize)>> {
        if !self.punct('(') {
            return Ok(None);
        }
        let open = self.tokens[self.at - 1].offset;
        let mut depth = 1;
        while depth > 0 {
            match self.peek() {
                None => return Err(self.error()),
                Some(Token::Punct('(')) => depth += 1,
                Some(Token::Punct(')')) => depth -= 1,
                _ => {}
            }
            self.at += 1;
        }
        let close = self.tokens[self.at - 1].offset;
        let inner: String = text.chars().skip(open + 1).take(close - open - 1).collect();
        Ok(Some((inner, open + 1)))
    }
    fn punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Token::Punct(c)) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.at >= self.tokens.len()
    }
    /// PostgreSQL's syntax error at the current token.
    fn error(&self) -> SqlError {
        let position = Some(self.offset() + 1);
        match self.tokens.get(self.at) {
            None => SqlError::syntax("syntax error at end of input").at(position),
            Some(tok) => {
                let near = match &tok.token {
                    // As written (words are lower-cased as they are read).
                    Token::Word(w) => (self.text.chars().skip(tok.offset))
                        .take(w.chars().count())
                        .collect(),
                    Token::Number(w) => w.clone(),
                    Token::Quoted(q) => format!("\"{q}\""),
                    Token::Str(s) => format!("'{s}'"),
                    Token::Punct(c) => c.to_string(),
                };
                SqlError::syntax(format!("syntax error at or near \"{near}\"")).at(position)
            }
        }
    }
    fn expect_end(&self) -> SqlResult<()> {
        if self.done() {
            Ok(())
        } else {
            Err(self.error())
        }
    }
    /// `name [, name ...]`.
    fn ident_list(&mut self) -> SqlResult<Vec<String>> {
        let mut names = vec![self.ident()?.0];
        while self.punct(',') {
            names.push(self.ident()?.0);
        }
        Ok(names)
    }

    /// `OWNED BY role [, role ...]` (DROP OWNED, REASSIGN OWNED).
    fn owned_by(&mut self) -> SqlResult<Vec<String>> {
        if !(self.word("owned") && self.word("by")) {
            return Err(self.error());
        }
        self.ident_list()
    }

    fn ident(&mut self) -> SqlResult<(String, usize)> {
        let offset = self.offset();
        match self.peek().cloned() {
            Some(Token::Word(w)) | Some(Token::Quoted(w)) => {
                self.at += 1;
                Ok((w, offset))
            }
            _ => Err(self.error()),
        }
    }
    /// A possibly schema-qualified name, as a catalog key when qualified (`app.t`; see
    /// `catalog::qualify`) and bare otherwise, for `Catalog::resolve_written` to find along the
    /// search path. A `pg_catalog.` prefix is dropped (those names are the system's).
    fn qualified(&mut self) -> SqlResult<(String, usize)> {
        self.name(false)
    }

    /// A possibly schema-qualified name as written: [`Cursor::qualified`], except that an
    /// explicit `public.` stays, so that the binder finds it there whatever the search path
    /// (pg_dump's statements name `public.t` under an empty one); see `Binder::written_key`.
    fn written_name(&mut self) -> SqlResult<(String, usize)> {
        self.name(true)
    }

    /// [`Cursor::qualified`], or with `keep_public` [`Cursor::written_name`].
    fn name(&mut self, keep_public: bool) -> SqlResult<(String, usize)> {
        let (first, offset) = self.ident()?;
        let mut parts = vec![first];
        while self.punct('.') {
            parts.push(self.ident()?.0);
        }
        let name = match parts.as_slice() {
            [name] => name.clone(),
            [schema, name] if schema == "pg_catalog" => name.clone(),
            [.., schema, name] if keep_public && schema == crate::catalog::PUBLIC_SCHEMA => {
                format!("{schema}.{name}")
            }
            [.., schema, name] => crate::catalog::qualify(schema, name),
            [] => unreachable!("one part at least"),
        };
        Ok((name, offset))
    }
    /// A SET value: its items joined by ", ". In a list of names (`list`: search_path), a
    /// double-quoted name keeps its quotes when it needs them, as PostgreSQL shows it.
    /// A setting's name: `TIME ZONE` (timezone) or a possibly dotted identifier.
    fn setting_name(&mut self) -> SqlResult<String> {
        if self.word("time") {
            if !self.word("zone") {
                return Err(self.error());
            }
            return Ok("timezone".to_string());
        }
        let (mut name, _) = self.ident()?;
        while self.punct('.') {
            name = format!("{name}.{}", self.ident()?.0);
        }
        Ok(name)
    }

    fn setting_value(&mut self, list: bool) -> SqlResult<String> {
        let mut parts = Vec::new();
        loop {
            let negative = self.punct('-');
            let part = match self.peek().cloned() {
                Some(Token::Quoted(w)) if list => {
                    let plain = w.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                    if plain {
                        w
                    } else {
                        format!("\"{}\"", w.replace('"', "\"\""))
                    }
                }
                Some(Token::Word(w)) | Some(Token::Quoted(w)) | Some(Token::Str(w)) => w,
                Some(Token::Number(n)) => n,
                _ => return Err(self.error()),
            };
            self.at += 1;
            parts.push(if negative { format!("-{part}") } else { part });
            if !self.punct(',') {
                break;
            }
        }
        Ok(parts.join(", "))
    }
    /// `[WORK | TRANSACTION] [AND [NO] CHAIN]` after COMMIT or ROLLBACK.
    fn end_of_transaction(&mut self, command: &str) -> SqlResult<()> {
        let _ = self.word("work") || self.word("transaction");
        if self.word("and") {
            if self.word("chain") {
                return Err(SqlError::unsupported(format!("{command} AND CHAIN")));
            }
            if !(self.word("no") && self.word("chain")) {
                return Err(self.error());
            }
        }
        Ok(())
    }

    /// A possibly signed integer.
    fn integer(&mut self) -> SqlResult<i64> {
        let negative = self.punct('-');
        if !negative {
            self.punct('+');
        }
        let Some(Token::Number(digits)) = self.peek().cloned() else {
            return Err(self.error());
        };
        let text = if negative {
            format!("-{digits}")
        } else {
            digits
        };
        let value = text.parse::<i64>().map_err(|_| {
            SqlError::new(
                code::INVALID_PARAMETER_VALUE,
                format!("invalid sequence option value: {text}"),
            )
        })?;
        self.at += 1;
        Ok(value)
    }

    /// Sequence options in any order (CREATE and ALTER SEQUENCE, identity columns), from the
    /// cursor up to the first token that starts none: what they set, and the name a
    /// `SEQUENCE NAME` clause gives (only identity options may have one).
    /// The name comes with the offset of its clause.
    fn sequence_options(&mut self) -> SqlResult<(SequenceChanges, Option<(String, usize)>)> {
        let mut changes = SequenceChanges::default();
        let mut name = None;
        while self.sequence_option(&mut changes, &mut name)? {}
        Ok((changes, name))
    }

    /// One sequence option at the cursor into `changes` (a `SEQUENCE NAME` clause into `name`);
    /// false, reading nothing, when the token there starts none.
    fn sequence_option(
        &mut self,
        changes: &mut SequenceChanges,
        name: &mut Option<(String, usize)>,
    ) -> SqlResult<bool> {
        if self.word("as") {
            changes.data_type = Some(self.ident()?.0);
        } else if self.word("increment") {
            self.word("by");
            changes.increment = Some(self.integer()?);
        } else if self.word("minvalue") {
            changes.min = Some(Some(self.integer()?));
        } else if self.word("maxvalue") {
            changes.max = Some(Some(self.integer()?));
        } else if self.word("start") {
            self.word("with");
            changes.start = Some(self.integer()?);
        } else if self.word("restart") {
            let with = self.word("with");
            let value = if with
                || matches!(
                    self.peek(),
                    Some(Token::Number(_) | Token::Punct('-' | '+'))
                ) {
                Some(self.integer()?)
            } else {
                None
            };
            changes.restart = Some(value);
        } else if self.word("cache") {
            changes.cache = Some(self.integer()?);
        } else if self.word("cycle") {
            changes.cycle = Some(true);
        } else if self.word("no") {
            if self.word("minvalue") {
                changes.min = Some(None);
            } else if self.word("maxvalue") {
                changes.max = Some(None);
            } else if self.word("cycle") {
                changes.cycle = Some(false);
            } else {
                return Err(self.error());
            }
        } else if self.word("owned") {
            if !self.word("by") {
                return Err(self.error());
            }
            let mut parts = vec![self.ident()?.0];
            while self.punct('.') {
                parts.push(self.ident()?.0);
            }
            changes.owned_by = Some(match parts.as_slice() {
                [none] if none == "none" => None,
                [table @ .., column] if !table.is_empty() => {
                    Some((table.join("."), column.clone()))
                }
                _ => {
                    return Err(SqlError::syntax("invalid OWNED BY option")
                        .with_hint("Specify OWNED BY table.column or OWNED BY NONE."))
                }
            });
        } else if matches!(self.peek(), Some(Token::Word(w)) if w == "sequence") {
            let clause = self.offset();
            self.at += 1;
            if !self.word("name") {
                return Err(self.error());
            }
            *name = Some((self.qualified()?.0, clause));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// `IF EXISTS`, when it is at the cursor (IF alone is a syntax error).
    fn if_exists(&mut self) -> SqlResult<bool> {
        if !self.word("if") {
            return Ok(false);
        }
        if !self.word("exists") {
            return Err(self.error());
        }
        Ok(true)
    }

    /// What follows `ALTER SEQUENCE`.
    fn alter_sequence(&mut self) -> SqlResult<AlterSequence> {
        let if_exists = self.if_exists()?;
        let (name, offset) = self.qualified()?;
        let action = if self.word("rename") {
            if !self.word("to") {
                return Err(self.error());
            }
            SequenceAlteration::RenameTo(self.ident()?.0)
        } else if self.word("owner") {
            if !self.word("to") {
                return Err(self.error());
            }
            SequenceAlteration::OwnerTo(self.ident()?.0)
        } else if matches!(self.peek(), Some(Token::Word(w)) if w == "set") {
            return Err(SqlError::unsupported("ALTER SEQUENCE ... SET"));
        } else {
            let start = self.at;
            let (changes, name) = self.sequence_options()?;
            if self.at == start {
                return Err(self.error());
            }
            if let Some((_, clause)) = name {
                return Err(
                    SqlError::syntax("invalid sequence option SEQUENCE NAME").at(Some(clause + 1))
                );
            }
            SequenceAlteration::Options(changes)
        };
        self.expect_end()?;
        Ok(AlterSequence {
            name,
            offset,
            if_exists,
            action,
        })
    }

    /// The text from the cursor up to (not including) the first word of `stops` or comma
    /// outside parentheses, or the end, and its offset; None when there is none.
    fn text_until(&mut self, stops: &[&str]) -> Option<Piece> {
        let start = self.at;
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            match token {
                Token::Punct('(' | '[') => depth += 1,
                Token::Punct(')' | ']') => depth = depth.saturating_sub(1),
                Token::Punct(',') if depth == 0 => break,
                Token::Word(w) if depth == 0 && stops.contains(&w.as_str()) => break,
                _ => {}
            }
            self.at += 1;
        }
        if self.at == start {
            return None;
        }
        let from = self.tokens[start].offset;
        let to = self.offset();
        let piece: String = self.text.chars().skip(from).take(to - from).collect();
        Some((piece.trim_end().to_string(), from))
    }

    /// `ALTER TYPE`'s attribute actions, separated by commas.
    fn type_attribute_actions(&mut self) -> SqlResult<Vec<AttributeAction>> {
        const STOPS: &[&str] = &["collate", "cascade", "restrict"];
        let mut actions = Vec::new();
        loop {
            let action = if self.word("add") {
                if !self.word("attribute") {
                    return Err(self.error());
                }
                let name = self.ident()?.0;
                let ty = self.type_piece(STOPS)?;
                let collation = self.collation()?;
                AttributeAction::Add {
                    name,
                    ty,
                    collation,
                }
            } else if self.word("drop") {
                if !self.word("attribute") {
                    return Err(self.error());
                }
                let if_exists = self.if_exists()?;
                let name = self.ident()?.0;
                AttributeAction::Drop { name, if_exists }
            } else if self.word("alter") {
                if !self.word("attribute") {
                    return Err(self.error());
                }
                let name = self.ident()?.0;
                if self.word("set") && !self.word("data") {
                    return Err(self.error());
                }
                if !self.word("type") {
                    return Err(self.error());
                }
                let ty = self.type_piece(STOPS)?;
                let collation = self.collation()?;
                AttributeAction::Alter {
                    name,
                    ty,
                    collation,
                }
            } else {
                return Err(self.error());
            };
            actions.push(action);
            let _ = self.word("cascade") || self.word("restrict");
            if !self.punct(',') {
                return Ok(actions);
            }
        }
    }

    /// A type's text up to a comma or one of `stops` ([`Cursor::text_until`]).
    fn type_piece(&mut self, stops: &[&str]) -> SqlResult<Piece> {
        self.text_until(stops).ok_or_else(|| self.error())
    }

    /// `COLLATE name`, when one is at the cursor.
    fn collation(&mut self) -> SqlResult<Option<String>> {
        Ok(match self.word("collate") {
            true => Some(self.ident()?.0),
            false => None,
        })
    }

    /// A name as written (`s.d`, `"D"`): its text and offset.
    fn written_piece(&mut self) -> SqlResult<Piece> {
        let from = self.offset();
        self.ident()?;
        while self.punct('.') {
            self.ident()?;
        }
        let to = self.offset();
        let piece: String = self.text.chars().skip(from).take(to - from).collect();
        Ok((piece.trim_end().to_string(), from))
    }

    /// `[CONSTRAINT name] { NOT NULL | NULL | CHECK (expr) [NOT VALID] }`, when one is at the
    /// cursor.
    fn domain_constraint(&mut self) -> SqlResult<Option<DomainConstraint>> {
        let name = if self.word("constraint") {
            Some(self.ident()?.0)
        } else {
            None
        };
        if self.word("not") {
            if !self.word("null") {
                return Err(self.error());
            }
            return Ok(Some(DomainConstraint::NotNull(name)));
        }
        if self.word("null") {
            return Ok(Some(DomainConstraint::Null(name)));
        }
        if self.word("check") {
            let Some(condition) = self.parenthesized(&self.text.clone())? else {
                return Err(self.error());
            };
            let not_valid = self.peek() == Some(&Token::Word("not".into()))
                && self.tokens.get(self.at + 1).map(|t| &t.token)
                    == Some(&Token::Word("valid".into()));
            if not_valid {
                self.at += 2;
            }
            return Ok(Some(DomainConstraint::Check {
                name,
                condition,
                not_valid,
            }));
        }
        if name.is_some() || !self.done() {
            return Err(self.error());
        }
        Ok(None)
    }

    fn mode(&mut self) -> SqlResult<TxnMode> {
        let mut mode = TxnMode::default();
        loop {
            if self.word("isolation") {
                if !self.word("level") {
                    return Err(self.error());
                }
                mode.isolation = Some(if self.word("serializable") {
                    Isolation::Serializable
                } else if self.word("repeatable") {
                    if !self.word("read") {
                        return Err(self.error());
                    }
                    Isolation::RepeatableRead
                } else if self.word("read") {
                    if !(self.word("committed") || self.word("uncommitted")) {
                        return Err(self.error());
                    }
                    Isolation::ReadCommitted
                } else {
                    return Err(self.error());
                });
            } else if self.word("read") {
                mode.read_only = Some(if self.word("only") {
                    true
                } else if self.word("write") {
                    false
                } else {
                    return Err(self.error());
                });
            } else if self.word("not") || self.word("deferrable") {
                self.word("deferrable");
            } else {
                break;
            }
            self.punct(',');
        }
        Ok(mode)
    }
}

/// Parses one statement.
pub fn parse_statement(text: &str) -> SqlResult<Parsed> {
    let first_word = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let second_word = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .nth(1)
        .unwrap_or("")
        .to_ascii_lowercase();
    if first_word == "alter" {
        if let Some(set) = set_schema(text) {
            return set;
        }
    }
    if matches!(first_word.as_str(), "create" | "alter" | "drop") && second_word == "domain" {
        return domain_statement(text, &first_word);
    }
    let alter_sequence = first_word == "alter" && second_word == "sequence";
    // GRANT/REVOKE without ON before TO/FROM grants roles.
    let role_grant = matches!(first_word.as_str(), "grant" | "revoke")
        && !text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .take_while(|w| !w.eq_ignore_ascii_case("to") && !w.eq_ignore_ascii_case("from"))
            .any(|w| w.eq_ignore_ascii_case("on"));
    // ALTER ROLE | USER name [IN DATABASE db] SET | RESET ...
    let role_setting = first_word == "alter" && {
        let words: Vec<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .take(7)
            .map(str::to_ascii_lowercase)
            .collect();
        let at = |i: usize| words.get(i).map_or("", String::as_str);
        (matches!(at(1), "role" | "user" | "database") && matches!(at(3), "set" | "reset"))
            || (matches!(at(1), "role" | "user")
                && at(3) == "in"
                && at(4) == "database"
                && matches!(at(6), "set" | "reset"))
    };
    // DROP OWNED BY ...
    let drop_owned = first_word == "drop" && second_word == "owned";
    let hand = alter_sequence
        || role_grant
        || role_setting
        || drop_owned
        || matches!(
            first_word.as_str(),
            "begin"
                | "start"
                | "commit"
                | "end"
                | "rollback"
                | "abort"
                | "savepoint"
                | "release"
                | "deallocate"
                | "discard"
                | "checkpoint"
                | "reassign"
                | "set"
                | "show"
                | "reset"
                | "vacuum"
                | "analyze"
                | "analyse"
                | "copy"
                | "prepare"
                | "execute"
                | "lock"
                | "refresh"
                | "cluster"
                | "reindex"
                | "declare"
                | "fetch"
                | "move"
                | "close"
        );
    if !hand {
        let as_role = user_as_role(text, &first_word);
        let role_text = as_role.as_deref().unwrap_or(text);
        if let Some(unsigned) = negative_connection_limit(role_text) {
            let mut parsed = parse_with_sqlparser(&unsigned)?;
            if let Parsed::Sql(statement) = &mut parsed {
                negate_connection_limit(statement);
                if as_role.is_some() {
                    if let Statement::CreateRole { login, .. } = statement.as_mut() {
                        login.get_or_insert(true);
                    }
                }
            }
            return Ok(parsed);
        }
        // REVOKE GRANT OPTION FOR: sqlparser reads the REVOKE without those words (blanked, so
        // positions stay); the binder sees them in the statement's text.
        let blanked = revoke_grant_option(text);
        let text = blanked.as_deref().unwrap_or(text);
        if let Some(spelled_out) = all_column_privileges(text) {
            return parse_with_sqlparser(&spelled_out);
        }
        if blanked.is_some() {
            return parse_with_sqlparser(text);
        }
        if let Some(as_role) = as_role {
            let mut parsed = parse_with_sqlparser(&as_role)?;
            // CREATE USER is CREATE ROLE with LOGIN unless the options say otherwise.
            if let Parsed::Sql(statement) = &mut parsed {
                if let Statement::CreateRole { login, .. } = statement.as_mut() {
                    login.get_or_insert(true);
                }
            }
            return Ok(parsed);
        }
        if first_word == "create" {
            if let Some(at) = create_unlogged_at(text) {
                return parse_statement(&blank_ranges(text, &[(at, at + "unlogged".len())]));
            }
            if let Some(blanked) = blank_table_likes(text)? {
                return parse_statement(&blanked);
            }
        }
        if first_word == "alter" || first_word == "comment" {
            if let Some(table) = matview_as_table(text) {
                return parse_statement(&table);
            }
        }
        if first_word == "alter" {
            if let Some(rename) = rename_view(text) {
                return Ok(rename);
            }
            if let Some(identity) = alter_identity(text) {
                return identity;
            }
            if let Some(storage) = alter_storage(text) {
                return Ok(storage);
            }
            if let Some(owner) = alter_type_owner(text) {
                return Ok(owner);
            }
            if let Some(alter) = alter_type(text) {
                return alter;
            }
        }
        // FOR KEY SHARE (every foreign key check) and FOR NO KEY UPDATE are rewritten before
        // sqlparser sees them rather than after it fails on them.
        if says(text, "key share") || says(text, "key update") {
            if let Some(blanked) = locks_without_from(text) {
                return parse_statement(&blanked?);
            }
            match lock_clauses_for_sqlparser(text) {
                Some(Ok(rewritten)) => return parse_with_sqlparser(&rewritten),
                Some(Err(error)) => return Err(error),
                None => {}
            }
        }
        // ONLY is PostgreSQL's reserved word, never a table: blanked before sqlparser reads
        // it as one (with `name *`; Keel has no inheritance).
        let marks = inheritance_marks(text)?;
        if !marks.is_empty() {
            return parse_statement(&blank_ranges(text, &marks));
        }
        // SYMMETRIC after BETWEEN is PostgreSQL's reserved word, never a column: blanked before
        // sqlparser reads it as one.
        if says(text, "symmetric") && !between_symmetries(text).is_empty() {
            if let Some(blanked) = blank_for_sqlparser(text) {
                return parse_statement(&blanked);
            }
        }
        if let Some(merge) = merge_clauses(text) {
            let (_, rewritten) = merge?;
            let parsed = parse_with_sqlparser(&rewritten);
            if parsed.is_err() {
                if let Some(blanked) = blank_for_sqlparser(&rewritten) {
                    return parse_with_sqlparser(&blanked).or(parsed);
                }
            }
            return parsed;
        }
        let parsed = parse_with_sqlparser(text);
        if parsed.is_err() {
            if let Some(blanked) = locks_without_from(text) {
                return parse_statement(&blanked?);
            }
            match lock_clauses_for_sqlparser(text) {
                Some(Ok(rewritten)) => return parse_with_sqlparser(&rewritten).or(parsed),
                Some(Err(error)) => return Err(error),
                None => {}
            }
        }
        if parsed.is_err() {
            if let Some(error) = bad_frame_exclusion(text) {
                return Err(error);
            }
            if let Some(blanked) = blank_for_sqlparser(text) {
                return parse_statement(&blanked);
            }
        }
        if parsed.is_err() {
            if let Some(rewritten) = catalog_operators(text) {
                return parse_statement(&rewritten).or(parsed);
            }
        }
        if parsed.is_err() && matches!(first_word.as_str(), "insert" | "with") {
            if let Some(blanked) = blank_conflict_wheres(text) {
                return parse_with_sqlparser(&blanked).or(parsed);
            }
        }
        if parsed.is_err() && first_word == "create" {
            if let Some((blanked, found)) = view_options(text) {
                let mut parsed = parse_with_sqlparser(&blanked)?;
                if let Parsed::Sql(statement) = &mut parsed {
                    if let Statement::CreateView { options, .. } = statement.as_mut() {
                        set_view_options(options, found);
                    }
                }
                return Ok(parsed);
            }
            if let Some(reordered) = sequence_options_in_order(text) {
                return parse_with_sqlparser(&reordered).or(parsed);
            }
        }
        if parsed.is_err() && first_word == "alter" {
            if let Some(reordered) = identity_options_in_order(text) {
                return parse_with_sqlparser(&reordered?).or(parsed);
            }
        }
        if parsed.is_err() && (first_word == "create" || first_word == "alter") {
            if let Some(reordered) = identity_lists_in_order(text) {
                return parse_with_sqlparser(&reordered).or(parsed);
            }
        }
        return parsed;
    }
    let mut c = Cursor::new(text, 0)?;
    let parsed = match first_word.as_str() {
        "reindex" => {
            c.at = 1;
            let mut concurrently = false;
            if c.punct('(') {
                loop {
                    let (option, at) = c.ident()?;
                    // An option's value: a boolean word, or none (true).
                    let on = !(c.word("false") || c.word("off") || c.word("0"));
                    let _ = c.word("true") || c.word("on") || c.word("1");
                    match option.as_str() {
                        "verbose" => {}
                        "concurrently" => concurrently = on,
                        _ => {
                            return Err(SqlError::syntax(format!(
                                "unrecognized REINDEX option \"{option}\""
                            ))
                            .at(Some(at + 1)))
                        }
                    }
                    if !c.punct(',') {
                        break;
                    }
                }
                if !c.punct(')') {
                    return Err(c.error());
                }
            }
            let target = if c.word("index") {
                ReindexTarget::Index
            } else if c.word("table") {
                ReindexTarget::Table
            } else if c.word("schema") {
                ReindexTarget::Schema
            } else if c.word("database") {
                ReindexTarget::Database
            } else if c.word("system") {
                ReindexTarget::System
            } else {
                return Err(c.error());
            };
            concurrently |= c.word("concurrently");
            let name = match target {
                ReindexTarget::Index | ReindexTarget::Table => c.qualified()?,
                _ => c.ident()?,
            };
            Parsed::Reindex {
                target,
                name,
                concurrently,
            }
        }
        "cluster" => {
            c.at = 1;
            if c.punct('(') {
                loop {
                    if !c.word("verbose") {
                        return Err(c.error());
                    }
                    let _ = c.word("true") || c.word("false") || c.word("on") || c.word("off");
                    if !c.punct(',') {
                        break;
                    }
                }
                if !c.punct(')') {
                    return Err(c.error());
                }
            }
            let _ = c.word("verbose");
            let table = if c.done() {
                None
            } else {
                Some(c.written_name()?)
            };
            let index = match c.word("using") {
                true => Some(c.ident()?.0),
                false => None,
            };
            c.expect_end()?;
            Parsed::Cluster { table, index }
        }
        "refresh" => {
            c.at = 1;
            if !(c.word("materialized") && c.word("view")) {
                return Err(c.error());
            }
            let concurrently = c.word("concurrently");
            let name = c.qualified()?;
            let mut data = true;
            if c.word("with") {
                data = !c.word("no");
                if !c.word("data") {
                    return Err(c.error());
                }
            }
            Parsed::Refresh {
                name,
                concurrently,
                data,
            }
        }
        "lock" => {
            use crate::locks::LockMode;
            c.at = 1;
            let _ = c.word("table");
            let mut tables = Vec::new();
            loop {
                // `ONLY name` or `name *` (Keel has no inheritance: both are the table).
                let only = c.word("only");
                tables.push(c.qualified()?);
                if !only {
                    let _ = c.punct('*');
                }
                if !c.punct(',') {
                    break;
                }
            }
            let mut mode = LockMode::AccessExclusive;
            if c.word("in") {
                // `ACCESS` and `ROW` are each followed by SHARE or EXCLUSIVE.
                let pair = |c: &mut Cursor, shared, exclusive| {
                    if c.word("share") {
                        Ok(shared)
                    } else if c.word("exclusive") {
                        Ok(exclusive)
                    } else {
                        Err(c.error())
                    }
                };
                mode = if c.word("access") {
                    pair(&mut c, LockMode::AccessShare, LockMode::AccessExclusive)?
                } else if c.word("row") {
                    pair(&mut c, LockMode::RowShare, LockMode::RowExclusive)?
                } else if c.word("share") {
                    if c.word("update") {
                        if !c.word("exclusive") {
                            return Err(c.error());
                        }
                        LockMode::ShareUpdateExclusive
                    } else if c.word("row") {
                        if !c.word("exclusive") {
                            return Err(c.error());
                        }
                        LockMode::ShareRowExclusive
                    } else {
                        LockMode::Share
                    }
                } else if c.word("exclusive") {
                    LockMode::Exclusive
                } else {
                    return Err(c.error());
                };
                if !c.word("mode") {
                    return Err(c.error());
                }
            }
            let nowait = c.word("nowait");
            c.expect_end()?;
            Parsed::Lock {
                tables,
                mode,
                nowait,
            }
        }
        "grant" | "revoke" => {
            c.at = 1;
            let grant = first_word == "grant";
            let mut admin = false;
            if !grant && c.word("admin") {
                if !(c.word("option") && c.word("for")) {
                    return Err(c.error());
                }
                admin = true;
            }
            let roles = c.ident_list()?;
            if !c.word(if grant { "to" } else { "from" }) {
                return Err(c.error());
            }
            let _ = c.word("group");
            let members = c.ident_list()?;
            if grant && c.word("with") {
                if !(c.word("admin") && c.word("option")) {
                    return Err(c.error());
                }
                admin = true;
            }
            let mut grantor = None;
            if c.word("granted") {
                if !c.word("by") {
                    return Err(c.error());
                }
                grantor = Some(c.ident()?.0);
            }
            if !grant && c.word("cascade") {
                return Err(SqlError::unsupported("REVOKE ... CASCADE"));
            }
            let _ = !grant && c.word("restrict");
            c.expect_end()?;
            Parsed::GrantRole {
                grant,
                roles,
                members,
                admin,
                grantor,
            }
        }
        "alter"
            if c.tokens.get(1).is_some_and(|t| {
                matches!(&t.token, Token::Word(w) if w == "role" || w == "user" || w == "database")
            }) =>
        {
            c.at = 1;
            let of_database = c.word("database");
            c.at = 2;
            // ALTER ROLE ALL: every role (a role named "all" must be quoted).
            let all_roles =
                !of_database && matches!(c.peek(), Some(Token::Word(w)) if w == "all");
            let (name, _) = c.ident()?;
            let name = (!all_roles).then_some(name);
            let (role, database) = if of_database {
                (None, name)
            } else if c.word("in") {
                if !c.word("database") {
                    return Err(c.error());
                }
                (name, Some(c.ident()?.0))
            } else {
                (name, None)
            };
            let mut from_current = false;
            let (setting, value) = if c.word("reset") {
                if c.word("all") {
                    (None, None)
                } else {
                    (Some(c.ident()?.0), None)
                }
            } else if c.word("set") {
                let name = c.setting_name()?;
                if c.word("from") {
                    if !c.word("current") {
                        return Err(c.error());
                    }
                    c.expect_end()?;
                    from_current = true;
                    (Some(name), None)
                } else {
                if !(c.word("to") || c.punct('=')) {
                    return Err(c.error());
                }
                let value = if c.word("default") {
                    None
                } else {
                    Some(c.setting_value(name.eq_ignore_ascii_case("search_path"))?)
                };
                (Some(name), value)
                }
            } else {
                return Err(c.error());
            };
            c.expect_end()?;
            Parsed::RoleSetting {
                role,
                database,
                setting,
                value,
                all_roles,
                from_current,
            }
        }
        "alter" => {
            c.at = 2;
            Parsed::AlterSequence(c.alter_sequence()?)
        }
        "begin" => {
            c.at = 1;
            let _ = c.word("work") || c.word("transaction");
            Parsed::Begin {
                mode: c.mode()?,
                start: false,
            }
        }
        "start" => {
            c.at = 1;
            if !c.word("transaction") {
                return Err(c.error());
            }
            Parsed::Begin {
                mode: c.mode()?,
                start: true,
            }
        }
        "commit" | "end" => {
            c.at = 1;
            c.end_of_transaction("COMMIT")?;
            Parsed::Commit
        }
        "rollback" | "abort" => {
            c.at = 1;
            let _ = c.word("work") || c.word("transaction");
            if first_word == "rollback" && c.word("to") {
                let _ = c.word("savepoint");
                let (name, _) = c.ident()?;
                c.expect_end()?;
                return Ok(Parsed::RollbackTo { name });
            }
            c.end_of_transaction("ROLLBACK")?;
            Parsed::Rollback
        }
        "discard" => {
            c.at = 1;
            let what = if c.word("all") {
                Discard::All
            } else if c.word("plans") {
                Discard::Plans
            } else if c.word("sequences") {
                Discard::Sequences
            } else if c.word("temp") || c.word("temporary") {
                Discard::Temp
            } else {
                return Err(c.error());
            };
            c.expect_end()?;
            Parsed::Discard { what }
        }
        "checkpoint" => {
            c.at = 1;
            c.expect_end()?;
            Parsed::Checkpoint
        }
        "drop" => {
            c.at = 1;
            let roles = c.owned_by()?;
            let cascade = c.word("cascade");
            if !cascade {
                let _ = c.word("restrict");
            }
            c.expect_end()?;
            Parsed::DropOwned { roles, cascade }
        }
        "reassign" => {
            c.at = 1;
            let from = c.owned_by()?;
            if !c.word("to") {
                return Err(c.error());
            }
            let to = c.ident()?.0;
            c.expect_end()?;
            Parsed::ReassignOwned { from, to }
        }
        "deallocate" => {
            c.at = 1;
            let _ = c.word("prepare");
            let name = if c.word("all") {
                None
            } else {
                Some(c.ident()?.0)
            };
            c.expect_end()?;
            Parsed::Deallocate { name }
        }
        "prepare" | "execute" => {
            c.at = 1;
            let (name, _) = c.ident()?;
            let list = c.parenthesized(text)?;
            if first_word == "execute" {
                c.expect_end()?;
                return Ok(Parsed::Execute { name, args: list });
            }
            if !c.word("as") {
                return Err(c.error());
            }
            let Some(start) = c.tokens.get(c.at).map(|t| t.offset) else {
                return Err(c.error());
            };
            let types = list
                .map(|(types, _)| split_top_level(&types))
                .unwrap_or_default();
            return Ok(Parsed::Prepare {
                name,
                types,
                statement: text.chars().skip(start).collect(),
                offset: start,
            });
        }
        "declare" => {
            c.at = 1;
            let (name, _) = c.ident()?;
            let (mut scroll, mut binary) = (None, false);
            loop {
                if c.word("binary") {
                    binary = true;
                } else if c.word("asensitive") || c.word("insensitive") {
                } else if c.word("scroll") {
                    scroll = Some(true);
                } else if c.word("no") {
                    if !c.word("scroll") {
                        return Err(c.error());
                    }
                    scroll = Some(false);
                } else {
                    break;
                }
            }
            if !c.word("cursor") {
                return Err(c.error());
            }
            let hold = c.word("with");
            if (hold || c.word("without")) && !c.word("hold") {
                return Err(c.error());
            }
            if !c.word("for") {
                return Err(c.error());
            }
            // PostgreSQL's grammar takes a SELECT (or VALUES, TABLE, a parenthesized one) here.
            match c.peek() {
                Some(Token::Word(w)) if matches!(w.as_str(), "select" | "values" | "table" | "with") => {}
                Some(Token::Punct('(')) => {}
                _ => return Err(c.error()),
            }
            let start = c.offset();
            return Ok(Parsed::Declare {
                name,
                scroll,
                hold,
                binary,
                query: text.chars().skip(start).collect(),
                offset: start,
            });
        }
        "fetch" | "move" => {
            c.at = 1;
            let numeric = |c: &Cursor| {
                matches!(c.peek(), Some(Token::Number(_)) | Some(Token::Punct('-' | '+')))
            };
            // After FORWARD or BACKWARD: a count, ALL (None), or nothing (one row).
            let count = |c: &mut Cursor| -> SqlResult<Option<i64>> {
                if c.word("all") {
                    Ok(None)
                } else if numeric(c) {
                    Ok(Some(c.integer()?))
                } else {
                    Ok(Some(1))
                }
            };
            let direction = if c.word("next") {
                FetchDirection::Forward(Some(1))
            } else if c.word("prior") {
                FetchDirection::Backward(Some(1))
            } else if c.word("first") {
                FetchDirection::Absolute(1)
            } else if c.word("last") {
                FetchDirection::Absolute(-1)
            } else if c.word("absolute") {
                FetchDirection::Absolute(c.integer()?)
            } else if c.word("relative") {
                FetchDirection::Relative(c.integer()?)
            } else if c.word("all") {
                FetchDirection::Forward(None)
            } else if c.word("forward") {
                FetchDirection::Forward(count(&mut c)?)
            } else if c.word("backward") {
                FetchDirection::Backward(count(&mut c)?)
            } else if numeric(&c) {
                FetchDirection::Forward(Some(c.integer()?))
            } else {
                FetchDirection::Forward(Some(1))
            };
            let _ = c.word("from") || c.word("in");
            let (name, _) = c.ident()?;
            c.expect_end()?;
            return Ok(Parsed::Fetch {
                name,
                direction,
                fetch: first_word == "fetch",
            });
        }
        "close" => {
            c.at = 1;
            let name = if c.word("all") {
                None
            } else {
                Some(c.ident()?.0)
            };
            c.expect_end()?;
            Parsed::Close { name }
        }
        "savepoint" => {
            c.at = 1;
            let (name, _) = c.ident()?;
            c.expect_end()?;
            Parsed::Savepoint { name }
        }
        "release" => {
            c.at = 1;
            let _ = c.word("savepoint");
            let (name, _) = c.ident()?;
            c.expect_end()?;
            Parsed::Release { name }
        }
        "set" => {
            c.at = 1;
            let local = c.word("local");
            let scoped = !local && c.word("session");
            // SET [SESSION | LOCAL] SESSION AUTHORIZATION name | DEFAULT
            let authorization = if scoped {
                c.word("authorization")
                    || (c.word("session") && (c.word("authorization") || return Err(c.error())))
            } else {
                c.word("session") && (c.word("authorization") || return Err(c.error()))
            };
            if authorization {
                let value = if c.word("default") {
                    None
                } else {
                    Some(match c.peek().cloned() {
                        Some(Token::Str(s)) => {
                            c.at += 1;
                            s
                        }
                        _ => c.ident()?.0,
                    })
                };
                c.expect_end()?;
                return Ok(Parsed::Set {
                    name: "session_authorization".into(),
                    value,
                    local,
                });
            }
            // SET CONSTRAINTS ALL | name, ... DEFERRED | IMMEDIATE
            if !local && !scoped && c.word("constraints") {
                let names = if c.word("all") {
                    Vec::new()
                } else {
                    let mut names = vec![c.ident()?.0];
                    while c.punct(',') {
                        names.push(c.ident()?.0);
                    }
                    names
                };
                let deferred = if c.word("deferred") {
                    true
                } else if c.word("immediate") {
                    false
                } else {
                    return Err(c.error());
                };
                c.expect_end()?;
                return Ok(Parsed::SetConstraints { names, deferred });
            }
            // SET ROLE name | NONE (no TO or =).
            if c.word("role") {
                let value = if c.word("none") {
                    "none".to_string()
                } else {
                    match c.peek().cloned() {
                        Some(Token::Str(s)) => {
                            c.at += 1;
                            s
                        }
                        _ => c.ident()?.0,
                    }
                };
                c.expect_end()?;
                return Ok(Parsed::Set {
                    name: "role".into(),
                    value: Some(value),
                    local,
                });
            }
            if c.word("transaction") {
                let mode = c.mode()?;
                c.expect_end()?;
                return Ok(Parsed::SetTransaction { mode });
            }
            if c.word("characteristics") {
                if !(c.word("as") && c.word("transaction")) {
                    return Err(c.error());
                }
                let mode = c.mode()?;
                c.expect_end()?;
                if mode.read_only.is_some() {
                    return Err(SqlError::unsupported(
                        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY/WRITE",
                    ));
                }
                let value = mode.isolation.map(isolation_name).map(str::to_string);
                return Ok(Parsed::Set {
                    name: "default_transaction_isolation".into(),
                    value,
                    local: false,
                });
            }
            // SET TIME ZONE takes its value without TO or =.
            let time_zone = matches!(c.peek(), Some(Token::Word(w)) if w == "time");
            let name = c.setting_name()?;
            if !(time_zone || c.word("to") || c.punct('=')) {
                return Err(c.error());
            }
            let value = if c.word("default") || (name == "timezone" && c.word("local")) {
                None
            } else if name == "timezone" && c.word("interval") {
                // SET TIME ZONE INTERVAL '+02:30' HOUR TO MINUTE: an offset east, in hours.
                let Some(Token::Str(text)) = c.peek().cloned() else {
                    return Err(c.error());
                };
                c.at += 1;
                while ["year", "month", "day", "hour", "minute", "second", "to"]
                    .iter()
                    .any(|w| c.word(w))
                {}
                let interval = crate::datetime::parse_interval(&text, None)?;
                if interval.months != 0 || interval.days != 0 {
                    let what = if interval.months != 0 { "months" } else { "days" };
                    return Err(SqlError::new(
                        code::INVALID_PARAMETER_VALUE,
                        format!("invalid value for parameter \"TimeZone\": \"INTERVAL '{text}'\""),
                    )
                    .with_detail(format!("Cannot specify {what} in time zone interval.")));
                }
                Some(format!("{}", interval.micros as f64 / 3_600_000_000.0))
            } else {
                Some(c.setting_value(name.eq_ignore_ascii_case("search_path"))?)
            };
            Parsed::Set { name, value, local }
        }
        "show" => {
            c.at = 1;
            let name = if c.word("transaction") {
                if !(c.word("isolation") && c.word("level")) {
                    return Err(c.error());
                }
                "transaction_isolation".to_string()
            } else {
                c.setting_name()?
            };
            Parsed::Show { name }
        }
        "reset" => {
            c.at = 1;
            if c.word("all") {
                Parsed::Reset { name: None }
            } else if c.word("session") {
                if !c.word("authorization") {
                    return Err(c.error());
                }
                c.expect_end()?;
                Parsed::Reset {
                    name: Some("session_authorization".into()),
                }
            } else if c.word("time") {
                if !c.word("zone") {
                    return Err(c.error());
                }
                Parsed::Reset {
                    name: Some("timezone".into()),
                }
            } else {
                Parsed::Reset {
                    name: Some(c.ident()?.0),
                }
            }
        }
        "vacuum" | "analyze" | "analyse" => {
            c.at = 1;
            let mut analyze = first_word != "vacuum";
            if c.punct('(') {
                while !c.punct(')') {
                    if c.done() {
                        return Err(c.error());
                    }
                    if c.word("analyze") || c.word("analyse") {
                        analyze = true;
                    } else {
                        c.at += 1;
                    }
                }
            }
            loop {
                if c.word("analyze") || c.word("analyse") {
                    analyze = true;
                } else if !(c.word("full") || c.word("freeze") || c.word("verbose")) {
                    break;
                }
            }
            let mut tables = Vec::new();
            let mut columns = Vec::new();
            while !c.done() {
                let (name, offset) = c.qualified()?;
                tables.push((name, offset));
                let mut listed = Vec::new();
                if c.punct('(') {
                    while !c.punct(')') {
                        listed.push(c.ident()?.0);
                        c.punct(',');
                    }
                }
                columns.push(listed);
                if !c.punct(',') {
                    break;
                }
            }
            Parsed::Maintenance {
                vacuum: first_word == "vacuum",
                analyze,
                tables,
                columns,
            }
        }
        "copy" => {
            c.at = 1;
            if let Some((query, offset)) = c.parenthesized(text)? {
                if !(c.word("to") && c.word("stdout")) {
                    return Err(SqlError::unsupported("COPY (query) other than TO STDOUT"));
                }
                let options = copy_options(&mut c)?;
                c.expect_end()?;
                return Ok(Parsed::CopyTo {
                    source: CopySource::Query {
                        text: query,
                        offset,
                    },
                    options,
                });
            }
            let (table, table_offset) = c.qualified()?;
            let mut columns = Vec::new();
            if c.punct('(') {
                loop {
                    columns.push(c.ident()?);
                    if c.punct(')') {
                        break;
                    }
                    if !c.punct(',') {
                        return Err(c.error());
                    }
                }
            }
            if c.word("to") {
                if !c.word("stdout") {
                    return Err(SqlError::unsupported("COPY TO a file or program"));
                }
                let options = copy_options(&mut c)?;
                c.expect_end()?;
                return Ok(Parsed::CopyTo {
                    source: CopySource::Table {
                        table,
                        table_offset,
                        columns,
                    },
                    options,
                });
            }
            if !c.word("from") {
                return Err(c.error());
            }
            if !c.word("stdin") {
                return Err(SqlError::unsupported("COPY FROM a file or program"));
            }
            let options = copy_options(&mut c)?;
            Parsed::Copy {
                table,
                table_offset,
                columns,
                options,
            }
        }
        _ => unreachable!("first word checked above"),
    };
    c.expect_end()?;
    Ok(parsed)
}

/// `text` split at the commas outside parentheses and quotes, each part trimmed.
pub fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut part = String::new();
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(part.trim().to_string());
                part.clear();
                continue;
            }
            _ => {}
        }
        part.push(c);
    }
    if !part.trim().is_empty() || !parts.is_empty() {
        parts.push(part.trim().to_string());
    }
    parts
}

fn copy_options(c: &mut Cursor) -> SqlResult<CopyOptions> {
    copy_option_list(c)?.finish()
}

fn copy_option_list(c: &mut Cursor) -> SqlResult<CopyOptions> {
    let mut options = CopyOptions::default();
    let with = c.word("with");
    if c.punct('(') {
        loop {
            let (name, _) = c.ident()?;
            if name == "force_quote" {
                if c.punct('*') {
                    options.force_quote_all = true;
                } else if c.punct('(') {
                    loop {
                        options.force_quote.push(c.ident()?.0);
                        if c.punct(')') {
                            break;
                        }
                        if !c.punct(',') {
                            return Err(c.error());
                        }
                    }
                } else {
                    return Err(c.error());
                }
                if c.punct(')') {
                    break;
                }
                if !c.punct(',') {
                    return Err(c.error());
                }
                continue;
            }
            let value = match c.peek().cloned() {
                Some(Token::Word(w)) | Some(Token::Str(w)) | Some(Token::Number(w)) => {
                    c.at += 1;
                    Some(w)
                }
                _ => None,
            };
            apply_copy_option(&mut options, &name, value.as_deref())?;
            if c.punct(')') {
                break;
            }
            if !c.punct(',') {
                return Err(c.error());
            }
        }
    } else if with || !c.done() {
        // Pre-9.0 syntax: [WITH] [DELIMITER [AS] 'c'] [NULL [AS] 'x'] [CSV ...]
        while !c.done() {
            let (name, _) = c.ident()?;
            match name.as_str() {
                "delimiter" | "null" | "quote" | "escape" => {
                    c.word("as");
                    let value = match c.peek().cloned() {
                        Some(Token::Str(s)) => s,
                        _ => return Err(c.error()),
                    };
                    c.at += 1;
                    apply_copy_option(&mut options, &name, Some(&value))?;
                }
                "binary" | "csv" => apply_copy_option(&mut options, "format", Some(&name))?,
                "header" => options.header = true,
                "freeze" => options.freeze = true,
                _ => {
                    return Err(SqlError::syntax(format!(
                        "syntax error at or near \"{name}\""
                    )))
                }
            }
        }
    }
    Ok(options)
}

fn apply_copy_option(options: &mut CopyOptions, name: &str, value: Option<&str>) -> SqlResult<()> {
    match name {
        "format" => match value {
            Some("text") => {
                options.csv = false;
                options.binary = false;
            }
            Some("csv") => {
                options.csv = true;
                options.binary = false;
            }
            Some("binary") => {
                options.csv = false;
                options.binary = true;
            }
            Some(other) => {
                return Err(SqlError::new(
                    code::INVALID_PARAMETER_VALUE,
                    format!("COPY format \"{other}\" not recognized"),
                ))
            }
            None => return Err(SqlError::syntax("syntax error at or near \")\"")),
        },
        "freeze" => {
            options.freeze = !matches!(value, Some("off" | "false" | "0"));
        }
        "delimiter" => {
            let value = value.unwrap_or("");
            let mut chars = value.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() && c != '\r' && c != '\n' && c != '\\' => {
                    options.delimiter = c;
                    options.delimiter_set = true;
                }
                _ => {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        "COPY delimiter must be a single one-byte character",
                    ))
                }
            }
        }
        "null" => {
            options.null = value.unwrap_or("").to_string();
            options.null_set = true;
        }
        "header" => {
            options.header = !matches!(value, Some("off" | "false" | "0"));
        }
        "quote" | "escape" => {
            let value = value.unwrap_or("");
            let mut chars = value.chars();
            let c = match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii() => c,
                _ => {
                    return Err(SqlError::new(
                        code::FEATURE_NOT_SUPPORTED,
                        format!("COPY {name} must be a single one-byte character"),
                    ))
                }
            };
            if name == "quote" {
                options.quote = c;
            } else {
                options.escape = c;
                options.escape_set = true;
            }
        }
        "encoding"
            if value.is_some_and(|v| {
                v.eq_ignore_ascii_case("utf8") || v.eq_ignore_ascii_case("utf-8")
            }) => {}
        other => return Err(SqlError::unsupported(format!("COPY option \"{other}\""))),
    }
    Ok(())
}

/// The name of an isolation level as `SHOW transaction_isolation` prints it.
pub fn isolation_name(isolation: Isolation) -> &'static str {
    match isolation {
        Isolation::ReadCommitted => "read committed",
        Isolation::RepeatableRead => "repeatable read",
        Isolation::Serializable => "serializable",
    }
}

/// One statement from stored SQL text (a view's query).
pub fn parse_sql(text: &str) -> SqlResult<sqlparser::ast::Statement> {
    let parsed = match parse_with_sqlparser(text) {
        Err(error) => match blank_for_sqlparser(text) {
            Some(blanked) => parse_with_sqlparser(&blanked).map_err(|_| error)?,
            None => return Err(error),
        },
        parsed => parsed?,
    };
    match parsed {
        Parsed::Sql(statement) => Ok(*statement),
        _ => Err(SqlError::new(
            code::INTERNAL_ERROR,
            "stored SQL is not a statement",
        )),
    }
}

/// A type name as written in a hand-parsed statement (`varchar(5)`, `s.d`, `int[]`).
pub fn parse_data_type(text: &str) -> SqlResult<sqlparser::ast::DataType> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let mut parser = sqlparser::parser::Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|error| SqlError::syntax(error.to_string()))?;
    let ty = parser
        .parse_data_type()
        .map_err(|error| SqlError::syntax(error.to_string()))?;
    if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return Err(SqlError::syntax(format!(
            "syntax error at or near \"{}\"",
            parser.peek_token().token
        )));
    }
    Ok(ty)
}

/// One expression from SQL text the binder writes itself (a rewritten construct).
pub fn parse_expr(text: &str) -> SqlResult<sqlparser::ast::Expr> {
    use sqlparser::ast::{SelectItem, SetExpr, Statement};
    let internal = || SqlError::new(code::INTERNAL_ERROR, "rewritten SQL is not an expression");
    let Statement::Query(query) = parse_sql(&format!("SELECT {text}"))? else {
        return Err(internal());
    };
    let SetExpr::Select(select) = *query.body else {
        return Err(internal());
    };
    match select.projection.into_iter().next() {
        Some(SelectItem::UnnamedExpr(expr)) => Ok(expr),
        _ => Err(internal()),
    }
}

/// `CREATE | ALTER | DROP USER ...` spelled with ROLE (same length, so positions stay), for
/// sqlparser, which reads USER in other dialects' grammar.
fn user_as_role(text: &str, first_word: &str) -> Option<String> {
    if !matches!(first_word, "create" | "alter" | "drop") {
        return None;
    }
    let after = &text[first_word.len()..];
    let rest = after.trim_start();
    let at = text.len() - rest.len();
    let word = rest.get(..4)?;
    let next = rest[4..].chars().next();
    let is_user = word.eq_ignore_ascii_case("user")
        && after.len() > rest.len()
        && next.is_some_and(char::is_whitespace);
    is_user.then(|| format!("{}ROLE{}", &text[..at], &rest[4..]))
}

/// Whether `text` is `REVOKE GRANT OPTION FOR ...` (what `revoke_grant_option` blanks).
pub fn is_revoke_grant_option(text: &str) -> bool {
    let Ok(tokens) = lex(text) else { return false };
    let words = ["revoke", "grant", "option", "for"];
    tokens.len() > words.len()
        && tokens
            .iter()
            .zip(words)
            .all(|(t, w)| matches!(&t.token, Token::Word(x) if x == w))
}

/// `REVOKE GRANT OPTION FOR ...` with `GRANT OPTION FOR` blanked (sqlparser does not read it);
/// None for any other statement.
/// `ON CONFLICT (columns) WHERE predicate DO ...` (the index predicate that infers a partial
/// unique index), which sqlparser does not read: each such clause's character offsets of its
/// WHERE, of the predicate's first token and of the DO that ends it.
pub fn conflict_wheres(text: &str) -> Vec<(usize, usize, usize)> {
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Tok { token: Token::Word(x), .. }) if x == w);
    let mut found = Vec::new();
    let mut i = 0;
    while i + 2 < tokens.len() {
        if !(word(i, "on") && word(i + 1, "conflict") && tokens[i + 2].token == Token::Punct('(')) {
            i += 1;
            continue;
        }
        // The column list's closing parenthesis.
        let mut depth = 0;
        let mut close = i + 2;
        while close < tokens.len() {
            match tokens[close].token {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            close += 1;
        }
        if !word(close + 1, "where") {
            i = close + 1;
            continue;
        }
        let mut end = close + 2;
        let mut depth = 0i32;
        while end < tokens.len() {
            match &tokens[end].token {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') => depth -= 1,
                Token::Word(w) if w == "do" && depth == 0 => break,
                _ => {}
            }
            end += 1;
        }
        if end < tokens.len() && end > close + 2 {
            found.push((
                tokens[close + 1].offset,
                tokens[close + 2].offset,
                tokens[end].offset,
            ));
        }
        i = end;
    }
    found
}

/// SELECTs without FROM with a locking clause, which sqlparser reads as the last item's alias
/// (`SELECT 1 FOR UPDATE`, also as a subquery: `(SELECT 1 FOR SHARE)`): PostgreSQL locks nothing
/// there, so each clause is blanked to the end of its query; with a set operation or an OF list,
/// PostgreSQL's error. None when the statement has no such SELECT.
fn locks_without_from(text: &str) -> Option<SqlResult<String>> {
    /// One query level (the statement, or a parenthesized SELECT) as its tokens go by.
    #[derive(Default)]
    struct Level<'t> {
        query: bool,
        from: bool,
        set_operation: bool,
        /// Its locking clause: where it starts and its strength.
        lock: Option<(usize, &'t str)>,
    }
    let tokens = lex(text).ok()?;
    let mut levels = vec![Level {
        query: word_at(&tokens, 0) == "select",
        ..Level::default()
    }];
    let mut blanks = Vec::new();
    // A level ends (at character `end`): its clause is blanked, or it is PostgreSQL's error.
    let close = |level: Level<'_>, end: usize, blanks: &mut Vec<(usize, usize)>| {
        let (Some((at, strength)), true, false) = (level.lock, level.query, level.from) else {
            return Ok(());
        };
        if level.set_operation {
            return Err(SqlError::new(
                code::FEATURE_NOT_SUPPORTED,
                format!("{strength} is not allowed with UNION/INTERSECT/EXCEPT"),
            ));
        }
        blanks.push((at, end));
        Ok(())
    };
    for (i, tok) in tokens.iter().enumerate() {
        match &tok.token {
            Token::Punct('(') => levels.push(Level {
                query: word_at(&tokens, i + 1) == "select",
                ..Level::default()
            }),
            Token::Punct(')') if levels.len() > 1 => {
                let level = levels.pop()?;
                if let Err(error) = close(level, tok.offset, &mut blanks) {
                    return Some(Err(error));
                }
            }
            Token::Word(w) => {
                let level = levels.last_mut()?;
                match w.as_str() {
                    "from" => level.from = true,
                    "union" | "intersect" | "except" => level.set_operation = true,
                    "for" if level.lock.is_none() => {
                        let strength = match (word_at(&tokens, i + 1), word_at(&tokens, i + 2)) {
                            ("update", _) => "FOR UPDATE",
                            ("share", _) => "FOR SHARE",
                            ("no", "key") => "FOR NO KEY UPDATE",
                            ("key", "share") => "FOR KEY SHARE",
                            _ => continue,
                        };
                        level.lock = Some((tok.offset, strength));
                    }
                    "of" if level.query && !level.from => {
                        let Some((_, strength)) = level.lock else {
                            continue;
                        };
                        let name = tokens.get(i + 1).map(|t| (&t.token, t.offset));
                        let (Token::Word(name) | Token::Quoted(name), at) = name? else {
                            return None;
                        };
                        return Some(Err(SqlError::new(
                            code::UNDEFINED_TABLE,
                            format!(
                                "relation \"{name}\" in {strength} clause not found in FROM clause"
                            ),
                        )
                        .at(Some(at + 1))));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let top = levels.into_iter().next()?;
    if let Err(error) = close(top, text.chars().count(), &mut blanks) {
        return Some(Err(error));
    }
    (!blanks.is_empty()).then(|| Ok(blank_ranges(text, &blanks)))
}

/// Locking clauses as sqlparser reads them, for a statement it could not parse: PostgreSQL
/// also accepts `FOR NO KEY UPDATE` and `FOR KEY SHARE`, several tables after `OF` (the words
/// sqlparser does not know, and the tables after the first, are blanked so that positions stay:
/// the binder reads the clauses from the statement's text), and the clauses before
/// `LIMIT`/`OFFSET`/`FETCH` (moved after them; clauses on both sides are PostgreSQL's syntax
/// error). None when there is nothing to change.
fn lock_clauses_for_sqlparser(text: &str) -> Option<SqlResult<String>> {
    let tokens = lex(text).ok()?;
    let chars: Vec<char> = text.chars().collect();
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Tok { token: Token::Word(x), .. }) if x == w);
    // Where token `i` starts, or the end of the text after the last one.
    let at = |i: usize| tokens.get(i).map_or(chars.len(), |t| t.offset);
    let slice = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    // The clause starting at token `i`: its text as sqlparser reads it, and the token after it.
    // Positions stay: the words of NO KEY UPDATE / KEY SHARE that sqlparser does not know are
    // blanked, and so are the names after the first in `OF a, b` (the binder reads the clauses'
    // strengths and names from the statement's text).
    let clause = |i: usize| -> Option<(String, usize)> {
        if !word(i, "for") {
            return None;
        }
        let strength_end = if word(i + 1, "update") || word(i + 1, "share") {
            i + 2
        } else if word(i + 1, "no") && word(i + 2, "key") && word(i + 3, "update") {
            i + 4
        } else if word(i + 1, "key") && word(i + 2, "share") {
            i + 3
        } else {
            return None;
        };
        let mut next = strength_end;
        // Where the OF list's names after the first start and end (characters).
        let mut rest: Option<(usize, usize)> = None;
        if word(next, "of") {
            next += 1;
            let mut names = 0;
            loop {
                let start = next;
                while matches!(
                    tokens.get(next).map(|t| &t.token),
                    Some(Token::Word(_) | Token::Quoted(_))
                ) {
                    next += 1;
                    if tokens.get(next).map(|t| &t.token) != Some(&Token::Punct('.')) {
                        break;
                    }
                    next += 1;
                }
                if next == start {
                    return None;
                }
                names += 1;
                if names == 2 {
                    let first_end = slice(0, at(start - 1)).trim_end().chars().count();
                    rest = Some((first_end, 0));
                }
                if tokens.get(next).map(|t| &t.token) != Some(&Token::Punct(',')) {
                    break;
                }
                next += 1;
            }
            if let Some((from, _)) = rest {
                rest = Some((from, slice(0, at(next)).trim_end().chars().count()));
            }
        }
        if word(next, "nowait") {
            next += 1;
        } else if word(next, "skip") && word(next + 1, "locked") {
            next += 2;
        }
        let base = at(i);
        let mut same: Vec<char> = chars[base..at(next)].to_vec();
        for t in &tokens[i + 1..strength_end] {
            if let Token::Word(w) = &t.token {
                if w == "no" || w == "key" {
                    let from = t.offset - base;
                    same[from..from + w.len()].fill(' ');
                }
            }
        }
        if let Some((from, to)) = rest {
            same[from - base..to - base].fill(' ');
        }
        Some((same.into_iter().collect::<String>(), next))
    };
    // Edits: (from, to, replacement) in characters, in order, not overlapping.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some((first, mut next)) = clause(i) else {
            i += 1;
            continue;
        };
        let mut block = vec![first];
        while let Some((more, after)) = clause(next) {
            block.push(more);
            next = after;
        }
        // Each clause's text runs to the next token: together, the block as written.
        let block = block.concat();
        if word(next, "limit") || word(next, "offset") || word(next, "fetch") {
            // The limit clauses run to the end of this query: a closing parenthesis of an
            // enclosing one, or the end.
            let mut end = next;
            let mut depth = 0i32;
            while end < tokens.len() {
                match tokens[end].token {
                    Token::Punct('(') => depth += 1,
                    Token::Punct(')') if depth == 0 => break,
                    Token::Punct(')') => depth -= 1,
                    // Locking clauses on both sides of LIMIT: PostgreSQL's syntax error.
                    _ if depth == 0 && clause(end).is_some() => {
                        let at = tokens[end].offset;
                        return Some(Err(SqlError::syntax(format!(
                            "syntax error at or near \"{}\"",
                            slice(at, at + 3)
                        ))
                        .at(Some(at + 1))));
                    }
                    _ => {}
                }
                end += 1;
            }
            let limits = slice(at(next), at(end));
            let trailing = &limits[limits.trim_end().len()..];
            edits.push((
                at(i),
                at(end),
                format!("{} {}{trailing}", limits.trim_end(), block.trim_end()),
            ));
            i = end;
        } else {
            if block != slice(at(i), at(next)) {
                edits.push((at(i), at(next), block));
            }
            i = next;
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::new();
    let mut from = 0;
    for (start, end, replacement) in edits {
        out.extend(&chars[from..start]);
        out.push_str(&replacement);
        from = end;
    }
    out.extend(&chars[from..]);
    Some(Ok(out))
}

/// The first parameter reference (`$n`) in `text` outside quotes and comments: its character
/// offset and its number as written.
pub fn first_parameter(text: &str) -> Option<(usize, String)> {
    let tokens = lex(text).ok()?;
    tokens.windows(2).find_map(|pair| match pair {
        [Tok {
            token: Token::Punct('$'),
            offset,
        }, Tok {
            token: Token::Number(n),
            offset: next,
        }] if *next == offset + 1 => Some((*offset, n.clone())),
        _ => None,
    })
}

/// Whether `text` holds `words` in any case (anywhere: a cheap test before a statement is
/// lexed for a construct those words start).
fn says(text: &str, words: &str) -> bool {
    (text.as_bytes().windows(words.len())).any(|w| w.eq_ignore_ascii_case(words.as_bytes()))
}

/// Whether token `i` is the punctuation `c`.
fn punct_at(tokens: &[Tok], i: usize, c: char) -> bool {
    tokens.get(i).map(|t| &t.token) == Some(&Token::Punct(c))
}

/// Token `i`'s name, when it is a word (lower-cased) or a quoted identifier (as written).
fn name_at(tokens: &[Tok], i: usize) -> Option<String> {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Word(w) | Token::Quoted(w)) => Some(w.clone()),
        _ => None,
    }
}

/// Token `i`'s word (lower-cased), or "" where it is no unquoted word.
fn word_at(tokens: &[Tok], i: usize) -> &str {
    match tokens.get(i) {
        Some(Tok {
            token: Token::Word(w),
            ..
        }) => w.as_str(),
        _ => "",
    }
}

/// The window frames' EXCLUDE clauses (`EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS`, which
/// sqlparser does not read): each one's character range in `text` and what it excludes.
pub fn frame_exclusions(text: &str) -> Vec<(usize, usize, Option<crate::expr::FrameExclusion>)> {
    use crate::expr::FrameExclusion as X;
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let word = |i: usize| word_at(&tokens, i);
    let end = |i: usize| {
        let Tok { token, offset } = &tokens[i];
        offset
            + if let Token::Word(w) = token {
                w.chars().count()
            } else {
                1
            }
    };
    let mut found = Vec::new();
    for (i, tok) in tokens.iter().enumerate().skip(1) {
        // Only right after a frame's last bound.
        if word(i) != "exclude" || !matches!(word(i - 1), "preceding" | "following" | "row") {
            continue;
        }
        let (exclusion, last) = match (word(i + 1), word(i + 2)) {
            ("current", "row") => (Some(X::CurrentRow), i + 2),
            ("group", _) => (Some(X::Group), i + 1),
            ("ties", _) => (Some(X::Ties), i + 1),
            ("no", "others") => (None, i + 2),
            _ => continue,
        };
        found.push((tok.offset, end(last), exclusion));
    }
    found
}

/// PostgreSQL's syntax error for an EXCLUDE after a frame bound that is none of the four
/// (sqlparser's would point at EXCLUDE, PostgreSQL's points at the word after it).
fn bad_frame_exclusion(text: &str) -> Option<SqlError> {
    let tokens = lex(text).ok()?;
    let word = |i: usize| word_at(&tokens, i);
    let chars: Vec<char> = text.chars().collect();
    (1..tokens.len()).find_map(|i| {
        let valid = matches!(
            (word(i + 1), word(i + 2)),
            ("current", "row") | ("group", _) | ("ties", _) | ("no", "others")
        );
        if word(i) != "exclude"
            || !matches!(word(i - 1), "preceding" | "following" | "row")
            || valid
        {
            return None;
        }
        // The token after EXCLUDE (or, where the wrong word is the second, that one).
        let wrong = if matches!(word(i + 1), "current" | "no") {
            i + 2
        } else {
            i + 1
        };
        Some(match tokens.get(wrong) {
            Some(tok) => {
                let len = match &tok.token {
                    Token::Word(w) => w.chars().count(),
                    _ => 1,
                };
                let written: String = chars[tok.offset..(tok.offset + len).min(chars.len())]
                    .iter()
                    .collect();
                SqlError::syntax(format!("syntax error at or near \"{written}\""))
                    .at(Some(tok.offset + 1))
            }
            None => SqlError::syntax("syntax error at end of input").at(Some(chars.len() + 1)),
        })
    })
}

/// `BETWEEN SYMMETRIC` / `BETWEEN ASYMMETRIC` (which sqlparser does not read): where each
/// SYMMETRIC or ASYMMETRIC word is in `text`, and whether it is SYMMETRIC. Both are reserved
/// words in PostgreSQL, so after BETWEEN they are never a column.
pub fn between_symmetries(text: &str) -> Vec<(usize, usize, bool)> {
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let word = |i: usize| word_at(&tokens, i);
    (1..tokens.len())
        .filter(|&i| word(i - 1) == "between" && matches!(word(i), "symmetric" | "asymmetric"))
        .map(|i| {
            let at = tokens[i].offset;
            (at, at + word(i).len(), word(i) == "symmetric")
        })
        .collect()
}

/// `OPERATOR(pg_catalog.op)` (how pg_dump and psql name built-in operators) written as the bare
/// operator, padded with spaces so that positions stay, for sqlparser, which reads the form only
/// between two operands (not before ANY / ALL, as in pg_dump's `relkind OPERATOR(pg_catalog.=)
/// ANY (array[...])`). None when the statement has none.
fn catalog_operators(text: &str) -> Option<String> {
    if !says(text, "operator") {
        return None;
    }
    let tokens = lex(text).ok()?;
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut changed = false;
    for (i, tok) in tokens.iter().enumerate() {
        if word_at(&tokens, i) != "operator" || word_at(&tokens, i + 2) != "pg_catalog" {
            continue;
        }
        // `operator ( pg_catalog . op )`, the operator's characters up to the `)`.
        let Some(dot) = (tok.offset..chars.len()).find(|&at| chars[at] == '.') else {
            continue;
        };
        let Some(close) = (dot..chars.len()).find(|&at| chars[at] == ')') else {
            continue;
        };
        let op: String = chars[dot + 1..close].iter().collect();
        let op = op.trim();
        if op.is_empty() || !op.chars().all(|c| "~!@#%^&|`?+-*/<>=".contains(c)) {
            continue;
        }
        for (at, slot) in out[tok.offset..=close].iter_mut().enumerate() {
            *slot = op.chars().nth(at).unwrap_or(' ');
        }
        changed = true;
    }
    changed.then(|| out.into_iter().collect())
}

/// `OVERRIDING SYSTEM VALUE` / `OVERRIDING USER VALUE` of INSERTs (which sqlparser does not
/// read): each clause's character range and whether it is SYSTEM. PostgreSQL's grammar has it
/// right before the INSERT's source, after its target and column list.
fn insert_overridings(text: &str) -> Vec<(usize, usize, bool)> {
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    (0..tokens.len().saturating_sub(2))
        .filter_map(|i| {
            let system = overriding_at(&tokens, i)?;
            Some((tokens[i].offset, tokens[i + 2].offset + 5, system))
        })
        .collect()
}

/// Whether token `i` starts `OVERRIDING SYSTEM VALUE` (Some(true)) or `OVERRIDING USER VALUE`
/// (Some(false)).
fn overriding_at(tokens: &[Tok], i: usize) -> Option<bool> {
    let word = |at: usize| word_at(tokens, at);
    let kind = word(i + 1);
    (word(i) == "overriding" && matches!(kind, "system" | "user") && word(i + 2) == "value")
        .then_some(kind == "system")
}

/// The OVERRIDING clause of the INSERT whose target starts at character `from` of `text`:
/// Some(true) for SYSTEM VALUE, Some(false) for USER VALUE, None when it has none (the clause
/// must come before the INSERT's source starts).
pub fn insert_overriding(text: &str, from: usize) -> Option<bool> {
    let tokens = lex(text).ok()?;
    let first = tokens.iter().position(|t| t.offset >= from)?;
    for i in first..tokens.len() {
        match word_at(&tokens, i) {
            "values" | "select" | "default" | "with" | "table" => return None,
            "overriding" => return overriding_at(&tokens, i),
            _ => {}
        }
    }
    None
}

/// `TABLE name` (PostgreSQL's short form of `SELECT * FROM name`) written out as that SELECT,
/// which sqlparser reads, wherever a query may start: the statement's start, after `(`, `)`
/// (EXPLAIN's options, INSERT's column list, a CTE), a set operation, AS (CREATE TABLE / VIEW
/// AS, PREPARE, a CTE), EXPLAIN's words, DECLARE's FOR, INSERT's target or OVERRIDING ... VALUE.
/// The text grows by `TABLE_GROWTH` characters each time, so it comes with the character
/// offsets of the TABLE keywords replaced, for [`TableCommands::original_position`]. None when
/// there are none.
pub fn expand_table_commands(text: &str) -> Option<SqlResult<TableCommands>> {
    if !says(text, "table") {
        return None;
    }
    let tokens = lex(text).ok()?;
    let word = |i: Option<usize>| i.map_or("", |i| word_at(&tokens, i));
    let first = word(Some(0));
    // `REINDEX (options) TABLE name` names a table, not a query.
    if first == "reindex" {
        return None;
    }
    let name_like = |i: usize| {
        matches!(
            tokens.get(i).map(|t| &t.token),
            Some(Token::Word(_) | Token::Quoted(_))
        )
    };
    let mut at = Vec::new();
    for i in (0..tokens.len()).filter(|&i| word(Some(i)) == "table" && name_like(i + 1)) {
        // `TABLE ONLY name` (no inheritance: the relation itself; see `inheritance_marks`).
        let only = usize::from(word(Some(i + 1)) == "only");
        let starts_query = match i.checked_sub(1).map(|p| &tokens[p].token) {
            None => true,
            Some(Token::Punct('(' | ')')) => true,
            Some(Token::Word(w)) => match w.as_str() {
                "union" | "intersect" | "except" | "all" | "distinct" | "as" | "explain"
                | "analyze" | "analyse" | "verbose" | "value" => true,
                "for" => first == "declare",
                // INSERT INTO [schema.]t TABLE s.
                _ => word(i.checked_sub(2)) == "into" || word(i.checked_sub(4)) == "into",
            },
            Some(Token::Quoted(_)) => {
                word(i.checked_sub(2)) == "into" || word(i.checked_sub(4)) == "into"
            }
            _ => false,
        };
        if !starts_query {
            continue;
        }
        if only == 1 && !name_like(i + 2) {
            return Some(Err(Cursor::new(text, i + 2).ok()?.error()));
        }
        // After `TABLE [schema.]name` only what may follow a whole SELECT (PostgreSQL's
        // simple_select `TABLE relation_expr`): no WHERE, no alias.
        let mut after = i + 2 + only;
        while matches!(tokens.get(after).map(|t| &t.token), Some(Token::Punct('.')))
            && name_like(after + 1)
        {
            after += 2;
        }
        if matches!(tokens.get(after).map(|t| &t.token), Some(Token::Punct('*'))) {
            after += 1;
        }
        let follows = match tokens.get(after).map(|t| &t.token) {
            None | Some(Token::Punct(')' | ';')) => true,
            Some(Token::Word(w)) => matches!(
                w.as_str(),
                "order"
                    | "limit"
                    | "offset"
                    | "fetch"
                    | "for"
                    | "union"
                    | "intersect"
                    | "except"
                    | "returning"
                    | "on"
                    | "with"
            ),
            _ => false,
        };
        if !follows {
            return Some(Err(Cursor::new(text, after).ok()?.error()));
        }
        at.push(tokens[i].offset);
    }
    if at.is_empty() {
        return None;
    }
    let mut expanded = String::with_capacity(text.len() + TABLE_GROWTH * at.len());
    let mut next = at.iter().peekable();
    let mut chars = text.chars().enumerate();
    while let Some((offset, c)) = chars.next() {
        if next.peek() == Some(&&offset) {
            next.next();
            expanded.push_str(TABLE_EXPANSION);
            // The rest of the keyword.
            for _ in 1.."table".len() {
                chars.next();
            }
        } else {
            expanded.push(c);
        }
    }
    Some(Ok(TableCommands { expanded, at }))
}

/// What a `TABLE` keyword is written out as, and how many characters that adds.
const TABLE_EXPANSION: &str = "SELECT * FROM";
const TABLE_GROWTH: usize = TABLE_EXPANSION.len() - "table".len();

/// A statement with its `TABLE name` queries written out (see [`expand_table_commands`]).
#[derive(Debug, Clone, PartialEq)]
pub struct TableCommands {
    pub expanded: String,
    /// The character offsets of the TABLE keywords in the statement as written.
    at: Vec<usize>,
}

impl TableCommands {
    /// Where a position (1-based, in characters) in the expanded text was in the statement as
    /// written; one in an inserted `SELECT * FROM` is its TABLE keyword's.
    pub fn original_position(&self, position: usize) -> usize {
        let mut shift = 0;
        for &offset in &self.at {
            let start = offset + shift + 1;
            if position < start {
                break;
            }
            if position < start + TABLE_EXPANSION.len() {
                return offset + 1;
            }
            shift += TABLE_GROWTH;
        }
        position - shift
    }
}

/// A WITH query's `SEARCH {BREADTH | DEPTH} FIRST BY columns SET column`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchClause {
    /// The offset of its SEARCH keyword.
    pub at: usize,
    pub breadth: bool,
    /// The columns to search by, with their offsets.
    pub by: Vec<(String, usize)>,
    /// The sequence column it adds.
    pub set: (String, usize),
}

/// A WITH query's `CYCLE columns SET mark [TO value DEFAULT value] USING path`.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleClause {
    /// The offset of its CYCLE keyword.
    pub at: usize,
    pub columns: Vec<(String, usize)>,
    /// The cycle mark column it adds.
    pub mark: (String, usize),
    /// The texts of the mark's value and default constants, with their offsets (None: true
    /// and false).
    pub values: Option<((String, usize), (String, usize))>,
    /// The path column it adds.
    pub path: (String, usize),
}

/// The SEARCH and CYCLE clauses after a WITH query's closing parenthesis, which ends at the
/// character offset `after`, and the offset where they end. None when there are none (or they
/// do not parse: sqlparser's error then stands).
pub fn search_cycle(
    text: &str,
    after: usize,
) -> Option<(Option<SearchClause>, Option<CycleClause>, usize)> {
    // Most WITH queries have neither: look at the word after the parenthesis before lexing.
    let word: String = (text.chars().skip(after))
        .skip_while(|c| c.is_whitespace())
        .take_while(|c| c.is_alphabetic())
        .collect();
    if !(word.eq_ignore_ascii_case("search") || word.eq_ignore_ascii_case("cycle")) {
        return None;
    }
    let mut c = Cursor::new(text, 0).ok()?;
    c.at = c.tokens.iter().position(|t| t.offset >= after)?;
    let column_list = |c: &mut Cursor| -> Option<Vec<(String, usize)>> {
        let mut columns = vec![c.ident().ok()?];
        while c.punct(',') {
            columns.push(c.ident().ok()?);
        }
        Some(columns)
    };
    let mut search = None;
    let at = c.offset();
    if c.word("search") {
        let breadth = if c.word("breadth") {
            true
        } else if c.word("depth") {
            false
        } else {
            return None;
        };
        if !(c.word("first") && c.word("by")) {
            return None;
        }
        let by = column_list(&mut c)?;
        if !c.word("set") {
            return None;
        }
        let set = c.ident().ok()?;
        search = Some(SearchClause {
            at,
            breadth,
            by,
            set,
        });
    }
    let mut cycle = None;
    let at = c.offset();
    if c.word("cycle") {
        let columns = column_list(&mut c)?;
        if !c.word("set") {
            return None;
        }
        let mark = c.ident().ok()?;
        let mut values = None;
        if c.word("to") {
            let value = constant(&mut c)?;
            if !c.word("default") {
                return None;
            }
            values = Some((value, constant(&mut c)?));
        }
        if !c.word("using") {
            return None;
        }
        let path = c.ident().ok()?;
        cycle = Some(CycleClause {
            at,
            columns,
            mark,
            values,
            path,
        });
    }
    if search.is_none() && cycle.is_none() {
        return None;
    }
    Some((search, cycle, c.offset()))
}

/// A WHEN clause of MERGE as written. sqlparser reads neither `DO NOTHING`, `INSERT DEFAULT
/// VALUES` nor `OVERRIDING ... VALUE`: [`merge_clauses`] finds the clauses and writes the
/// statement as sqlparser reads it, and the binder takes each clause's kind and action from
/// here and its condition, assignments and values from sqlparser's tree (the two lists are
/// the same length, in the same order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MergeWhen {
    /// WHEN MATCHED (else WHEN NOT MATCHED).
    pub matched: bool,
    /// `AND condition` follows.
    pub condition: bool,
    pub action: MergeVerb,
}

/// What a MERGE WHEN clause does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MergeVerb {
    Nothing,
    Update,
    Delete,
    /// `overriding`: Some(true) for OVERRIDING SYSTEM VALUE, Some(false) for USER VALUE.
    Insert {
        default_values: bool,
        overriding: Option<bool>,
    },
}

/// A MERGE statement's WHEN clauses and its text as sqlparser reads it: `ONLY` and `OVERRIDING
/// ... VALUE` blanked, and a clause that does nothing (or inserts DEFAULT VALUES) written as
/// `WHEN MATCHED [AND condition] THEN DELETE` in the same characters (NOT blanked, DELETE
/// over NOTHING or DEFAULT), so that its condition keeps its positions. None when the
/// statement is no MERGE; PostgreSQL 15's syntax errors for clauses its grammar refuses
/// (INSERT when matched, UPDATE or DELETE when not, BY SOURCE / TARGET, RETURNING).
pub fn merge_clauses(text: &str) -> Option<SqlResult<(Vec<MergeWhen>, String)>> {
    if !says(text, "merge") {
        return None;
    }
    let mut c = Cursor::new(text, 0).ok()?;
    let tokens = c.tokens.clone();
    let punct = |i: usize| match tokens.get(i) {
        Some(Tok {
            token: Token::Punct(p),
            ..
        }) => Some(*p),
        _ => None,
    };
    // MERGE at the top level: the statement's first word, or followed by INTO (after WITH,
    // EXPLAIN, PREPARE ... AS).
    let mut depth = 0i32;
    let mut start = None;
    for i in 0..tokens.len() {
        match punct(i) {
            Some('(') => depth += 1,
            Some(')') => depth -= 1,
            _ => {}
        }
        if depth == 0
            && word_at(&tokens, i) == "merge"
            && (i == 0 || word_at(&tokens, i + 1) == "into")
        {
            start = Some(i);
            break;
        }
    }
    let start = start?;
    let mut chars: Vec<char> = text.chars().collect();
    let end_of = |i: usize| tokens.get(i).map_or(chars.len(), |t| t.offset);
    let mut blanks: Vec<(usize, usize)> = Vec::new();
    let mut deletes: Vec<usize> = Vec::new();
    c.at = start + 1;
    if !c.word("into") {
        return Some(Err(c.error()));
    }
    if word_at(&tokens, c.at) == "only" {
        blanks.push((end_of(c.at), end_of(c.at + 1)));
    }
    // The clauses start at the WHENs outside parentheses and CASE expressions.
    let mut whens = Vec::new();
    let (mut depth, mut cases) = (0i32, 0i32);
    for i in c.at..tokens.len() {
        match (punct(i), word_at(&tokens, i)) {
            (Some('('), _) => depth += 1,
            (Some(')'), _) => depth -= 1,
            (_, "case") => cases += 1,
            (_, "end") if cases > 0 => cases -= 1,
            (_, "when") if depth == 0 && cases == 0 => whens.push(i),
            (_, "returning") if depth == 0 => {
                c.at = i;
                return Some(Err(c.error()));
            }
            _ => {}
        }
    }
    let mut clauses = Vec::new();
    for (k, &when) in whens.iter().enumerate() {
        let end = whens.get(k + 1).copied().unwrap_or(tokens.len());
        c.at = when + 1;
        let not = c.at;
        let matched = !c.word("not");
        if !c.word("matched") {
            return Some(Err(c.error()));
        }
        let condition = c.word("and");
        if condition {
            // The condition ends at the clause's THEN (not a CASE's).
            let (mut depth, mut cases) = (0i32, 0i32);
            while c.at < end {
                match (punct(c.at), word_at(&tokens, c.at)) {
                    (Some('('), _) => depth += 1,
                    (Some(')'), _) => depth -= 1,
                    (_, "case") => cases += 1,
                    (_, "end") if cases > 0 => cases -= 1,
                    (_, "then") if depth == 0 && cases == 0 => break,
                    _ => {}
                }
                c.at += 1;
            }
        }
        if !c.word("then") {
            return Some(Err(c.error()));
        }
        let verb = c.at;
        // A clause sqlparser cannot read becomes `WHEN MATCHED ... THEN DELETE`, DELETE
        // written over the word at `over`.
        let mut rewrite = |over: usize, blanks: &mut Vec<(usize, usize)>| {
            if !matched {
                blanks.push((end_of(not), end_of(not + 1)));
            }
            blanks.push((end_of(verb), end_of(end)));
            deletes.push(end_of(over));
        };
        let action = if c.word("do") {
            if !c.word("nothing") {
                return Some(Err(c.error()));
            }
            rewrite(c.at - 1, &mut blanks);
            MergeVerb::Nothing
        } else if matched && c.word("update") {
            MergeVerb::Update
        } else if matched && c.word("delete") {
            MergeVerb::Delete
        } else if !matched && c.word("insert") {
            let columns = c.parenthesized(text).ok()?.is_some();
            let mut overriding = None;
            let at = c.at;
            if c.word("overriding") {
                overriding = Some(if c.word("system") {
                    true
                } else if c.word("user") {
                    false
                } else {
                    return Some(Err(c.error()));
                });
                if !c.word("value") {
                    return Some(Err(c.error()));
                }
                blanks.push((end_of(at), end_of(c.at)));
            }
            let default_values = !columns && overriding.is_none() && c.word("default");
            if default_values {
                if !c.word("values") {
                    return Some(Err(c.error()));
                }
                rewrite(c.at - 2, &mut blanks);
            }
            MergeVerb::Insert {
                default_values,
                overriding,
            }
        } else {
            return Some(Err(c.error()));
        };
        // Nothing may follow these actions (the others' rest is sqlparser's to read).
        let complete = matches!(
            action,
            MergeVerb::Nothing
                | MergeVerb::Delete
                | MergeVerb::Insert {
                    default_values: true,
                    ..
                }
        );
        if complete && c.at < end {
            return Some(Err(c.error()));
        }
        clauses.push(MergeWhen {
            matched,
            condition,
            action,
        });
    }
    for &(from, to) in &blanks {
        for ch in &mut chars[from..to] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
    }
    for at in deletes {
        chars[at..at + "DELETE".len()].copy_from_slice(&['D', 'E', 'L', 'E', 'T', 'E']);
    }
    Some(Ok((clauses, chars.into_iter().collect())))
}

/// A constant at the cursor (PostgreSQL's AexprConst: a number, a string, TRUE, FALSE, NULL,
/// or a type name and a string): its text and offset.
fn constant(c: &mut Cursor) -> Option<(String, usize)> {
    let from = c.offset();
    match c.peek()? {
        Token::Number(_) | Token::Str(_) => c.at += 1,
        Token::Word(w) if matches!(w.as_str(), "true" | "false" | "null") => c.at += 1,
        Token::Word(_) => {
            // `type 'string'` (the type's name may take several words: `double precision`).
            while matches!(c.peek(), Some(Token::Word(_))) {
                c.at += 1;
            }
            if !matches!(c.peek(), Some(Token::Str(_))) {
                return None;
            }
            c.at += 1;
        }
        _ => return None,
    }
    let to = c.offset();
    let text: String = c.text.chars().skip(from).take(to - from).collect();
    Some((text.trim_end().to_string(), from))
}

/// The character ranges of SEARCH and CYCLE clauses after WITH queries (`name AS [[NOT]
/// MATERIALIZED] (query)`), which sqlparser does not read: blanked for it, read by the binder
/// with [`search_cycle`].
fn search_cycle_ranges(text: &str) -> Vec<(usize, usize)> {
    if !(says(text, "search") || says(text, "cycle")) || !says(text, "with") {
        return Vec::new();
    }
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let word = |i: usize| word_at(&tokens, i);
    let mut ranges = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        match tok.token {
            Token::Punct('(') => open.push(i),
            Token::Punct(')') => {
                let Some(at) = open.pop() else { continue };
                let before = at.checked_sub(1).map_or("", word);
                let body = before == "as"
                    || (before == "materialized"
                        && (word(at.wrapping_sub(2)) == "as"
                            || (word(at.wrapping_sub(2)) == "not"
                                && word(at.wrapping_sub(3)) == "as")));
                if !body || !matches!(word(i + 1), "search" | "cycle") {
                    continue;
                }
                let after = tok.offset + 1;
                if let Some((_, _, end)) = search_cycle(text, after) {
                    ranges.push((after, end));
                }
            }
            _ => {}
        }
    }
    ranges
}

/// The statement with what sqlparser does not read blanked (positions and lines kept): its
/// [`frame_exclusions`], [`between_symmetries`], INSERTs' OVERRIDING clauses
/// ([`insert_overriding`]), the subscripts of assignment targets ([`assignment_subscripts`]) and
/// CREATE TABLE AS's column names and `WITH [NO] DATA` ([`create_as_column_names`],
/// [`create_as_data`]), which the binder reads from the statement's text; and collations that
/// change nothing (`code_point_collations`); constraints' INCLUDE clauses
/// ([`constraint_includes`]). None when there
/// are none.
fn blank_for_sqlparser(text: &str) -> Option<String> {
    let mut ranges: Vec<(usize, usize)> = frame_exclusions(text)
        .into_iter()
        .map(|(from, to, _)| (from, to))
        .collect();
    ranges.extend(search_cycle_ranges(text));
    ranges.extend(
        between_symmetries(text)
            .into_iter()
            .map(|(from, to, _)| (from, to)),
    );
    ranges.extend(
        insert_overridings(text)
            .into_iter()
            .map(|(from, to, _)| (from, to)),
    );
    ranges.extend(assignment_subscripts(text));
    ranges.extend(create_as_data_clause(text).map(|(from, to, _)| (from, to)));
    ranges.extend(create_as_columns(text).map(|(from, to, _)| (from, to)));
    ranges.extend(code_point_collations(text));
    ranges.extend(
        constraint_includes(text)
            .into_iter()
            .map(|include| include.range),
    );
    ranges.extend(
        column_nulls_distinct(text)
            .into_iter()
            .map(|(_, from, to, _)| (from, to)),
    );
    if ranges.is_empty() {
        return None;
    }
    Some(blank_ranges(text, &ranges))
}

/// The `WITH [NO] DATA` that ends a `CREATE TABLE ... AS query` (which sqlparser does not
/// read): its character range, and whether it says DATA rather than NO DATA.
pub(crate) fn create_as_data_clause(text: &str) -> Option<(usize, usize, bool)> {
    if !says(text, "data") {
        return None;
    }
    let tokens = lex(text).ok()?;
    let mut end = tokens.len();
    while end > 0 && tokens[end - 1].token == Token::Punct(';') {
        end -= 1;
    }
    let word = |i: usize| word_at(&tokens, i);
    if word(0) != "create" || end < 3 || word(end - 1) != "data" {
        return None;
    }
    let no = word(end - 2) == "no";
    let with = end - 2 - usize::from(no);
    if word(with) != "with" || !(1..with).any(|i| word(i) == "as") {
        return None;
    }
    let to = tokens[end - 1].offset + "data".len();
    Some((tokens[with].offset, to, !no))
}

/// The `COLLATE "C"` clauses (also `"POSIX"`, `ucs_basic`, `default`, `pg_catalog.` ones) of a
/// statement, which sqlparser does not read after a cast (`name::text COLLATE "C"`): their
/// character ranges. Keel compares text by code point, so these collations change nothing and
/// the clause can go; another collation is left for sqlparser to refuse.
fn code_point_collations(text: &str) -> Vec<(usize, usize)> {
    if !says(text, "collate") {
        return Vec::new();
    }
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let punct = |i: usize, c: char| punct_at(&tokens, i, c);
    let mut ranges = Vec::new();
    for i in 0..tokens.len() {
        if word_at(&tokens, i) != "collate" {
            continue;
        }
        let mut at = i + 1;
        if word_at(&tokens, at) == "pg_catalog" && punct(at + 1, '.') {
            at += 2;
        }
        let code_point = match tokens.get(at).map(|t| &t.token) {
            Some(Token::Quoted(name)) => {
                matches!(name.as_str(), "C" | "POSIX" | "default" | "ucs_basic")
            }
            Some(Token::Word(name)) => {
                matches!(name.as_str(), "c" | "posix" | "default" | "ucs_basic")
            }
            _ => false,
        };
        if code_point {
            let end = match &tokens[at].token {
                Token::Quoted(name) => {
                    // The quotes, and any doubled inside (none in these names).
                    tokens[at].offset + name.chars().count() + 2
                }
                Token::Word(name) => tokens[at].offset + name.chars().count(),
                _ => unreachable!("matched above"),
            };
            ranges.push((tokens[i].offset, end));
        }
    }
    ranges
}

/// An `INCLUDE (columns)` clause of a UNIQUE or PRIMARY KEY constraint (`UNIQUE (b) INCLUDE
/// (c)`), which sqlparser does not read (see [`constraint_includes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintInclude {
    /// Character offset of the `)` that closes the constraint's key list.
    pub close: usize,
    /// The columns named, as written (unquoted ones lower-cased).
    pub names: Vec<String>,
    /// The clause's characters, blanked for sqlparser.
    range: (usize, usize),
}

/// The `INCLUDE (columns)` clauses after the key lists of UNIQUE (also `UNIQUE NULLS NOT
/// DISTINCT`) and PRIMARY KEY constraints, for the binder to read back by the `)` before each.
pub fn constraint_includes(text: &str) -> Vec<ConstraintInclude> {
    if !says(text, "include") {
        return Vec::new();
    }
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let punct = |i: usize, c: char| punct_at(&tokens, i, c);
    let mut found = Vec::new();
    for i in 1..tokens.len() {
        if word_at(&tokens, i) != "include" || !punct(i - 1, ')') || !punct(i + 1, '(') {
            continue;
        }
        // Back to the `(` that opens the key list, and the word before it.
        let mut depth = 0usize;
        let mut open = None;
        for k in (0..i).rev() {
            match tokens[k].token {
                Token::Punct(')') => depth += 1,
                Token::Punct('(') => {
                    depth -= 1;
                    if depth == 0 {
                        open = Some(k);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(open) = open.filter(|&open| open > 0) else {
            continue;
        };
        if !matches!(word_at(&tokens, open - 1), "unique" | "key" | "distinct") {
            continue;
        }
        let mut names = Vec::new();
        let mut at = i + 2;
        let close = loop {
            match tokens.get(at).map(|t| &t.token) {
                Some(Token::Word(name) | Token::Quoted(name)) => names.push(name.clone()),
                _ => break None,
            }
            at += 1;
            if punct(at, ')') {
                break Some(at);
            }
            if !punct(at, ',') {
                break None;
            }
            at += 1;
        };
        if let Some(end) = close {
            found.push(ConstraintInclude {
                close: tokens[i - 1].offset,
                names,
                range: (tokens[i].offset, tokens[end].offset + 1),
            });
        }
    }
    found
}

/// Where `CREATE UNLOGGED TABLE` says UNLOGGED (which sqlparser does not read).
fn create_unlogged_at(text: &str) -> Option<usize> {
    if !says(text, "unlogged") {
        return None;
    }
    let tokens = lex(text).ok()?;
    let word = |i: usize| word_at(&tokens, i);
    (word(0) == "create" && word(1) == "unlogged" && word(2) == "table").then(|| tokens[1].offset)
}

/// Whether the statement is a `CREATE UNLOGGED TABLE`.
pub fn create_unlogged(text: &str) -> bool {
    create_unlogged_at(text).is_some()
}

/// One `LIKE source [ INCLUDING | EXCLUDING option ]...` item of a CREATE TABLE's list
/// ([`create_table_likes`]): the source's columns (and what the options include) go where it
/// stands.
#[derive(Debug, Clone, PartialEq)]
pub struct TableLike {
    /// The source's name, each part as written (unquoted parts lower-cased).
    pub source: Vec<String>,
    /// Character offset of the source's name in the statement.
    pub at: usize,
    /// How many column definitions come before it in the list.
    pub columns_before: usize,
    /// What it includes: `LIKE_*` bits.
    pub including: u32,
    /// The characters blanked for sqlparser: the item and a comma beside it.
    range: (usize, usize),
}

pub const LIKE_COMMENTS: u32 = 1;
pub const LIKE_COMPRESSION: u32 = 2;
pub const LIKE_CONSTRAINTS: u32 = 4;
pub const LIKE_DEFAULTS: u32 = 8;
pub const LIKE_GENERATED: u32 = 16;
pub const LIKE_IDENTITY: u32 = 32;
pub const LIKE_INDEXES: u32 = 64;
pub const LIKE_STATISTICS: u32 = 128;
pub const LIKE_STORAGE: u32 = 256;

/// The `LIKE source [options]` items of a `CREATE [TEMP | UNLOGGED] TABLE name (...)` list,
/// which sqlparser would read as a column named like (see [`TableLike`]). Options apply in
/// order (`INCLUDING ALL EXCLUDING INDEXES`); a word that is no option is a syntax error.
pub fn create_table_likes(text: &str) -> SqlResult<Vec<TableLike>> {
    if !says(text, "like") {
        return Ok(Vec::new());
    }
    let Ok(tokens) = lex(text) else {
        return Ok(Vec::new());
    };
    let word = |i: usize| word_at(&tokens, i);
    let punct = |i: usize, c: char| punct_at(&tokens, i, c);
    let name = |i: usize| name_at(&tokens, i);
    let Some(at) = created_table_list(&tokens) else {
        return Ok(Vec::new());
    };
    let error = |i: usize| Cursor::new(text, i).map_or_else(|e| e, |c| c.error());
    let mut likes = Vec::new();
    let mut columns_before = 0;
    for (start, end) in created_table_items(&tokens, at) {
        let first = word(start);
        if first == "like" {
            let mut i = start + 1;
            let mut source = vec![name(i).ok_or_else(|| error(i))?];
            i += 1;
            while punct(i, '.') {
                source.push(name(i + 1).ok_or_else(|| error(i + 1))?);
                i += 2;
            }
            let mut including = 0;
            while i < end {
                let on = match word(i) {
                    "including" => true,
                    "excluding" => false,
                    _ => return Err(error(i)),
                };
                let bits = match word(i + 1) {
                    "comments" => LIKE_COMMENTS,
                    "compression" => LIKE_COMPRESSION,
                    "constraints" => LIKE_CONSTRAINTS,
                    "defaults" => LIKE_DEFAULTS,
                    "generated" => LIKE_GENERATED,
                    "identity" => LIKE_IDENTITY,
                    "indexes" => LIKE_INDEXES,
                    "statistics" => LIKE_STATISTICS,
                    "storage" => LIKE_STORAGE,
                    "all" => u32::MAX,
                    _ => return Err(error(i + 1)),
                };
                including = if on {
                    including | bits
                } else {
                    including & !bits
                };
                i += 2;
            }
            // The item and the comma after it (or, for the last item, the one before it).
            let from = tokens[start].offset;
            let range = if punct(end, ',') {
                (from, tokens[end].offset + 1)
            } else if punct(start - 1, ',') {
                (tokens[start - 1].offset, tokens[end].offset)
            } else {
                (from, tokens[end].offset)
            };
            likes.push(TableLike {
                source,
                at: tokens[start + 1].offset,
                columns_before,
                including,
                range,
            });
        } else if !is_table_constraint(first) {
            columns_before += 1;
        }
    }
    Ok(likes)
}

/// The items of the CREATE TABLE list that opens at token `open` (see
/// [`created_table_list`]): each as (its first token, the `,` or `)` that ends it); none when
/// the list does not close.
fn created_table_items(tokens: &[Tok], open: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut start = open + 1;
    loop {
        let mut end = start;
        let mut depth = 0usize;
        while let Some(tok) = tokens.get(end) {
            match tok.token {
                Token::Punct('(') => depth += 1,
                Token::Punct(',' | ')') if depth == 0 => break,
                Token::Punct(')') => depth -= 1,
                _ => {}
            }
            end += 1;
        }
        if end >= tokens.len() {
            return Vec::new();
        }
        items.push((start, end));
        if punct_at(tokens, end, ')') {
            return items;
        }
        start = end + 1;
    }
}

/// Whether a CREATE TABLE list item that starts with `word` is a table constraint (not a
/// column, nor a LIKE).
fn is_table_constraint(word: &str) -> bool {
    matches!(
        word,
        "constraint" | "primary" | "unique" | "check" | "foreign" | "exclude"
    )
}

/// The statement with its [`create_table_likes`] items blanked, for sqlparser; None when it
/// has none.
fn blank_table_likes(text: &str) -> SqlResult<Option<String>> {
    let likes = create_table_likes(text)?;
    if likes.is_empty() {
        return Ok(None);
    }
    let ranges: Vec<(usize, usize)> = likes.iter().map(|like| like.range).collect();
    Ok(Some(blank_ranges(text, &ranges)))
}

/// The `NULLS [NOT] DISTINCT` of column constraints `UNIQUE NULLS [NOT] DISTINCT` in a CREATE
/// TABLE's list (sqlparser reads it only on table constraints, `UNIQUE NULLS NOT DISTINCT (a)`):
/// per clause, the column's name (as the binder names it), the clause's character range, and
/// whether it says NOT DISTINCT. The binder asks for the columns with [`nulls_not_distinct_columns`].
fn column_nulls_distinct(text: &str) -> Vec<(String, usize, usize, bool)> {
    if !says(text, "distinct") || !says(text, "unique") {
        return Vec::new();
    }
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let Some(open) = created_table_list(&tokens) else {
        return Vec::new();
    };
    let word = |i: usize| word_at(&tokens, i);
    let mut found = Vec::new();
    for (start, end) in created_table_items(&tokens, open) {
        // A column's definition (not a table constraint's item, nor a LIKE).
        let first = word(start);
        let column = match name_at(&tokens, start) {
            Some(name) if !is_table_constraint(first) && first != "like" => name,
            _ => continue,
        };
        let mut depth = 0usize;
        for i in start..end {
            match &tokens[i].token {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') => depth -= 1,
                _ => {}
            }
            if depth == 0 && word(i) == "unique" && word(i + 1) == "nulls" {
                let not = word(i + 2) == "not";
                let distinct = i + 2 + usize::from(not);
                if word(distinct) == "distinct" {
                    let to = tokens[distinct].offset + "distinct".len();
                    found.push((column.clone(), tokens[i + 1].offset, to, not));
                }
            }
        }
    }
    found
}

/// The columns of a CREATE TABLE whose `UNIQUE` column constraint says `NULLS NOT DISTINCT`.
pub fn nulls_not_distinct_columns(text: &str) -> Vec<String> {
    (column_nulls_distinct(text).into_iter())
        .filter(|(_, _, _, not)| *not)
        .map(|(name, ..)| name)
        .collect()
}

/// Where the parenthesized list of `CREATE [TEMP | UNLOGGED ...] TABLE [IF NOT EXISTS] name (`
/// opens: the index of its `(` in `tokens`; None for another statement.
fn created_table_list(tokens: &[Tok]) -> Option<usize> {
    let word = |i: usize| word_at(tokens, i);
    if word(0) != "create" {
        return None;
    }
    let mut at = (1..tokens.len().min(6)).find(|&i| word(i) == "table")? + 1;
    if word(at) == "if" {
        at += 3;
    }
    name_at(tokens, at)?;
    at += 1;
    while punct_at(tokens, at, '.') && name_at(tokens, at + 1).is_some() {
        at += 2;
    }
    punct_at(tokens, at, '(').then_some(at)
}

/// The column names of `CREATE TABLE name (a, b) AS query` (which sqlparser reads as column
/// definitions, each missing its type): the list's character range and its names.
fn create_as_columns(text: &str) -> Option<(usize, usize, Vec<String>)> {
    let tokens = lex(text).ok()?;
    let punct = |i: usize, c: char| punct_at(&tokens, i, c);
    let name = |i: usize| name_at(&tokens, i);
    let mut at = created_table_list(&tokens)?;
    let open = at;
    let mut names = Vec::new();
    loop {
        names.push(name(at + 1)?);
        at += 2;
        if punct(at, ')') {
            break;
        }
        if !punct(at, ',') {
            return None;
        }
    }
    let close = at;
    // AS follows, perhaps after WITH (...), ON COMMIT ... or TABLESPACE name.
    let mut depth = 0usize;
    for tok in &tokens[close + 1..] {
        match &tok.token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth = depth.checked_sub(1)?,
            Token::Word(w) if depth == 0 && w == "as" => {
                return Some((tokens[open].offset, tokens[close].offset + 1, names));
            }
            Token::Word(_) | Token::Number(_) | Token::Punct('=' | ',') => {}
            _ if depth > 0 => {}
            _ => return None,
        }
    }
    None
}

/// The column names a `CREATE TABLE name (a, b, ...) AS query` gives the query's columns
/// (empty where it gives none).
pub fn create_as_column_names(text: &str) -> Vec<String> {
    if !says(text, " as") {
        return Vec::new();
    }
    create_as_columns(text).map_or_else(Vec::new, |(_, _, names)| names)
}

/// Whether a `CREATE TABLE ... AS query` writes the query's rows: false where it ends `WITH NO
/// DATA`.
pub fn create_as_data(text: &str) -> bool {
    create_as_data_clause(text).is_none_or(|(_, _, data)| data)
}

/// The subscripts of assignment targets (`SET v[2] = x`, `INSERT INTO t (v[1:2]) ...`: an
/// element or slice of an array column), which sqlparser does not read: each target's `[...]`
/// groups as one character range of `text`, for `blank_for_sqlparser`. The binder finds them
/// again after the target's name and reads them with [`subscripted_target`]. Targets are the
/// names that start an item of an UPDATE's SET list (UPDATE, ON CONFLICT DO UPDATE, MERGE's
/// UPDATE) or of an INSERT's column list (also MERGE's INSERT).
pub fn assignment_subscripts(text: &str) -> Vec<(usize, usize)> {
    if !text.contains('[') {
        return Vec::new();
    }
    let Ok(tokens) = lex(text) else {
        return Vec::new();
    };
    let word = |i: usize| word_at(&tokens, i);
    let punct = |i: usize, c: char| punct_at(&tokens, i, c);
    let name = |i: usize| {
        matches!(
            tokens.get(i).map(|t| &t.token),
            Some(Token::Word(_) | Token::Quoted(_))
        )
    };
    // Past `name[.name]...` starting at token `i`: the index after it (i where there is none).
    let past_name = |i: usize| {
        let mut at = i;
        if name(at) {
            at += 1;
            while punct(at, '.') && name(at + 1) {
                at += 2;
            }
        }
        at
    };
    // Token `i` starts a target: `name[.name]... [` ... `]` [ `[` ... `]` ]...: the range of
    // its subscripts.
    let target = |i: usize| -> Option<(usize, usize)> {
        let open = past_name(i);
        if open == i || !punct(open, '[') {
            return None;
        }
        let (mut at, mut depth, mut end) = (open, 0usize, None);
        while let Some(tok) = tokens.get(at) {
            match tok.token {
                Token::Punct('[' | '(') => depth += 1,
                Token::Punct(']' | ')') => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        end = Some(tok.offset + 1);
                        if !punct(at + 1, '[') {
                            break;
                        }
                    }
                }
                Token::Punct(';') => return None,
                _ => {}
            }
            at += 1;
        }
        Some((tokens[open].offset, end?))
    };
    let mut ranges = Vec::new();
    // A list's items from token `from` on, at its depth, until `stop` says a word at that depth
    // ends it (or its parenthesis closes).
    let mut list = |from: usize, stop: &dyn Fn(&str) -> bool| {
        let (mut depth, mut item_starts) = (0usize, true);
        for (at, tok) in tokens.iter().enumerate().skip(from) {
            if item_starts && depth == 0 {
                ranges.extend(target(at));
            }
            item_starts = false;
            match tok.token {
                Token::Punct('(' | '[') => depth += 1,
                Token::Punct(')' | ']') if depth == 0 => break,
                Token::Punct(')' | ']') => depth -= 1,
                Token::Punct(';') => break,
                Token::Punct(',') if depth == 0 => item_starts = true,
                Token::Word(ref w) if depth == 0 && stop(w) => break,
                _ => {}
            }
        }
    };
    for i in 0..tokens.len() {
        match word(i) {
            "set" => {
                // `UPDATE [ONLY] name [[AS] alias] SET` or `DO UPDATE SET` / MERGE's `UPDATE SET`:
                // back over names and dots to UPDATE.
                let mut at = i;
                let is_update = loop {
                    if at == 0 || i - at > 8 {
                        break false;
                    }
                    at -= 1;
                    if word(at) == "update" {
                        break true;
                    }
                    if !(name(at) || punct(at, '.')) {
                        break false;
                    }
                };
                if is_update {
                    list(i + 1, &|w: &str| {
                        matches!(w, "where" | "from" | "returning" | "when")
                    });
                }
            }
            "insert" => {
                let mut at = i + 1;
                if word(at) == "into" {
                    at = past_name(at + 1);
                    if word(at) == "as" {
                        at += 2;
                    }
                }
                if punct(at, '(') && word(at + 1) != "select" && word(at + 1) != "with" {
                    list(at + 1, &|_: &str| false);
                }
            }
            _ => {}
        }
    }
    ranges
}

/// The assignment target written from character `from` to `to` of `text` (`v[2]`, `v[1:2][3]`;
/// see [`assignment_subscripts`]) as the subscript expression it reads like, with the
/// statement's positions.
pub fn subscripted_target(text: &str, from: usize, to: usize) -> SqlResult<sqlparser::ast::Expr> {
    let blanked: String = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if (from..to).contains(&i) || c == '\n' {
                c
            } else {
                ' '
            }
        })
        .take(to)
        .collect();
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&blanked)
        .and_then(|mut parser| parser.parse_expr())
        .map_err(|error| syntax_error(&blanked, error))
}

/// PostgreSQL's inheritance marks on a relation, which Keel (without inheritance) reads as the
/// relation itself: `ONLY name` after FROM, JOIN, UPDATE, DELETE FROM, TABLE, MERGE INTO or a
/// comma, and `name *` after FROM, JOIN, UPDATE or TABLE. The character ranges to blank
/// (sqlparser would read ONLY as a table's name).
fn inheritance_marks(text: &str) -> SqlResult<Vec<(usize, usize)>> {
    if !(says(text, "only") || text.contains('*')) {
        return Ok(Vec::new());
    }
    let Ok(tokens) = lex(text) else {
        return Ok(Vec::new());
    };
    let name = |i: usize| {
        matches!(
            tokens.get(i).map(|t| &t.token),
            Some(Token::Word(_) | Token::Quoted(_))
        )
    };
    let punct = |i: usize, c: char| punct_at(&tokens, i, c);
    let relation_follows = |i: usize| {
        matches!(
            word_at(&tokens, i),
            "from" | "join" | "update" | "table" | "only"
        )
    };
    let mut ranges = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        if word_at(&tokens, i) == "only" && i > 0 {
            let after = word_at(&tokens, i - 1);
            if relation_follows(i - 1) && after != "only" || after == "into" || punct(i - 1, ',') {
                if name(i + 1) {
                    ranges.push((tok.offset, tok.offset + "only".len()));
                } else if !punct(i + 1, '(') {
                    return Err(Cursor::new(text, i + 1)?.error());
                }
            }
        } else if tok.token == Token::Punct('*') {
            // Back over `[schema.]name` to the word before it.
            let mut at = i;
            while at >= 2 && name(at - 1) && punct(at - 2, '.') {
                at -= 2;
            }
            if at >= 2 && name(at - 1) && relation_follows(at - 2) {
                ranges.push((tok.offset, tok.offset + 1));
            }
        }
    }
    Ok(ranges)
}

/// `text` with the characters in `ranges` (character offsets, end excluded) blanked, its line
/// breaks kept: what sqlparser reads in place of words it does not know, every position and
/// line the same.
pub(crate) fn blank_ranges(text: &str, ranges: &[(usize, usize)]) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let blanked = ranges.iter().any(|&(from, to)| (from..to).contains(&i));
            if blanked && c != '\n' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The statement with each [`conflict_wheres`] clause blanked (positions and lines kept): the
/// binder reads the predicates from the statement's text. None when there are none.
fn blank_conflict_wheres(text: &str) -> Option<String> {
    let clauses: Vec<(usize, usize)> = conflict_wheres(text)
        .into_iter()
        .map(|(from, _, to)| (from, to))
        .collect();
    if clauses.is_empty() {
        return None;
    }
    Some(blank_ranges(text, &clauses))
}

/// A CREATE VIEW's options where sqlparser does not read them: a trailing `WITH [CASCADED |
/// LOCAL] CHECK OPTION`, and options without a value in `WITH (security_barrier, ...)` before
/// AS. Both clauses are blanked (positions stay) and their options returned, the first as
/// `check_option` (`cascaded` unless LOCAL), for [`set_view_options`] to put among the view's
/// options as `WITH (name = value)` says them. None for any other statement.
#[allow(clippy::type_complexity)]
fn view_options(text: &str) -> Option<(String, Vec<(String, Option<String>)>)> {
    let tokens = lex(text).ok()?;
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Tok { token: Token::Word(x), .. }) if x == w);
    let view = tokens
        .iter()
        .position(|t| t.token == Token::Word("view".into()))?;
    if !word(0, "create") {
        return None;
    }
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut options = Vec::new();
    // `WITH (name [= value], ...)` after the name and columns, before AS.
    let mut depth = 0;
    let mut at = view + 1;
    while at < tokens.len() {
        match &tokens[at].token {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            Token::Word(w) if depth == 0 && w == "as" => break,
            Token::Word(w)
                if depth == 0 && w == "with" && tokens.get(at + 1)?.token == Token::Punct('(') =>
            {
                let from = tokens[at].offset;
                let mut i = at + 2;
                loop {
                    let key = match &tokens.get(i)?.token {
                        Token::Word(k) | Token::Quoted(k) => k.clone(),
                        _ => return None,
                    };
                    i += 1;
                    let mut value = None;
                    if tokens.get(i)?.token == Token::Punct('=') {
                        value = Some(match &tokens.get(i + 1)?.token {
                            Token::Word(v)
                            | Token::Str(v)
                            | Token::Number(v)
                            | Token::Quoted(v) => v.clone(),
                            Token::Punct(_) => return None,
                        });
                        i += 2;
                    }
                    options.push((key, value));
                    match tokens.get(i)?.token {
                        Token::Punct(',') => i += 1,
                        Token::Punct(')') => break,
                        _ => return None,
                    }
                }
                blank.push((from, tokens[i].offset + 1));
                break;
            }
            _ => {}
        }
        at += 1;
    }
    // `WITH [CASCADED | LOCAL] CHECK OPTION` at the end.
    let mut end = tokens.len();
    while end > 0 && tokens[end - 1].token == Token::Punct(';') {
        end -= 1;
    }
    if end >= 3 && word(end - 1, "option") && word(end - 2, "check") {
        let (with, option) = match end - 3 {
            at if word(at, "local") => (at.checked_sub(1)?, "local"),
            at if word(at, "cascaded") => (at.checked_sub(1)?, "cascaded"),
            at => (at, "cascaded"),
        };
        if word(with, "with") {
            options.retain(|(key, _)| key != "check_option");
            options.push(("check_option".to_string(), Some(option.to_string())));
            blank.push((tokens[with].offset, usize::MAX));
        }
    }
    if blank.is_empty() {
        return None;
    }
    let blanked = text
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if blank.iter().any(|(from, to)| (*from..*to).contains(&i)) {
                ' '
            } else {
                c
            }
        })
        .collect();
    Some((blanked, options))
}

/// Puts `options` ([`view_options`]) as a view's `WITH (...)` options.
fn set_view_options(
    target: &mut sqlparser::ast::CreateTableOptions,
    options: Vec<(String, Option<String>)>,
) {
    use sqlparser::ast::{CreateTableOptions, Expr, Ident, SqlOption, Value};
    let list = options
        .into_iter()
        .map(|(key, value)| match value {
            Some(value) => SqlOption::KeyValue {
                key: Ident::new(key),
                value: Expr::Value(Value::SingleQuotedString(value).into()),
            },
            None => SqlOption::Ident(Ident::new(key)),
        })
        .collect();
    *target = CreateTableOptions::With(list);
}

fn revoke_grant_option(text: &str) -> Option<String> {
    if !is_revoke_grant_option(text) {
        return None;
    }
    let tokens = lex(text).ok()?;
    let (from, to) = (tokens[1].offset, tokens[4].offset);
    Some(
        text.chars()
            .enumerate()
            .map(|(i, c)| if (from..to).contains(&i) { ' ' } else { c })
            .collect(),
    )
}

/// `GRANT | REVOKE [GRANT OPTION FOR] ALL [PRIVILEGES] (columns) ON ...`, which sqlparser does not
/// read, spelled out as the four column privileges (`SELECT (columns), INSERT (columns), UPDATE
/// (columns), REFERENCES (columns)`); None for any other statement.
fn all_column_privileges(text: &str) -> Option<String> {
    let tokens = lex(text).ok()?;
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Tok { token: Token::Word(x), .. }) if x == w);
    let mut at = match tokens.first() {
        Some(Tok {
            token: Token::Word(w),
            ..
        }) if w == "grant" => 1,
        Some(Tok {
            token: Token::Word(w),
            ..
        }) if w == "revoke" => {
            if word(1, "grant") && word(2, "option") && word(3, "for") {
                4
            } else {
                1
            }
        }
        _ => return None,
    };
    if !word(at, "all") {
        return None;
    }
    let all = tokens[at].offset;
    at += 1;
    if word(at, "privileges") {
        at += 1;
    }
    if !matches!(
        tokens.get(at),
        Some(Tok {
            token: Token::Punct('('),
            ..
        })
    ) {
        return None;
    }
    let open = tokens[at].offset;
    let close = tokens[at..]
        .iter()
        .find(|t| t.token == Token::Punct(')'))?
        .offset;
    let chars: Vec<char> = text.chars().collect();
    let columns: String = chars[open..=close].iter().collect();
    let before: String = chars[..all].iter().collect();
    let after: String = chars[close + 1..].iter().collect();
    Some(format!(
        "{before}SELECT {columns}, INSERT {columns}, UPDATE {columns}, REFERENCES {columns}{after}"
    ))
}

/// A role statement's `CONNECTION LIMIT -n`, which sqlparser reads only unsigned: the text with the
/// minus blanked (positions stay); None when there is no such limit.
fn negative_connection_limit(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().take(2).collect();
    if !(matches!(words.first(), Some(&"create" | &"alter")) && words.get(1) == Some(&"role")) {
        return None;
    }
    let tokens = lex(text).ok()?;
    let at = tokens
        .windows(3)
        .find_map(|w| match (&w[0].token, &w[1].token, &w[2].token) {
            (Token::Word(limit), Token::Punct('-'), Token::Number(_)) if limit == "limit" => {
                Some(w[1].offset)
            }
            _ => None,
        })?;
    let mut chars: Vec<char> = text.chars().collect();
    chars[at] = ' ';
    Some(chars.into_iter().collect())
}

/// Puts the minus [`negative_connection_limit`] took back on the parsed limit.
fn negate_connection_limit(statement: &mut Statement) {
    use sqlparser::ast::{AlterRoleOperation, Expr, RoleOption, Value};
    let negate = |expr: &mut Expr| {
        if let Expr::Value(v) = expr {
            if let Value::Number(n, _) = &mut v.value {
                n.insert(0, '-');
            }
        }
    };
    match statement {
        Statement::CreateRole {
            connection_limit: Some(expr),
            ..
        } => negate(expr),
        Statement::AlterRole {
            operation: AlterRoleOperation::WithOptions { options },
            ..
        } => {
            for option in options {
                if let RoleOption::ConnectionLimit(expr) = option {
                    negate(expr);
                }
            }
        }
        _ => {}
    }
}

/// `ALTER TYPE name` with attribute actions, `RENAME ATTRIBUTE` or `SET SCHEMA`, when the text is
/// one of those (None for the other forms, which sqlparser reads).
fn alter_type(text: &str) -> Option<SqlResult<Parsed>> {
    let mut c = Cursor::new(text, 1).ok()?;
    if !c.word("type") {
        return None;
    }
    let name = c.written_piece().ok()?;
    let action = match c.peek() {
        Some(Token::Word(w)) if w == "add" || w == "drop" || w == "alter" => {
            // (`ADD VALUE` is an enum's, which sqlparser reads.)
            if !matches!(c.tokens.get(c.at + 1).map(|t| &t.token), Some(Token::Word(w)) if w == "attribute")
            {
                return None;
            }
            c.type_attribute_actions().map(TypeAlteration::Attributes)
        }
        Some(Token::Word(w)) if w == "rename" => {
            let at = c.at;
            c.word("rename");
            if !c.word("attribute") {
                c.at = at;
                return None;
            }
            (|| {
                let from = c.ident()?.0;
                if !c.word("to") {
                    return Err(c.error());
                }
                let to = c.ident()?.0;
                Ok(TypeAlteration::RenameAttribute { from, to })
            })()
        }
        Some(Token::Word(w)) if w == "set" => {
            c.word("set");
            if !c.word("schema") {
                return Some(Err(c.error()));
            }
            c.ident()
                .map(|(schema, _)| TypeAlteration::SetSchema(schema))
        }
        _ => return None,
    };
    Some(action.and_then(|action| {
        let _ = c.word("cascade") || c.word("restrict");
        if !c.done() {
            return Err(c.error());
        }
        Ok(Parsed::AlterType { name, action })
    }))
}

/// `ALTER TYPE name OWNER TO role`, when the text is that (pg_dump writes it after each type).
fn alter_type_owner(text: &str) -> Option<Parsed> {
    let mut c = Cursor::new(text, 1).ok()?;
    if !c.word("type") {
        return None;
    }
    let name = c.written_name().ok()?;
    if !(c.word("owner") && c.word("to")) {
        return None;
    }
    let (role, _) = c.ident().ok()?;
    c.done().then_some(Parsed::AlterTypeOwner { name, role })
}

/// `TABLE [IF EXISTS] [ONLY] name` after ALTER: the table's name as written (an explicit
/// `public.` kept: [`Cursor::written_name`]) and whether IF EXISTS was said; None where the
/// words are not these.
fn altered_table(c: &mut Cursor) -> Option<((String, usize), bool)> {
    if !c.word("table") {
        return None;
    }
    let if_exists = c.word("if");
    if if_exists && !c.word("exists") {
        return None;
    }
    let _ = c.word("only");
    Some((c.written_name().ok()?, if_exists))
}

/// What a [`Parsed::AlterStorage`] changes.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageChange {
    /// SET LOGGED (true) or SET UNLOGGED.
    Logged(bool),
    /// RESET (storage parameters).
    Reset(Vec<String>),
    /// CLUSTER ON index (Some) or SET WITHOUT CLUSTER.
    Cluster(Option<String>),
}

/// `ALTER TABLE [IF EXISTS] [ONLY] name SET LOGGED | UNLOGGED | RESET (parameter, ...)` (see
/// [`Parsed::AlterStorage`]); None when the statement is something else.
fn alter_storage(text: &str) -> Option<Parsed> {
    if !says(text, "logged") && !says(text, "reset") && !says(text, "cluster") {
        return None;
    }
    let mut c = Cursor::new(text, 1).ok()?;
    let (table, if_exists) = altered_table(&mut c)?;
    let change = if c.word("reset") {
        if !c.punct('(') {
            return None;
        }
        let names = c.ident_list().ok()?;
        if !c.punct(')') {
            return None;
        }
        StorageChange::Reset(names)
    } else if c.word("cluster") {
        if !c.word("on") {
            return None;
        }
        StorageChange::Cluster(Some(c.ident().ok()?.0))
    } else if c.word("set") {
        if c.word("without") {
            if !c.word("cluster") {
                return None;
            }
            StorageChange::Cluster(None)
        } else if c.word("logged") {
            StorageChange::Logged(true)
        } else if c.word("unlogged") {
            StorageChange::Logged(false)
        } else {
            return None;
        }
    } else {
        return None;
    };
    c.done().then_some(Parsed::AlterStorage {
        table,
        if_exists,
        change,
    })
}

/// `ALTER TABLE ... ALTER [COLUMN] c` followed by identity actions only (see
/// [`Parsed::AlterIdentity`]); None when the statement is something else. PostgreSQL's gram.y:
/// `SET GENERATED`, `SET` and one sequence option, `RESTART [[WITH] n]`, repeated; or `DROP
/// IDENTITY [IF EXISTS]`.
fn alter_identity(text: &str) -> Option<SqlResult<Parsed>> {
    let mut c = Cursor::new(text, 1).ok()?;
    let (table, if_exists) = altered_table(&mut c)?;
    let _ = c.punct('*');
    let mut actions = Vec::new();
    loop {
        if !c.word("alter") {
            return None;
        }
        let _ = c.word("column");
        let column = c.ident().ok()?;
        let change = match identity_change(&mut c)? {
            Ok(change) => change,
            Err(error) => return Some(Err(error)),
        };
        actions.push(IdentityAction { column, change });
        if !c.punct(',') {
            break;
        }
    }
    Some(c.expect_end().map(|()| Parsed::AlterIdentity {
        table,
        if_exists,
        actions,
    }))
}

/// One column's identity actions at the cursor (after `ALTER [COLUMN] c`); None when the
/// words there are no identity action.
fn identity_change(c: &mut Cursor) -> Option<SqlResult<IdentityChange>> {
    let sequence_words = [
        "as",
        "cache",
        "cycle",
        "increment",
        "maxvalue",
        "minvalue",
        "no",
        "owned",
        "sequence",
        "start",
        "restart",
    ];
    let next = |c: &Cursor, ahead: usize| word_at(&c.tokens, c.at + ahead).to_string();
    if next(c, 0) == "set" && matches!(next(c, 1).as_str(), "statistics" | "storage") {
        let storage = next(c, 1) == "storage";
        c.at += 2;
        if storage {
            return Some(
                c.ident()
                    .map(|(storage, _)| IdentityChange::Storage(storage)),
            );
        }
        let target = c.integer().map_err(|_| c.error());
        return Some(target.map(IdentityChange::Statistics));
    }
    if next(c, 0) == "drop" {
        let expression = match next(c, 1).as_str() {
            "identity" => false,
            "expression" => true,
            _ => return None,
        };
        c.at += 2;
        let if_exists = match c.if_exists() {
            Ok(if_exists) => if_exists,
            Err(error) => return Some(Err(error)),
        };
        return Some(Ok(match expression {
            true => IdentityChange::DropExpression { if_exists },
            false => IdentityChange::Drop { if_exists },
        }));
    }
    let action = |c: &Cursor| {
        next(c, 0) == "restart"
            || (next(c, 0) == "set"
                && (next(c, 1) == "generated" || sequence_words.contains(&next(c, 1).as_str())))
    };
    if !action(c) {
        return None;
    }
    let mut always = None;
    let mut options = SequenceChanges::default();
    let mut name = None;
    let parsed = (|| {
        while action(c) {
            // RESTART [[WITH] n] is read as the sequence option is; the rest follow SET.
            if !c.word("set") {
                c.sequence_option(&mut options, &mut name)?;
            } else if c.word("generated") {
                always = Some(if c.word("always") {
                    true
                } else if c.word("by") && c.word("default") {
                    false
                } else {
                    return Err(c.error());
                });
            } else {
                c.sequence_option(&mut options, &mut name)?;
                if let Some((_, clause)) = name {
                    return Err(SqlError::syntax("invalid sequence option SEQUENCE NAME")
                        .at(Some(clause + 1)));
                }
            }
        }
        Ok(IdentityChange::Set { always, options })
    })();
    Some(parsed)
}

/// Whether the statement is an `ALTER MATERIALIZED VIEW` (which Keel reads as the ALTER
/// TABLE it is, `matview_as_table`).
pub fn alters_matview(text: &str) -> bool {
    matview_words_at(text) == Some(1)
}

/// Where the words `MATERIALIZED VIEW` of an `ALTER MATERIALIZED VIEW` or `COMMENT ON
/// MATERIALIZED VIEW` are: the token index of the first.
fn matview_words_at(text: &str) -> Option<usize> {
    let tokens = lex(text).ok()?;
    let at = match word_at(&tokens, 0) {
        "alter" => 1,
        "comment" if word_at(&tokens, 1) == "on" => 2,
        _ => return None,
    };
    (word_at(&tokens, at) == "materialized" && word_at(&tokens, at + 1) == "view").then_some(at)
}

/// `ALTER MATERIALIZED VIEW ...` as `ALTER TABLE ...`, `COMMENT ON MATERIALIZED VIEW` as
/// `COMMENT ON TABLE` (the words blanked, positions kept), for sqlparser, which reads neither:
/// the binder takes a materialized view for a table (and sees the words in the text).
fn matview_as_table(text: &str) -> Option<String> {
    let at = matview_words_at(text)?;
    let tokens = lex(text).ok()?;
    let (from, to) = (tokens[at].offset, tokens[at + 1].offset + "view".len());
    let mut out: Vec<char> = text.chars().collect();
    let table: Vec<char> = "table"
        .chars()
        .chain(std::iter::repeat(' '))
        .take(to - from)
        .collect();
    out.splice(from..to, table);
    Some(out.into_iter().collect())
}

/// `ALTER TABLE | VIEW | MATERIALIZED VIEW | SEQUENCE [IF EXISTS] [ONLY] name SET SCHEMA new`,
/// when the text is that (see [`Parsed::SetSchema`]).
fn set_schema(text: &str) -> Option<SqlResult<Parsed>> {
    if !says(text, "schema") {
        return None;
    }
    let mut c = Cursor::new(text, 1).ok()?;
    let tag = if c.word("table") {
        "ALTER TABLE"
    } else if c.word("view") {
        "ALTER VIEW"
    } else if c.word("sequence") {
        "ALTER SEQUENCE"
    } else if c.word("materialized") && c.word("view") {
        "ALTER MATERIALIZED VIEW"
    } else {
        return None;
    };
    let if_exists = c.word("if");
    if if_exists && !c.word("exists") {
        return None;
    }
    if tag == "ALTER TABLE" {
        let _ = c.word("only");
    }
    let name = c.written_name().ok()?;
    if !(c.word("set") && c.word("schema")) {
        return None;
    }
    let (schema, _) = c.ident().ok()?;
    if !c.done() {
        return Some(Err(c.error()));
    }
    Some(Ok(Parsed::SetSchema {
        tag,
        name,
        if_exists,
        schema,
    }))
}

/// CREATE, ALTER or DROP DOMAIN, when the text is one (see [`DomainStatement`]).
fn domain_statement(text: &str, first: &str) -> SqlResult<Parsed> {
    let mut c = Cursor::new(text, 2)?;
    let statement = match first {
        "create" => {
            let name = c.written_piece()?;
            let _ = c.word("as");
            const STOPS: &[&str] = &["collate", "default", "constraint", "not", "null", "check"];
            let base = c.text_until(STOPS).ok_or_else(|| c.error())?;
            // The clauses in any order.
            let (mut collation, mut default, mut constraints) = (None, None, Vec::new());
            loop {
                if c.word("collate") {
                    collation = Some(c.ident()?.0);
                } else if c.word("default") {
                    if default.is_some() {
                        return Err(SqlError::syntax("multiple default expressions"));
                    }
                    default = Some(c.text_until(STOPS).ok_or_else(|| c.error())?);
                } else if let Some(constraint) = c.domain_constraint()? {
                    constraints.push(constraint);
                } else {
                    break;
                }
            }
            DomainStatement::Create {
                name,
                base,
                collation,
                default,
                constraints,
            }
        }
        "drop" => {
            let if_exists = c.if_exists()?;
            let mut names = vec![c.written_piece()?];
            while c.punct(',') {
                names.push(c.written_piece()?);
            }
            let cascade = c.word("cascade");
            if !cascade {
                let _ = c.word("restrict");
            }
            DomainStatement::Drop {
                names,
                if_exists,
                cascade,
            }
        }
        _ => {
            let name = c.written_piece()?;
            let action = if c.word("set") {
                if c.word("default") {
                    DomainAlteration::Default(Some(c.text_until(&[]).ok_or_else(|| c.error())?))
                } else if c.word("not") && c.word("null") {
                    DomainAlteration::NotNull(true)
                } else if c.word("schema") {
                    DomainAlteration::SetSchema(c.ident()?.0)
                } else {
                    return Err(c.error());
                }
            } else if c.word("drop") {
                if c.word("default") {
                    DomainAlteration::Default(None)
                } else if c.word("not") {
                    if !c.word("null") {
                        return Err(c.error());
                    }
                    DomainAlteration::NotNull(false)
                } else if c.word("constraint") {
                    let if_exists = c.if_exists()?;
                    let name = c.ident()?.0;
                    let _ = c.word("cascade") || c.word("restrict");
                    DomainAlteration::DropConstraint { name, if_exists }
                } else {
                    return Err(c.error());
                }
            } else if c.word("add") {
                DomainAlteration::Add(c.domain_constraint()?.ok_or_else(|| c.error())?)
            } else if c.word("rename") {
                if c.word("constraint") {
                    let from = c.ident()?.0;
                    if !c.word("to") {
                        return Err(c.error());
                    }
                    DomainAlteration::RenameConstraint {
                        from,
                        to: c.ident()?.0,
                    }
                } else if c.word("to") {
                    DomainAlteration::Rename(c.ident()?.0)
                } else {
                    return Err(c.error());
                }
            } else if c.word("validate") && c.word("constraint") {
                DomainAlteration::Validate(c.ident()?.0)
            } else if c.word("owner") && c.word("to") {
                DomainAlteration::Owner(c.ident()?.0)
            } else {
                return Err(c.error());
            };
            DomainStatement::Alter { name, action }
        }
    };
    c.expect_end()?;
    Ok(Parsed::Domain(statement))
}

/// `ALTER VIEW [IF EXISTS] name RENAME TO new` or `... OWNER TO role`, when the text is that.
fn rename_view(text: &str) -> Option<Parsed> {
    let mut c = Cursor::new(text, 1).ok()?;
    if !c.word("view") {
        return None;
    }
    let if_exists = c.word("if");
    if if_exists && !c.word("exists") {
        return None;
    }
    let name = c.qualified().ok()?;
    if c.word("owner") && c.word("to") {
        let (role, _) = c.ident().ok()?;
        return c.done().then_some(Parsed::ViewOwner {
            name,
            if_exists,
            role,
        });
    }
    if !(c.word("rename") && c.word("to")) {
        return None;
    }
    let (to, _) = c.ident().ok()?;
    c.done().then_some(Parsed::RenameView {
        name,
        if_exists,
        to,
    })
}

/// `CREATE [TEMP] SEQUENCE` with its options in the one order sqlparser reads (AS, INCREMENT,
/// MINVALUE, MAXVALUE, START, CACHE, CYCLE, OWNED BY); PostgreSQL takes them in any order
/// (pg_dump writes START WITH first). None when the text is not such a statement.
fn sequence_options_in_order(text: &str) -> Option<String> {
    let mut c = Cursor::new(text, 1).ok()?;
    let _ = c.word("temp") || c.word("temporary");
    if !c.word("sequence") {
        return None;
    }
    if c.word("if") && !(c.word("not") && c.word("exists")) {
        return None;
    }
    c.qualified().ok()?;
    let options_start = c.offset();
    let (changes, name) = c.sequence_options().ok()?;
    if name.is_some() || !c.done() {
        return None;
    }
    let head: String = text.chars().take(options_start).collect();
    Some(format!(
        "{} {}",
        head.trim_end(),
        sqlparser_sequence_options(&changes)?
    ))
}

/// Every `AS IDENTITY (options)` of a statement (CREATE TABLE, ALTER TABLE ... ADD COLUMN)
/// with its options in sqlparser's order (PostgreSQL takes them in any). None when there is
/// none, or one that cannot be written so (`SEQUENCE NAME`).
fn identity_lists_in_order(text: &str) -> Option<String> {
    let tokens = lex(text).ok()?;
    let chars: Vec<char> = text.chars().collect();
    let (mut out, mut copied) = (String::new(), 0);
    for (i, tok) in tokens.iter().enumerate() {
        if tok.token != Token::Word("identity".into()) {
            continue;
        }
        let mut c = Cursor {
            tokens: tokens.clone(),
            at: i + 1,
            len: chars.len(),
            text: String::new(),
        };
        let open = c.offset();
        if !c.punct('(') {
            continue;
        }
        let (changes, name) = c.sequence_options().ok()?;
        if name.is_some() || !c.punct(')') {
            return None;
        }
        out.extend(&chars[copied..open]);
        out.push('(');
        out.push_str(&sqlparser_sequence_options(&changes)?);
        out.push(')');
        copied = c.offset();
    }
    if copied == 0 {
        return None;
    }
    out.extend(&chars[copied..]);
    Some(out)
}

/// Sequence options as text in the order sqlparser reads them; None for an option CREATE
/// SEQUENCE does not take (RESTART), which sqlparser then refuses itself.
fn sqlparser_sequence_options(changes: &SequenceChanges) -> Option<String> {
    if changes.restart.is_some() {
        return None;
    }
    let mut clauses = Vec::new();
    if let Some(data_type) = &changes.data_type {
        clauses.push(format!("AS {data_type}"));
    }
    if let Some(increment) = changes.increment {
        clauses.push(format!("INCREMENT BY {increment}"));
    }
    for (keyword, bound) in [("MINVALUE", changes.min), ("MAXVALUE", changes.max)] {
        match bound {
            Some(Some(value)) => clauses.push(format!("{keyword} {value}")),
            Some(None) => clauses.push(format!("NO {keyword}")),
            None => {}
        }
    }
    if let Some(start) = changes.start {
        clauses.push(format!("START WITH {start}"));
    }
    if let Some(cache) = changes.cache {
        clauses.push(format!("CACHE {cache}"));
    }
    match changes.cycle {
        Some(true) => clauses.push("CYCLE".to_string()),
        Some(false) => clauses.push("NO CYCLE".to_string()),
        None => {}
    }
    match &changes.owned_by {
        Some(Some((table, column))) => {
            let parts: Vec<String> = table
                .split('.')
                .chain([column.as_str()])
                .map(crate::functions::quote_ident)
                .collect();
            clauses.push(format!("OWNED BY {}", parts.join(".")));
        }
        Some(None) => clauses.push("OWNED BY NONE".to_string()),
        None => {}
    }
    Some(clauses.join(" "))
}

/// `ALTER TABLE t ALTER [COLUMN] c ADD GENERATED ... AS IDENTITY (options)` with the options in
/// sqlparser's order and without `SEQUENCE NAME` (which pg_dump writes): the name must be the
/// one Keel gives (`t_c_seq`), or the statement is refused as unsupported.
fn identity_options_in_order(text: &str) -> Option<SqlResult<String>> {
    let mut c = Cursor::new(text, 1).ok()?;
    if !c.word("table") {
        return None;
    }
    let _ = c.word("only");
    if c.word("if") && !c.word("exists") {
        return None;
    }
    let (table, _) = c.qualified().ok()?;
    if !c.word("alter") {
        return None;
    }
    let _ = c.word("column");
    let (column, _) = c.ident().ok()?;
    if !(c.word("add") && c.word("generated")) {
        return None;
    }
    let _ = c.word("always") || (c.word("by") && c.word("default"));
    if !(c.word("as") && c.word("identity")) {
        return None;
    }
    let open = c.offset();
    if !c.punct('(') {
        return None;
    }
    let (changes, name) = c.sequence_options().ok()?;
    if !c.punct(')') || !c.done() {
        return None;
    }
    if let Some((name, _)) = name {
        let relation = |name: &str| name.rsplit('.').next().unwrap_or("").to_string();
        if relation(&name) != format!("{}_{column}_seq", relation(&table)) {
            return Some(Err(SqlError::unsupported(format!(
                "SEQUENCE NAME other than {}_{column}_seq",
                relation(&table)
            ))));
        }
    }
    let head: String = text.chars().take(open).collect();
    Some(Ok(format!(
        "{}({})",
        head,
        sqlparser_sequence_options(&changes)?
    )))
}

/// Adjacent string constants separated by whitespace holding a newline are one constant
/// (`'con'` newline `'tinued'`), as the SQL standard and PostgreSQL's lexer have it (an escape
/// string's continuation takes its escapes too): the text with the closing quote, the
/// whitespace and the opening quote between them taken out. sqlparser would read the second as
/// the first's alias. Other text comes back as it is.
fn join_continued_strings(text: &str) -> std::borrow::Cow<'_, str> {
    use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};
    use std::borrow::Cow;
    // Cheap test first: a quote, then blanks with a newline, then a quote.
    let bytes = text.as_bytes();
    let candidate = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'\'' && {
            let rest = &bytes[i + 1..];
            let blanks = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
            rest[..blanks].contains(&b'\n') && rest.get(blanks) == Some(&b'\'')
        }
    });
    if !candidate {
        return Cow::Borrowed(text);
    }
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, text).tokenize_with_location() else {
        return Cow::Borrowed(text);
    };
    let chars: Vec<char> = text.chars().collect();
    let offset =
        |location: sqlparser::tokenizer::Location| offset_of(text, location.line, location.column);
    // Char ranges to take out: from a constant's closing quote to the next one's opening quote.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !matches!(
            token.token,
            Token::SingleQuotedString(_) | Token::EscapedStringLiteral(_)
        ) {
            continue;
        }
        let mut newline = false;
        let mut next = i + 1;
        while let Some(Token::Whitespace(space)) = tokens.get(next).map(|t| &t.token) {
            newline |= match space {
                Whitespace::Newline => true,
                Whitespace::SingleLineComment { .. } => true,
                Whitespace::MultiLineComment(comment) => comment.contains('\n'),
                Whitespace::Space | Whitespace::Tab => false,
            };
            next += 1;
        }
        let Some(following) = tokens.get(next) else {
            continue;
        };
        if !newline || !matches!(following.token, Token::SingleQuotedString(_)) {
            continue;
        }
        let (Some(end), Some(start)) = (offset(token.span.end), offset(following.span.start))
        else {
            continue;
        };
        // `end` is just past the closing quote.
        if end >= 1 && chars.get(end - 1) == Some(&'\'') && chars.get(start) == Some(&'\'') {
            cuts.push((end - 1, start + 1));
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut joined = String::with_capacity(text.len());
    let mut at = 0;
    for (from, to) in cuts {
        joined.extend(&chars[at..from]);
        at = to;
    }
    joined.extend(&chars[at..]);
    Cow::Owned(joined)
}

/// Parses with sqlparser, mapping its errors to PostgreSQL's.
fn parse_with_sqlparser(text: &str) -> SqlResult<Parsed> {
    let text = &*join_continued_strings(text);
    let dialect = PostgreSqlDialect {};
    let mut statements = Parser::new(&dialect)
        .with_recursion_limit(200)
        .try_with_sql(text)
        .and_then(|mut parser| parser.parse_statements())
        .map_err(|error| syntax_error(text, error))?;
    if text.contains(".*") {
        for statement in &mut statements {
            whole_rows_in_arguments(statement);
        }
    }
    if text.to_ascii_lowercase().contains("like") {
        for statement in &mut statements {
            quantified_likes(statement);
        }
    }
    match statements.len() {
        1 => Ok(Parsed::Sql(Box::new(statements.remove(0)))),
        _ => {
            Err(SqlError::syntax("syntax error at end of input").at(Some(text.chars().count() + 1)))
        }
    }
}

/// `f(t.*)` is `f(t)` in PostgreSQL: a table's whole row as one composite argument
/// (`row_to_json(t.*)`, `to_jsonb(t.*)`, `count(t.*)`), not its columns spread out.
fn whole_rows_in_arguments(statement: &mut Statement) {
    use sqlparser::ast::{
        visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    };
    let _ = visit_expressions_mut(statement, |expr| {
        if let Expr::Function(function) = expr {
            if let FunctionArguments::List(list) = &mut function.args {
                for arg in &mut list.args {
                    let FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(name)) = arg else {
                        continue;
                    };
                    let parts: Option<Vec<_>> =
                        name.0.iter().map(|part| part.as_ident().cloned()).collect();
                    let whole = match parts {
                        Some(mut parts) if parts.len() == 1 => {
                            Expr::Identifier(parts.pop().expect("one"))
                        }
                        Some(parts) => Expr::CompoundIdentifier(parts),
                        None => continue,
                    };
                    *arg = FunctionArg::Unnamed(FunctionArgExpr::Expr(whole));
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
}

/// `x [NOT] [I]LIKE ANY | SOME | ALL (patterns)` is `x [!]~~[*] ANY | ALL (patterns)`, as
/// PostgreSQL's grammar makes it. sqlparser reads LIKE ANY as a flag on the LIKE and LIKE ALL
/// (SOME) as a call of a function named `all` (`some`).
fn quantified_likes(statement: &mut Statement) {
    use sqlparser::ast::{
        visit_expressions_mut, BinaryOperator as B, Expr, FunctionArg, FunctionArgExpr,
        FunctionArguments,
    };
    let _ = visit_expressions_mut(statement, |expr| {
        let ilike = matches!(expr, Expr::ILike { .. });
        let (Expr::Like {
            negated,
            any,
            expr: left,
            pattern,
            escape_char: None,
        }
        | Expr::ILike {
            negated,
            any,
            expr: left,
            pattern,
            escape_char: None,
        }) = expr
        else {
            return std::ops::ControlFlow::<()>::Continue(());
        };
        let quantifier = match pattern.as_ref() {
            _ if *any => Some((false, pattern.as_ref().clone())),
            Expr::Function(function)
                if function.name.0.len() == 1
                    && function.filter.is_none()
                    && function.over.is_none()
                    && function.within_group.is_empty() =>
            {
                let name = function.name.0[0]
                    .as_ident()
                    .map(|id| (id, id.value.to_lowercase()));
                let all = match name {
                    Some((id, name)) if id.quote_style.is_none() && name == "all" => true,
                    Some((id, name)) if id.quote_style.is_none() && name == "some" => false,
                    _ => return std::ops::ControlFlow::Continue(()),
                };
                match &function.args {
                    FunctionArguments::List(list)
                        if list.args.len() == 1 && list.clauses.is_empty() =>
                    {
                        match &list.args[0] {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(array)) => {
                                Some((all, array.clone()))
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((all, mut right)) = quantifier else {
            return std::ops::ControlFlow::Continue(());
        };
        while let Expr::Nested(inner) = right {
            right = *inner;
        }
        let op = match (ilike, *negated) {
            (false, false) => B::PGLikeMatch,
            (false, true) => B::PGNotLikeMatch,
            (true, false) => B::PGILikeMatch,
            (true, true) => B::PGNotILikeMatch,
        };
        let (left, right) = (left.clone(), Box::new(right));
        *expr = if all {
            Expr::AllOp {
                left,
                compare_op: op,
                right,
            }
        } else {
            Expr::AnyOp {
                left,
                compare_op: op,
                right,
                is_some: false,
            }
        };
        std::ops::ControlFlow::Continue(())
    });
}

/// Character offset (0-based) of a sqlparser (line, column) location in `text`.
pub fn offset_of(text: &str, line: u64, column: u64) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut offset = 0;
    for (number, content) in text.split('\n').enumerate() {
        if number as u64 + 1 == line {
            return Some(offset + (column.saturating_sub(1) as usize).min(content.chars().count()));
        }
        offset += content.chars().count() + 1;
    }
    None
}

fn syntax_error(text: &str, error: ParserError) -> SqlError {
    let message = match &error {
        ParserError::TokenizerError(message) | ParserError::ParserError(message) => message.clone(),
        ParserError::RecursionLimitExceeded => {
            return SqlError::new("54001", "stack depth limit exceeded")
                .with_hint("The statement nests too deeply.")
        }
    };
    // "... found: TOKEN at Line: L, Column: C"
    let (body, location) = match message.rfind(" at Line: ") {
        Some(at) => (&message[..at], Some(&message[at + " at Line: ".len()..])),
        None => (message.as_str(), None),
    };
    let position = location.and_then(|location| {
        let (line, column) = location.split_once(", Column: ")?;
        offset_of(text, line.trim().parse().ok()?, column.trim().parse().ok()?)
    });
    if let ParserError::TokenizerError(_) = error {
        let at = position.unwrap_or(0);
        let rest: String = text.chars().skip(at).collect();
        let what = if body.to_ascii_lowercase().contains("unterminated") {
            "unterminated quoted string"
        } else {
            "syntax error"
        };
        return SqlError::syntax(format!("{what} at or near \"{rest}\"")).at(Some(at + 1));
    }
    match body.rsplit_once("found: ") {
        Some((_, "EOF")) | None if position.is_none() => {
            SqlError::syntax("syntax error at end of input").at(Some(text.chars().count() + 1))
        }
        Some((_, "EOF")) => {
            SqlError::syntax("syntax error at end of input").at(Some(text.chars().count() + 1))
        }
        Some((_, token)) => SqlError::syntax(format!("syntax error at or near \"{token}\""))
            .at(position.map(|p| p + 1)),
        None => SqlError::syntax(format!("syntax error: {body}")).at(position.map(|p| p + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locking_clauses_read_as_sqlparser_reads_them() {
        let rewrite = |text: &str| lock_clauses_for_sqlparser(text).map(|r| r.unwrap());
        // Before LIMIT: moved after it (the rest of the query, to its closing parenthesis).
        assert_eq!(
            rewrite("select id from t order by id for update skip locked limit 1").as_deref(),
            Some("select id from t order by id limit 1 for update skip locked")
        );
        assert_eq!(
            rewrite("select 1 where x in (select id from t for share limit $1 offset 2) and y")
                .as_deref(),
            Some("select 1 where x in (select id from t limit $1 offset 2 for share) and y")
        );
        // Words sqlparser does not know, and the tables after the first in OF, are blanked.
        assert_eq!(
            rewrite("select * from t for no key update of t nowait").as_deref(),
            Some("select * from t for        update of t nowait")
        );
        assert_eq!(
            rewrite("select * from a, \"B\" for key share of a, \"B\" for update").as_deref(),
            Some("select * from a, \"B\" for     share of a      for update")
        );
        // Nothing to change, or not a locking clause.
        assert_eq!(rewrite("select * from t for update of t"), None);
        assert_eq!(rewrite("select substring('abc' for 2) limit 1"), None);
        // Clauses on both sides of LIMIT: PostgreSQL's syntax error, at the second.
        let error = lock_clauses_for_sqlparser("select 1 from t for update limit 1 for share")
            .unwrap()
            .unwrap_err();
        assert_eq!(error.message, "syntax error at or near \"for\"");
        assert_eq!(error.position, Some(36));
    }

    #[test]
    fn splits_respecting_quotes_and_comments() {
        let sql = "select 'a;b'; select \"x;\" -- c;\n; /* ; /* ; */ */ select $$;$$;;  select 1";
        let parts: Vec<_> = split_statements(sql).into_iter().map(|s| s.text).collect();
        assert_eq!(
            parts,
            vec![
                "select 'a;b'",
                "select \"x;\" -- c;",
                "/* ; /* ; */ */ select $$;$$",
                "select 1"
            ]
        );
        let offsets: Vec<_> = split_statements("select 1;  select 2")
            .into_iter()
            .map(|s| s.offset)
            .collect();
        assert_eq!(offsets, vec![0, 11]);
    }

    #[test]
    fn cluster_and_set_schema_parse() {
        let cluster = |table: Option<(&str, usize)>, index: Option<&str>| Parsed::Cluster {
            table: table.map(|(name, at)| (name.to_string(), at)),
            index: index.map(str::to_string),
        };
        assert_eq!(parse_statement("cluster").unwrap(), cluster(None, None));
        assert_eq!(
            parse_statement("CLUSTER (verbose false) public.t USING t_pkey").unwrap(),
            cluster(Some(("public.t", 24)), Some("t_pkey"))
        );
        assert_eq!(
            parse_statement("cluster verbose s.t").unwrap(),
            cluster(Some(("s.t", 16)), None)
        );
        assert!(parse_statement("cluster t using").is_err());
        assert_eq!(
            parse_statement("alter materialized view if exists \"M\" set schema s").unwrap(),
            Parsed::SetSchema {
                tag: "ALTER MATERIALIZED VIEW",
                name: ("M".into(), 34),
                if_exists: true,
                schema: "s".into(),
            }
        );
        let error = parse_statement("alter table t set schema s, add column c int").unwrap_err();
        assert_eq!(error.position, Some(27));
    }

    #[test]
    fn pgbench_statements_parse() {
        match parse_statement("copy pgbench_accounts from stdin with (freeze on)").unwrap() {
            Parsed::Copy { table, options, .. } => {
                assert_eq!(table, "pgbench_accounts");
                assert!(options.freeze);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_statement("vacuum analyze pgbench_branches").unwrap(),
            Parsed::Maintenance {
                vacuum: true,
                analyze: true,
                tables: vec![("pgbench_branches".into(), 15)],
                columns: vec![Vec::new()],
            }
        );
        assert_eq!(
            parse_statement("vacuum (verbose, analyze) t").unwrap(),
            Parsed::Maintenance {
                vacuum: true,
                analyze: true,
                tables: vec![("t".into(), 26)],
                columns: vec![Vec::new()],
            }
        );
        assert_eq!(
            parse_statement("vacuum t").unwrap(),
            Parsed::Maintenance {
                vacuum: true,
                analyze: false,
                tables: vec![("t".into(), 7)],
                columns: vec![Vec::new()],
            }
        );
        assert_eq!(parse_statement("END").unwrap(), Parsed::Commit);
        assert_eq!(
            parse_statement("SET extra_float_digits = 3").unwrap(),
            Parsed::Set {
                name: "extra_float_digits".into(),
                value: Some("3".into()),
                local: false
            }
        );
        assert!(matches!(
            parse_statement("select 1").unwrap(),
            Parsed::Sql(_)
        ));
    }

    #[test]
    fn syntax_errors_look_like_postgres() {
        let error = parse_statement("SELEC 1").unwrap_err();
        assert_eq!(error.message, "syntax error at or near \"SELEC\"");
        assert_eq!(error.position, Some(1));
        let error = parse_statement("select 1 +").unwrap_err();
        assert_eq!(error.message, "syntax error at end of input");
        assert_eq!(error.position, Some(11));
    }

    /// MERGE's WHEN clauses are read from the text: CASE's WHEN and THEN inside a condition
    /// are not the clauses'; what sqlparser cannot read is written as a MATCHED DELETE in the
    /// same characters; PostgreSQL 15's grammar errors point at the word.
    #[test]
    fn merge_clauses_are_read_from_the_text() {
        let text = "merge into only t using s on t.id = s.id\n\
                    when matched and case when s.x then true end then do nothing\n\
                    when not matched and s.y > 1 then do\n nothing\n\
                    when not matched and s.z then insert (a) overriding system value values (1)\n\
                    when not matched then insert default values";
        let (clauses, rewritten) = merge_clauses(text).unwrap().unwrap();
        let insert = |default_values, overriding| MergeVerb::Insert {
            default_values,
            overriding,
        };
        let found: Vec<(bool, bool, MergeVerb)> = (clauses.iter())
            .map(|c| (c.matched, c.condition, c.action))
            .collect();
        assert_eq!(
            found,
            vec![
                (true, true, MergeVerb::Nothing),
                (false, true, MergeVerb::Nothing),
                (false, true, insert(false, Some(true))),
                (false, false, insert(true, None)),
            ]
        );
        assert_eq!(rewritten.chars().count(), text.chars().count());
        assert_eq!(rewritten.lines().count(), text.lines().count());
        let words: Vec<&str> = rewritten.split_whitespace().collect();
        assert_eq!(words[2], "t", "ONLY is blanked");
        assert!(rewritten.contains("then    DELETE"));
        assert!(rewritten.contains("when     matched and s.y > 1 then"));
        let blanked = " ".repeat("overriding system value ".len());
        assert!(rewritten.contains(&format!("insert (a) {blanked}values (1)")));
        assert!(rewritten
            .trim_end()
            .ends_with("when     matched then        DELETE"));
        assert!(parse_statement(text).is_ok());
        assert!(merge_clauses("select merge from t").is_none());
        for (bad, near, at) in [
            ("merge t using s on true when matched then delete", "t", 7),
            (
                "merge into t using s on true when matched then insert values (1)",
                "insert",
                48,
            ),
            (
                "merge into t using s on true when not matched then delete",
                "delete",
                52,
            ),
            (
                "merge into t using s on true when not matched by target then do nothing",
                "by",
                47,
            ),
            (
                "merge into t using s on true when matched then delete returning *",
                "returning",
                55,
            ),
        ] {
            let error = merge_clauses(bad).unwrap().unwrap_err();
            assert_eq!(
                error.message,
                format!("syntax error at or near \"{near}\""),
                "{bad}"
            );
            assert_eq!(error.position, Some(at), "{bad}");
        }
    }

    /// `TABLE name` is written out where a query starts, never in DDL; positions in the
    /// expanded text map back to the text as written.
    #[test]
    fn table_commands_are_written_out_where_queries_start() {
        let expand = |text: &str| expand_table_commands(text).map(|c| c.unwrap().expanded);
        assert_eq!(
            expand("TABLE t UNION (table s.u) ORDER BY 1").as_deref(),
            Some("SELECT * FROM t UNION (SELECT * FROM s.u) ORDER BY 1")
        );
        assert_eq!(
            expand("insert into x table y").as_deref(),
            Some("insert into x SELECT * FROM y")
        );
        for ddl in [
            "CREATE TABLE t (a int)",
            "ALTER TABLE t ADD COLUMN b int",
            "LOCK TABLE t",
            "GRANT SELECT ON TABLE t TO u",
            "DROP TABLE t",
            "TRUNCATE TABLE t",
            "COMMENT ON TABLE t IS 'table t'",
            "SELECT * FROM \"table\"",
        ] {
            assert_eq!(expand(ddl), None, "{ddl}");
        }
        assert_eq!(
            expand("CREATE TEMP TABLE t AS TABLE s").as_deref(),
            Some("CREATE TEMP TABLE t AS SELECT * FROM s")
        );
        let error = expand_table_commands("TABLE t WHERE a = 1")
            .unwrap()
            .unwrap_err();
        assert_eq!(error.position, Some(9));
        // "TABLE a UNION TABLE b": b is at 21 as written, 37 once both are written out.
        let commands = expand_table_commands("TABLE a UNION TABLE b")
            .unwrap()
            .unwrap();
        assert_eq!(commands.original_position(37), 21);
        assert_eq!(commands.original_position(15), 7);
        assert_eq!(commands.original_position(3), 1);
        assert_eq!(commands.original_position(25), 15);
    }

    #[test]
    fn assignment_subscripts_are_only_those_of_targets() {
        let blanked = |text: &str| blank_ranges(text, &assignment_subscripts(text));
        assert_eq!(
            blanked("update t set v[1] = a[2], w [1:2][3] = f(b, c[1]) returning v[1]"),
            "update t set v    = a[2], w          = f(b, c[1]) returning v[1]"
        );
        assert_eq!(
            blanked("UPDATE ONLY s.t AS x SET x.v[i] = 1 FROM u WHERE u.k[1] = 2"),
            "UPDATE ONLY s.t AS x SET x.v    = 1 FROM u WHERE u.k[1] = 2"
        );
        assert_eq!(
            blanked("insert into t as x (a, v[1], \"W\"[2:3]) select (v[1]) on conflict (a) do update set v[2] = excluded.v[1]"),
            "insert into t as x (a, v   , \"W\"     ) select (v[1]) on conflict (a) do update set v    = excluded.v[1]"
        );
        // Not targets: an INSERT's SELECT, ALTER's SET, subscripts in SET values.
        for text in [
            "insert into t select (v[1])",
            "insert into t (select v[1] from u)",
            "alter table t alter column c set default (array[1])[1]",
            "update t set (a, b) = (select v[1], w[2] from u)",
            "update t set a = b[1], c = array[1, 2][1]",
        ] {
            assert!(assignment_subscripts(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn domain_statements() {
        let Parsed::Domain(DomainStatement::Create {
            name,
            base,
            collation,
            default,
            constraints,
        }) = parse_statement(
            "create domain s.\"D\" numeric(5, 2) check (value > (1)) default 0 \
             constraint c not null collate \"C\"",
        )
        .unwrap()
        else {
            panic!("not a CREATE DOMAIN");
        };
        assert_eq!(name, ("s.\"D\"".into(), 14));
        assert_eq!(base, ("numeric(5, 2)".into(), 20));
        assert_eq!(collation.as_deref(), Some("C"));
        assert_eq!(default, Some(("0".into(), 62)));
        assert_eq!(
            constraints,
            vec![
                DomainConstraint::Check {
                    name: None,
                    condition: ("value > (1)".into(), 41),
                    not_valid: false,
                },
                DomainConstraint::NotNull(Some("c".into())),
            ]
        );
        assert_eq!(
            parse_statement("alter domain d add constraint k check (value <> 0) not valid")
                .unwrap(),
            Parsed::Domain(DomainStatement::Alter {
                name: ("d".into(), 13),
                action: DomainAlteration::Add(DomainConstraint::Check {
                    name: Some("k".into()),
                    condition: ("value <> 0".into(), 39),
                    not_valid: true,
                }),
            })
        );
        assert_eq!(
            parse_statement("drop domain if exists a, b.c cascade").unwrap(),
            Parsed::Domain(DomainStatement::Drop {
                names: vec![("a".into(), 22), ("b.c".into(), 25)],
                if_exists: true,
                cascade: true,
            })
        );
        let error = parse_statement("create domain d int check value > 0").unwrap_err();
        assert_eq!(error.position, Some(27));
        assert!(parse_statement("alter domain d set not").is_err());
        assert!(parse_statement("create domain d int default 1 default 2").is_err());
    }
}
