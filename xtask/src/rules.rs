//! Placeholder: filled in by its owner.

pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("xtask rules: not written yet")
}
