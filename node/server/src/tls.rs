//! TLS for the wire protocol, with rustls (ring as its crypto provider).
//!
//! PostgreSQL negotiates TLS inside its own protocol: the client's first packet is an SSLRequest,
//! the server answers one byte (`S`: go ahead, `N`: no TLS here), and on `S` the TLS handshake
//! follows on the same socket, then the ordinary startup message inside it. Keel answers `S` when
//! `wire.tls_cert_file` and `wire.tls_key_file` name a PEM certificate chain and its private key,
//! and `N` otherwise (as a PostgreSQL with `ssl = off`). Bytes a client sent after its SSLRequest
//! but before the handshake are refused (08P01), as PostgreSQL refuses them since CVE-2021-23214:
//! they would otherwise be read as if they came through TLS. Whether a session is encrypted is what
//! `hostssl`/`hostnossl` rules match (see `hba.rs`).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use crate::config::WireConfig;

/// The node's TLS: the rustls configuration and the `tls-server-end-point` channel-binding data of
/// its certificate (for SCRAM-SHA-256-PLUS).
#[derive(Clone)]
pub struct Tls {
    pub config: Arc<ServerConfig>,
    pub end_point: Vec<u8>,
}

/// The server's TLS from `wire.tls_cert_file` / `wire.tls_key_file`; None when both are empty
/// (TLS off).
pub fn server_config(wire: &WireConfig) -> Result<Option<Tls>, String> {
    let (cert, key) = (wire.tls_cert_file.as_str(), wire.tls_key_file.as_str());
    match (cert, key) {
        ("", "") => Ok(None),
        ("", _) | (_, "") => {
            Err("wire.tls_cert_file and wire.tls_key_file must be given together".into())
        }
        (cert, key) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("wire.tls_cert_file {cert}: {e}"))?;
            if chain.is_empty() {
                return Err(format!("wire.tls_cert_file {cert}: no certificate in it"));
            }
            let end_point = keel_sql::auth::certificate_end_point(&chain[0]);
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| format!("wire.tls_key_file {key}: {e}"))?;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS: {e}"))?
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .map_err(|e| format!("TLS certificate and key: {e}"))?;
            Ok(Some(Tls {
                config: Arc::new(config),
                end_point,
            }))
        }
    }
}

/// A client connection: plain TCP, or TLS over it once negotiated.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Only while the handshake owns the socket.
    Upgrading,
}

impl Stream {
    pub fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }

    /// The negotiated protocol and cipher suite (`pg_stat_ssl`), by OpenSSL's names.
    pub fn ssl_info(&self) -> Option<keel_sql::system::SslInfo> {
        let Stream::Tls(tls) = self else {
            return None;
        };
        let connection = tls.get_ref().1;
        let version = match connection.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
            _ => return None,
        };
        let (cipher, bits) = openssl_cipher(connection.negotiated_cipher_suite()?.suite());
        Some(keel_sql::system::SslInfo {
            version: version.into(),
            cipher: cipher.into(),
            bits,
        })
    }

    /// Runs the TLS handshake on a plain stream (after the `S` answer went out).
    pub async fn upgrade(&mut self, config: Arc<ServerConfig>) -> io::Result<()> {
        let Stream::Plain(tcp) = std::mem::replace(self, Stream::Upgrading) else {
            return Err(io::Error::other("TLS is already on"));
        };
        let tls = tokio_rustls::TlsAcceptor::from(config).accept(tcp).await?;
        *self = Stream::Tls(Box::new(tls));
        Ok(())
    }
}

fn upgrading() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "TLS handshake in progress")
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
            Stream::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
            Stream::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
            Stream::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
            Stream::Upgrading => Poll::Ready(Err(upgrading())),
        }
    }
}

/// OpenSSL's name of a cipher suite rustls negotiates (what PostgreSQL's `pg_stat_ssl` shows) and
/// its key bits.
fn openssl_cipher(suite: rustls::CipherSuite) -> (&'static str, i32) {
    use rustls::CipherSuite as S;
    match suite {
        S::TLS13_AES_128_GCM_SHA256 => ("TLS_AES_128_GCM_SHA256", 128),
        S::TLS13_AES_256_GCM_SHA384 => ("TLS_AES_256_GCM_SHA384", 256),
        S::TLS13_CHACHA20_POLY1305_SHA256 => ("TLS_CHACHA20_POLY1305_SHA256", 256),
        S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => ("ECDHE-ECDSA-AES128-GCM-SHA256", 128),
        S::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => ("ECDHE-ECDSA-AES256-GCM-SHA384", 256),
        S::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => ("ECDHE-ECDSA-CHACHA20-POLY1305", 256),
        S::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => ("ECDHE-RSA-AES128-GCM-SHA256", 128),
        S::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => ("ECDHE-RSA-AES256-GCM-SHA384", 256),
        S::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => ("ECDHE-RSA-CHACHA20-POLY1305", 256),
        _ => ("unknown", 0),
    }
}
