//! The client half of the codec: frontend messages out, backend messages in.
//!
//! Used by Keel's own tools (the YCSB driver; later the coordinator talking to nodes) so that every
//! speaker of the protocol in this repository shares one framing implementation.

use crate::{MessageWriter, ProtocolError, PROTOCOL_3_0};

/// A backend message, as much of it as Keel's clients need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendMessage {
    /// `R` with code 0.
    AuthenticationOk,
    /// `R` with another code (a method this client does not speak).
    Authentication(i32),
    ParameterStatus {
        name: String,
        value: String,
    },
    BackendKeyData {
        process_id: i32,
        secret_key: i32,
    },
    ReadyForQuery(u8),
    RowDescription {
        columns: usize,
    },
    DataRow {
        values: Vec<Option<Vec<u8>>>,
    },
    CommandComplete(String),
    EmptyQueryResponse,
    ParseComplete,
    BindComplete,
    CloseComplete,
    NoData,
    PortalSuspended,
    ParameterDescription,
    /// `E`: (field code, value) pairs.
    ErrorResponse(Vec<(u8, String)>),
    NoticeResponse(Vec<(u8, String)>),
    CopyInResponse,
    /// A message type this client ignores.
    Other(u8),
}

impl BackendMessage {
    /// The SQLSTATE and message of an ErrorResponse.
    pub fn error_text(fields: &[(u8, String)]) -> String {
        let get = |code: u8| {
            fields
                .iter()
                .find(|(c, _)| *c == code)
                .map_or("", |(_, v)| v.as_str())
        };
        format!("{}: {}", get(b'C'), get(b'M'))
    }
}

fn fields(body: &[u8]) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some((&code, tail)) = rest.split_first() {
        if code == 0 {
            break;
        }
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        out.push((code, String::from_utf8_lossy(&tail[..end]).into_owned()));
        rest = tail.get(end + 1..).unwrap_or(&[]);
    }
    out
}

fn cstrings(body: &[u8]) -> Vec<String> {
    body.split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// Decodes one backend message from `buf`; `Ok(None)` while incomplete.
pub fn decode_backend(buf: &[u8]) -> Result<Option<(BackendMessage, usize)>, ProtocolError> {
    if buf.len() < 5 {
        return Ok(None);
    }
    let tag = buf[0];
    let len = i32::from_be_bytes(buf[1..5].try_into().expect("4 bytes"));
    if len < 4 {
        return Err(ProtocolError(format!(
            "invalid backend message length {len}"
        )));
    }
    let total = 1 + len as usize;
    if buf.len() < total {
        return Ok(None);
    }
    let body = &buf[5..total];
    let be_i32 = |at: usize| {
        body.get(at..at + 4)
            .map(|b| i32::from_be_bytes(b.try_into().expect("4 bytes")))
    };
    let be_i16 = |at: usize| {
        body.get(at..at + 2)
            .map(|b| i16::from_be_bytes(b.try_into().expect("2 bytes")))
    };
    let truncated = || ProtocolError(format!("truncated backend message {}", tag as char));
    let message = match tag {
        b'R' => match be_i32(0).ok_or_else(truncated)? {
            0 => BackendMessage::AuthenticationOk,
            code => BackendMessage::Authentication(code),
        },
        b'S' => {
            let parts = cstrings(body);
            BackendMessage::ParameterStatus {
                name: parts.first().cloned().unwrap_or_default(),
                value: parts.get(1).cloned().unwrap_or_default(),
            }
        }
        b'K' => BackendMessage::BackendKeyData {
            process_id: be_i32(0).ok_or_else(truncated)?,
            secret_key: be_i32(4).ok_or_else(truncated)?,
        },
        b'Z' => BackendMessage::ReadyForQuery(*body.first().ok_or_else(truncated)?),
        b'T' => BackendMessage::RowDescription {
            columns: be_i16(0).ok_or_else(truncated)? as usize,
        },
        b'D' => {
            let count = be_i16(0).ok_or_else(truncated)?.max(0) as usize;
            let mut values = Vec::with_capacity(count);
            let mut at = 2;
            for _ in 0..count {
                let len = be_i32(at).ok_or_else(truncated)?;
                at += 4;
                if len < 0 {
                    values.push(None);
                } else {
                    values.push(Some(
                        body.get(at..at + len as usize)
                            .ok_or_else(truncated)?
                            .to_vec(),
                    ));
                    at += len as usize;
                }
            }
            BackendMessage::DataRow { values }
        }
        b'C' => {
            BackendMessage::CommandComplete(cstrings(body).into_iter().next().unwrap_or_default())
        }
        b'I' => BackendMessage::EmptyQueryResponse,
        b'1' => BackendMessage::ParseComplete,
        b'2' => BackendMessage::BindComplete,
        b'3' => BackendMessage::CloseComplete,
        b'n' => BackendMessage::NoData,
        b's' => BackendMessage::PortalSuspended,
        b't' => BackendMessage::ParameterDescription,
        b'E' => BackendMessage::ErrorResponse(fields(body)),
        b'N' => BackendMessage::NoticeResponse(fields(body)),
        b'G' => BackendMessage::CopyInResponse,
        other => BackendMessage::Other(other),
    };
    Ok(Some((message, total)))
}

/// The client's view of [`MessageWriter`]: frontend messages.
pub type FrontendWriter = MessageWriter;

impl MessageWriter {
    /// StartupMessage for protocol 3.0.
    pub fn startup(&mut self, parameters: &[(&str, &str)]) {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.extend_from_slice(&PROTOCOL_3_0.to_be_bytes());
        for (name, value) in parameters {
            self.cstr(name);
            self.cstr(value);
        }
        self.buf.push(0);
        let len = (self.buf.len() - at) as i32;
        self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    pub fn query(&mut self, sql: &str) {
        let at = self.begin(b'Q');
        self.cstr(sql);
        self.end(at);
    }
    /// Parse with every parameter type left to the server.
    pub fn parse(&mut self, name: &str, sql: &str) {
        let at = self.begin(b'P');
        self.cstr(name);
        self.cstr(sql);
        self.i16(0);
        self.end(at);
    }
    /// Bind of text parameters to the unnamed portal, text results.
    pub fn bind(&mut self, statement: &str, params: &[&[u8]]) {
        let at = self.begin(b'B');
        self.cstr("");
        self.cstr(statement);
        self.buf.extend_from_slice(&0i16.to_be_bytes());
        self.buf
            .extend_from_slice(&(params.len() as i16).to_be_bytes());
        for param in params {
            self.buf
                .extend_from_slice(&(param.len() as i32).to_be_bytes());
            self.buf.extend_from_slice(param);
        }
        self.buf.extend_from_slice(&0i16.to_be_bytes());
        self.end(at);
    }
    /// Execute of the unnamed portal, all rows.
    pub fn execute(&mut self) {
        let at = self.begin(b'E');
        self.cstr("");
        self.buf.extend_from_slice(&0i32.to_be_bytes());
        self.end(at);
    }
    pub fn sync(&mut self) {
        let at = self.begin(b'S');
        self.end(at);
    }
    pub fn terminate(&mut self) {
        let at = self.begin(b'X');
        self.end(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        decode_message, decode_startup, BackendWriter, FrontendMessage, StartupPacket,
        TransactionStatus,
    };

    #[test]
    fn client_and_server_halves_agree() {
        let mut out = FrontendWriter::default();
        out.startup(&[("user", "postgres")]);
        let (packet, used) = decode_startup(&out.buf, 1 << 20).unwrap().unwrap();
        assert!(matches!(packet, StartupPacket::Startup { .. }));
        assert_eq!(used, out.buf.len());
        let mut out = FrontendWriter::default();
        out.bind("s1", &[b"42", b"x"]);
        let (message, _) = decode_message(&out.buf, 1 << 20).unwrap().unwrap();
        assert_eq!(
            message,
            FrontendMessage::Bind {
                portal: String::new(),
                statement: "s1".into(),
                param_formats: vec![],
                params: vec![Some(b"42".to_vec()), Some(b"x".to_vec())],
                result_formats: vec![]
            }
        );
        let mut back = BackendWriter::default();
        let at = back.data_row_begin(2);
        back.data_value(Some(b"7"));
        back.data_value(None);
        back.data_row_end(at);
        back.ready_for_query(TransactionStatus::Idle);
        let (row, used) = decode_backend(&back.buf).unwrap().unwrap();
        assert_eq!(
            row,
            BackendMessage::DataRow {
                values: vec![Some(b"7".to_vec()), None]
            }
        );
        let (ready, _) = decode_backend(&back.buf[used..]).unwrap().unwrap();
        assert_eq!(ready, BackendMessage::ReadyForQuery(b'I'));
    }
}
