//! An SNS topic's subscription filter policies. A topic fans each message
//! out to its subscriptions (`requests.rs`); a subscription with a filter
//! policy gets the message only if its attributes (or its JSON body, for
//! the `MessageBody` scope) pass the policy, with AWS's semantics
//! (`archsim_model::filter_policy`). A message is what the traffic
//! profile it came from says it carries (`RequestAttributes`'
//! `message_attributes` and `message_body`): requests carry it with their
//! interned path, so a request stays small, and whether each distinct
//! message passes each policy is decided once, when the run is built.

use archsim_model::Design;
use archsim_model::scenario::RequestAttributes;

use super::{NONE, Simulation};
use crate::SimError;

/// A filtered subscription of a topic.
pub(super) struct Gate {
    /// The subscriber (node index).
    pub(super) target: u32,
    /// The subscription (connection id), for the run's usage.
    pub(super) connection: String,
    /// Whether each of the run's distinct messages passes, by message id.
    passes: Box<[bool]>,
    pub(super) delivered: u64,
    pub(super) filtered_out: u64,
}

/// The scenario's distinct messages (the request attributes of a
/// profile, of which only the message attributes and body count);
/// message 0 carries neither.
pub(super) struct Messages {
    list: Vec<RequestAttributes>,
}

impl Messages {
    pub(super) fn new() -> Self {
        Self {
            list: vec![RequestAttributes::default()],
        }
    }

    /// The id of the message a profile's requests carry.
    pub(super) fn intern(&mut self, r: &RequestAttributes) -> u32 {
        let same = |x: &RequestAttributes| {
            x.message_attributes == r.message_attributes && x.message_body == r.message_body
        };
        match self.list.iter().position(same) {
            Some(i) => i as u32,
            None => {
                self.list.push(r.clone());
                (self.list.len() - 1) as u32
            }
        }
    }

    /// The gates of the design's filtered subscriptions, by topic (node
    /// index). A policy AWS would refuse stops the run: the subscription
    /// could not exist as written.
    pub(super) fn gates(
        &self,
        design: &Design,
        index: impl Fn(&str) -> Option<u32>,
    ) -> Result<Vec<(u32, Gate)>, SimError> {
        let mut out = Vec::new();
        for c in design.connections() {
            let Some(filter) = &c.filter_policy else {
                continue;
            };
            let (Some(from), Some(topic), Some(target)) =
                (design.component(&c.from), index(&c.from), index(&c.to))
            else {
                continue;
            };
            if !c.is_subscription(from.kind()) {
                return Err(SimError::InvalidDesign(format!(
                    "{} has a filter policy but is not an SNS subscription (SNS_FILTER_POLICY_INVALID)",
                    c.id
                )));
            }
            let policy = filter.parse().map_err(|m| {
                SimError::InvalidDesign(format!(
                    "the filter policy of subscription {}: {m} (SNS_FILTER_POLICY_INVALID)",
                    c.id
                ))
            })?;
            let passes = self
                .list
                .iter()
                .map(|m| policy.passes(&m.message_attributes, m.message_body.as_ref()))
                .collect();
            out.push((
                topic,
                Gate {
                    target,
                    connection: c.id.clone(),
                    passes,
                    delivered: 0,
                    filtered_out: 0,
                },
            ));
        }
        Ok(out)
    }
}

impl Simulation {
    /// Whether topic `node` delivers the message a request on `path`
    /// carries to subscriber `target` (always, for an unfiltered
    /// subscription or a node that is not a topic), counted.
    pub(super) fn delivers(&mut self, node: usize, target: u32, path: u32) -> bool {
        let n = &mut self.nodes[node];
        if n.gates.is_empty() {
            return true;
        }
        let Some(g) = n.gates.iter_mut().find(|g| g.target == target) else {
            return true;
        };
        let message = if path == NONE {
            0
        } else {
            self.path_messages[path as usize]
        };
        let pass = g.passes[message as usize];
        if pass {
            g.delivered += 1;
        } else {
            g.filtered_out += 1;
        }
        pass
    }
}
