//! The rules on SNS subscriptions' filter policies: AWS's syntax and
//! limits, and policies no message of a scenario passes.

use super::*;
use crate::connection::Connection;
use crate::filter_policy::SubscriptionFilter;

/// The filtered subscriptions: (connection, topic, subscriber, filter).
fn filtered(d: &Design) -> Vec<(&Connection, &Component, &Component, &SubscriptionFilter)> {
    d.connections()
        .filter_map(|c| {
            let f = c.filter_policy.as_ref()?;
            Some((c, d.component(&c.from)?, d.component(&c.to)?, f))
        })
        .collect()
}

/// A policy AWS would refuse (syntax, more than 5 keys, more than 150
/// combinations), or one on a connection that is not a subscription.
pub(super) fn sns_filter_policy_valid(d: &Design, out: &mut Found) {
    for (c, from, to, f) in filtered(d) {
        if !c.is_subscription(from.kind()) {
            out.push((
                ids(&[&from.id, &to.id, &c.id]),
                format!(
                    "{} -> {} has a filter policy, but only an SNS topic's subscriptions filter messages",
                    from.name, to.name
                ),
            ));
        } else if let Err(m) = f.parse() {
            out.push((
                ids(&[&from.id, &to.id, &c.id]),
                format!(
                    "the filter policy of {}'s subscription {} is not one AWS accepts: {m}",
                    from.name, to.name
                ),
            ));
        }
    }
}

/// The components traffic entering at `entry` can reach, following
/// connections downstream (a request's attributes travel with it).
fn reachable(d: &Design, entry: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([entry.to_string()]);
    let mut stack = vec![entry.to_string()];
    while let Some(id) = stack.pop() {
        for (conn, to) in d.outgoing(&id) {
            let carries = !matches!(
                conn.kind,
                ConnectionKind::AssumesRole
                    | ConnectionKind::PullsImage
                    | ConnectionKind::RunsOn { .. }
                    | ConnectionKind::References
                    | ConnectionKind::Authorizes
            );
            if carries && seen.insert(to.id.clone()) {
                stack.push(to.id.clone());
            }
        }
    }
    seen
}

/// A scenario whose every message reaching a topic misses one of its
/// subscriptions' policies: in that scenario the subscriber gets nothing.
pub(super) fn sns_filter_never_passes(d: &Design, out: &mut Found) {
    let subscriptions = filtered(d);
    if subscriptions.is_empty() {
        return;
    }
    for s in &d.scenarios {
        let reach: Vec<BTreeSet<String>> =
            s.traffic.iter().map(|t| reachable(d, &t.entry)).collect();
        for (c, topic, to, f) in &subscriptions {
            if !c.is_subscription(topic.kind()) {
                continue;
            }
            let Ok(policy) = f.parse() else { continue };
            let messages: Vec<&crate::scenario::RequestAttributes> = s
                .traffic
                .iter()
                .zip(&reach)
                .filter(|(_, r)| r.contains(&topic.id))
                .map(|(t, _)| &t.request)
                .collect();
            if !messages.is_empty()
                && !messages
                    .iter()
                    .any(|m| policy.passes(&m.message_attributes, m.message_body.as_ref()))
            {
                out.push((
                    ids(&[&topic.id, &to.id, &c.id]),
                    format!(
                        "scenario \"{}\" publishes {} message kind(s) to {}, none of which passes the filter policy of its subscription {} ({}): in that scenario {} receives nothing from it",
                        s.name,
                        messages.len(),
                        topic.name,
                        to.name,
                        f.scope.aws_name(),
                        to.name
                    ),
                ));
            }
        }
    }
}
