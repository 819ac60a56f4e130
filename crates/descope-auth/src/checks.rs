//! The argument checks the official SDKs make before sending, and the sign-up user filling.

use descope_core::{Error, Result, Secret};
use email_address::{EmailAddress, Options};
use serde_json::Value;

use crate::options::{LoginOptions, SignUpUser};
use crate::DeliveryMethod;

/// Refuses an empty (or all-blank) required argument. `what` names it; `hint` says what to pass.
pub(crate) fn require(value: &str, what: &str, hint: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid_argument(format!(
            "{what} cannot be empty: {hint}"
        )))
    } else {
        Ok(())
    }
}

/// Refuses an empty login ID.
pub(crate) fn require_login_id(login_id: &str) -> Result<()> {
    require(
        login_id,
        "the login ID",
        "pass the user's email address, phone number or username",
    )
}

/// Refuses an empty refresh token.
pub(crate) fn require_refresh_token(token: &Secret) -> Result<()> {
    if token.is_empty() {
        Err(Error::invalid_argument(
            "the refresh token cannot be empty: this call acts on the signed-in user, pass the refresh token of their session",
        ))
    } else {
        Ok(())
    }
}

/// Refuses step-up or MFA options without a refresh token.
pub(crate) fn check_step_up(options: Option<&LoginOptions>, token: Option<&Secret>) -> Result<()> {
    let needs = options.is_some_and(LoginOptions::needs_refresh_token);
    let has = token.is_some_and(|t| !t.is_empty());
    if needs && !has {
        Err(Error::invalid_argument(
            "missing refresh token for step-up or MFA: these options act on an existing session, pass its refresh token with `.refresh_token(..)`",
        ))
    } else {
        Ok(())
    }
}

/// Why `address` is not a valid email address, or `None` when it is one. The syntax is checked
/// (RFC 5322 addr-spec, a domain with at least two labels), not deliverability.
pub(crate) fn email_problem(address: &str) -> Option<String> {
    if !address.contains('@') {
        return Some("an email address must have an @-sign".to_owned());
    }
    let options = Options::default()
        .with_required_tld()
        .without_display_text()
        .without_domain_literal();
    match EmailAddress::parse_with_options(address, options) {
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// Whether `phone` looks like a phone number: an optional leading `+`, then 6 to 24 characters
/// among digits, blanks and `- ( ) . # x X`, with a run of at least 4 digits somewhere.
pub(crate) fn is_valid_phone(phone: &str) -> bool {
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let len = rest.chars().count();
    if !(6..=24).contains(&len) {
        return false;
    }
    let allowed = |c: char| {
        c.is_ascii_digit()
            || c.is_whitespace()
            || matches!(c, '-' | '(' | ')' | '.' | '#' | 'x' | 'X')
    };
    if !rest.chars().all(allowed) {
        return false;
    }
    let mut run = 0;
    for c in rest.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 4 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Checks a new email address for an update call.
pub(crate) fn check_new_email(email: &str) -> Result<()> {
    if email.is_empty() {
        return Err(Error::invalid_argument(
            "the email address cannot be empty: pass the new address",
        ));
    }
    match email_problem(email) {
        None => Ok(()),
        Some(why) => Err(Error::invalid_argument(format!(
            "invalid email address `{email}`: {why}"
        ))),
    }
}

/// Checks a new phone number for an update call.
pub(crate) fn check_new_phone(phone: &str) -> Result<()> {
    if phone.is_empty() {
        return Err(Error::invalid_argument(
            "the phone number cannot be empty: pass the new number",
        ));
    }
    if is_valid_phone(phone) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "invalid phone number `{phone}`: expected digits with an optional leading +, such as +12125551234"
        )))
    }
}

/// Refuses email delivery where a phone method is needed.
pub(crate) fn require_phone_method(method: DeliveryMethod) -> Result<()> {
    if method.is_phone() {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!(
            "invalid delivery method `{method}` for a phone number: use sms, voice or whatsapp"
        )))
    }
}

/// The user of an OTP, magic-link or enchanted-link sign-up: an empty `email` (email delivery)
/// or `phone` (phone delivery) is filled in with the login ID, and that address must be valid.
/// Returns the user as JSON and the address, which the body repeats under the method's key.
pub(crate) fn prepare_sign_up_user(
    method: DeliveryMethod,
    login_id: &str,
    user: Option<SignUpUser>,
) -> Result<(Value, String)> {
    let mut user = user.unwrap_or_default();
    let slot = if method.is_phone() {
        &mut user.phone
    } else {
        &mut user.email
    };
    if slot.as_deref().unwrap_or("").is_empty() {
        *slot = Some(login_id.to_owned());
    }
    let address = slot.clone().unwrap_or_default();
    let problem = if method.is_phone() {
        (!is_valid_phone(&address)).then(|| {
            "expected a phone number with an optional leading +, such as +12125551234".to_owned()
        })
    } else {
        email_problem(&address)
    };
    if let Some(why) = problem {
        let which = if address == login_id {
            format!("login ID `{login_id}`")
        } else {
            format!(
                "`{address}` (the user's {})",
                if method.is_phone() { "phone" } else { "email" }
            )
        };
        return Err(Error::invalid_argument(format!(
            "{which} is not valid for delivery by {method}: {why}"
        )));
    }
    Ok((user.to_value(), address))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn email_syntax_is_checked_without_deliverability() {
        assert_eq!(email_problem("desmond@descope.com"), None);
        assert_eq!(email_problem("first.last+tag@sub.example.co.uk"), None);
        assert!(email_problem("not-an-email").unwrap().contains("@-sign"));
        assert!(email_problem("nope").is_some());
        assert!(
            email_problem("a@b").is_some(),
            "a bare host is not a deliverable domain"
        );
        assert!(email_problem("@descope.com").is_some());
        assert!(email_problem("a b@descope.com").is_some());
        assert!(email_problem("Desmond <d@descope.com>").is_some());
    }

    #[test]
    fn phone_numbers_follow_the_official_pattern() {
        for ok in [
            "+12125551234",
            "212-555-1234",
            "(212) 555 1234",
            "+1 212.555.1234 x12",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "12",
            "abc",
            "x",
            "",
            "+",
            "12-34-56-78",
            "+1234567890123456789012345",
            "1234567a",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn step_up_and_mfa_without_refresh_token_are_refused() {
        let stepup = LoginOptions::new().stepup(true);
        let rt = Secret::new("rt");
        let empty = Secret::new("");
        assert!(check_step_up(Some(&stepup), None)
            .unwrap_err()
            .is_invalid_argument());
        assert!(check_step_up(Some(&stepup), Some(&empty)).is_err());
        assert!(check_step_up(Some(&stepup), Some(&rt)).is_ok());
        assert!(check_step_up(Some(&LoginOptions::new()), None).is_ok());
        assert!(check_step_up(None, None).is_ok());
    }

    #[test]
    fn empty_required_arguments_are_refused_with_what_to_pass() {
        let e = require_login_id("").unwrap_err();
        assert!(e.is_invalid_argument());
        assert!(e.to_string().contains("login ID"));
        assert!(require_login_id("  ").is_err());
        assert!(require_login_id("x").is_ok());
        assert!(require_refresh_token(&Secret::new("")).is_err());
    }

    #[test]
    fn sign_up_fills_the_address_from_the_login_id() {
        let (user, addr) = prepare_sign_up_user(DeliveryMethod::Sms, "+12125551234", None).unwrap();
        assert_eq!(user, json!({"phone": "+12125551234"}));
        assert_eq!(addr, "+12125551234");
        let (user, addr) = prepare_sign_up_user(
            DeliveryMethod::Email,
            "desmond@descope.com",
            Some(SignUpUser::new().name("Desmond")),
        )
        .unwrap();
        assert_eq!(
            user,
            json!({"name": "Desmond", "email": "desmond@descope.com"})
        );
        assert_eq!(addr, "desmond@descope.com");
    }

    #[test]
    fn a_given_user_address_wins_over_the_login_id_and_is_validated() {
        let (_, addr) = prepare_sign_up_user(
            DeliveryMethod::Email,
            "not-an-email",
            Some(SignUpUser::new().email("desmond@descope.com")),
        )
        .unwrap();
        assert_eq!(addr, "desmond@descope.com");
        let e = prepare_sign_up_user(
            DeliveryMethod::Voice,
            "+12125551234",
            Some(SignUpUser::new().phone("abc")),
        )
        .unwrap_err();
        assert!(e.is_invalid_argument());
        assert!(e.to_string().contains("abc"));
    }

    #[test]
    fn invalid_login_ids_are_refused_for_sign_up() {
        for (m, id) in [
            (DeliveryMethod::Email, "not-an-email"),
            (DeliveryMethod::Email, ""),
            (DeliveryMethod::Sms, "abc"),
            (DeliveryMethod::WhatsApp, "12"),
        ] {
            let e = prepare_sign_up_user(m, id, None).unwrap_err();
            assert!(e.is_invalid_argument(), "{m} {id}");
        }
    }

    #[test]
    fn update_checks_refuse_empty_and_malformed_addresses() {
        assert!(check_new_email("").is_err());
        assert!(check_new_email("bad")
            .unwrap_err()
            .to_string()
            .contains("@-sign"));
        assert!(check_new_email("new@descope.com").is_ok());
        assert!(check_new_phone("").is_err());
        assert!(check_new_phone("x").is_err());
        assert!(check_new_phone("+12125559999").is_ok());
        assert!(require_phone_method(DeliveryMethod::Email).is_err());
        assert!(require_phone_method(DeliveryMethod::WhatsApp).is_ok());
    }
}
