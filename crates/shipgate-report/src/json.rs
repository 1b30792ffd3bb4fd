//! The JSON report: the [`ScanReport`] as it is, described by
//! `docs/json-report.md` and `docs/schema/report-v1.schema.json`.

use std::io::Write;

use shipgate_model::ScanReport;

use crate::RenderError;

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> Result<(), RenderError> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)?;
    Ok(())
}
