//! Every `uses:` of a workflow or action, for the audits that judge what a
//! file pulls in rather than how it runs it.

use crate::github::model::{Action, Step, Workflow};
use crate::github::uses::Uses;
use crate::yaml::Node;

/// One `uses:` value and where it sits.
pub(crate) struct UsesSite<'d> {
    /// The `uses:` scalar.
    pub node: &'d Node,
    /// Symbolic path, such as `jobs.build.steps[1].uses`.
    pub symbolic: String,
}

impl<'d> UsesSite<'d> {
    /// What the `uses:` value refers to, when it is a string of a known form.
    pub fn parsed(&self) -> Option<Uses<'d>> {
        self.node.as_str().and_then(Uses::parse)
    }
}

/// The reusable-workflow calls and step `uses:` of `workflow`, in source order.
pub(crate) fn workflow_uses<'d>(workflow: &Workflow<'d>) -> Vec<UsesSite<'d>> {
    let mut sites = Vec::new();
    for job in &workflow.jobs {
        if let Some(node) = job.uses {
            sites.push(UsesSite {
                node,
                symbolic: format!("{}.uses", job.path),
            });
        }
        sites.extend(step_uses(&job.steps));
    }
    sites
}

/// The step `uses:` of a composite action.
pub(crate) fn action_uses<'d>(action: &Action<'d>) -> Vec<UsesSite<'d>> {
    step_uses(&action.steps).collect()
}

fn step_uses<'s, 'd>(steps: &'s [Step<'d>]) -> impl Iterator<Item = UsesSite<'d>> + 's {
    steps.iter().filter_map(|step| {
        Some(UsesSite {
            node: step.uses?,
            symbolic: format!("{}.uses", step.path),
        })
    })
}
