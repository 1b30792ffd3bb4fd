//! Script lines of a job, read with the shared shell reader.

use crate::gitlab::pipeline::{Job, Located};
use crate::shell::{self, Command, Pipeline};

/// One script line and its pipelines.
pub struct ScriptLine<'j, 'r> {
    /// `before_script`, `script` or `after_script`.
    pub section: &'static str,
    /// The line (a scalar, possibly a block of several commands).
    pub line: &'j Located<'r>,
    /// Its top-level pipelines.
    pub pipelines: Vec<Pipeline>,
}

impl ScriptLine<'_, '_> {
    /// Every command, those inside substitutions included, with the
    /// pipeline it belongs to and its index there.
    pub fn commands(&self) -> Vec<(&Pipeline, usize, &Command)> {
        shell::all_pipelines(&self.pipelines)
            .into_iter()
            .flat_map(|pipeline| {
                pipeline
                    .commands
                    .iter()
                    .enumerate()
                    .map(move |(index, command)| (pipeline, index, command))
            })
            .collect()
    }
}

/// The job's script lines, parsed.
pub fn script_lines<'j, 'r>(job: &'j Job<'r>) -> Vec<ScriptLine<'j, 'r>> {
    job.script_lines()
        .into_iter()
        .filter_map(|(section, line)| {
            let text = line.as_str()?;
            Some(ScriptLine {
                section,
                line,
                pipelines: shell::pipelines(text),
            })
        })
        .collect()
}

/// Whether the command's standard output goes nowhere but the job log: not
/// piped into another command, not redirected to a file.
pub fn output_is_logged(pipeline: &Pipeline, index: usize, command: &Command) -> bool {
    index + 1 == pipeline.commands.len()
        && !command.redirects.iter().any(|r| r.writes_stdout_to_file())
}
