//! keel-wire: the PostgreSQL frontend/backend protocol, version 3.0, as bytes in and bytes out.
//!
//! This crate only frames and parses messages; it owns no socket and no session state. The session
//! (`keel-server`) feeds it the bytes it read and writes the bytes it gets back. Keeping the codec free of
//! IO lets the fuzz and garbage tests hit it directly, and keeps the session loop on a core in charge of
//! its own buffers.
//!
//! Framing rules enforced here (a violation is a [`ProtocolError`]; the session answers with an
//! `08P01` ErrorResponse and closes that connection, never the server):
//! - the first packet has no type byte (`StartupMessage`, `SSLRequest`, `GSSENCRequest`, `CancelRequest`);
//! - every later message is `type byte, i32 length (including itself), body`;
//! - a length below 4, above the configured maximum, or a body that does not parse is an error.
//!
//! Reference: PostgreSQL 15 documentation, chapter 55 "Frontend/Backend Protocol".

use std::fmt;

pub mod client;

/// Protocol 3.0 startup code.
pub const PROTOCOL_3_0: i32 = 196_608;
const SSL_REQUEST_CODE: i32 = 80_877_103;
const CANCEL_REQUEST_CODE: i32 = 80_877_102;
const GSSENC_REQUEST_CODE: i32 = 80_877_104;

/// A malformed or oversized message. The connection it came from cannot be trusted further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn error<T>(message: impl Into<String>) -> Result<T, ProtocolError> {
    Err(ProtocolError(message.into()))
}

/// The first packet of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartupPacket {
    /// Protocol version and the parameters (`user`, `database`, `application_name`, ...).
    Startup {
        version: i32,
        parameters: Vec<(String, String)>,
    },
    SslRequest,
    GssEncRequest,
    Cancel {
        process_id: i32,
        secret_key: i32,
    },
}

/// Which kind of object a Describe or Close names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Statement,
    Portal,
}

/// A message from the client after startup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontendMessage {
    Query(String),
    Parse {
        name: String,
        query: String,
        param_types: Vec<u32>,
    },
    Bind {
        portal: String,
        statement: String,
        param_formats: Vec<i16>,
        params: Vec<Option<Vec<u8>>>,
        result_formats: Vec<i16>,
    },
    Describe {
        target: Target,
        name: String,
    },
    Execute {
        portal: String,
        max_rows: i32,
    },
    Close {
        target: Target,
        name: String,
    },
    Sync,
    Flush,
    Terminate,
    CopyData(Vec<u8>),
    CopyDone,
    CopyFail(String),
    Password(Vec<u8>),
}

/// A cursor over a message body that reports truncation as a protocol error.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtocolError> {
        if self.bytes.len() < n {
            return error(format!("invalid {} message: truncated", self.what));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn i16(&mut self) -> Result<i16, ProtocolError> {
        Ok(i16::from_be_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn i32(&mut self) -> Result<i32, ProtocolError> {
        Ok(i32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u8(&mut self) -> Result<u8, ProtocolError> {
        Ok(self.take(1)?[0])
    }
    fn cstr(&mut self) -> Result<String, ProtocolError> {
        let Some(end) = self.bytes.iter().position(|&b| b == 0) else {
            return error(format!(
                "invalid {} message: unterminated string",
                self.what
            ));
        };
        let text = std::str::from_utf8(&self.bytes[..end])
            .map_err(|_| {
                ProtocolError(format!(
                    "invalid {} message: string is not valid UTF-8",
                    self.what
                ))
            })?
            .to_owned();
        self.bytes = &self.bytes[end + 1..];
        Ok(text)
    }
    /// A count followed by that many items; the count is checked against the bytes left so that a
    /// hostile count cannot make us allocate.
    fn count(&mut self, item_bytes_min: usize) -> Result<usize, ProtocolError> {
        let n = self.i16()?;
        if n < 0 || (n as usize) * item_bytes_min > self.bytes.len() {
            return error(format!("invalid {} message: bad count {n}", self.what));
        }
        Ok(n as usize)
    }
    fn finish(&self) -> Result<(), ProtocolError> {
        if !self.bytes.is_empty() {
            return error(format!(
                "invalid {} message: {} trailing bytes",
                self.what,
                self.bytes.len()
            ));
        }
        Ok(())
    }
}

/// Decodes the first packet from `buf`. Returns `Ok(None)` while the packet is incomplete, and the number
/// of bytes consumed with the packet otherwise.
pub fn decode_startup(
    buf: &[u8],
    max_bytes: usize,
) -> Result<Option<(StartupPacket, usize)>, ProtocolError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = i32::from_be_bytes(buf[..4].try_into().expect("4 bytes"));
    if len < 8 || len as usize > max_bytes.min(10_000) {
        return error(format!("invalid length of startup packet: {len}"));
    }
    let len = len as usize;
    if buf.len() < len {
        return Ok(None);
    }
    let mut reader = Reader {
        bytes: &buf[4..len],
        what: "startup",
    };
    let code = reader.i32()?;
    let packet = match code {
        SSL_REQUEST_CODE => StartupPacket::SslRequest,
        GSSENC_REQUEST_CODE => StartupPacket::GssEncRequest,
        CANCEL_REQUEST_CODE => StartupPacket::Cancel {
            process_id: reader.i32()?,
            secret_key: reader.i32()?,
        },
        version if version >> 16 == 3 => {
            let mut parameters = Vec::new();
            loop {
                let name = reader.cstr()?;
                if name.is_empty() {
                    break;
                }
                let value = reader.cstr()?;
                parameters.push((name, value));
            }
            StartupPacket::Startup {
                version,
                parameters,
            }
        }
        other => {
            return error(format!(
                "unsupported frontend protocol {}.{}: server supports 3.0 to 3.0",
                other >> 16,
                other & 0xffff
            ))
        }
    };
    if !matches!(packet, StartupPacket::Startup { .. }) {
        reader.finish()?;
    }
    Ok(Some((packet, len)))
}

/// Decodes one message from `buf`. Returns `Ok(None)` while it is incomplete; otherwise the message and
/// the number of bytes it took. `max_bytes` bounds a single message.
pub fn decode_message(
    buf: &[u8],
    max_bytes: usize,
) -> Result<Option<(FrontendMessage, usize)>, ProtocolError> {
    if buf.len() < 5 {
        return Ok(None);
    }
    let tag = buf[0];
    let len = i32::from_be_bytes(buf[1..5].try_into().expect("4 bytes"));
    if len < 4 {
        return error(format!("invalid message length {len}"));
    }
    if len as usize > max_bytes {
        return error(format!(
            "message of {len} bytes exceeds the limit of {max_bytes} bytes"
        ));
    }
    let total = 1 + len as usize;
    if buf.len() < total {
        return Ok(None);
    }
    let body = &buf[5..total];
    let what = match tag {
        b'Q' => "Query",
        b'P' => "Parse",
        b'B' => "Bind",
        b'D' => "Describe",
        b'E' => "Execute",
        b'C' => "Close",
        b'd' => "CopyData",
        b'f' => "CopyFail",
        b'p' => "password",
        _ => "",
    };
    let mut r = Reader { bytes: body, what };
    let message = match tag {
        b'Q' => FrontendMessage::Query(r.cstr()?),
        b'P' => {
            let name = r.cstr()?;
            let query = r.cstr()?;
            let n = r.count(4)?;
            let param_types = (0..n)
                .map(|_| r.i32().map(|t| t as u32))
                .collect::<Result<_, _>>()?;
            FrontendMessage::Parse {
                name,
                query,
                param_types,
            }
        }
        b'B' => {
            let portal = r.cstr()?;
            let statement = r.cstr()?;
            let n = r.count(2)?;
            let param_formats = (0..n).map(|_| r.i16()).collect::<Result<_, _>>()?;
            let n = r.count(4)?;
            let mut params = Vec::with_capacity(n);
            for _ in 0..n {
                let len = r.i32()?;
                params.push(if len == -1 {
                    None
                } else if len < 0 {
                    return error(format!("invalid Bind message: parameter length {len}"));
                } else {
                    Some(r.take(len as usize)?.to_vec())
                });
            }
            let n = r.count(2)?;
            let result_formats = (0..n).map(|_| r.i16()).collect::<Result<_, _>>()?;
            FrontendMessage::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            }
        }
        b'D' | b'C' => {
            let target = match r.u8()? {
                b'S' => Target::Statement,
                b'P' => Target::Portal,
                other => return error(format!("invalid {what} message subtype {other}")),
            };
            let name = r.cstr()?;
            if tag == b'D' {
                FrontendMessage::Describe { target, name }
            } else {
                FrontendMessage::Close { target, name }
            }
        }
        b'E' => FrontendMessage::Execute {
            portal: r.cstr()?,
            max_rows: r.i32()?,
        },
        b'S' => FrontendMessage::Sync,
        b'H' => FrontendMessage::Flush,
        b'X' => FrontendMessage::Terminate,
        b'd' => {
            r.bytes = &[];
            FrontendMessage::CopyData(body.to_vec())
        }
        b'c' => FrontendMessage::CopyDone,
        b'f' => FrontendMessage::CopyFail(r.cstr()?),
        b'p' => {
            r.bytes = &[];
            FrontendMessage::Password(body.to_vec())
        }
        other => return error(format!("invalid frontend message type {other}")),
    };
    r.finish()?;
    Ok(Some((message, total)))
}

/// Transaction status reported by ReadyForQuery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStatus {
    Idle,
    InBlock,
    Failed,
}

/// One column of a RowDescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDescription {
    pub name: String,
    pub table_oid: u32,
    pub column: i16,
    pub type_oid: u32,
    pub type_size: i16,
    pub type_modifier: i32,
    /// 0 text, 1 binary.
    pub format: i16,
}

/// Fields of an ErrorResponse or NoticeResponse, in PostgreSQL's field codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorFields {
    /// `ERROR`, `FATAL`, `NOTICE`, `WARNING`...
    pub severity: &'static str,
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// 1-based character position in the query string.
    pub position: Option<usize>,
    /// Where the error happened (`CONTEXT:` in psql).
    pub context: Option<String>,
}

/// Appends protocol messages to an output buffer; each public method writes one whole message. The
/// backend messages are implemented here, the frontend ones in [`client`].
#[derive(Default)]
pub struct MessageWriter {
    pub buf: Vec<u8>,
}

/// The server's view of [`MessageWriter`].
pub type BackendWriter = MessageWriter;

impl MessageWriter {
    /// Starts a message with `tag`; returns the position of its length field.
    fn begin(&mut self, tag: u8) -> usize {
        self.buf.push(tag);
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        at
    }
    fn end(&mut self, at: usize) {
        let len = (self.buf.len() - at) as i32;
        self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    fn cstr(&mut self, text: &str) {
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(0);
    }
    fn i16(&mut self, value: i16) {
        self.buf.extend_from_slice(&value.to_be_bytes());
    }
    fn i32(&mut self, value: i32) {
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// The answer to SSLRequest/GSSENCRequest when encryption is not offered: a single `N`.
    pub fn refuse_encryption(&mut self) {
        self.buf.push(b'N');
    }
    pub fn authentication_ok(&mut self) {
        let at = self.begin(b'R');
        self.i32(0);
        self.end(at);
    }
    /// AuthenticationCleartextPassword: the client sends its password as it is.
    pub fn authentication_cleartext(&mut self) {
        let at = self.begin(b'R');
        self.i32(3);
        self.end(at);
    }
    /// AuthenticationMD5Password with its 4-byte salt.
    pub fn authentication_md5(&mut self, salt: [u8; 4]) {
        let at = self.begin(b'R');
        self.i32(5);
        self.buf.extend_from_slice(&salt);
        self.end(at);
    }
    /// AuthenticationSASL: the mechanisms the server offers.
    pub fn authentication_sasl(&mut self, mechanisms: &[&str]) {
        let at = self.begin(b'R');
        self.i32(10);
        for mechanism in mechanisms {
            self.cstr(mechanism);
        }
        self.buf.push(0);
        self.end(at);
    }
    /// AuthenticationSASLContinue (`last` false) or AuthenticationSASLFinal (`last` true).
    pub fn authentication_sasl_data(&mut self, data: &[u8], last: bool) {
        let at = self.begin(b'R');
        self.i32(if last { 12 } else { 11 });
        self.buf.extend_from_slice(data);
        self.end(at);
    }
    pub fn parameter_status(&mut self, name: &str, value: &str) {
        let at = self.begin(b'S');
        self.cstr(name);
        self.cstr(value);
        self.end(at);
    }
    pub fn backend_key_data(&mut self, process_id: i32, secret_key: i32) {
        let at = self.begin(b'K');
        self.i32(process_id);
        self.i32(secret_key);
        self.end(at);
    }
    pub fn ready_for_query(&mut self, status: TransactionStatus) {
        let at = self.begin(b'Z');
        self.buf.push(match status {
            TransactionStatus::Idle => b'I',
            TransactionStatus::InBlock => b'T',
            TransactionStatus::Failed => b'E',
        });
        self.end(at);
    }
    pub fn row_description(&mut self, fields: &[FieldDescription]) {
        let at = self.begin(b'T');
        self.i16(fields.len() as i16);
        for field in fields {
            self.cstr(&field.name);
            self.i32(field.table_oid as i32);
            self.i16(field.column);
            self.i32(field.type_oid as i32);
            self.i16(field.type_size);
            self.i32(field.type_modifier);
            self.i16(field.format);
        }
        self.end(at);
    }
    /// Starts a DataRow of `columns` values; add each with [`BackendWriter::data_value`], then call
    /// [`BackendWriter::data_row_end`] with the returned position.
    pub fn data_row_begin(&mut self, columns: usize) -> usize {
        let at = self.begin(b'D');
        self.i16(columns as i16);
        at
    }
    /// Appends one value of a DataRow: `None` is SQL NULL.
    pub fn data_value(&mut self, value: Option<&[u8]>) {
        match value {
            None => self.i32(-1),
            Some(bytes) => {
                self.i32(bytes.len() as i32);
                self.buf.extend_from_slice(bytes);
            }
        }
    }
    pub fn data_row_end(&mut self, at: usize) {
        self.end(at);
    }
    pub fn command_complete(&mut self, tag: &str) {
        let at = self.begin(b'C');
        self.cstr(tag);
        self.end(at);
    }
    pub fn empty_query_response(&mut self) {
        let at = self.begin(b'I');
        self.end(at);
    }
    pub fn parse_complete(&mut self) {
        let at = self.begin(b'1');
        self.end(at);
    }
    pub fn bind_complete(&mut self) {
        let at = self.begin(b'2');
        self.end(at);
    }
    pub fn close_complete(&mut self) {
        let at = self.begin(b'3');
        self.end(at);
    }
    pub fn no_data(&mut self) {
        let at = self.begin(b'n');
        self.end(at);
    }
    pub fn portal_suspended(&mut self) {
        let at = self.begin(b's');
        self.end(at);
    }
    pub fn parameter_description(&mut self, type_oids: &[u32]) {
        let at = self.begin(b't');
        self.i16(type_oids.len() as i16);
        for &oid in type_oids {
            self.i32(oid as i32);
        }
        self.end(at);
    }
    /// CopyInResponse for a COPY FROM STDIN of `columns` columns (text, or binary).
    pub fn copy_in_response(&mut self, columns: usize, binary: bool) {
        let at = self.begin(b'G');
        self.copy_formats(columns, binary);
        self.end(at);
    }
    /// CopyOutResponse for a COPY TO STDOUT of `columns` columns (text, or binary).
    pub fn copy_out_response(&mut self, columns: usize, binary: bool) {
        let at = self.begin(b'H');
        self.copy_formats(columns, binary);
        self.end(at);
    }
    fn copy_formats(&mut self, columns: usize, binary: bool) {
        self.buf.push(binary as u8);
        self.i16(columns as i16);
        for _ in 0..columns {
            self.i16(binary as i16);
        }
    }
    pub fn copy_data(&mut self, data: &[u8]) {
        let at = self.begin(b'd');
        self.buf.extend_from_slice(data);
        self.end(at);
    }
    pub fn copy_done(&mut self) {
        let at = self.begin(b'c');
        self.end(at);
    }
    pub fn error_response(&mut self, fields: &ErrorFields) {
        self.error_or_notice(b'E', fields);
    }
    pub fn notice_response(&mut self, fields: &ErrorFields) {
        self.error_or_notice(b'N', fields);
    }
    fn error_or_notice(&mut self, tag: u8, fields: &ErrorFields) {
        let at = self.begin(tag);
        for (code, value) in [(b'S', fields.severity), (b'V', fields.severity)] {
            self.buf.push(code);
            self.cstr(value);
        }
        self.buf.push(b'C');
        self.cstr(&fields.code);
        self.buf.push(b'M');
        self.cstr(&fields.message);
        if let Some(detail) = &fields.detail {
            self.buf.push(b'D');
            self.cstr(detail);
        }
        if let Some(hint) = &fields.hint {
            self.buf.push(b'H');
            self.cstr(hint);
        }
        if let Some(position) = fields.position {
            self.buf.push(b'P');
            self.cstr(&position.to_string());
        }
        if let Some(context) = &fields.context {
            self.buf.push(b'W');
            self.cstr(context);
        }
        self.buf.push(0);
        self.end(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn startup_parameters_parse() {
        let mut body = PROTOCOL_3_0.to_be_bytes().to_vec();
        body.extend_from_slice(b"user\0postgres\0database\0keel\0\0");
        let mut packet = ((body.len() + 4) as i32).to_be_bytes().to_vec();
        packet.extend_from_slice(&body);
        let (decoded, used) = decode_startup(&packet, 1 << 20).unwrap().unwrap();
        assert_eq!(used, packet.len());
        assert_eq!(
            decoded,
            StartupPacket::Startup {
                version: PROTOCOL_3_0,
                parameters: vec![
                    ("user".into(), "postgres".into()),
                    ("database".into(), "keel".into())
                ]
            }
        );
        assert_eq!(
            decode_startup(&packet[..packet.len() - 1], 1 << 20).unwrap(),
            None
        );
    }

    #[test]
    fn bind_with_null_and_binary_parameters() {
        let mut body = b"portal\0stmt\0".to_vec();
        body.extend_from_slice(&1i16.to_be_bytes());
        body.extend_from_slice(&1i16.to_be_bytes());
        body.extend_from_slice(&2i16.to_be_bytes());
        body.extend_from_slice(&4i32.to_be_bytes());
        body.extend_from_slice(&7i32.to_be_bytes());
        body.extend_from_slice(&(-1i32).to_be_bytes());
        body.extend_from_slice(&0i16.to_be_bytes());
        let message = frame(b'B', &body);
        let (decoded, _) = decode_message(&message, 1 << 20).unwrap().unwrap();
        assert_eq!(
            decoded,
            FrontendMessage::Bind {
                portal: "portal".into(),
                statement: "stmt".into(),
                param_formats: vec![1],
                params: vec![Some(7i32.to_be_bytes().to_vec()), None],
                result_formats: vec![]
            }
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_message(&frame(b'Z', b""), 1 << 20).is_err());
        assert!(decode_message(&[b'Q', 0, 0, 0, 1], 1 << 20).is_err());
        assert!(decode_message(&frame(b'Q', b"no terminator"), 1 << 20).is_err());
        assert!(
            decode_message(&[b'Q', 0x7f, 0, 0, 0], 1 << 20).is_err(),
            "oversized"
        );
        // A Bind whose parameter count promises more than the body holds.
        assert!(decode_message(&frame(b'B', b"\0\0\0\0\x7f\xff"), 1 << 20).is_err());
        // Pseudo-random bytes never panic.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut bytes = Vec::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(state as u8);
            }
            let _ = decode_message(&bytes, 1 << 20);
            let _ = decode_startup(&bytes, 1 << 20);
        }
    }

    #[test]
    fn error_response_fields() {
        let mut writer = BackendWriter::default();
        writer.error_response(&ErrorFields {
            severity: "ERROR",
            code: "42P01".into(),
            message: "relation \"t\" does not exist".into(),
            position: Some(15),
            ..Default::default()
        });
        let text = String::from_utf8_lossy(&writer.buf[5..]).to_string();
        assert!(text.contains("C42P01\0"));
        assert!(text.contains("P15\0"));
        assert_eq!(writer.buf[0], b'E');
    }
}
