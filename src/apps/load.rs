//! `mcpActions.apps.*`: the built-in views read from the package at startup, the adopters'
//! views from their files, each checked once; a view that cannot be served is a startup
//! error naming its key and file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::views::{Apps, Assignment, Builtin, View};
use super::{MIME_TYPE, URI_PREFIX};
use crate::config::{config_error, ConfigError};
use crate::tools::glob::Glob;

/// A view file bigger than this is a mistake (a bundle with its source maps, a video).
const MAX_VIEW_BYTES: u64 = 5 * 1024 * 1024;

/// `mcpActions.apps.*` as the shim hands it over.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawApps {
    /// `mcpActions.apps.enabled` (default: on when the shim names the built-in views).
    pub enabled: Option<bool>,
    /// `mcpActions.apps.views`.
    #[serde(default)]
    pub views: Vec<RawView>,
    /// Where the package's built-in views are (set by the shim, not by adopters).
    pub builtin_dir: Option<String>,
}

/// `mcpActions.apps.views[i]`: `{ tool, file }` or `{ tool, view }`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawView {
    pub tool: Option<String>,
    pub file: Option<String>,
    pub view: Option<String>,
}

impl RawApps {
    /// The views, loaded. `page` is what the built-in views are told about this Backstage
    /// (its `app.baseUrl`, the entity tool's name), put into each as a JSON script element.
    pub fn load(&self, page: &Value) -> Result<Apps, ConfigError> {
        if !self.enabled.unwrap_or(self.builtin_dir.is_some()) {
            if !self.views.is_empty() {
                return Err(config_error(
                    "mcpActions.apps.views",
                    "views are configured but mcpActions.apps.enabled is false: remove them or turn the views on",
                ));
            }
            return Ok(Apps::default());
        }
        let Some(dir) = self.builtin_dir.as_deref() else {
            return Err(config_error(
                "mcpActions.apps.enabled",
                "the package's built-in views were not found: reinstall the plugin, or set mcpActions.apps.enabled to false",
            ));
        };
        let mut apps = Apps::default();
        for which in Builtin::ALL {
            let path = Path::new(dir).join(format!("{}.html", which.key()));
            let html = read_view(&path).map_err(|reason| {
                config_error(
                    "mcpActions.apps",
                    format!("the built-in view {} {reason}: reinstall the plugin, or set mcpActions.apps.enabled to false", path.display()),
                )
            })?;
            apps.views
                .push(View::builtin(which, with_page_config(&html, page)));
        }
        apps.card = Some(0);
        apps.table = Some(1);
        for (i, raw) in self.views.iter().enumerate() {
            let key = format!("mcpActions.apps.views[{i}]");
            let assignment = raw.assignment(&key, i, &mut apps)?;
            apps.assignments.push(assignment);
        }
        Ok(apps)
    }
}

impl RawView {
    fn assignment(
        &self,
        key: &str,
        index: usize,
        apps: &mut Apps,
    ) -> Result<Assignment, ConfigError> {
        let pattern = self.tool.as_deref().map(str::trim).unwrap_or_default();
        if pattern.is_empty() {
            return Err(config_error(
                format!("{key}.tool"),
                "is missing: give a glob over tool names, e.g. \"my-plugin.*\"",
            ));
        }
        let tool = Glob::new_flat(pattern)
            .map_err(|e| config_error(format!("{key}.tool"), format!("not a valid glob: {e}")))?;
        let view = match (self.file.as_deref(), self.view.as_deref()) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(config_error(
                    key,
                    "needs exactly one of file (a self-contained HTML file) or view (entity-card, entity-table or result)",
                ))
            }
            (None, Some(name)) => {
                let which = Builtin::parse(name).ok_or_else(|| {
                    config_error(
                        format!("{key}.view"),
                        format!("must be entity-card, entity-table or result, got \"{name}\""),
                    )
                })?;
                Builtin::ALL.iter().position(|b| *b == which).unwrap_or(0)
            }
            (Some(file), None) => {
                let path = PathBuf::from(file);
                let html = read_view(&path).map_err(|reason| {
                    config_error(format!("{key}.file"), format!("{file} {reason}"))
                })?;
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .map(slug)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "view".into());
                apps.views.push(View {
                    uri: format!("{URI_PREFIX}views/{index}/{stem}.html"),
                    name: stem.clone(),
                    title: stem,
                    description: format!("A view of the tools matching {pattern}"),
                    mime_type: MIME_TYPE,
                    html: html.into(),
                });
                apps.views.len() - 1
            }
        };
        Ok(Assignment { tool, view })
    }
}

/// A view file's text, or why it cannot be one (the caller names the key and file).
fn read_view(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("is not a file".into());
    }
    if meta.len() > MAX_VIEW_BYTES {
        return Err(format!(
            "is {} bytes; a view can have at most {MAX_VIEW_BYTES}",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    if !is_html(&text) {
        return Err("is not an HTML document: it must start with <!DOCTYPE html> or <html>".into());
    }
    Ok(text)
}

/// Whether `text` starts as an HTML document does (after a byte-order mark, white space and
/// comments).
fn is_html(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    while let Some(after) = rest.strip_prefix("<!--") {
        match after.find("-->") {
            Some(end) => rest = after[end + 3..].trim_start(),
            None => return false,
        }
    }
    let head: String = rest
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// A name for a URI path segment: letters, digits, `-` and `_`.
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The page configuration as `<script type="application/json" id="mcp-actions-view-config">`
/// just before `</head>` (or at the start when there is none). `<` is escaped so that the
/// JSON cannot close the element.
fn with_page_config(html: &str, page: &Value) -> String {
    let json = page.to_string().replace('<', "\\u003c");
    let element =
        format!("<script type=\"application/json\" id=\"mcp-actions-view-config\">{json}</script>");
    match html.find("</head>") {
        Some(at) => format!("{}{element}{}", &html[..at], &html[at..]),
        None => format!("{element}{html}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_documents_are_recognised() {
        assert!(is_html("<!DOCTYPE html><html></html>"));
        assert!(is_html("\u{feff}  <!-- built --> <!doctype HTML>"));
        assert!(is_html("<html lang=\"en\">"));
        assert!(!is_html("{\"not\": \"html\"}"));
        assert!(!is_html("<!-- never closed <html>"));
        assert!(!is_html("<div>fragment</div>"));
    }

    #[test]
    fn page_config_cannot_close_its_element() {
        let out = with_page_config(
            "<html><head></head></html>",
            &serde_json::json!({ "x": "</script><b>" }),
        );
        assert_eq!(
            out,
            "<html><head><script type=\"application/json\" id=\"mcp-actions-view-config\">{\"x\":\"\\u003c/script>\\u003cb>\"}</script></head></html>"
        );
    }
}
