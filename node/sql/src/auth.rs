//! Role passwords and the protocol's password exchanges: SCRAM-SHA-256, md5 and cleartext.
//!
//! **Stored secrets, never passwords.** `CREATE ROLE .. PASSWORD 'x'` keeps what PostgreSQL keeps in
//! `pg_authid.rolpassword`, chosen by `password_encryption`:
//! - `scram-sha-256` (the default): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
//!   (RFC 5802/7677; base64 fields; 4096 iterations and a 16-byte random salt, as PostgreSQL).
//!   SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations); ClientKey and ServerKey are
//!   HMACs of it; StoredKey = SHA-256(ClientKey). The password itself cannot be recovered.
//! - `md5`: `md5` + hex(MD5(password || user name)), PostgreSQL's legacy form.
//!
//! A password given already in either form is stored as it is (so dumps restore).
//!
//! **SCRAM exchange** ([`ScramExchange`]): the client's first message names a nonce; the server
//! answers with the combined nonce, the salt and the iteration count; the client proves it knows
//! ClientKey (proof = ClientKey XOR HMAC(StoredKey, AuthMessage)), the server checks that
//! SHA-256(proof XOR signature) is StoredKey and answers with its own signature (HMAC(ServerKey,
//! AuthMessage)) so the client knows the server holds the secret too. Over TLS the exchange can be
//! bound to the server certificate (SCRAM-SHA-256-PLUS, `tls-server-end-point`): the client's
//! `c=` attribute must then carry the GS2 header and the certificate's hash
//! ([`certificate_end_point`]); a client that could bind but believes the server cannot (`y`)
//! while PLUS was offered is refused, as RFC 5802 asks.
//!
//! **Nothing tells whether a role exists.** For a role that does not exist, or has no usable
//! secret, the exchange runs against a mock secret whose salt is derived from the user name with a
//! per-process key (as PostgreSQL's `scram_mock_salt`), so the client sees the same messages and
//! the same failure, 28P01, as for a wrong password.
//!
//! SCRAM keys come from the password after SASLprep (RFC 4013: non-ASCII spaces mapped to a space,
//! characters mapped to nothing removed, NFKC normalization), as PostgreSQL's `pg_saslprep` and
//! libpq apply it; a password SASLprep refuses (prohibited or unassigned characters, bad bidi) is
//! used as given, as both of them do. md5 secrets hash the password as given, as PostgreSQL's.

use std::sync::OnceLock;

use ring::{digest, hmac, pbkdf2, rand::SecureRandom};

use crate::error::{code, SqlError, SqlResult};
use crate::functions::{base64_decode, base64_encode};

/// PBKDF2 iterations for new SCRAM secrets (PostgreSQL's `scram_iterations` default).
pub const SCRAM_ITERATIONS: u32 = 4096;
const SALT_BYTES: usize = 16;
const NONCE_BYTES: usize = 18;
const KEY_BYTES: usize = 32;

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random source");
    bytes
}

/// A parsed stored secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    Scram {
        iterations: u32,
        salt: Vec<u8>,
        stored_key: Vec<u8>,
        server_key: Vec<u8>,
    },
    /// The 32 hex digits after `md5`.
    Md5(String),
}

impl Secret {
    pub fn parse(text: &str) -> Option<Secret> {
        if let Some(hex) = text.strip_prefix("md5") {
            let valid = hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
            return valid.then(|| Secret::Md5(hex.to_ascii_lowercase()));
        }
        let rest = text.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored, server) = keys.split_once(':')?;
        let iterations: u32 = iterations.parse().ok().filter(|&i| i > 0)?;
        let salt = base64_decode(salt).ok().filter(|s| !s.is_empty())?;
        let stored_key = base64_decode(stored)
            .ok()
            .filter(|k| k.len() == KEY_BYTES)?;
        let server_key = base64_decode(server)
            .ok()
            .filter(|k| k.len() == KEY_BYTES)?;
        Some(Secret::Scram {
            iterations,
            salt,
            stored_key,
            server_key,
        })
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// Equality that takes the same time wherever the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn sha256(data: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, data).as_ref().to_vec()
}

/// StoredKey and ServerKey for `password` (after SASLprep) under `salt` and `iterations`.
fn scram_keys(password: &str, salt: &[u8], iterations: u32) -> (Vec<u8>, Vec<u8>) {
    // ASCII passwords pass unchanged (PostgreSQL does not even check them).
    let password = if password.is_ascii() {
        std::borrow::Cow::Borrowed(password)
    } else {
        stringprep::saslprep(password).unwrap_or(std::borrow::Cow::Borrowed(password))
    };
    let mut salted = [0u8; KEY_BYTES];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        std::num::NonZeroU32::new(iterations).expect("iterations > 0"),
        salt,
        password.as_bytes(),
        &mut salted,
    );
    let client_key = hmac_sha256(&salted, b"Client Key");
    (sha256(&client_key), hmac_sha256(&salted, b"Server Key"))
}

fn scram_text(iterations: u32, salt: &[u8], stored_key: &[u8], server_key: &[u8]) -> String {
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        base64_encode(salt, false),
        base64_encode(stored_key, false),
        base64_encode(server_key, false)
    )
}

/// A new SCRAM-SHA-256 secret for `password`, with a random salt.
pub fn scram_secret(password: &str) -> String {
    let salt = random_bytes(SALT_BYTES);
    let (stored, server) = scram_keys(password, &salt, SCRAM_ITERATIONS);
    scram_text(SCRAM_ITERATIONS, &salt, &stored, &server)
}

fn md5_hex(data: &[u8]) -> String {
    format!("{:x}", md5::compute(data))
}

/// PostgreSQL's md5 secret: `md5` + hex(MD5(password || user)).
pub fn md5_secret(password: &str, user: &str) -> String {
    format!("md5{}", md5_hex(format!("{password}{user}").as_bytes()))
}

/// What `PASSWORD 'x'` stores for `user` under `password_encryption` = `method`.
pub fn encrypt_password(password: &str, user: &str, method: &str) -> SqlResult<String> {
    if Secret::parse(password).is_some() {
        return Ok(password.to_string());
    }
    match method.to_ascii_lowercase().as_str() {
        "scram-sha-256" => Ok(scram_secret(password)),
        "md5" => Ok(md5_secret(password, user)),
        other => Err(SqlError::new(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"password_encryption\": \"{other}\""),
        )),
    }
}

/// Why an exchange ended without success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// The client broke the protocol (08P01), with what was wrong.
    Protocol(String),
    /// Wrong password, unknown role or no usable secret: all the same to the client (28P01).
    Failed,
}

/// A key drawn once per process for mock salts.
fn mock_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| random_bytes(32))
}

/// The server side of one SCRAM-SHA-256 exchange (see the module docs).
pub struct ScramExchange {
    iterations: u32,
    salt: Vec<u8>,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
    /// False for a mock secret: the exchange runs to the end and fails.
    real: bool,
    /// Over TLS: the `tls-server-end-point` binding data (the server certificate's hash), which
    /// also means SCRAM-SHA-256-PLUS was offered.
    end_point: Option<Vec<u8>>,
    /// Set by [`ScramExchange::server_first`].
    first: Option<First>,
}

struct First {
    gs2_header: String,
    client_first_bare: String,
    server_first: String,
    nonce: String,
}

fn protocol(detail: &str) -> AuthFailure {
    AuthFailure::Protocol(format!("malformed SCRAM message: {detail}"))
}

impl ScramExchange {
    /// An exchange for `user` against `secret` (its stored password, if any).
    pub fn new(user: &str, secret: Option<&str>) -> ScramExchange {
        match secret.and_then(Secret::parse) {
            Some(Secret::Scram {
                iterations,
                salt,
                stored_key,
                server_key,
            }) => ScramExchange {
                iterations,
                salt,
                stored_key,
                server_key,
                real: true,
                end_point: None,
                first: None,
            },
            _ => {
                let salt = hmac_sha256(mock_key(), user.as_bytes())[..SALT_BYTES].to_vec();
                ScramExchange {
                    iterations: SCRAM_ITERATIONS,
                    salt,
                    stored_key: vec![0; KEY_BYTES],
                    server_key: vec![0; KEY_BYTES],
                    real: false,
                    end_point: None,
                    first: None,
                }
            }
        }
    }

    /// Over TLS: binds the exchange to the server certificate (`tls-server-end-point`, RFC 5929:
    /// `hash` is the certificate's hash, see [`certificate_end_point`]); SCRAM-SHA-256-PLUS is then
    /// offered.
    pub fn with_channel_binding(mut self, hash: Vec<u8>) -> ScramExchange {
        self.end_point = Some(hash);
        self
    }

    /// The mechanisms to offer: SCRAM-SHA-256-PLUS first when the exchange can bind to TLS.
    pub fn mechanisms(&self) -> &'static [&'static str] {
        if self.end_point.is_some() {
            &["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]
        } else {
            &["SCRAM-SHA-256"]
        }
    }

    /// Reads client-first-message (of `mechanism`, one of [`ScramExchange::mechanisms`]),
    /// returns server-first-message.
    pub fn server_first(
        &mut self,
        mechanism: &str,
        client_first: &[u8],
    ) -> Result<Vec<u8>, AuthFailure> {
        let plus = match mechanism {
            "SCRAM-SHA-256" => false,
            "SCRAM-SHA-256-PLUS" if self.end_point.is_some() => true,
            _ => {
                return Err(AuthFailure::Protocol(
                    "client selected an invalid SASL authentication mechanism".into(),
                ))
            }
        };
        let text = std::str::from_utf8(client_first).map_err(|_| protocol("not UTF-8"))?;
        // gs2-header: cbind-flag "," [authzid] ","
        let (flag, rest) = text
            .split_once(',')
            .ok_or_else(|| protocol("no GS2 header"))?;
        match flag {
            "p=tls-server-end-point" if plus => {}
            _ if plus => {
                return Err(AuthFailure::Protocol(
                    "channel binding is required, but client does not support it".into(),
                ))
            }
            "n" => {}
            // The client could bind but thinks the server cannot: a downgrade when it can.
            "y" if self.end_point.is_some() => {
                return Err(AuthFailure::Protocol(
                    "SCRAM channel binding negotiation error".into(),
                ))
            }
            "y" => {}
            _ if flag.starts_with("p=") => {
                return Err(AuthFailure::Protocol(
                    "SCRAM channel binding negotiation error".into(),
                ))
            }
            _ => return Err(protocol("unexpected channel-binding flag")),
        }
        let (authzid, bare) = rest
            .split_once(',')
            .ok_or_else(|| protocol("no GS2 header"))?;
        if !authzid.is_empty() {
            return Err(AuthFailure::Protocol(
                "client uses authorization identity, but it is not supported".into(),
            ));
        }
        let mut attributes = bare.split(',');
        if !attributes.next().is_some_and(|a| a.starts_with("n=")) {
            return Err(protocol("expected attribute \"n\""));
        }
        let client_nonce = attributes
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && b != b','))
            .ok_or_else(|| protocol("expected attribute \"r\""))?;
        let nonce = format!(
            "{client_nonce}{}",
            base64_encode(&random_bytes(NONCE_BYTES), false)
        );
        let server_first = format!(
            "r={nonce},s={},i={}",
            base64_encode(&self.salt, false),
            self.iterations
        );
        self.first = Some(First {
            gs2_header: format!("{flag},{authzid},"),
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
            nonce,
        });
        Ok(server_first.into_bytes())
    }

    /// Reads client-final-message; on a valid proof returns server-final-message.
    pub fn server_final(&mut self, client_final: &[u8]) -> Result<Vec<u8>, AuthFailure> {
        let first = self
            .first
            .as_ref()
            .ok_or_else(|| protocol("final message before the first"))?;
        let text = std::str::from_utf8(client_final).map_err(|_| protocol("not UTF-8"))?;
        let (without_proof, proof) = text
            .rsplit_once(",p=")
            .ok_or_else(|| protocol("expected attribute \"p\""))?;
        let mut attributes = without_proof.split(',');
        let binding = attributes
            .next()
            .and_then(|a| a.strip_prefix("c="))
            .ok_or_else(|| protocol("expected attribute \"c\""))?;
        let mut expected = first.gs2_header.as_bytes().to_vec();
        if first.gs2_header.starts_with("p=") {
            expected.extend_from_slice(self.end_point.as_deref().unwrap_or_default());
        }
        if base64_decode(binding).ok().as_deref() != Some(expected.as_slice()) {
            return Err(AuthFailure::Protocol(
                "SCRAM channel binding check failed".into(),
            ));
        }
        let nonce = attributes
            .next()
            .and_then(|a| a.strip_prefix("r="))
            .ok_or_else(|| protocol("expected attribute \"r\""))?;
        if nonce != first.nonce {
            return Err(protocol("unexpected SCRAM nonce"));
        }
        let proof = base64_decode(proof)
            .ok()
            .filter(|p| p.len() == KEY_BYTES)
            .ok_or_else(|| protocol("invalid proof"))?;
        let auth_message = format!(
            "{},{},{}",
            first.client_first_bare, first.server_first, without_proof
        );
        let signature = hmac_sha256(&self.stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(p, s)| p ^ s).collect();
        let matches = same(&sha256(&client_key), &self.stored_key);
        if !(self.real && matches) {
            return Err(AuthFailure::Failed);
        }
        let server_signature = hmac_sha256(&self.server_key, auth_message.as_bytes());
        Ok(format!("v={}", base64_encode(&server_signature, false)).into_bytes())
    }
}

/// One DER element at the start of `der`: (tag, content, the rest after it).
fn der_element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let bytes = (first & 0x7f) as usize;
        if bytes == 0 || bytes > 4 || rest.len() < bytes {
            return None;
        }
        let len = rest[..bytes]
            .iter()
            .fold(0usize, |n, &b| n << 8 | b as usize);
        (len, &rest[bytes..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `tls-server-end-point` channel-binding data (RFC 5929) for a DER certificate: its hash with the
/// digest of its signature algorithm, SHA-256 for MD5, SHA-1 and SHA-256 (and anything unknown),
/// SHA-384 and SHA-512 for those.
pub fn certificate_end_point(der: &[u8]) -> Vec<u8> {
    const SHA384: &[&[u8]] = &[
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c], // sha384WithRSAEncryption
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03],       // ecdsa-with-SHA384
    ];
    const SHA512: &[&[u8]] = &[
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d], // sha512WithRSAEncryption
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04],       // ecdsa-with-SHA512
    ];
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, .. }, .. }
    let algorithm = der_element(der)
        .and_then(|(_, certificate, _)| der_element(certificate))
        .and_then(|(_, _, after_tbs)| der_element(after_tbs))
        .and_then(|(_, algorithm, _)| der_element(algorithm))
        .map(|(_, oid, _)| oid);
    let digest = match algorithm {
        Some(oid) if SHA384.contains(&oid) => &digest::SHA384,
        Some(oid) if SHA512.contains(&oid) => &digest::SHA512,
        _ => &digest::SHA256,
    };
    digest::digest(digest, der).as_ref().to_vec()
}

/// A salt for an md5 exchange.
pub fn md5_salt() -> [u8; 4] {
    random_bytes(4).try_into().expect("4 bytes")
}

/// Whether `response` (the client's `md5...` answer to `salt`) matches `secret`, an md5 secret.
pub fn md5_response_matches(secret: Option<&str>, salt: [u8; 4], response: &str) -> bool {
    let Some(Secret::Md5(hex)) = secret.and_then(Secret::parse) else {
        return false;
    };
    let mut salted = hex.into_bytes();
    salted.extend_from_slice(&salt);
    let expected = format!("md5{}", md5_hex(&salted));
    same(expected.as_bytes(), response.as_bytes())
}

/// Whether `password`, sent in clear, matches `secret` (either form).
pub fn password_matches(secret: Option<&str>, user: &str, password: &str) -> bool {
    match secret.and_then(Secret::parse) {
        Some(Secret::Scram {
            iterations,
            salt,
            stored_key,
            ..
        }) => {
            let (stored, _) = scram_keys(password, &salt, iterations);
            same(&stored, &stored_key)
        }
        Some(Secret::Md5(_)) => {
            let expected = md5_secret(password, user);
            secret.is_some_and(|s| same(expected.as_bytes(), s.to_ascii_lowercase().as_bytes()))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SASLprep: NFKC (U+2168 ROMAN NUMERAL NINE is "IX"), non-ASCII spaces are spaces, soft
    /// hyphens vanish; a prohibited character leaves the password as given.
    #[test]
    fn scram_keys_use_saslprep() {
        let salt = b"0123456789abcdef";
        let keys = |p: &str| scram_keys(p, salt, 4096);
        assert_eq!(keys("\u{2168}"), keys("IX"));
        assert_eq!(keys("a\u{00A0}b"), keys("a b"));
        assert_eq!(keys("pa\u{00AD}ss"), keys("pass"));
        assert_ne!(keys("\u{2168}"), keys("ix"));
        // U+0007 (a control character) is prohibited: the bytes as given.
        assert_ne!(keys("\u{2168}\u{0007}"), keys("IX\u{0007}"));
    }

    /// RFC 7677's example exchange (user "user", password "pencil"), with its nonces and salt.
    #[test]
    fn rfc7677_exchange_verifies() {
        let salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let (stored, server) = scram_keys("pencil", &salt, 4096);
        let secret = scram_text(4096, &salt, &stored, &server);
        let mut exchange = ScramExchange::new("user", Some(&secret));
        let client_first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        // The server's own nonce is random: put the RFC's in its place.
        exchange
            .server_first(
                "SCRAM-SHA-256",
                format!("n,,{client_first_bare}").as_bytes(),
            )
            .unwrap();
        let first = exchange.first.as_mut().unwrap();
        first.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".into();
        first.server_first = server_first.into();
        let client_final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        let server_final = exchange.server_final(client_final.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(server_final).unwrap(),
            "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        // A wrong proof fails, and so does an unknown role with the same messages.
        let mut wrong = ScramExchange::new("user", Some(&secret));
        wrong
            .server_first(
                "SCRAM-SHA-256",
                format!("n,,{client_first_bare}").as_bytes(),
            )
            .unwrap();
        let nonce = wrong.first.as_ref().unwrap().nonce.clone();
        let bad = format!("c=biws,r={nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assert_eq!(wrong.server_final(bad.as_bytes()), Err(AuthFailure::Failed));
        let mut mock = ScramExchange::new("nobody", None);
        let answer = mock.server_first("SCRAM-SHA-256", b"n,,n=,r=abc").unwrap();
        assert!(String::from_utf8(answer).unwrap().contains(",i=4096"));
    }

    #[test]
    fn secrets_parse_and_check_cleartext() {
        let secret = scram_secret("pencil");
        assert!(matches!(Secret::parse(&secret), Some(Secret::Scram { .. })));
        assert!(password_matches(Some(&secret), "u", "pencil"));
        assert!(!password_matches(Some(&secret), "u", "pencil2"));
        // PostgreSQL: md5('secretalice')
        let md5 = md5_secret("secret", "alice");
        assert_eq!(md5, format!("md5{}", md5_hex(b"secretalice")));
        assert!(password_matches(Some(&md5), "alice", "secret"));
        assert_eq!(encrypt_password(&md5, "bob", "scram-sha-256").unwrap(), md5);
        assert!(Secret::parse("plain").is_none());
        let salt = [1, 2, 3, 4];
        let inner = md5.strip_prefix("md5").unwrap();
        let response = format!("md5{}", md5_hex(&[inner.as_bytes(), &salt].concat()));
        assert!(md5_response_matches(Some(&md5), salt, &response));
        assert!(!md5_response_matches(Some(&secret), salt, &response));
    }
}
