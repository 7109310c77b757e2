//! `mailprobe diagnose`: reads the secrets where the flags say, turns the flags into a
//! [`DiagnoseRequest`], runs `mailprobe_checks::diagnose` and prints the report.

use anyhow::{Result, bail};
use mailprobe_checks::{CheckEnv, DiagnoseRequest, StepState, StepUpdate, diagnose};
use mailprobe_net::TrustStore;
use mailprobe_proto::{Protocol, Role};

use crate::cli::{AuthArg, DiagnoseArgs, GlobalArgs, ModeArg};
use crate::credentials;
use crate::global;

/// Runs `diagnose`: 0 when the path works, 1 when a problem was found.
pub async fn run(args: &DiagnoseArgs, global: &GlobalArgs) -> Result<u8> {
    // a malformed address is said before anyone is asked for a password
    if let Some(address) = args.address.as_deref() {
        mailprobe_checks::diagnose::address_domain(address)?;
    }
    let mut request = args.request()?;
    read_secrets(args, global, &mut request)?;
    let env: CheckEnv = global::check_env(global, TrustStore::system());
    let mut told = false;
    let mut observer = |u: StepUpdate| {
        // one line for people watching, as the first connection starts
        if !told
            && u.state == StepState::Connecting
            && u.role == Role::Primary
            && u.protocol == Protocol::Smtp
        {
            told = true;
            global::progress(
                global,
                &format!("mailprobe: probing {}:{} …", u.endpoint.host, u.endpoint.port),
            );
        }
    };
    let report = diagnose(&request, &env, &mut observer).await?;
    global::print_report(&report, global);
    Ok(report.exit_code())
}

/// Reads the password and token from where the flags say (environment, file, stdin, the stored
/// sign-in), or asks for a password on the terminal when a user was given and nothing else.
fn read_secrets(args: &DiagnoseArgs, global: &GlobalArgs, request: &mut DiagnoseRequest) -> Result<()> {
    let password = match (&args.password_env, &args.password_file, args.password_stdin) {
        (Some(var), _, _) => Some(credentials::from_env(var, "password")?),
        (_, Some(file), _) => Some(credentials::from_file(file, "password")?),
        (_, _, true) => Some(credentials::from_stdin("password")?),
        _ => None,
    };
    let token = match (&args.token_env, &args.token_file) {
        (Some(var), _) => Some(credentials::from_env(var, "token")?),
        (_, Some(file)) => Some(credentials::from_file(file, "token")?),
        // --auth xoauth2|oauthbearer without --token-*: the token of `mailprobe auth login`
        _ if matches!(args.auth, AuthArg::Xoauth2 | AuthArg::Oauthbearer) => {
            let stored = credentials::stored_token_blocking(global.timeout, args.ca_file.clone())?;
            request.sign_in = Some(stored.use_);
            Some(stored.token)
        }
        _ => None,
    };
    // Direct send and relay do not sign in: never ask for a password there.
    let signs_in = !matches!(args.mode, Some(ModeArg::DirectSend | ModeArg::Relay));
    let user = args.user.as_deref().filter(|u| !u.is_empty() && signs_in);
    // An ADDRESS alone implies the login only when someone can type its password; in a script
    // it means "check this address's server" without signing in.
    let implied = args.address.as_deref().filter(|_| user.is_none() && signs_in);
    request.password = match (user, password, &token) {
        (None, None, None) => match implied {
            Some(a) => credentials::prompt("Password", a)?,
            None => None,
        },
        (Some(u), None, None) => match credentials::prompt("Password", u)? {
            Some(p) => Some(p),
            None => bail!(
                "--user {u} needs a password or token: use --password-env VAR, --password-file FILE, \
                 --password-stdin, --token-env VAR or --token-file FILE (no terminal to ask on)"
            ),
        },
        (_, p, _) => p,
    };
    request.token = token;
    Ok(())
}
