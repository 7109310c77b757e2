//! What a token says, as evidence for the knowledge base: its claims and their problems
//! (expired, audience, scope, account), put into the transcripts where the token was sent, and
//! a failed refresh recorded the same way.

use mailprobe_proto::{
    ClockCheck, Event, EventKind, Protocol, Role, Secret, Stage, TokenExpectations, TokenInspection,
    Transcript, claims_from_map, decode_jwt_claims, inspect_token,
};

use crate::profile::RefreshFailure;

/// True for the AUTH / AUTHENTICATE command that carried a bearer token.
fn sends_token(e: &Event) -> bool {
    e.stage == Stage::Auth
        && matches!(&e.kind, EventKind::Sent { line } if line.contains("XOAUTH2") || line.contains("OAUTHBEARER"))
}

/// Puts `events` into the primary transcripts just before the bearer token was sent
/// (`AUTH XOAUTH2` / `AUTHENTICATE OAUTHBEARER`), or, where it never was, at the end; at the
/// moment of the AUTH command, or of the transcript's last event.
pub fn insert_at_token(
    transcripts: &mut [Transcript],
    mut events: impl FnMut(&Transcript, u64) -> Vec<Event>,
) {
    for t in transcripts.iter_mut().filter(|t| t.role == Role::Primary) {
        let pos = t.events.iter().position(sends_token);
        let at_ms = pos.map_or_else(|| t.events.last().map_or(0, |e| e.at_ms), |p| t.events[p].at_ms);
        let add = events(t, at_ms);
        let pos = pos.unwrap_or(t.events.len());
        t.events.splice(pos..pos, add);
    }
}

/// The event of a token request that failed: the provider's code (`invalid_grant`) and what it
/// said, never a token; `program` says who asked (`mailprobe (refreshing …)`, `oauth`).
pub fn token_failure_event(at_ms: u64, program: &str, failure: &RefreshFailure) -> Event {
    Event {
        at_ms,
        stage: Stage::Auth,
        kind: EventKind::ClientError {
            program: Some(program.to_owned()),
            code: failure.code.clone(),
            message: failure.message.clone(),
        },
    }
}

/// Records a failed refresh of the stored sign-in `profile` where its token was sent.
pub fn add_refresh_failure(transcripts: &mut [Transcript], profile: &str, failure: &RefreshFailure) {
    let program = format!("mailprobe (refreshing the stored sign-in {profile})");
    insert_at_token(transcripts, |_, at_ms| vec![token_failure_event(at_ms, &program, failure)]);
}

/// Adds what `token` says to the transcripts where it was sent, just before it was: the claims
/// of a JWT access token and their problems (judged at the moment it was sent, against
/// `accounts`: the login and the sender), and a clock check when it was issued in the future.
/// An opaque token adds nothing.
pub fn add_token_evidence(transcripts: &mut [Transcript], token: &Secret, accounts: &[String]) {
    let Some(map) = decode_jwt_claims(token.expose()) else {
        return;
    };
    let claims = claims_from_map(&map);
    let now = crate::unix_now();
    insert_at_token(transcripts, |t, at_ms| {
        // only where the token was sent
        if !t.events.iter().any(sends_token) {
            return Vec::new();
        }
        let mut expect = TokenExpectations::for_server(t.protocol, &t.endpoint.host, Some(&claims));
        expect.accounts = accounts.to_vec();
        let sent_at = t
            .started_at
            .as_deref()
            .and_then(mailprobe_proto::unix_from_rfc3339)
            .map_or(now, |start| start + i64::try_from(at_ms / 1000).unwrap_or(0));
        let inspection = inspect_token(token.expose(), sent_at, &expect);
        let mut add = vec![Event {
            at_ms,
            stage: Stage::Auth,
            kind: EventKind::TokenInspected { inspection: inspection.clone() },
        }];
        if let Some(check) = mailprobe_net::token_clock_check(&inspection, None) {
            add.push(Event { at_ms, stage: Stage::Auth, kind: EventKind::ClockChecked { check } });
        }
        add
    });
}

/// What a token says for use with `host` over `protocol` by one of `accounts`, judged at `now`,
/// and the clock skew its issue time shows.
pub fn inspect(
    token: &Secret,
    host: &str,
    protocol: Protocol,
    accounts: &[String],
    now: i64,
) -> (TokenInspection, Option<ClockCheck>) {
    let claims = decode_jwt_claims(token.expose()).map(|m| claims_from_map(&m));
    let mut expect = TokenExpectations::for_server(protocol, host, claims.as_ref());
    expect.accounts = accounts.to_vec();
    let inspection = inspect_token(token.expose(), now, &expect);
    let skew = mailprobe_net::token_clock_check(&inspection, None);
    (inspection, skew)
}
