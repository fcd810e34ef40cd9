// Automatic layout with ELK's layered algorithm (elkjs, the standard for
// layered graphs with compound nodes): flow left to right from sources to
// data stores, ECS and EKS clusters kept together as compound nodes around
// their owner card and members, room between layers for the edge labels,
// and disconnected parts (a design of 100 separate chains) packed into a
// grid rather than one column (each connected part laid out on its own,
// then the parts packed). The result is one "move" edit, so one undo
// takes it back.
import ELK, { type ElkExtendedEdge, type ElkNode } from "elkjs/lib/elk-api.js";
import type { DocumentView } from "./generated/DocumentView";
import type { MoveTo } from "./generated/MoveTo";
import { NODE_H, NODE_W } from "./geometry";

// In the browser ELK runs in a worker, so a large design lays out without
// freezing the canvas; where there are no workers (the unit tests, in
// Node) it runs in place.
let engine: Promise<{ layout: (graph: ElkNode) => Promise<ElkNode> }> | null = null;
function elkEngine() {
  engine ??=
    typeof Worker !== "undefined"
      ? Promise.resolve(new ELK({ workerFactory: () => new Worker(new URL("elkjs/lib/elk-worker.min.js", import.meta.url)) }))
      : import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return engine;
}

/** Roughly how wide an edge label draws (11 px system font, with padding). */
const labelWidth = (text: string) => Math.ceil(text.length * 6.2 + 14);

/** The compound node (a cluster group) each component is drawn inside, if any. */
export function clusterOf(doc: DocumentView): Map<string, string> {
  const parent = new Map<string, string>();
  for (const g of doc.groups) {
    if (g.kind !== "ecs_cluster" && g.kind !== "eks_cluster") continue;
    for (const m of [...(g.owner ? [g.owner] : []), ...g.members]) if (!parent.has(m)) parent.set(m, g.id);
  }
  return parent;
}

/** The design's connected parts (connections and clusters join
 * components), each a list of component ids, in the design's order. */
export function parts(doc: DocumentView): string[][] {
  const root = new Map<string, string>(doc.components.map((c) => [c.id, c.id]));
  const find = (id: string): string => {
    let r = id;
    while (root.get(r) !== r) r = root.get(r)!;
    root.set(id, r);
    return r;
  };
  const join = (a: string, b: string) => {
    if (root.has(a) && root.has(b)) root.set(find(a), find(b));
  };
  for (const c of doc.connections) join(c.from, c.to);
  for (const [member, group] of clusterOf(doc)) {
    const g = doc.groups.find((x) => x.id === group);
    const anchor = g?.owner ?? g?.members[0];
    if (anchor) join(member, anchor);
  }
  const byRoot = new Map<string, string[]>();
  for (const c of doc.components) {
    const r = find(c.id);
    byRoot.set(r, [...(byRoot.get(r) ?? []), c.id]);
  }
  return [...byRoot.values()];
}

/** The ELK graph of the components `ids` (one connected part) of a design. */
export function elkGraph(doc: DocumentView, ids: Set<string> = new Set(doc.components.map((c) => c.id))): ElkNode {
  const parent = clusterOf(doc);
  const card = (id: string): ElkNode => ({ id, width: NODE_W, height: NODE_H });
  const clusters = new Map<string, ElkNode>();
  for (const g of doc.groups) {
    if ((g.kind === "ecs_cluster" || g.kind === "eks_cluster") && [...ids].some((id) => parent.get(id) === g.id)) {
      clusters.set(g.id, {
        id: `group:${g.id}`,
        layoutOptions: { "elk.padding": "[top=40,left=24,bottom=24,right=24]" },
        children: [],
      });
    }
  }
  const top: ElkNode[] = [];
  for (const c of doc.components) {
    if (!ids.has(c.id)) continue;
    const g = parent.get(c.id);
    const cluster = g ? clusters.get(g) : undefined;
    (cluster ? cluster.children! : top).push(card(c.id));
  }
  const edges: ElkExtendedEdge[] = doc.connections
    .filter((c) => c.from !== c.to && ids.has(c.from) && ids.has(c.to))
    .map((c) => ({ id: c.id, sources: [c.from], targets: [c.to], labels: [{ text: c.label, width: labelWidth(c.label), height: 16 }] }));
  return {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "72",
      "elk.spacing.nodeNode": "32",
      "elk.spacing.edgeLabel": "4",
      "elk.edgeLabels.placement": "CENTER",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.padding": "[top=0,left=0,bottom=0,right=0]",
    },
    children: [...top, ...clusters.values()],
    edges,
  };
}

/** Every component's new top-left corner, snapped to `grid`: each
 * connected part laid out in layers, and the parts packed into a block
 * about 1.6 times as wide as high (ELK's rectangle packing), in one ELK run
 * (the root packs, each part node runs the layered algorithm). */
export async function layered(doc: DocumentView, grid = 16): Promise<MoveTo[]> {
  const graphs = parts(doc).map((ids, i) => ({ ...elkGraph(doc, new Set(ids)), id: `part:${i}` }));
  const root: ElkNode =
    graphs.length === 1
      ? graphs[0]
      : {
          id: "root",
          layoutOptions: {
            "elk.algorithm": "rectpacking",
            "elk.aspectRatio": "1.6",
            "elk.spacing.nodeNode": "56",
            "elk.padding": "[top=24,left=24,bottom=24,right=24]",
          },
          children: graphs,
        };
  const laid = await (await elkEngine()).layout(root);
  const snap = (v: number) => Math.round(v / grid) * grid;
  const moves: MoveTo[] = [];
  const walk = (n: ElkNode, dx: number, dy: number) => {
    for (const child of n.children ?? []) {
      const x = dx + (child.x ?? 0);
      const y = dy + (child.y ?? 0);
      if (child.id.startsWith("group:") || child.id.startsWith("part:")) walk(child, x, y);
      else moves.push({ id: child.id, position: { x: snap(x), y: snap(y) } });
    }
  };
  walk(laid, graphs.length === 1 ? 24 : 0, graphs.length === 1 ? 24 : 0);
  return moves;
}
