//! `rules/groups.json`, the manifest of rule groups: every `*.rules.yml` file of
//! `rules/` with the names of its groups, in file order. Consumers that cannot
//! parse YAML (the stack VM test, through Nix's `builtins.fromJSON`) read the
//! manifest; this check keeps it true against the rule files, parsed as YAML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The manifest's path under the repository root.
pub(super) const MANIFEST: &str = "rules/groups.json";

#[derive(Deserialize)]
struct RuleFile {
    groups: Vec<NamedGroup>,
}

#[derive(Deserialize)]
struct NamedGroup {
    name: String,
}

/// Checks the manifest under `root` against `rule_files` (the `*.rules.yml`
/// files of `root/rules`); returns how many groups it lists.
pub(super) fn check(root: &Path, rule_files: &[PathBuf]) -> anyhow::Result<usize> {
    let path = root.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&text).with_context(|| {
            format!("{MANIFEST} is not a JSON object of rule file name -> group names")
        })?;
    let mut actual = BTreeMap::new();
    for file in rule_files {
        let name = file
            .file_name()
            .and_then(|name| name.to_str())
            .with_context(|| format!("{} has no UTF-8 file name", file.display()))?;
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let parsed: RuleFile = serde_norway::from_str(&text)
            .with_context(|| format!("{} is not a rule file with named groups", file.display()))?;
        actual.insert(
            name.to_owned(),
            parsed.groups.into_iter().map(|group| group.name).collect(),
        );
    }
    let problems = differences(&manifest, &actual);
    if !problems.is_empty() {
        bail!(
            "{MANIFEST} disagrees with the rule files:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(manifest.values().map(Vec::len).sum())
}

/// What the manifest says wrongly, one line per rule file.
fn differences(
    manifest: &BTreeMap<String, Vec<String>>,
    actual: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, groups) in actual {
        match manifest.get(file) {
            None => problems.push(format!("{file} (groups {groups:?}) is missing")),
            Some(listed) if listed != groups => problems.push(format!(
                "{file}: lists {listed:?}, the file has groups {groups:?}"
            )),
            Some(_) => {}
        }
    }
    for file in manifest.keys().filter(|file| !actual.contains_key(*file)) {
        problems.push(format!("{file} is listed but is not a rule file of rules/"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository root with `rules/` holding `files` and the manifest `manifest`.
    fn root(files: &[(&str, &str)], manifest: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(dir.path().join("rules")).expect("rules/");
        for (name, text) in files {
            std::fs::write(dir.path().join("rules").join(name), text).expect("rule file");
        }
        std::fs::write(dir.path().join(MANIFEST), manifest).expect("manifest");
        dir
    }

    fn run(files: &[(&str, &str)], manifest: &str) -> anyhow::Result<usize> {
        let dir = root(files, manifest);
        let paths: Vec<PathBuf> = files
            .iter()
            .map(|(name, _)| dir.path().join("rules").join(name))
            .collect();
        check(dir.path(), &paths)
    }

    const TWO_GROUPS: &str =
        "groups:\n  - name: first\n    rules: []\n  - name: \"second\"\n    rules: []\n";

    #[test]
    fn the_repository_manifest_matches_its_rule_files() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let files = crate::rules::files_ending_with(&repo.join("rules"), ".rules.yml")
            .expect("rules/*.rules.yml");
        let groups = check(&repo, &files).expect("manifest true");
        assert!(groups >= files.len(), "{groups} groups in {files:?}");
    }

    #[test]
    fn a_matching_manifest_passes_whatever_the_yaml_quoting() {
        let listed = run(
            &[("a.rules.yml", TWO_GROUPS)],
            r#"{"a.rules.yml": ["first", "second"]}"#,
        );
        assert_eq!(listed.expect("matches"), 2);
    }

    #[test]
    fn a_group_missing_from_the_manifest_fails() {
        let error = run(
            &[("a.rules.yml", TWO_GROUPS)],
            r#"{"a.rules.yml": ["first"]}"#,
        )
        .expect_err("second is missing");
        assert!(
            error.to_string().contains(
                r#"a.rules.yml: lists ["first"], the file has groups ["first", "second"]"#
            ),
            "{error}"
        );
    }

    #[test]
    fn a_rule_file_missing_from_the_manifest_fails() {
        let error = run(&[("a.rules.yml", TWO_GROUPS)], "{}").expect_err("file missing");
        assert!(error.to_string().contains("a.rules.yml (groups"), "{error}");
    }

    #[test]
    fn a_listed_file_that_does_not_exist_fails() {
        let manifest = r#"{"a.rules.yml": ["first", "second"], "gone.rules.yml": ["x"]}"#;
        let error = run(&[("a.rules.yml", TWO_GROUPS)], manifest).expect_err("gone");
        assert!(
            error.to_string().contains("gone.rules.yml is listed"),
            "{error}"
        );
    }

    #[test]
    fn a_manifest_that_is_not_json_fails_with_its_name() {
        let error = run(&[("a.rules.yml", TWO_GROUPS)], "a.rules.yml: [first]").expect_err("YAML");
        assert!(
            error
                .to_string()
                .contains("rules/groups.json is not a JSON object"),
            "{error}"
        );
    }
}
