// Canvas geometry: node sizes and the frames drawn around groups.
import { Position, type NodeHandle } from "@xyflow/react";
import type { DocumentView } from "./generated/DocumentView";
import type { GroupView } from "./generated/GroupView";

export const NODE_W = 164;
export const NODE_H = 54;

/**
 * Where a card's two handles are, relative to the card, as the browser lays
 * them out (styles.css `.handle`: 10 px, centred on the card's edge, whose
 * 1.5 px border shifts them by one). React Flow takes them instead of
 * measuring: edges draw, and a marquee or the overview works, for cards
 * that were never on screen.
 */
export const CARD_HANDLES: NodeHandle[] = [
  { type: "target", position: Position.Left, x: -4, y: 22, width: 10, height: 10 },
  { type: "source", position: Position.Right, x: NODE_W - 6, y: 22, width: 10, height: 10 },
];
const PAD = 28;
const HEADER = 26;

export interface Frame {
  group: GroupView;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A frame around each group: its owner cluster and its members. */
export function frames(doc: DocumentView, positions?: Map<string, { x: number; y: number }>): Frame[] {
  const at = new Map(doc.components.map((c) => [c.id, positions?.get(c.id) ?? c.position]));
  const out: Frame[] = [];
  for (const group of doc.groups) {
    const ids = [...group.members, ...(group.owner ? [group.owner] : [])];
    const points = ids.map((id) => at.get(id)).filter((p): p is { x: number; y: number } => !!p);
    if (points.length === 0) continue;
    const minX = Math.min(...points.map((p) => p.x)) - PAD;
    const minY = Math.min(...points.map((p) => p.y)) - PAD - HEADER;
    const maxX = Math.max(...points.map((p) => p.x)) + NODE_W + PAD;
    const maxY = Math.max(...points.map((p) => p.y)) + NODE_H + PAD;
    out.push({ group, x: minX, y: minY, w: maxX - minX, h: maxY - minY });
  }
  // Bigger frames first, so nested ones draw on top.
  return out.sort((a, b) => b.w * b.h - a.w * a.h);
}

/** The innermost cluster frame containing a canvas point, if any. */
export function frameAt(all: Frame[], x: number, y: number): Frame | null {
  const hits = all.filter(
    (f) =>
      (f.group.kind === "ecs_cluster" || f.group.kind === "eks_cluster") &&
      x >= f.x &&
      x <= f.x + f.w &&
      y >= f.y &&
      y <= f.y + f.h,
  );
  return hits.length ? hits[hits.length - 1] : null;
}

export interface ScreenRect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Where a floating panel `w` x `h` goes beside a card on screen: to its
 * right, else to its left when that side has no room, top-aligned with it,
 * and always inside the canvas pane below `reserveTop` pixels of it (the
 * simulation bar).
 */
export function besideCard(card: ScreenRect, pane: ScreenRect, w: number, h: number, reserveTop = 0): { left: number; top: number } {
  const gap = 12;
  const right = card.right + gap;
  const left = right + w <= pane.right - 8 ? right : card.left - gap - w;
  const clampX = Math.max(pane.left + 8, Math.min(left, pane.right - 8 - w));
  const minTop = pane.top + reserveTop;
  const top = Math.max(minTop, Math.min(card.top, pane.bottom - 8 - h));
  return { left: clampX, top };
}
