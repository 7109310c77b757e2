//! The device side's life: a graceful stop (no new connections, a message being sent is
//! finished and stored, idle sessions get 421, the rest is cut off at the drain deadline), the
//! connection limit, and the idle timeout.

mod support;

use std::time::{Duration, Instant};

use support::{RawClient, TestRelay, temp_dir};

const BODY: &str = r#"
[[listener]]
bind = "127.0.0.1:0"
tls = "none"
auth_requires_tls = false

[[device]]
name = "fax"
networks = ["127.0.0.1"]
"#;

/// Opens a session that has sent part of a message.
async fn mid_data(relay: &TestRelay) -> RawClient {
    let (mut c, _) = RawClient::connect(relay.addrs[0]).await;
    c.command("HELO fax").await;
    assert_eq!(c.command("MAIL FROM:<fax@contoso.test>").await, "250 2.1.0 Ok\r\n");
    assert_eq!(c.command("RCPT TO:<o@example.test>").await, "250 2.1.5 Ok\r\n");
    assert!(c.command("DATA").await.starts_with("354 "));
    c.send(b"Subject: sent across a shutdown\r\n\r\nfirst half\r\n").await;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_finishes_the_message_in_progress_and_takes_no_new_connection() {
    let dir = temp_dir("graceful");
    let mut relay = TestRelay::start(&dir, BODY).await;
    let mut sending = mid_data(&relay).await;
    let (mut idle, _) = RawClient::connect(relay.addrs[0]).await;
    assert_eq!(idle.command("HELO idle").await, "250 relay.test\r\n");
    relay.begin_stop();
    assert_eq!(idle.reply().await, "421 4.3.2 relay.test Service shutting down\r\n");
    assert_eq!(idle.reply().await, "", "the idle session was not closed");
    // The listener is closed: a new device cannot connect.
    let refused = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if tokio::net::TcpStream::connect(relay.addrs[0]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "still accepting after the stop");
    sending.send(b"second half\r\n.\r\n").await;
    let queued = sending.reply().await;
    assert!(queued.starts_with("250 2.0.0 Ok: queued as "), "{queued}");
    assert_eq!(sending.reply().await, "421 4.3.2 relay.test Service shutting down\r\n");
    let summary = relay.stopped().await;
    assert_eq!((summary.sessions, summary.cut_off), (2, 0));
    let messages = relay.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].1.ends_with(b"\r\n\r\nfirst half\r\nsecond half\r\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_still_open_at_the_drain_deadline_is_cut_off_and_nothing_half_is_queued() {
    let dir = temp_dir("drain");
    let mut relay = TestRelay::start_with(&dir, BODY, |o| o.drain = Duration::from_millis(500)).await;
    let mut stalled = mid_data(&relay).await;
    let started = Instant::now();
    relay.begin_stop();
    let summary = relay.stopped().await;
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!((summary.sessions, summary.cut_off), (1, 1));
    // The device sees the connection end without a 250: it will send again.
    assert_eq!(stalled.reply().await, "");
    assert!(relay.messages().is_empty());
    let log = relay.log_text();
    assert!(
        log.contains("drain time over: cutting off 1 sessions") && log.contains("lost connection after DATA"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_limit_get_421_and_a_freed_place_is_taken_again() {
    let dir = temp_dir("limit");
    let body = format!("{BODY}\n[limits]\nmax_connections = 2\n");
    let mut relay = TestRelay::start(&dir, &body).await;
    let (_a, ga) = RawClient::connect(relay.addrs[0]).await;
    let (mut b, gb) = RawClient::connect(relay.addrs[0]).await;
    assert!(ga.starts_with("220 ") && gb.starts_with("220 "));
    let (_c, gc) = RawClient::connect(relay.addrs[0]).await;
    assert_eq!(gc, "421 4.3.2 relay.test Error: too many connections, try again later\r\n");
    assert_eq!(b.command("QUIT").await, "221 2.0.0 Bye\r\n");
    // The place is freed once the session's task has ended.
    let mut greeting = String::new();
    for _ in 0..100 {
        let (_d, g) = RawClient::connect(relay.addrs[0]).await;
        greeting = g;
        if greeting.starts_with("220 ") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(greeting.starts_with("220 "), "{greeting}");
    assert!(relay.log_text().contains("warning: connection limit (2) reached: refusing unknown[127.0.0.1]"));
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_device_is_disconnected_after_the_idle_timeout() {
    let dir = temp_dir("idle");
    let body = format!("{BODY}\n[limits]\nidle_timeout_secs = 1\n");
    let mut relay = TestRelay::start(&dir, &body).await;
    let (mut c, _) = RawClient::connect(relay.addrs[0]).await;
    c.command("HELO fax").await;
    let started = Instant::now();
    assert_eq!(c.reply().await, "421 4.4.2 relay.test Error: timeout exceeded\r\n");
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
    assert_eq!(c.reply().await, "");
    assert!(relay.log_text().contains("timeout after HELO from unknown[127.0.0.1]"));
    relay.stop().await;
}
