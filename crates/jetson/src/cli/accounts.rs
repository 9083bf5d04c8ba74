//! `jetson user | token`: create a person (or reset their password) and API tokens.

use anyhow::Context;
use clap::Subcommand;
use jetson_domain::{Email, Role, Scope};
use jetson_store::users;

use super::find_org;
use crate::state::AppState;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user (or reset their password) and print a one-time password.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "member")]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "read")]
        scope: String,
        #[arg(long)]
        expires: Option<i64>,
    },
}

pub async fn user(state: AppState, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create { org, email, role, name } = command;
    let org = find_org(&state, &org).await?;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.0))?;
    let role = Role::parse(&role).map_err(|e| anyhow::anyhow!(e.0))?;
    let name = if name.is_empty() { email.as_str().split('@').next().unwrap_or_default().to_string() } else { name };
    let (_, password) = crate::services::accounts::create_user(&state, org, &email, &name, role).await?;
    println!("Log in as {email} with password {password}");
    Ok(())
}

pub async fn token(state: AppState, command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create { org, email, scope, expires } = command;
    let scope = Scope::parse(&scope).map_err(|e| anyhow::anyhow!(e.0))?;
    let org = find_org(&state, &org).await?;
    let email = Email::parse(&email).map_err(|e| anyhow::anyhow!(e.0))?;
    let user = users::find_by_email(&state.db, &email).await?.with_context(|| format!("no user {email}"))?;
    let (_, token) = crate::services::accounts::create_token(&state, org, user.id, "cli", scope, expires, None).await?;
    println!("API token: {token}");
    Ok(())
}
