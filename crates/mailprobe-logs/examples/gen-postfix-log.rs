//! Writes a realistic Postfix mail log of any size to stdout, for the `analyze` benchmark:
//! interleaved smtpd sessions of many clients with mixed outcomes (good submissions with their
//! cleanup/qmgr/delivery lines, wrong passwords, relay and sender refusals, unknown users,
//! greylisting, MAIL before STARTTLS, lost connections, timeouts) and remote deferrals, with
//! advancing syslog times. Deterministic for a seed.
//!
//!     cargo run --release -p mailprobe-logs --example gen-postfix-log -- --size 1G --seed 1 > big.log

use std::io::{self, BufWriter, Write};

/// A small, fast, deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const USERS: [&str; 6] = ["alice", "bob", "scanner", "printer-2f", "noreply", "billing"];
const DOMAINS: [&str; 4] = ["example.it", "example.com", "contoso.test", "studio-rossi.example"];

/// One session's lines still to write, with the pid and queue id it uses.
struct Session {
    lines: Vec<String>,
    next: usize,
}

fn parse_size(s: &str) -> Option<u64> {
    let (digits, mult) = match s.as_bytes().last()? {
        b'G' | b'g' => (&s[..s.len() - 1], 1u64 << 30),
        b'M' | b'm' => (&s[..s.len() - 1], 1 << 20),
        b'K' | b'k' => (&s[..s.len() - 1], 1 << 10),
        _ => (s, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * mult)
}

fn main() {
    let mut size: u64 = 1 << 30;
    let mut seed: u64 = 1;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => size = args.next().and_then(|s| parse_size(&s)).unwrap_or_else(|| usage()),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut written: u64 = 0;
    let mut clock: u64 = 8 * 3600; // seconds since Nov 1 00:00
    let mut pid: u64 = 10_000;
    let mut queue: u64 = 0x4A00_0000;
    let mut open: Vec<Session> = Vec::new();
    while written < size || !open.is_empty() {
        // keep 20-60 sessions in flight, like a busy submission server
        while written < size && open.len() < 20 + rng.below(40) as usize {
            pid += 1 + rng.below(7);
            queue += 1 + rng.below(4000);
            open.push(Session { lines: session(&mut rng, pid, queue), next: 0 });
        }
        let i = rng.below(open.len() as u64) as usize;
        clock += u64::from(rng.below(3) == 0);
        let day = 1 + (clock / 86_400) % 28;
        let (h, m, s) = ((clock / 3600) % 24, (clock / 60) % 60, clock % 60);
        let line = &open[i].lines[open[i].next];
        let prefix = format!("{} {day:>2} {h:02}:{m:02}:{s:02} mx1 ", MONTHS[10]);
        if out
            .write_all(prefix.as_bytes())
            .and_then(|()| out.write_all(line.as_bytes()))
            .and_then(|()| out.write_all(b"\n"))
            .is_err()
        {
            return; // stdout closed
        }
        written += (prefix.len() + line.len() + 1) as u64;
        open[i].next += 1;
        if open[i].next == open[i].lines.len() {
            open.swap_remove(i);
        }
    }
    let _ = out.flush();
}

fn usage() -> ! {
    eprintln!("usage: gen-postfix-log [--size N[K|M|G]] [--seed N]");
    std::process::exit(2);
}

/// The lines (after the syslog time and host) of one client session.
fn session(rng: &mut Rng, pid: u64, queue: u64) -> Vec<String> {
    let octet = 2 + rng.below(250);
    let net = ["192.0.2", "198.51.100", "203.0.113"][rng.below(3) as usize];
    let client = match rng.below(3) {
        0 => format!("unknown[{net}.{octet}]"),
        1 => format!("printer{octet}.lan[{net}.{octet}]"),
        _ => format!("host-{octet}.example.net[{net}.{octet}]"),
    };
    let user = format!("{}@{}", USERS[rng.below(6) as usize], DOMAINS[rng.below(4) as usize]);
    let rcpt = format!(
        "{}@{}",
        USERS[rng.below(6) as usize],
        ["example.org", "example.net", "gmail.example"][rng.below(3) as usize]
    );
    let smtpd = format!("postfix/submission/smtpd[{pid}]:");
    let q = format!("{queue:X}");
    let tls = format!(
        "{smtpd} Anonymous TLS connection established from {client}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"
    );
    let mut l = vec![format!("{smtpd} connect from {client}")];
    let roll = rng.below(100);
    match roll {
        0..=49 => {
            // a good submission, and its way through the queue
            l.push(tls);
            l.push(format!("{smtpd} {q}: client={client}, sasl_method=PLAIN, sasl_username={user}"));
            l.push(format!("postfix/cleanup[{}]: {q}: message-id=<{queue}.{pid}@{}>", pid + 1, DOMAINS[0]));
            l.push(format!(
                "postfix/qmgr[811]: {q}: from=<{user}>, size={}, nrcpt=1 (queue active)",
                800 + rng.below(90_000)
            ));
            l.push(format!("{smtpd} disconnect from {client} ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8"));
            if rng.below(10) == 0 {
                l.push(format!("postfix/smtp[{}]: {q}: to=<{rcpt}>, relay=mx.example.net[203.0.113.25]:25, delay=31, delays=0.1/0/30/0, dsn=4.7.0, status=deferred (host mx.example.net[203.0.113.25] said: 451 4.7.0 Temporary server error. Please try again later (in reply to RCPT TO command))", pid + 2));
            } else {
                l.push(format!("postfix/smtp[{}]: {q}: to=<{rcpt}>, relay=mx.example.net[203.0.113.25]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F{queue:X})", pid + 2));
                l.push(format!("postfix/qmgr[811]: {q}: removed"));
            }
        }
        50..=61 => {
            let mech = if rng.below(2) == 0 { "PLAIN" } else { "LOGIN" };
            let reason = if mech == "LOGIN" { "UGFzc3dvcmQ6" } else { "authentication failure" };
            l.push(tls);
            l.push(format!(
                "{smtpd} warning: {client}: SASL {mech} authentication failed: {reason}, sasl_username={user}"
            ));
            l.push(format!(
                "{smtpd} disconnect from {client} ehlo=2 starttls=1 auth=0/1 quit=1 commands=4/5"
            ));
        }
        62..=69 => {
            l.push(tls);
            l.push(format!("{smtpd} NOQUEUE: reject: RCPT from {client}: 554 5.7.1 <{rcpt}>: Relay access denied; from=<{user}> to=<{rcpt}> proto=ESMTP helo=<printer{octet}>"));
            l.push(format!(
                "{smtpd} disconnect from {client} ehlo=2 starttls=1 mail=1 rcpt=0/1 quit=1 commands=5/6"
            ));
        }
        70..=74 => {
            l.push(tls);
            l.push(format!("{smtpd} NOQUEUE: reject: RCPT from {client}: 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table; from=<{user}> to=<{rcpt}> proto=ESMTP helo=<host-{octet}>"));
            l.push(format!("{smtpd} disconnect from {client} ehlo=2 starttls=1 auth=1 mail=1 rcpt=0/1 quit=1 commands=6/7"));
        }
        75..=79 => {
            l.push(tls);
            l.push(format!("{smtpd} NOQUEUE: reject: RCPT from {client}: 553 5.7.1 <ceo@{}>: Sender address rejected: not owned by user {user}; from=<ceo@{}> to=<{rcpt}> proto=ESMTP helo=<app{octet}>", DOMAINS[1], DOMAINS[1]));
            l.push(format!("{smtpd} disconnect from {client} ehlo=2 starttls=1 auth=1 mail=1 rcpt=0/1 quit=1 commands=6/7"));
        }
        80..=84 => {
            l.push(format!("{smtpd} NOQUEUE: reject: RCPT from {client}: 450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see https://postgrey.example/; from=<{user}> to=<{rcpt}> proto=ESMTP helo=<host-{octet}>"));
            l.push(format!("{smtpd} disconnect from {client} ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"));
        }
        85..=89 => {
            l.push(format!("{smtpd} disconnect from {client} ehlo=1 mail=0/1 quit=1 commands=2/3"));
        }
        90..=94 => {
            l.push(tls);
            l.push(format!("{smtpd} lost connection after EHLO from {client}"));
            l.push(format!("{smtpd} disconnect from {client} ehlo=2 starttls=1 commands=3"));
        }
        _ => {
            l.push(tls);
            l.push(format!("{smtpd} {q}: client={client}, sasl_method=LOGIN, sasl_username={user}"));
            l.push(format!("{smtpd} timeout after DATA (0 bytes) from {client}"));
            l.push(format!("{smtpd} disconnect from {client} ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=0/1 commands=5/6"));
        }
    }
    l
}
