//! Errors with PostgreSQL's SQLSTATE codes and message style.
//!
//! Messages follow PostgreSQL's style guide: lower case, no trailing period, identifiers in double
//! quotes; `detail` and `hint` are full sentences. `position` is the 1-based character offset into the
//! query string the client sent, as PostgreSQL reports it.

use std::fmt;

/// SQLSTATE codes used by Keel (PostgreSQL Appendix A).
pub mod code {
    pub const SUCCESSFUL_COMPLETION: &str = "00000";
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    pub const SYNTAX_ERROR: &str = "42601";
    pub const UNDEFINED_TABLE: &str = "42P01";
    pub const UNDEFINED_COLUMN: &str = "42703";
    pub const UNDEFINED_FUNCTION: &str = "42883";
    pub const UNDEFINED_OBJECT: &str = "42704";
    pub const INVALID_SCHEMA_NAME: &str = "3F000";
    pub const DUPLICATE_SCHEMA: &str = "42P06";
    pub const WRONG_OBJECT_TYPE: &str = "42809";
    pub const DUPLICATE_TABLE: &str = "42P07";
    pub const DUPLICATE_COLUMN: &str = "42701";
    pub const INVALID_TABLE_DEFINITION: &str = "42P16";
    pub const INVALID_OBJECT_DEFINITION: &str = "42P17";
    pub const INVALID_COLUMN_DEFINITION: &str = "42611";
    pub const DATATYPE_MISMATCH: &str = "42804";
    pub const CANNOT_COERCE: &str = "42846";
    pub const GROUPING_ERROR: &str = "42803";
    pub const INVALID_RECURSION: &str = "42P19";
    pub const AMBIGUOUS_COLUMN: &str = "42702";
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    pub const UNIQUE_VIOLATION: &str = "23505";
    pub const WITH_CHECK_OPTION_VIOLATION: &str = "44000";
    pub const NOT_NULL_VIOLATION: &str = "23502";
    pub const CHECK_VIOLATION: &str = "23514";
    pub const DIVISION_BY_ZERO: &str = "22012";
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    pub const STRING_DATA_RIGHT_TRUNCATION: &str = "22001";
    pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
    pub const INVALID_DATETIME_FORMAT: &str = "22007";
    pub const INVALID_ESCAPE_SEQUENCE: &str = "22025";
    pub const INVALID_USE_OF_ESCAPE_CHARACTER: &str = "2200C";
    pub const BAD_COPY_FILE_FORMAT: &str = "22P04";
    pub const INVALID_BINARY_REPRESENTATION: &str = "22P03";
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    pub const IN_FAILED_SQL_TRANSACTION: &str = "25P02";
    pub const ACTIVE_SQL_TRANSACTION: &str = "25001";
    pub const NO_ACTIVE_SQL_TRANSACTION: &str = "25P01";
    pub const INVALID_SQL_STATEMENT_NAME: &str = "26000";
    pub const INVALID_CURSOR_NAME: &str = "34000";
    pub const DUPLICATE_PREPARED_STATEMENT: &str = "42P05";
    pub const DUPLICATE_CURSOR: &str = "42P03";
    pub const QUERY_CANCELED: &str = "57014";
    pub const ADMIN_SHUTDOWN: &str = "57P01";
    pub const DEADLOCK_DETECTED: &str = "40P01";
    pub const SERIALIZATION_FAILURE: &str = "40001";
    pub const INVALID_SAVEPOINT_SPECIFICATION: &str = "3B001";
    pub const LOCK_NOT_AVAILABLE: &str = "55P03";
    pub const READ_ONLY_SQL_TRANSACTION: &str = "25006";
    pub const INVALID_AUTHORIZATION: &str = "28000";
    pub const INVALID_CATALOG_NAME: &str = "3D000";
    pub const UNDEFINED_PARAMETER: &str = "42P02";
    pub const INDETERMINATE_DATATYPE: &str = "42P18";
    pub const CANT_CHANGE_RUNTIME_PARAM: &str = "55P02";
    pub const DATA_CORRUPTED: &str = "XX001";
    pub const IO_ERROR: &str = "58030";
    pub const DISK_FULL: &str = "53100";
    pub const INTERNAL_ERROR: &str = "XX000";
    pub const CARDINALITY_VIOLATION: &str = "21000";
    pub const DUPLICATE_ALIAS: &str = "42712";
    pub const SEQUENCE_LIMIT_EXCEEDED: &str = "2200H";
    pub const OBJECT_NOT_IN_PREREQUISITE_STATE: &str = "55000";
    pub const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";
    pub const GENERATED_ALWAYS: &str = "428C9";
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    pub const TOO_MANY_COLUMNS: &str = "54011";
    pub const DATA_EXCEPTION: &str = "22000";
    pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";
    pub const ARRAY_SUBSCRIPT_ERROR: &str = "2202E";
    pub const RESERVED_NAME: &str = "42939";
    pub const DUPLICATE_OBJECT: &str = "42710";
    pub const INVALID_NAME: &str = "42602";
    pub const UNSAFE_NEW_ENUM_VALUE_USAGE: &str = "55P04";
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    pub const OBJECT_IN_USE: &str = "55006";
    pub const INVALID_PASSWORD: &str = "28P01";
    pub const TOO_MANY_CONNECTIONS: &str = "53300";
    pub const IDLE_IN_TRANSACTION_SESSION_TIMEOUT: &str = "25P03";
    pub const WARNING: &str = "01000";
    pub const WARNING_PRIVILEGE_NOT_GRANTED: &str = "01007";
    pub const WARNING_PRIVILEGE_NOT_REVOKED: &str = "01006";
}

/// A SQL-level error: the statement fails, the session and the node go on. Its fields live in a
/// box ([`ErrorFields`], reached through `Deref`), so a `SqlResult<Value>` is no larger than the
/// value: results pass through every expression evaluation, and moving a wide error type with
/// each `?` showed up in scan profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlError(Box<ErrorFields>);

/// What a [`SqlError`] says.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorFields {
    pub code: &'static str,
    pub message: String,
    pub detail: Option<Box<str>>,
    pub hint: Option<Box<str>>,
    pub position: Option<usize>,
    /// PostgreSQL's CONTEXT line (where in a larger operation the error happened).
    pub context: Option<Box<str>>,
    /// For errors about one row of a batch: the row's index in the batch.
    pub batch_row: Option<usize>,
}

impl SqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> SqlError {
        SqlError(Box::new(ErrorFields {
            code,
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
            context: None,
            batch_row: None,
        }))
    }

    /// The severity a notice of this code is sent with (WARNING for transaction-state ones, as
    /// PostgreSQL's).
    pub fn notice_severity(&self) -> &'static str {
        if self.code == code::ACTIVE_SQL_TRANSACTION
            || self.code == code::NO_ACTIVE_SQL_TRANSACTION
            || self.code.starts_with("01")
        {
            "WARNING"
        } else {
            "NOTICE"
        }
    }
    pub fn with_context(mut self, context: impl Into<String>) -> SqlError {
        self.context = Some(context.into().into_boxed_str());
        self
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> SqlError {
        self.detail = Some(detail.into().into_boxed_str());
        self
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> SqlError {
        self.hint = Some(hint.into().into_boxed_str());
        self
    }
    /// Sets the position unless one is set already (the innermost position wins).
    pub fn at(mut self, position: Option<usize>) -> SqlError {
        if self.position.is_none() {
            self.position = position;
        }
        self
    }
    /// Without a position (where PostgreSQL gives none, or the position would point into
    /// text other than the statement's).
    pub fn unplaced(mut self) -> SqlError {
        self.position = None;
        self
    }
    /// An unsupported feature: always 0A000 naming the feature, never a silent wrong answer.
    pub fn unsupported(feature: impl fmt::Display) -> SqlError {
        SqlError::new(
            code::FEATURE_NOT_SUPPORTED,
            format!("{feature} is not supported yet"),
        )
    }
    pub fn syntax(message: impl Into<String>) -> SqlError {
        SqlError::new(code::SYNTAX_ERROR, message)
    }
}

impl std::ops::Deref for SqlError {
    type Target = ErrorFields;
    fn deref(&self) -> &ErrorFields {
        &self.0
    }
}

impl std::ops::DerefMut for SqlError {
    fn deref_mut(&mut self) -> &mut ErrorFields {
        &mut self.0
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type SqlResult<T> = Result<T, SqlError>;
