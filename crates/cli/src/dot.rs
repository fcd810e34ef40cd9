//! Graphviz DOT output: components as nodes (shaped by category), cluster
//! groups as subgraphs, connections labelled by meaning and styled by
//! synchronous (solid), asynchronous (dashed) or polled (dotted).

use std::fmt::Write;

use archsim_model::component::Category;
use archsim_model::{Design, GroupKind, Meaning};

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

pub fn to_dot(d: &Design) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&d.name));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    let mut clustered = std::collections::BTreeSet::new();
    for (i, g) in d.groups().enumerate() {
        if !matches!(g.kind, GroupKind::EcsCluster | GroupKind::EksCluster) {
            continue;
        }
        let _ = writeln!(out, "  subgraph cluster_{i} {{");
        let _ = writeln!(out, "    label={};", quote(&g.name));
        let _ = writeln!(out, "    style=rounded;");
        for m in g.members.iter().chain(g.owner.iter()) {
            if let Some(c) = d.component(m)
                && clustered.insert(c.id.clone())
            {
                let _ = writeln!(out, "    {}", node(c));
            }
        }
        let _ = writeln!(out, "  }}");
    }
    for c in d.components().filter(|c| !clustered.contains(&c.id)) {
        let _ = writeln!(out, "  {}", node(c));
    }
    for c in d.connections() {
        let style = match c.kind.meaning() {
            Meaning::InvokeAsync | Meaning::Publishes | Meaning::DeadLetter => "dashed",
            Meaning::Poll => "dotted",
            _ => "solid",
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, style={style}];",
            quote(&c.from),
            quote(&c.to),
            quote(c.kind.meaning().describe())
        );
    }
    out.push_str("}\n");
    out
}

fn node(c: &archsim_model::Component) -> String {
    let shape = match c.kind().category() {
        Category::Data => "cylinder",
        Category::EventSources => "parallelogram",
        Category::Compute => "box",
        Category::Containers => "box3d",
        Category::Networking => "hexagon",
        Category::Registries => "folder",
        Category::Security => "octagon",
        Category::Other => "note",
    };
    format!(
        "{} [label=\"{}\\n{}\", shape={shape}];",
        quote(&c.id),
        escape(&c.name),
        escape(c.kind().label())
    )
}
