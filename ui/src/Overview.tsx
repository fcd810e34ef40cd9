// The zoomed-out overview: below OVERVIEW_ZOOM a large design is drawn on
// one <canvas> instead of hundreds of DOM cards and SVG edges, which the
// browser cannot restyle and repaint at 50 fps without a GPU. React Flow
// still owns the viewport (pan, zoom, marquee, minimap, fit); the canvas
// follows its transform, and cards and edges render nothing meanwhile.
import { BezierEdge, useStore, useStoreApi, type Edge, type EdgeProps, type Node } from "@xyflow/react";
import { createContext, useCallback, useContext, useEffect, useLayoutEffect, useRef } from "react";
import { edgeLook } from "./edgeStyle";
import type { Meaning } from "./generated/Meaning";
import type { Severity } from "./generated/Severity";
import { labelSize, NODE_H, NODE_W } from "./geometry";
import { AWS_ICON } from "./generated/awsIcons";
import type { ComponentKind } from "./generated/ComponentKind";
import { CATEGORY_COLOUR } from "./icons";
import { liveStore } from "./live";
import type { ComponentNodeData, FrameNodeData } from "./nodes";
import { edgeCurve, hitTest, intersects, LIVE_TEXT_ZOOM, liveMark, overviewActive, toCanvas, visibleRect, type Box, type LiveMark, type Viewport } from "./overview";

/** True while the overview draws the canvas: cards and edges render nothing. */
export const OverviewContext = createContext(false);

/** Whether the overview is on for this many components at the current zoom
 * (`opening`: the design has not had its first fit yet). */
/** The kinds' icons as images the canvas can draw, loaded once. */
const ICON_IMAGES = new Map<ComponentKind, HTMLImageElement>();
function iconImage(kind: ComponentKind): HTMLImageElement {
  let img = ICON_IMAGES.get(kind);
  if (!img) {
    img = new Image();
    img.src = AWS_ICON[kind];
    ICON_IMAGES.set(kind, img);
  }
  return img;
}

export function useOverview(components: number, suspended: boolean, opening: boolean): boolean {
  const on = useStore((s) => overviewActive(s.transform[2], components, opening));
  return on && !suspended;
}

/** The default (bezier) edge, or nothing while the overview draws edges. */
/** Whether an edge's label fits between the cards it joins: roughly how
 * wide it draws (11 px, bold, with its padding) against the room between
 * the handles, less the arrow head. */
export function labelFits(label: string, sourceX: number, sourceY: number, targetX: number, targetY: number): boolean {
  const room = Math.hypot(targetX - sourceX, targetY - sourceY) - 20;
  return labelSize(label).w <= room;
}

export function DesignEdge(props: EdgeProps) {
  const overview = useContext(OverviewContext);
  if (overview) return null;
  // A label that would sit under the cards it joins is drawn only while the edge is
  // selected (the inspector names it too; the line's style and the legend
  // say the meaning meanwhile).
  const label = typeof props.label === "string" ? props.label : "";
  // Nor one that would cover another card (App marks those per document).
  const clear = (props.data as { overCard?: boolean } | undefined)?.overCard !== true;
  const fits = !label || (clear && labelFits(label, props.sourceX, props.sourceY, props.targetX, props.targetY));
  return <BezierEdge {...props} label={fits || props.selected ? props.label : undefined} />;
}
export const edgeTypes = { default: DesignEdge };

const SEVERITY_COLOUR: Record<Severity, string> = { error: "#dc2626", warning: "#d97706", info: "#2563eb" };
const ACCENT = "#2563eb";
/** The flow bar along a card's foot during a run. */
const FLOW = "#16a34a";

function componentBoxes(nodes: Node[]): Box[] {
  return nodes.filter((n) => n.type === "component").map((n) => ({ id: n.id, x: n.position.x, y: n.position.y, w: NODE_W, h: NODE_H }));
}

/** What a paint drew: cards on screen, of them with live numbers, and in trouble. */
interface Drawn {
  cards: number;
  live: number;
  trouble: number;
}

function draw(ctx: CanvasRenderingContext2D, nodes: Node[], edges: Edge[], v: Viewport, width: number, height: number): Drawn {
  const view = visibleRect(v, width, height);
  const k = v.zoom;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const dpr = ctx.canvas.width / Math.max(1, width);
  ctx.setTransform(dpr * k, 0, 0, dpr * k, dpr * v.x, dpr * v.y);
  const px = 1 / k; // one screen pixel in canvas units

  // Group frames first, under everything.
  for (const n of nodes) {
    if (n.type !== "frame") continue;
    const f = n.data as FrameNodeData;
    const box = { x: n.position.x, y: n.position.y, w: f.w, h: f.h };
    if (!intersects(box, view)) continue;
    const eks = f.group.kind === "eks_cluster";
    ctx.fillStyle = eks ? "rgba(140, 79, 255, 0.05)" : "rgba(237, 113, 0, 0.05)";
    ctx.strokeStyle = eks ? "#8c4fff" : "#d45b07";
    ctx.lineWidth = 2 * px;
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.fillRect(box.x, box.y, box.w, box.h);
    ctx.strokeRect(box.x, box.y, box.w, box.h);
  }
  ctx.setLineDash([]);

  // Edges, one path per look (meaning and selection), stroked once each.
  const at = new Map<string, { x: number; y: number }>();
  for (const n of nodes) if (n.type === "component") at.set(n.id, n.position);
  const paths = new Map<string, { meaning: Meaning; selected: boolean; path: Path2D; heads: Path2D }>();
  // Arrowheads a card's width / 20 on screen, but 3 to 8 px whatever the zoom.
  const head = Math.min(8, Math.max(3, (NODE_W / 20) * k)) / k;
  for (const e of edges) {
    const s = at.get(e.source);
    const t = at.get(e.target);
    if (!s || !t) continue;
    const c = edgeCurve(s, t);
    const bx = Math.min(c.x0, c.x1, c.c1x, c.c2x);
    const by = Math.min(c.y0, c.y1);
    if (!intersects({ x: bx, y: by, w: Math.max(c.x0, c.x1, c.c1x, c.c2x) - bx, h: Math.max(c.y0, c.y1) - by }, view)) continue;
    const meaning = (e.data as { meaning: Meaning } | undefined)?.meaning ?? "references";
    const key = `${meaning}|${e.selected ? 1 : 0}`;
    let p = paths.get(key);
    if (!p) {
      p = { meaning, selected: !!e.selected, path: new Path2D(), heads: new Path2D() };
      paths.set(key, p);
    }
    p.path.moveTo(c.x0, c.y0);
    p.path.bezierCurveTo(c.c1x, c.c1y, c.c2x, c.c2y, c.x1, c.y1);
    p.heads.moveTo(c.x1, c.y1);
    p.heads.lineTo(c.x1 - head, c.y1 - head / 2);
    p.heads.lineTo(c.x1 - head, c.y1 + head / 2);
    p.heads.closePath();
  }
  for (const p of paths.values()) {
    const look = edgeLook(p.meaning);
    ctx.strokeStyle = p.selected ? ACCENT : look.stroke;
    ctx.fillStyle = ctx.strokeStyle;
    // At least one screen pixel wide, or the lines vanish when zoomed far out.
    ctx.lineWidth = Math.max(px, look.width * (p.selected ? 2 : 1));
    ctx.setLineDash(look.dash ? look.dash.split(" ").map(Number) : []);
    ctx.stroke(p.path);
    ctx.fill(p.heads);
  }
  ctx.setLineDash([]);

  // Cards: a white box in its border, the kind's icon (its colour tile until the image has loaded), problems on
  // the left edge; during a run, the flow bar and rate (rings come after).
  let drawn = 0;
  const marked: [Node, LiveMark][] = [];
  const selected: Node[] = [];
  const liveText = k >= LIVE_TEXT_ZOOM;
  ctx.lineWidth = Math.max(px, 1.5);
  ctx.strokeStyle = "#c9d1de";
  for (const n of nodes) {
    if (n.type !== "component") continue;
    const { x, y } = n.position;
    if (!intersects({ x, y, w: NODE_W, h: NODE_H }, view)) continue;
    drawn += 1;
    const d = n.data as ComponentNodeData;
    ctx.fillStyle = "#fff";
    ctx.fillRect(x, y, NODE_W, NODE_H);
    ctx.strokeRect(x, y, NODE_W, NODE_H);
    const icon = iconImage(d.component.kind);
    if (icon.complete && icon.naturalWidth > 0) ctx.drawImage(icon, x + 11, y + 11, 32, 32);
    else {
      ctx.fillStyle = CATEGORY_COLOUR[d.component.category];
      ctx.fillRect(x + 11, y + 11, 32, 32);
    }
    if (d.worst) {
      ctx.fillStyle = SEVERITY_COLOUR[d.worst];
      ctx.fillRect(x, y, 4 + px, NODE_H);
    }
    const mark = liveMark(liveStore.get(n.id));
    if (mark) {
      marked.push([n, mark]);
      ctx.fillStyle = FLOW;
      // At least 3 screen pixels tall, or it vanishes zoomed far out.
      const bar = Math.max(6, 3 * px);
      ctx.fillRect(x, y + NODE_H - bar, (NODE_W * mark.level) / 4, bar);
      if (liveText) {
        ctx.fillStyle = "#0f172a";
        ctx.font = "600 24px system-ui, sans-serif";
        ctx.textBaseline = "middle";
        ctx.fillText(mark.text, x + 54, y + NODE_H / 2 - 2, NODE_W - 60);
      }
    }
    if (n.selected) selected.push(n);
  }
  let trouble = 0;
  ctx.lineWidth = Math.max(3 * px, 4);
  for (const [n, mark] of marked) {
    if (!mark.ring) continue;
    trouble += 1;
    ctx.strokeStyle = mark.ring;
    ctx.strokeRect(n.position.x, n.position.y, NODE_W, NODE_H);
  }
  ctx.strokeStyle = ACCENT;
  ctx.lineWidth = Math.max(2 * px, 3);
  for (const n of selected) ctx.strokeRect(n.position.x - 2, n.position.y - 2, NODE_W + 4, NODE_H + 4);
  return { cards: drawn, live: marked.length, trouble };
}

/**
 * The overview canvas, under React Flow's pane (which still takes every
 * pointer event). Redraws on the next frame after the viewport, the nodes,
 * the edges or the live view change. For tests, `data-drawn` counts the
 * cards on screen, `data-live` those with live numbers and `data-trouble`
 * those ringed amber or red.
 */
export function OverviewLayer({ active, nodes, edges }: { active: boolean; nodes: Node[]; edges: Edge[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const frame = useRef(0);
  const latest = useRef({ nodes, edges });
  latest.current = { nodes, edges };

  const paint = useCallback(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx) return;
    const { width, height, transform } = store.getState();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (el.width !== w || el.height !== h) {
      el.width = w;
      el.height = h;
    }
    const v = { x: transform[0], y: transform[1], zoom: transform[2] };
    const drawn = draw(ctx, latest.current.nodes, latest.current.edges, v, width, height);
    el.dataset.drawn = String(drawn.cards);
    el.dataset.live = String(drawn.live);
    el.dataset.trouble = String(drawn.trouble);
  }, [store]);

  // Viewport moves come many per frame: one paint per frame.
  const schedule = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      paint();
    });
  }, [paint]);

  useEffect(() => {
    if (!active) return;
    schedule();
    // The viewport moves outside React: follow it straight from the store.
    const stop = store.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule();
    });
    // A live view changes the cards' marks: at most one paint per frame.
    const stopLive = liveStore.subscribeAll(schedule);
    return () => {
      stop();
      stopLive();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [active, store, schedule]);

  // An edit paints at once, in the same frame as the DOM it came with.
  useLayoutEffect(() => {
    if (active) paint();
  }, [active, nodes, edges, paint]);

  if (!active) return null;
  return <canvas ref={canvas} className="overview" data-testid="overview" aria-hidden="true" />;
}

/** What a click on the overview at screen point (clientX, clientY) picks, if anything. */
export function pickAt(nodes: Node[], edges: Edge[], v: Viewport, pane: DOMRect, clientX: number, clientY: number): string | null {
  const p = toCanvas({ x: clientX - pane.left, y: clientY - pane.top }, v);
  return hitTest(p, componentBoxes(nodes), edges, 6 / v.zoom);
}
