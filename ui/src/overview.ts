// The zoomed-out overview's geometry: when it takes over from the DOM
// canvas, where edges run, what lies under a click and what is on screen.
// Pure functions over canvas coordinates, so Overview.tsx only draws.
import { CARD_HANDLES } from "./geometry";
import type { LiveComponent } from "./generated/LiveComponent";
import { compact, flowLevel } from "./live";

/** Below this zoom a card is under 74 px wide and its text unreadable. */
export const OVERVIEW_ZOOM = 0.45;
/** Smaller designs stay DOM cards at every zoom: the browser keeps up with
 * them, and the cards stay the same at every scale. */
export const OVERVIEW_MIN_COMPONENTS = 150;

/** Whether the canvas draws the overview instead of React Flow's cards.
 * While a large design opens (until its first fit) the zoom is still 100 %
 * and says nothing: the overview is on, so that no card is mounted for the
 * one frame before the fit. */
export function overviewActive(zoom: number, components: number, opening = false): boolean {
  return components >= OVERVIEW_MIN_COMPONENTS && (opening || zoom < OVERVIEW_ZOOM);
}

/** React Flow's viewport: screen = canvas * zoom + (x, y). */
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Point {
  x: number;
  y: number;
}

export function toScreen(p: Point, v: Viewport): Point {
  return { x: p.x * v.zoom + v.x, y: p.y * v.zoom + v.y };
}

export function toCanvas(p: Point, v: Viewport): Point {
  return { x: (p.x - v.x) / v.zoom, y: (p.y - v.y) / v.zoom };
}

export interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The part of the canvas a screen of `width` x `height` shows. */
export function visibleRect(v: Viewport, width: number, height: number): { x: number; y: number; w: number; h: number } {
  const a = toCanvas({ x: 0, y: 0 }, v);
  return { x: a.x, y: a.y, w: width / v.zoom, h: height / v.zoom };
}

export function intersects(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// Edges start at the outer side of the source handle and end at the outer
// side of the target handle, as React Flow draws them.
const [TARGET, SOURCE] = CARD_HANDLES;

/** A connection's cubic bezier, as React Flow's default edge draws it
 * from the source's right handle to the target's left handle. */
export interface Curve {
  x0: number;
  y0: number;
  c1x: number;
  c1y: number;
  c2x: number;
  c2y: number;
  x1: number;
  y1: number;
}

function controlOffset(distance: number, curvature = 0.25): number {
  return distance >= 0 ? 0.5 * distance : curvature * 25 * Math.sqrt(-distance);
}

export function edgeCurve(from: Point, to: Point): Curve {
  const x0 = from.x + SOURCE.x + (SOURCE.width ?? 0);
  const y0 = from.y + SOURCE.y + (SOURCE.height ?? 0) / 2;
  const x1 = to.x + TARGET.x;
  const y1 = to.y + TARGET.y + (TARGET.height ?? 0) / 2;
  const off = controlOffset(x1 - x0);
  return { x0, y0, c1x: x0 + off, c1y: y0, c2x: x1 - off, c2y: y1, x1, y1 };
}

function bezierAt(c: Curve, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const d = 3 * u * t * t;
  const e = t * t * t;
  return { x: a * c.x0 + b * c.c1x + d * c.c2x + e * c.x1, y: a * c.y0 + b * c.c1y + d * c.c2y + e * c.y1 };
}

function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** Distance from a point to the curve, through 24 straight pieces (well
 * under a pixel off at overview zoom). */
export function curveDistance(p: Point, c: Curve): number {
  let best = Infinity;
  let prev = bezierAt(c, 0);
  for (let i = 1; i <= 24; i++) {
    const next = bezierAt(c, i / 24);
    best = Math.min(best, segmentDistance(p, prev, next));
    prev = next;
  }
  return best;
}

export interface OverviewEdge {
  id: string;
  source: string;
  target: string;
}

/** What a click at canvas point `p` picks: the topmost card under it (the
 * last drawn), else the nearest connection within `slop` canvas units,
 * else nothing. */
export function hitTest(p: Point, boxes: Box[], edges: OverviewEdge[], slop: number): string | null {
  for (let i = boxes.length - 1; i >= 0; i--) {
    const b = boxes[i];
    if (p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h) return b.id;
  }
  const at = new Map(boxes.map((b) => [b.id, b]));
  let best: string | null = null;
  let bestD = slop;
  for (const e of edges) {
    const s = at.get(e.source);
    const t = at.get(e.target);
    if (!s || !t) continue;
    const d = curveDistance(p, edgeCurve(s, t));
    if (d <= bestD) {
      bestD = d;
      best = e.id;
    }
  }
  return best;
}

/** Below this zoom the live rate's text on a card is under 8 px: left out. */
export const LIVE_TEXT_ZOOM = 0.33;

/** How the overview marks a card during a run: a ring when it is in
 * trouble (the cards' amber and red), a bar for its flow level (0 to 4
 * quarters of the card), and its arrival rate. */
export interface LiveMark {
  ring: string | null;
  level: 0 | 1 | 2 | 3 | 4;
  text: string;
}

export const HEALTH_RING = { strained: "#d97706", failing: "#dc2626" } as const;

export function liveMark(c: LiveComponent | undefined): LiveMark | null {
  if (!c) return null;
  return {
    ring: c.health === "ok" ? null : HEALTH_RING[c.health],
    level: flowLevel(c.arrivals_per_s),
    text: `${compact(c.arrivals_per_s)}/s`,
  };
}
