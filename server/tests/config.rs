//! Settings: loading, defaults, derived values and every validation message (spec §6.1).

use oauth_reference_server::config::{ConfigError, Settings};

fn load(text: &str) -> Result<Settings, ConfigError> {
    Settings::from_yaml_str(text, "settings.yaml")
}

#[test]
fn a_misspelt_key_reports_its_line_and_column() {
    let error = load("secret: x\noauth:\n  redirect_uri: [a]\n").unwrap_err();
    let ConfigError::Yaml { line, column, .. } = &error else {
        panic!("expected a YAML error, got {error:?}");
    };
    assert_eq!((*line, *column), (Some(3), Some(3)));
    let text = error.to_string();
    assert!(text.starts_with("settings.yaml:3:3: "), "{text}");
    assert!(text.contains("redirect_uri"), "{text}");
}

#[test]
fn the_issuer_joins_base_url_auth_and_prefix() {
    let settings =
        load("secret: s\nbase_url: http://example.com\noauth:\n  redirect_uris: [http://c/cb]\n")
            .unwrap();
    let config = settings.resolve(None).unwrap();
    assert_eq!(config.issuer, "http://example.com/auth/oauth");
    assert_eq!(config.oauth_path, "/auth/oauth");
}
