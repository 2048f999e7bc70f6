//! The linker flags: `-s -w`, the version injected with `-X`, and the
//! spec's own `ldflags` with their templates filled in, each word quoted
//! so that the go command gives it back whole.

use std::collections::BTreeMap;

use crate::golang::quote_ldflag_word;
use crate::spec::{Binary, LdFlag, Spec, template};

use super::{Inputs, PlanError, spec_error};

/// The flags every binary gets, and what fills a template.
pub(super) struct Linker {
    values: template::Values,
    /// `-s -w`, `-X version` and the top-level `ldflags`.
    base: Vec<String>,
}

impl Linker {
    /// `version` is the version injected (the build arg or the default);
    /// `epoch` is `SOURCE_DATE_EPOCH`.
    pub fn new(
        spec: &Spec,
        inputs: &Inputs,
        target_env: &BTreeMap<String, String>,
        version: Option<&str>,
        epoch: Option<i64>,
    ) -> Result<Linker, PlanError> {
        let mut values = template::Values {
            env: inputs.build_args.clone(),
            ..Default::default()
        };
        let unknown = || "unknown".to_string();
        let named = &mut values.named;
        if let Some(v) = version {
            named.insert("Version".into(), v.to_string());
        }
        named.insert(
            "Commit".into(),
            inputs.vcs_revision.clone().unwrap_or_else(unknown),
        );
        named.insert(
            "Source".into(),
            inputs.vcs_source.clone().unwrap_or_else(unknown),
        );
        named.insert(
            "Date".into(),
            epoch.map(crate::image::rfc3339).unwrap_or_else(unknown),
        );
        named.insert("GOOS".into(), target_env["GOOS"].clone());
        named.insert("GOARCH".into(), target_env["GOARCH"].clone());
        named.insert(
            "GOARM".into(),
            target_env.get("GOARM").cloned().unwrap_or_default(),
        );
        let mut linker = Linker {
            values,
            base: Vec::new(),
        };
        let mut base_ldflags = Vec::new();
        if spec.strip.value {
            base_ldflags.extend(["-s".to_string(), "-w".to_string()]);
        }
        if let Some(v) = &spec.version {
            let word = format!("{}={}", v.value.var, version.unwrap_or_default());
            let quoted = quote_ldflag_word(&word).map_err(|why| {
                spec_error(
                    spec,
                    v.pos,
                    format!(
                        "version: the value of build arg {} cannot be injected: {why}",
                        v.value.arg
                    ),
                    Some("use a version without quotes, e.g. 1.2.3".into()),
                )
            })?;
            base_ldflags.push("-X".into());
            base_ldflags.push(quoted);
        }
        for f in &spec.ldflags {
            base_ldflags.extend(linker.render(spec, f)?);
        }
        linker.base = base_ldflags;
        Ok(linker)
    }

    /// The flags of one binary: the common ones, then its own.
    pub fn flags_of(&self, spec: &Spec, binary: &Binary) -> Result<Vec<String>, PlanError> {
        let mut ldflags = self.base.clone();
        for f in &binary.ldflags {
            ldflags.extend(self.render(spec, f)?);
        }
        Ok(ldflags)
    }

    fn render(&self, spec: &Spec, flag: &LdFlag) -> Result<Vec<String>, PlanError> {
        flag.words
            .iter()
            .map(|w| {
                let word = template::render(w, &self.values)
                    .map_err(|why| spec_error(spec, flag.pos, format!("ldflags: {why}"), None))?;
                quote_ldflag_word(&word).map_err(|why| {
                    spec_error(
                        spec,
                        flag.pos,
                        format!("ldflags: \"{word}\" cannot be passed to the linker: {why}"),
                        None,
                    )
                })
            })
            .collect()
    }
}
