//! Who may send through the relay, and what happens when something goes wrong on its side:
//! no open relay (554 at connect, 530 without signing in), senders a device may not use (553),
//! wrong passwords (535 after a delay, no secret in the log, a limit per address), a spool that
//! cannot be written (451, nothing accepted lost), the rate limit, and the quirks real printers
//! have (bare LF, AUTH LOGIN with the user name inline, 8-bit headers, long user names).

mod support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use support::{RawClient, TestRelay, assert_stored, device, sample_message, swaks, temp_dir};

const PLAIN_LISTENER: &str = r#"
[[listener]]
bind = "127.0.0.1:0"
tls = "none"
auth_requires_tls = false
"#;

/// Writes a message for swaks (which adds the last CRLF itself) and returns its path and the
/// bytes the spool must hold.
fn swaks_message(relay: &TestRelay, name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let message = sample_message(name);
    let file = relay.dir.join(format!("{name}.eml"));
    std::fs::write(&file, &message[..message.len() - 2]).unwrap();
    (file, message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_no_device_may_use_gets_554_at_connect_and_nothing_is_queued() {
    let dir = temp_dir("open-relay-554");
    let body = format!("{PLAIN_LISTENER}\n[[device]]\nname = \"erp\"\nnetworks = [\"10.0.0.0/8\"]\n");
    let mut relay = TestRelay::start(&dir, &body).await;
    let (file, _) = swaks_message(&relay, "open-554");
    let out =
        swaks(relay.addrs[0], &file, &["--from", "erp@contoso.test", "--to", "anyone@example.net"]).await;
    assert!(
        !out.ok && out.output.contains("<** 554 5.7.1 <127.0.0.1>: Client host rejected"),
        "{}",
        out.output
    );
    assert!(relay.messages().is_empty());
    assert!(relay.log_text().contains("NOQUEUE: reject: CONNECT from unknown[127.0.0.1]: 554 5.7.1"));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_signing_in_a_device_gets_530_and_nothing_is_queued() {
    let dir = temp_dir("open-relay-530");
    let scanner = device("scanner");
    let body = format!(
        "{PLAIN_LISTENER}\n[[listener]]\nbind = \"127.0.0.1:0\"\ntls = \"starttls\"\ncertificate = \"CERT\"\nkey = \"KEY\"\n{}",
        scanner.toml
    );
    let mut relay = TestRelay::start(&dir, &body).await;
    let (file, _) = swaks_message(&relay, "open-530");
    for (addr, extra) in [(relay.addrs[0], None), (relay.addrs[1], Some("--tls"))] {
        let mut args = vec!["--from", "scan@contoso.test", "--to", "anyone@example.net"];
        args.extend(extra);
        let out = swaks(addr, &file, &args).await;
        assert!(!out.ok && out.output.contains("* 530 5.7.0 Authentication required"), "{}", out.output);
    }
    assert!(relay.messages().is_empty());
    assert_eq!(
        relay.log_text().matches("NOQUEUE: reject: MAIL from unknown[127.0.0.1]: 530 5.7.0").count(),
        2
    );
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_known_by_its_address_sends_without_a_password_as_its_fixed_sender() {
    let dir = temp_dir("by-address");
    let body = format!(
        "{PLAIN_LISTENER}\n[[device]]\nname = \"old-copier\"\nnetworks = [\"127.0.0.1\"]\nrewrite_sender = \"copier@contoso.test\"\n"
    );
    let mut relay = TestRelay::start(&dir, &body).await;
    let (file, message) = swaks_message(&relay, "by-address");
    let out =
        swaks(relay.addrs[0], &file, &["--from", "root@copier.local", "--to", "office@example.test"]).await;
    assert!(out.ok && out.output.contains("250 2.0.0 Ok: queued as"), "{}", out.output);
    let messages = relay.messages();
    assert_eq!(messages[0].0.envelope.from, "copier@contoso.test");
    assert_eq!(messages[0].0.envelope.device, "old-copier");
    assert_stored(&messages[0].1, &message, "old-copier");
    // The queue runner was told.
    tokio::time::timeout(Duration::from_secs(5), relay.arrivals.wait()).await.expect("no arrival notice");
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_cannot_send_as_a_sender_it_is_not_allowed() {
    let dir = temp_dir("sender");
    let scanner = device("scanner");
    let body = format!(
        "{PLAIN_LISTENER}\n{}senders = [\"scan@contoso.test\", \"@sales.contoso.test\"]\n",
        scanner.toml
    );
    let mut relay = TestRelay::start(&dir, &body).await;
    let (file, _) = swaks_message(&relay, "sender");
    let auth = ["--auth", "PLAIN", "--auth-user", "scanner", "--auth-password", scanner.password.as_str()];
    for (from, ok) in [
        ("ceo@contoso.test", false),
        ("x@sales.contoso.test", true),
        ("scan@contoso.test.evil.example", false),
    ] {
        let mut args = vec!["--from", from, "--to", "office@example.test"];
        args.extend_from_slice(&auth);
        let out = swaks(relay.addrs[0], &file, &args).await;
        if ok {
            assert!(out.ok && out.output.contains("250 2.0.0 Ok: queued as"), "{from}: {}", out.output);
        } else {
            let refusal =
                format!("<** 553 5.7.1 <{from}>: Sender address rejected: not allowed for device scanner");
            assert!(!out.ok && out.output.contains(&refusal), "{from}: {}", out.output);
        }
    }
    let messages = relay.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].0.envelope.from, "x@sales.contoso.test");
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_gets_535_after_a_delay_and_no_secret_reaches_the_log() {
    let dir = temp_dir("wrong-password");
    let scanner = device("scanner");
    let body = format!("{PLAIN_LISTENER}\n{}", scanner.toml);
    let mut relay =
        TestRelay::start_with(&dir, &body, |o| o.failed_login_delay = Duration::from_secs(1)).await;
    let (file, _) = swaks_message(&relay, "wrong");
    let canary = "Canary-Pw-7f3a9c";
    for mechanism in ["PLAIN", "LOGIN"] {
        let started = Instant::now();
        let args = ["--from", "scan@contoso.test", "--to", "o@example.test", "--auth", mechanism];
        let mut args = args.to_vec();
        args.extend_from_slice(&["--auth-user", "scanner", "--auth-password", canary]);
        let out = swaks(relay.addrs[0], &file, &args).await;
        assert!(!out.ok && out.output.contains("535 5.7.8 Error: authentication failed"), "{}", out.output);
        assert!(started.elapsed() >= Duration::from_secs(1), "answered after {:?}", started.elapsed());
    }
    // A good login too: its password must not be logged either.
    let out = swaks(
        relay.addrs[0],
        &file,
        &[
            "--from",
            "scan@contoso.test",
            "--to",
            "o@example.test",
            "--auth",
            "LOGIN",
            "--auth-user",
            "scanner",
            "--auth-password",
            &scanner.password,
        ],
    )
    .await;
    assert!(out.ok, "{}", out.output);
    relay.stop().await;
    let log = relay.log_text();
    assert!(log.contains("SASL PLAIN authentication failed: wrong password, sasl_username=scanner"), "{log}");
    assert!(log.contains("SASL LOGIN authentication failed: wrong password, sasl_username=scanner"), "{log}");
    for secret in [canary, scanner.password.as_str()] {
        let forms = [
            secret.to_owned(),
            STANDARD.encode(secret),
            STANDARD.encode(format!("\0scanner\0{secret}")),
            STANDARD.encode(secret).trim_end_matches('=').to_owned(),
        ];
        for form in forms {
            assert!(!log.contains(&form), "{form} in the log:\n{log}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_failed_logins_from_an_address_block_auth_even_with_the_right_password() {
    let dir = temp_dir("brute-force");
    let scanner = device("scanner");
    let body = format!("{PLAIN_LISTENER}\n{}", scanner.toml);
    let mut relay = TestRelay::start_with(&dir, &body, |o| o.login.max_failures = 3).await;
    let (mut client, _) = RawClient::connect(relay.addrs[0]).await;
    client.command("EHLO guesser").await;
    for guess in ["a", "b"] {
        let line = format!("AUTH PLAIN {}", STANDARD.encode(format!("\0scanner\0{guess}")));
        assert!(client.command(&line).await.starts_with("535 5.7.8"));
    }
    let third = client.command(&format!("AUTH PLAIN {}", STANDARD.encode("\0scanner\0c"))).await;
    assert!(third.starts_with("535 5.7.8"), "{third}");
    // The session ended after its third failure.
    let closing = client.reply().await;
    assert!(closing.starts_with("421 4.7.0 relay.test Error: too many failed logins"), "{closing}");
    let (mut client, _) = RawClient::connect(relay.addrs[0]).await;
    client.command("EHLO device").await;
    let right = format!("AUTH PLAIN {}", STANDARD.encode(format!("\0scanner\0{}", scanner.password)));
    let reply = client.command(&right).await;
    assert!(
        reply.starts_with("421 4.7.0 relay.test Error: too many failed logins from your address"),
        "{reply}"
    );
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_over_its_rate_gets_451_4_7_1() {
    let dir = temp_dir("rate");
    let body =
        format!("{PLAIN_LISTENER}\n[[device]]\nname = \"fax\"\nnetworks = [\"127.0.0.1\"]\nper_minute = 2\n");
    let mut relay = TestRelay::start(&dir, &body).await;
    let (file, _) = swaks_message(&relay, "rate");
    let mut replies = Vec::new();
    for _ in 0..3 {
        let out =
            swaks(relay.addrs[0], &file, &["--from", "fax@contoso.test", "--to", "o@example.test"]).await;
        replies.push(out.output);
    }
    assert!(replies[0].contains("250 2.0.0 Ok: queued") && replies[1].contains("250 2.0.0 Ok: queued"));
    assert!(
        replies[2].contains("<** 451 4.7.1 Error: device fax sent its 2 messages for this minute"),
        "{}",
        replies[2]
    );
    assert_eq!(relay.messages().len(), 2);
    relay.stop().await;
}

/// Sends one message through `relay` with swaks and returns swaks's output.
async fn send_one(relay: &TestRelay, name: &str) -> (String, Vec<u8>) {
    let (file, message) = swaks_message(relay, name);
    let out = swaks(relay.addrs[0], &file, &["--from", "fax@contoso.test", "--to", "o@example.test"]).await;
    (out.output, message)
}

const FAX: &str = "\n[[device]]\nname = \"fax\"\nnetworks = [\"127.0.0.1\"]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spool_that_cannot_be_written_gets_451_and_nothing_accepted_is_lost() {
    let dir = temp_dir("unwritable");
    let mut relay = TestRelay::start(&dir, &format!("{PLAIN_LISTENER}{FAX}")).await;
    let (first, first_message) = send_one(&relay, "before").await;
    assert!(first.contains("250 2.0.0 Ok: queued as"), "{first}");
    // tmp/ replaced by a file: every new queue file fails (as root, permissions would not).
    let tmp = dir.join("spool/tmp");
    std::fs::remove_dir(&tmp).unwrap();
    std::fs::write(&tmp, b"not a directory").unwrap();
    let (failed, _) = send_one(&relay, "during").await;
    assert!(failed.contains("<** 451 4.3.0 Error: queue file write error"), "{failed}");
    assert!(!failed.contains("queued as"));
    std::fs::remove_file(&tmp).unwrap();
    std::fs::create_dir(&tmp).unwrap();
    let (after, after_message) = send_one(&relay, "after").await;
    assert!(after.contains("250 2.0.0 Ok: queued as"), "{after}");
    let messages = relay.messages();
    assert_eq!(messages.len(), 2);
    assert_stored(&messages[0].1, &first_message, "fax");
    assert_stored(&messages[1].1, &after_message, "fax");
    let log = relay.log_text();
    assert!(
        log.contains("warning: queue file write error: spool ")
            && log.contains("NOQUEUE: reject: DATA from unknown[127.0.0.1]: 451 4.3.0"),
        "{log}"
    );
    relay.stop().await;
}

/// Unmounts a test file system when the test ends, however it ends.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gets_451_and_nothing_accepted_is_lost() {
    let dir = temp_dir("full-disk");
    let spool = dir.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    // A real ENOSPC needs a small file system of its own: a 256 KiB tmpfs, which needs root.
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs"])
        .arg(&spool)
        .output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED a_full_disk_gets_451_and_nothing_accepted_is_lost: cannot mount a tmpfs (not root?)"
        );
        return;
    }
    let _unmount = Mounted(spool.clone());
    let mut relay = TestRelay::start(&dir, &format!("{PLAIN_LISTENER}{FAX}")).await;
    let (first, first_message) = send_one(&relay, "before-full").await;
    assert!(first.contains("250 2.0.0 Ok: queued as"), "{first}");
    // Fill the file system to the last block.
    let filler = spool.join("filler");
    {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let (failed, _) = send_one(&relay, "while-full").await;
    assert!(failed.contains("<** 451 4.3.0 Error: queue file write error"), "{failed}");
    assert!(relay.log_text().contains("No space left on device"), "{}", relay.log_text());
    std::fs::remove_file(&filler).unwrap();
    let (after, after_message) = send_one(&relay, "after-full").await;
    assert!(after.contains("250 2.0.0 Ok: queued as"), "{after}");
    let messages = relay.messages();
    assert_eq!(messages.len(), 2);
    assert_stored(&messages[0].1, &first_message, "fax");
    assert_stored(&messages[1].1, &after_message, "fax");
    // Nothing half-written was left behind.
    assert_eq!(std::fs::read_dir(spool.join("tmp")).unwrap().count(), 0);
    relay.stop().await;
    drop(relay);
    drop(_unmount);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Sends one message of `lines` lines of 1000 bytes over a raw connection (in writes of many
/// chunks, as a scanner streams a PDF) and returns the reply to its end.
async fn send_large(relay: &TestRelay, lines: usize) -> String {
    let (mut c, greeting) = RawClient::connect(relay.addrs[0]).await;
    assert!(greeting.starts_with("220 "), "{greeting}");
    assert!(c.command("HELO fax").await.starts_with("250 "));
    assert!(c.command("MAIL FROM:<fax@contoso.test>").await.starts_with("250 "));
    assert!(c.command("RCPT TO:<o@example.test>").await.starts_with("250 "));
    assert!(c.command("DATA").await.starts_with("354 "));
    let mut block = Vec::new();
    for i in 0..lines {
        block.extend_from_slice(format!("{i:08} {}\r\n", "s".repeat(989)).as_bytes());
        if block.len() >= 256 * 1024 {
            c.send(&block).await;
            block.clear();
        }
    }
    block.extend_from_slice(b".\r\n");
    c.send(&block).await;
    let reply = c.reply().await;
    assert_eq!(c.command("QUIT").await, "221 2.0.0 Bye\r\n");
    reply
}

/// The files in the spool's `dir` (`tmp`, `queue`).
fn files_in(relay: &TestRelay, dir: &str) -> usize {
    std::fs::read_dir(relay.dir.join("spool").join(dir)).unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_message_over_the_limit_is_refused_with_552_after_going_to_disk_in_part() {
    let dir = temp_dir("large-over-limit");
    let body = format!("{PLAIN_LISTENER}{FAX}\n[limits]\nmax_message_bytes = 300000\n");
    let mut relay = TestRelay::start(&dir, &body).await;
    // 1 MB: a few chunks were written to a draft before the limit was passed
    let reply = send_large(&relay, 1000).await;
    assert_eq!(reply, "552 5.3.4 Error: message file too big\r\n");
    assert_eq!((files_in(&relay, "tmp"), files_in(&relay, "queue")), (0, 0));
    // under the limit, in parts too: queued
    let reply = send_large(&relay, 250).await;
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    let messages = relay.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].1.ends_with(format!("00000249 {}\r\n", "s".repeat(989)).as_bytes()));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_fills_while_a_large_message_streams_gets_451_and_nothing_is_left_half() {
    let dir = temp_dir("full-while-streaming");
    let spool = dir.join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    // A real ENOSPC needs a small file system of its own: a 256 KiB tmpfs, which needs root.
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs"])
        .arg(&spool)
        .output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED a_disk_that_fills_while_a_large_message_streams_gets_451_and_nothing_is_left_half: cannot mount a tmpfs (not root?)"
        );
        return;
    }
    let _unmount = Mounted(spool.clone());
    let mut relay = TestRelay::start(&dir, &format!("{PLAIN_LISTENER}{FAX}")).await;
    // 1 MB into 256 KiB: the first chunks are written, a later one finds the disk full
    let reply = send_large(&relay, 1000).await;
    assert!(reply.starts_with("451 4.3.0 Error: queue file write error"), "{reply}");
    assert!(relay.log_text().contains("No space left on device"), "{}", relay.log_text());
    assert_eq!((files_in(&relay, "tmp"), files_in(&relay, "queue")), (0, 0));
    // the space the draft took is free again: the next message is taken
    let (after, after_message) = send_one(&relay, "after-streaming").await;
    assert!(after.contains("250 2.0.0 Ok: queued as"), "{after}");
    let messages = relay.messages();
    assert_eq!(messages.len(), 1);
    assert_stored(&messages[0].1, &after_message, "fax");
    relay.stop().await;
    drop(relay);
    drop(_unmount);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn printer_quirks_bare_lf_inline_login_user_and_8bit_headers() {
    let dir = temp_dir("quirks");
    let scanner = device("scanner");
    let mut relay = TestRelay::start(&dir, &format!("{PLAIN_LISTENER}\n{}", scanner.toml)).await;
    let (mut c, greeting) = RawClient::connect(relay.addrs[0]).await;
    assert!(greeting.starts_with("220 relay.test "), "{greeting}");
    c.send(b"EHLO KM-C364e\n").await;
    let ehlo = c.reply().await;
    assert!(ehlo.contains("250-AUTH PLAIN LOGIN"), "{ehlo}");
    // Konica Minolta's form: the user name on the AUTH LOGIN line.
    c.send(format!("AUTH LOGIN {}\n", STANDARD.encode("scanner")).as_bytes()).await;
    assert_eq!(c.reply().await, "334 UGFzc3dvcmQ6\r\n");
    c.send(format!("{}\n", STANDARD.encode(&scanner.password)).as_bytes()).await;
    assert_eq!(c.reply().await, "235 2.7.0 Authentication successful\r\n");
    c.send(b"MAIL FROM:<scan@contoso.test>\nRCPT TO:<office@example.test>\nDATA\n").await;
    assert_eq!(c.reply().await, "250 2.1.0 Ok\r\n");
    assert_eq!(c.reply().await, "250 2.1.5 Ok\r\n");
    assert_eq!(c.reply().await, "354 End data with <CR><LF>.<CR><LF>\r\n");
    let body: &[u8] = b"From: Scanner \xe0 \xe8 <scan@contoso.test>\nSubject: Scansione pronta \xe8\xe0\xf9\n\n..stuffed\nLF only\n";
    c.send(body).await;
    c.send(b".\n").await;
    let queued = c.reply().await;
    assert!(queued.starts_with("250 2.0.0 Ok: queued as "), "{queued}");
    assert_eq!(c.command("QUIT").await, "221 2.0.0 Bye\r\n");
    let expected: &[u8] = b"From: Scanner \xe0 \xe8 <scan@contoso.test>\r\nSubject: Scansione pronta \xe8\xe0\xf9\r\n\r\n.stuffed\r\nLF only\r\n";
    let messages = relay.messages();
    assert_stored(&messages[0].1, expected, "scanner");
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_character_user_name_signs_in_with_plain_and_login() {
    let dir = temp_dir("long-user");
    let name = format!("scanner-{}@contoso.onmicrosoft.test", "x".repeat(270));
    assert!(name.len() >= 300);
    let long = device(&name);
    let mut relay = TestRelay::start(&dir, &format!("{PLAIN_LISTENER}\n{}", long.toml)).await;
    let (file, message) = swaks_message(&relay, "long-user");
    for mechanism in ["PLAIN", "LOGIN"] {
        let args = [
            "--from",
            "scan@contoso.test",
            "--to",
            "o@example.test",
            "--auth",
            mechanism,
            "--auth-user",
            &name,
        ];
        let mut args = args.to_vec();
        args.extend_from_slice(&["--auth-password", &long.password]);
        let out = swaks(relay.addrs[0], &file, &args).await;
        assert!(out.ok && out.output.contains("250 2.0.0 Ok: queued as"), "{mechanism}: {}", out.output);
    }
    let messages = relay.messages();
    assert_eq!(messages.len(), 2);
    assert_stored(&messages[1].1, &message, &name);
    relay.stop().await;
}
