//! The I/O side: listeners, one task per connection, reads with timeouts, STARTTLS.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailprobe_proto::{Line, LineReader};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use crate::hello::{self, HelloVersion};
use crate::session::{AcceptedMessage, Action, MAX_KEPT_BODY, Session};
use crate::{Scenario, SimOptions};

/// The longest line the simulator keeps (the rest of a longer line is dropped).
pub const MAX_LINE: usize = 4096;
/// Accepted messages remembered per simulator (older ones are forgotten).
const MAX_REMEMBERED: usize = 1000;

/// State every connection task shares.
pub(crate) struct Shared {
    pub(crate) scenario: Scenario,
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) options: SimOptions,
    pub(crate) accepted: Mutex<Vec<AcceptedMessage>>,
}

impl Shared {
    fn remember(&self, message: AcceptedMessage) {
        // A poisoned lock only means another connection task panicked mid-push: keep going.
        let mut list = self.accepted.lock().unwrap_or_else(|e| e.into_inner());
        if list.len() >= MAX_REMEMBERED {
            list.remove(0);
        }
        list.push(message);
    }
}

/// Accepts one connection, ready to serve: with `TCP_NODELAY`, because a server writes a reply
/// in a few small writes (and TLS records) and then waits for the client. Without it Nagle's
/// algorithm holds the next small write until the client ACKs the last one, and a client delays
/// that ACK by up to 40 ms: every reply after the TLS handshake came 40 ms late.
async fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    let (stream, peer) = listener.accept().await?;
    // Best effort: a socket that refuses it is still served, only slower.
    let _ = stream.set_nodelay(true);
    Ok((stream, peer))
}

/// Accepts connections until the task is aborted; dropping the `JoinSet` then aborts every
/// connection task too.
pub(crate) async fn accept_loop(listener: TcpListener, implicit: bool, shared: Arc<Shared>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = accept(&listener) => match accepted {
                Ok((stream, peer)) => {
                    if conns.len() >= shared.options.max_connections {
                        if !implicit {
                            // Best effort, never waits: a full socket buffer just loses the text.
                            let _ = stream.try_write(b"421 4.7.0 Too many concurrent connections, try again later\r\n");
                        }
                        continue;
                    }
                    conns.spawn(serve(stream, peer, implicit, shared.clone()));
                }
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Why reading stopped.
enum End {
    /// The peer closed the connection or it failed.
    Gone,
    /// No byte came within the idle timeout.
    Timeout,
}

/// A stream with a bounded line reader and an idle timeout on every read.
struct Conn<S> {
    io: S,
    reader: LineReader,
    buf: Vec<u8>,
    idle: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    fn new(io: S, idle: Duration) -> Self {
        Self { io, reader: LineReader::new(MAX_LINE), buf: vec![0; 8192], idle }
    }

    async fn send(&mut self, text: &str) -> io::Result<()> {
        timeout(self.idle, async {
            self.io.write_all(text.as_bytes()).await?;
            self.io.flush().await
        })
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
    }

    async fn fill(&mut self) -> Result<usize, End> {
        match timeout(self.idle, self.io.read(&mut self.buf)).await {
            Err(_) => Err(End::Timeout),
            Ok(Ok(0)) | Ok(Err(_)) => Err(End::Gone),
            Ok(Ok(n)) => Ok(n),
        }
    }

    async fn read_line(&mut self) -> Result<Line, End> {
        loop {
            if let Some(line) = self.reader.next_line() {
                return Ok(line);
            }
            let n = self.fill().await?;
            self.reader.feed(&self.buf[..n]);
        }
    }

    /// Reads and discards exactly `n` raw bytes (a BDAT chunk); bytes after it stay buffered.
    async fn skip_bytes(&mut self, mut n: u64) -> Result<(), End> {
        let buffered = self.reader.take_buffered();
        let here = buffered.len().min(usize::try_from(n).unwrap_or(usize::MAX));
        self.reader.feed(&buffered[here..]);
        n -= here as u64;
        while n > 0 {
            let got = self.fill().await?;
            let used = got.min(usize::try_from(n).unwrap_or(usize::MAX));
            n -= used as u64;
            if used < got {
                let rest = self.buf[used..got].to_vec();
                self.reader.feed(&rest);
            }
        }
        Ok(())
    }

    /// Reads a DATA body up to the `.` line; returns its size (dot-stuffing removed) and its
    /// first [`MAX_KEPT_BODY`] bytes.
    async fn read_message(&mut self) -> Result<(u64, Vec<u8>), End> {
        let mut size: u64 = 0;
        let mut kept = Vec::new();
        loop {
            let line = self.read_line().await?;
            if line.bytes == b"." && !line.cut {
                return Ok((size, kept));
            }
            let unstuffed = line.bytes.strip_prefix(b".").unwrap_or(&line.bytes);
            if kept.len() < MAX_KEPT_BODY {
                let room = MAX_KEPT_BODY - kept.len();
                kept.extend_from_slice(&unstuffed[..unstuffed.len().min(room)]);
                if kept.len() + 2 <= MAX_KEPT_BODY {
                    kept.extend_from_slice(b"\r\n");
                }
            }
            size = size.saturating_add(unstuffed.len() as u64 + 2);
        }
    }
}

/// What a connection does after the plaintext part.
enum Outcome {
    Closed,
    StartTls,
}

async fn serve(stream: TcpStream, peer: SocketAddr, implicit: bool, shared: Arc<Shared>) {
    let idle = shared.options.idle_timeout;
    let mut session = Session::new(shared.scenario, peer.ip(), implicit);
    if implicit {
        let mut stream = stream;
        if refuse_legacy_tls(&mut stream, idle).await {
            return;
        }
        let Ok(Ok(tls)) = timeout(idle, shared.acceptor.accept(stream)).await else {
            return;
        };
        let mut conn = Conn::new(tls, idle);
        if conn.send(&session.banner()).await.is_ok() {
            drive(&mut conn, &mut session, &shared).await;
        }
        let _ = timeout(idle, conn.io.shutdown()).await;
        return;
    }
    let mut conn = Conn::new(stream, idle);
    if conn.send(&session.banner()).await.is_err() {
        return;
    }
    if let Outcome::StartTls = drive(&mut conn, &mut session, &shared).await {
        // Anything the client sent after STARTTLS and before the handshake is dropped, as
        // careful servers do (it would otherwise be a command injected in the clear).
        let mut stream = conn.io;
        if refuse_legacy_tls(&mut stream, idle).await {
            return;
        }
        let Ok(Ok(tls)) = timeout(idle, shared.acceptor.accept(stream)).await else {
            return;
        };
        session.tls_started();
        let mut conn = Conn::new(tls, idle);
        drive(&mut conn, &mut session, &shared).await;
        let _ = timeout(idle, conn.io.shutdown()).await;
    } else {
        let _ = timeout(idle, conn.io.shutdown()).await;
    }
}

/// Looks at the ClientHello before rustls does and answers a client that offers nothing newer
/// than TLS 1.1 with a fatal `protocol_version` alert, as RFC 5246 (appendix E.1) asks and as
/// servers with a TLS 1.2 floor do. rustls would refuse such a client too, but a real TLS 1.0
/// ClientHello has no signature_algorithms extension, and rustls checks that first and sends
/// `handshake_failure`, which hides the actual cause. Returns true when the client was refused.
async fn refuse_legacy_tls(stream: &mut TcpStream, idle: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + idle;
    let mut buf = vec![0u8; 5 + 16_384 + 2048];
    let (version, seen) = loop {
        let n = match tokio::time::timeout_at(deadline, stream.peek(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            // Gone or silent: rustls's handshake (with its own timeout) will notice.
            _ => return false,
        };
        match hello::hello_version(&buf[..n]) {
            Some(v) => break (v, n),
            None if n == buf.len() => return false,
            // peek returns at once while bytes are waiting: give the rest time to arrive.
            None => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    };
    let HelloVersion::Legacy(record_version) = version else {
        return false;
    };
    // Consume what was peeked: closing with unread bytes would make the kernel send a reset,
    // and the client could lose the alert.
    let mut left = seen;
    while left > 0 {
        match timeout(idle, stream.read(&mut buf[..left])).await {
            Ok(Ok(n)) if n > 0 => left -= n,
            _ => return true,
        }
    }
    let alert = hello::protocol_version_alert(record_version);
    if timeout(idle, stream.write_all(&alert)).await.is_ok() {
        let _ = stream.shutdown().await;
        // Let the client read the alert and close first.
        let _ = timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
    }
    true
}

/// Runs the command loop until the session closes, the peer goes, or STARTTLS is accepted.
async fn drive<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut Conn<S>,
    session: &mut Session,
    shared: &Shared,
) -> Outcome {
    loop {
        let line = match conn.read_line().await {
            Ok(line) => line,
            Err(End::Timeout) => {
                let _ = conn.send(&session.timeout_reply()).await;
                return Outcome::Closed;
            }
            Err(End::Gone) => return Outcome::Closed,
        };
        let reply = match session.on_line(&line) {
            Action::Reply(reply) => reply,
            Action::Close(reply) => {
                let _ = conn.send(&reply).await;
                return Outcome::Closed;
            }
            Action::StartTls(reply) => {
                if conn.send(&reply).await.is_err() {
                    return Outcome::Closed;
                }
                return Outcome::StartTls;
            }
            Action::Data(go_ahead) => {
                if conn.send(&go_ahead).await.is_err() {
                    return Outcome::Closed;
                }
                match conn.read_message().await {
                    Ok((size, body)) => {
                        let reply = session.data_end(size);
                        session.keep_body(body);
                        reply
                    }
                    Err(End::Timeout) => {
                        let _ = conn.send(&session.timeout_reply()).await;
                        return Outcome::Closed;
                    }
                    Err(End::Gone) => return Outcome::Closed,
                }
            }
            Action::Chunk { size, last } => match conn.skip_bytes(size).await {
                Ok(()) => session.chunk_end(size, last),
                Err(End::Timeout) => {
                    let _ = conn.send(&session.timeout_reply()).await;
                    return Outcome::Closed;
                }
                Err(End::Gone) => return Outcome::Closed,
            },
        };
        if let Some(message) = session.take_accepted() {
            shared.remember(message);
        }
        if conn.send(&reply).await.is_err() {
            return Outcome::Closed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17 item 14: the simulator's sockets lacked `TCP_NODELAY`, so the first reply after
    /// TLS waited ~40 ms for the client's delayed ACK. Every connection the accept loop serves
    /// comes from `accept`.
    #[tokio::test]
    async fn accepted_sockets_have_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr);
        let (accepted, client) = tokio::join!(accept(&listener), client);
        let (stream, peer) = accepted.unwrap();
        assert_eq!(peer, client.unwrap().local_addr().unwrap());
        assert!(stream.nodelay().unwrap());
    }
}
