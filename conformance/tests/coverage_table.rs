//! `docs/coverage.md` is what the harness generates from the spec and the cases today, so the
//! committed table cannot drift from the library. The spec lives beside the repository
//! (`../shared/spec/belgie-core.md`); where it is absent the check says it was skipped.

use std::path::Path;

use oauth_conformance::coverage;
use oauth_conformance::load::Library;

#[test]
fn the_committed_coverage_table_is_current() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace");
    let spec = workspace.join("../shared/spec/belgie-core.md");
    let Ok(spec_text) = std::fs::read_to_string(&spec) else {
        eprintln!(
            "skipped: no spec at {} to regenerate the coverage table from",
            spec.display()
        );
        return;
    };
    let library = Library::load(&workspace.join("cases")).expect("the case library loads");
    let generated = coverage::table(&spec_text, &library.cases, &library.coverage_notes);
    let committed = std::fs::read_to_string(workspace.join("docs/coverage.md")).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/coverage.md is stale; regenerate it with\n  cargo run -p oauth-conformance -- \
         --coverage ../shared/spec/belgie-core.md > docs/coverage.md"
    );
}
