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

/** How wide an edge label draws (11 px bold, with its padding) and how tall. */
export function labelSize(label: string): { w: number; h: number } {
  return { w: label.length * 6.4 + 12, h: 18 };
}

/**
 * Which edges' labels would cover a card: a label sits at the middle of its
 * edge (a left-to-right bezier's midpoint is its handles' midpoint) and is
 * hidden while it overlaps a card other than the two it joins. One pass
 * per document change (cards bucketed in a grid), not per frame.
 */
export function labelsOverCards(
  components: { id: string; position: { x: number; y: number } }[],
  edges: { id: string; from: string; to: string; label: string }[],
): Set<string> {
  const CELL = 256;
  const grid = new Map<string, { id: string; x: number; y: number }[]>();
  const at = new Map(components.map((c) => [c.id, c.position]));
  for (const c of components) {
    for (let gx = Math.floor(c.position.x / CELL); gx <= Math.floor((c.position.x + NODE_W) / CELL); gx++) {
      for (let gy = Math.floor(c.position.y / CELL); gy <= Math.floor((c.position.y + NODE_H) / CELL); gy++) {
        const key = `${gx},${gy}`;
        const list = grid.get(key) ?? [];
        list.push({ id: c.id, x: c.position.x, y: c.position.y });
        grid.set(key, list);
      }
    }
  }
  const covered = new Set<string>();
  const source = CARD_HANDLES[1];
  const target = CARD_HANDLES[0];
  for (const e of edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b || !e.label) continue;
    const mx = (a.x + source.x + 5 + b.x + target.x + 5) / 2;
    const my = (a.y + source.y + 5 + b.y + target.y + 5) / 2;
    const { w, h } = labelSize(e.label);
    const box = { left: mx - w / 2, right: mx + w / 2, top: my - h / 2, bottom: my + h / 2 };
    const seen = new Set<string>();
    outer: for (let gx = Math.floor(box.left / CELL); gx <= Math.floor(box.right / CELL); gx++) {
      for (let gy = Math.floor(box.top / CELL); gy <= Math.floor(box.bottom / CELL); gy++) {
        for (const c of grid.get(`${gx},${gy}`) ?? []) {
          if (c.id === e.from || c.id === e.to || seen.has(c.id)) continue;
          seen.add(c.id);
          if (box.left < c.x + NODE_W && box.right > c.x && box.top < c.y + NODE_H && box.bottom > c.y) {
            covered.add(e.id);
            break outer;
          }
        }
      }
    }
  }
  return covered;
}

/** The width a card's name has: the card (164) less its padding (2 x 10),
 * border (2 x 1.5), icon (32) and gap (8) is 101 px; what a canvas measures
 * may differ from the page by a pixel or two, so a line is 99 px. */
export const NAME_W = 99;

/**
 * How many lines `name` wraps to in `width` pixels, word by word as the
 * browser wraps (a word wider than the line breaks anywhere), with
 * `measure` giving a text's width at the card's font.
 */
export function nameLines(name: string, measure: (text: string) => number, width = NAME_W): number {
  let lines = 1;
  let line = "";
  for (const word of name.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (measure(next) <= width) {
      line = next;
      continue;
    }
    if (line) lines++;
    // A word wider than a line takes as many lines as it needs.
    const w = measure(word);
    lines += Math.max(0, Math.ceil(w / width) - 1);
    line = w > width ? "" : word;
  }
  return lines;
}
