//! A hostile SMTP server on 127.0.0.1: what it says carries a given text (scripts, terminal
//! sequences...), for the tests that check every output shows such text and never obeys it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// Listens on a free port and answers each connection: a banner `220 mail.test ESMTP {text}`,
/// `ehlo` (a whole reply, CRLF lines) to EHLO, 221 to QUIT, and `530 5.7.0 {text} Must issue a
/// STARTTLS command first` to everything else; it offers no STARTTLS.
pub fn smtp_server(text: &'static str, ehlo: String) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let ehlo = ehlo.clone();
            thread::spawn(move || serve(conn, text, &ehlo));
        }
    });
    port
}

fn serve(mut conn: TcpStream, text: &str, ehlo: &str) {
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(20)));
    let _ = write!(conn, "220 mail.test ESMTP {text}\r\n");
    let mut lines = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    while lines.read_line(&mut line).unwrap_or(0) > 0 {
        let verb = line.trim().to_ascii_uppercase();
        let reply = if verb.starts_with("EHLO") {
            ehlo.to_owned()
        } else if verb.starts_with("QUIT") {
            "221 bye\r\n".to_owned()
        } else {
            format!("530 5.7.0 {text} Must issue a STARTTLS command first\r\n")
        };
        if conn.write_all(reply.as_bytes()).is_err() || verb.starts_with("QUIT") {
            break;
        }
        line.clear();
    }
}
