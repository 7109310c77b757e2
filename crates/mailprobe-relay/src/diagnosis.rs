//! Why a delivery failed, in words: the upstream session's transcript goes through mailprobe's
//! knowledge base, and the first finding (its id, summary and first fix, in the relay's
//! language) is what the log line, the queue listing and the DSN say.

use mailprobe_kb::{Finding, KnowledgeBase, Lang};
use mailprobe_proto::{Context, SaslMechanism, Security, Transcript};

use crate::config::{Upstream, UpstreamAuth, UpstreamSecurity};

/// The knowledge base's explanation of one failed delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The finding id (`sender.send_as_denied`).
    pub id: String,
    /// What happened, one line, localized.
    pub summary: String,
    /// The first thing to do, localized, when the finding has a fix.
    pub fix: Option<String>,
}

impl Diagnosis {
    /// `id: summary Fix: first fix` on one line (the log and the queue's last error).
    pub fn one_line(&self, lang: Lang) -> String {
        match &self.fix {
            Some(fix) => format!("{}: {} {}: {fix}", self.id, self.summary, fix_label(lang)),
            None => format!("{}: {}", self.id, self.summary),
        }
    }

    fn from_finding(f: &Finding) -> Self {
        Self {
            id: f.id.clone(),
            summary: one_line(&f.summary),
            fix: f.fixes.first().map(|x| one_line(&x.text)),
        }
    }
}

/// "Fix" in the relay's language.
pub fn fix_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Fix",
        Lang::It => "Soluzione",
    }
}

/// The relay's language from its configuration (`en`, `it`; English otherwise).
pub fn lang_of(language: &str) -> Lang {
    language.parse().unwrap_or_default()
}

/// Collapses whitespace (the texts have line breaks) into single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the knowledge base needs to know about the relay's own upstream settings.
pub fn context(upstream: &Upstream, from: &str, to: Option<&str>) -> Context {
    let (user, has_password, has_token, mechanism) = match &upstream.auth {
        UpstreamAuth::None => (None, false, false, None),
        UpstreamAuth::Plain { user, .. } => (Some(user.clone()), true, false, Some(SaslMechanism::Plain)),
        UpstreamAuth::Xoauth2 { user, .. } => (Some(user.clone()), false, true, Some(SaslMechanism::XOAuth2)),
    };
    Context {
        provider: mailprobe_net::provider_for_host(&upstream.host).map(|p| p.id.clone()),
        host: upstream.host.clone(),
        port: upstream.port,
        security: Some(match upstream.security {
            UpstreamSecurity::Starttls => Security::Starttls,
            UpstreamSecurity::Tls => Security::Tls,
            UpstreamSecurity::None => Security::None,
        }),
        user,
        has_password,
        has_token,
        auth_mechanism: mechanism,
        from: Some(from.to_owned()).filter(|f| !f.is_empty()),
        to: to.map(str::to_owned),
        send: true,
        ..Context::default()
    }
}

/// The most likely explanation of a failed session, if the knowledge base has one: the first
/// error finding, else the first warning (info findings explain nothing that failed).
pub fn diagnose(
    upstream: &Upstream,
    from: &str,
    to: Option<&str>,
    transcript: &Transcript,
    lang: Lang,
) -> Option<Diagnosis> {
    let context = context(upstream, from, to);
    let findings = KnowledgeBase::builtin().diagnose(&context, std::slice::from_ref(transcript), lang);
    findings
        .iter()
        .find(|f| f.is_error())
        .or_else(|| findings.iter().find(|f| f.severity == mailprobe_kb::Severity::Warning))
        .map(Diagnosis::from_finding)
}
