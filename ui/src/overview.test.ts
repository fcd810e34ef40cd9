import { describe, expect, it } from "vitest";
import type { LiveComponent } from "./generated/LiveComponent";
import { NODE_H, NODE_W } from "./geometry";
import {
  curveDistance,
  edgeCurve,
  hitTest,
  HEALTH_RING,
  intersects,
  liveMark,
  OVERVIEW_MIN_COMPONENTS,
  OVERVIEW_ZOOM,
  overviewActive,
  toCanvas,
  toScreen,
  visibleRect,
  type Box,
} from "./overview";

const box = (id: string, x: number, y: number): Box => ({ id, x, y, w: NODE_W, h: NODE_H });

describe("overview level of detail", () => {
  it("takes over only below the zoom threshold, and only for large designs", () => {
    expect(overviewActive(0.2, 500)).toBe(true);
    expect(overviewActive(OVERVIEW_ZOOM, 500)).toBe(false);
    expect(overviewActive(1, 500)).toBe(false);
    expect(overviewActive(0.2, OVERVIEW_MIN_COMPONENTS - 1)).toBe(false);
    expect(overviewActive(0.2, OVERVIEW_MIN_COMPONENTS)).toBe(true);
  });
  it("is on while a large design opens, before its first fit, whatever the zoom", () => {
    expect(overviewActive(1, 500, true)).toBe(true);
    expect(overviewActive(1, OVERVIEW_MIN_COMPONENTS - 1, true)).toBe(false);
  });
});

describe("viewport transform", () => {
  const v = { x: 100, y: -50, zoom: 0.25 };
  it("maps canvas to screen as React Flow's viewport does, and back", () => {
    expect(toScreen({ x: 400, y: 800 }, v)).toEqual({ x: 200, y: 150 });
    expect(toCanvas({ x: 200, y: 150 }, v)).toEqual({ x: 400, y: 800 });
  });
  it("knows which part of the canvas a screen shows", () => {
    expect(visibleRect(v, 800, 600)).toEqual({ x: -400, y: 200, w: 3200, h: 2400 });
    expect(intersects({ x: -500, y: 0, w: 50, h: 50 }, visibleRect(v, 800, 600))).toBe(false);
    expect(intersects({ x: -420, y: 190, w: 50, h: 50 }, visibleRect(v, 800, 600))).toBe(true);
  });
});

describe("edge curves", () => {
  it("run from the source's right handle to the target's left handle", () => {
    const c = edgeCurve({ x: 0, y: 0 }, { x: 400, y: 100 });
    expect([c.x0, c.y0]).toEqual([NODE_W + 4, NODE_H / 2]);
    expect([c.x1, c.y1]).toEqual([396, 100 + NODE_H / 2]);
    // Control points pull horizontally, half the gap each (React Flow's bezier).
    expect(c.c1y).toBe(c.y0);
    expect(c.c1x - c.x0).toBeCloseTo((c.x1 - c.x0) / 2);
  });
  it("measure a point's distance to the curve", () => {
    const c = edgeCurve({ x: 0, y: 0 }, { x: 400, y: 0 });
    // A straight line at y = NODE_H / 2 between the handles.
    expect(curveDistance({ x: 280, y: NODE_H / 2 + 10 }, c)).toBeCloseTo(10, 5);
    expect(curveDistance({ x: c.x0 - 30, y: c.y0 }, c)).toBeCloseTo(30, 5);
  });
});

describe("hit testing", () => {
  const boxes = [box("a", 0, 0), box("b", 400, 0), box("c", 100, 20)];
  const edges = [{ id: "a-b", source: "a", target: "b" }];
  it("picks the topmost card under the point", () => {
    expect(hitTest({ x: 10, y: 10 }, boxes, edges, 5)).toBe("a");
    // "c" is drawn after "a" and overlaps it.
    expect(hitTest({ x: 120, y: 30 }, boxes, edges, 5)).toBe("c");
  });
  it("picks a connection within the slop, else nothing", () => {
    expect(hitTest({ x: 300, y: NODE_H / 2 + 3 }, boxes, edges, 5)).toBe("a-b");
    expect(hitTest({ x: 300, y: NODE_H / 2 + 30 }, boxes, edges, 5)).toBeNull();
  });
  it("ignores connections whose ends are not drawn", () => {
    expect(hitTest({ x: 300, y: NODE_H / 2 }, [box("a", 0, 0)], edges, 5)).toBeNull();
  });
});

describe("live marks on the overview", () => {
  const live = (arrivals: number, health: LiveComponent["health"]): LiveComponent => ({
    now: { id: "f", requests: 0, completed: 0, errors: 0, throttled: 0, cold_starts: 0, concurrency: 0, environments: 0, queue_depth: 0, tasks: 0, instances: 0, p99_ms: 0 },
    arrivals_per_s: arrivals,
    completions_per_s: arrivals,
    health,
  });

  it("marks nothing without live numbers", () => {
    expect(liveMark(undefined)).toBeNull();
  });

  it("rings a card in trouble in the cards' amber or red, and none when healthy", () => {
    expect(liveMark(live(5, "ok"))?.ring).toBeNull();
    expect(liveMark(live(5, "strained"))?.ring).toBe(HEALTH_RING.strained);
    expect(liveMark(live(5, "failing"))?.ring).toBe(HEALTH_RING.failing);
  });

  it("shows the arrival rate as a flow level and compact text", () => {
    expect(liveMark(live(0, "ok"))).toMatchObject({ level: 0, text: "0/s" });
    expect(liveMark(live(40, "ok"))).toMatchObject({ level: 2, text: "40/s" });
    expect(liveMark(live(1234, "ok"))).toMatchObject({ level: 4, text: "1.2k/s" });
  });
});

describe("edge labels", () => {
  it("are drawn only where they fit between the cards", async () => {
    const { labelFits } = await import("./Overview");
    expect(labelFits("uses", 0, 0, 120, 0)).toBe(true);
    expect(labelFits("invokes synchronously", 0, 0, 70, 0)).toBe(false);
    expect(labelFits("invokes synchronously", 0, 0, 200, 0)).toBe(true);
  });
});

describe("edge labels clear of cards", () => {
  it("hides a label that would cover a third card, and only that one", async () => {
    const { labelsOverCards } = await import("./geometry");
    const components = [
      { id: "a", position: { x: 0, y: 0 } },
      { id: "b", position: { x: 600, y: 0 } },
      // Right where the a -> b label sits.
      { id: "mid", position: { x: 230, y: -10 } },
      { id: "c", position: { x: 0, y: 300 } },
      { id: "d", position: { x: 600, y: 300 } },
    ];
    const edges = [
      { id: "ab", from: "a", to: "b", label: "invokes synchronously" },
      { id: "cd", from: "c", to: "d", label: "invokes synchronously" },
      { id: "unlabelled", from: "a", to: "b", label: "" },
    ];
    expect([...labelsOverCards(components, edges)]).toEqual(["ab"]);
  });
});

describe("card names", () => {
  it("count the lines a name wraps to, word by word", async () => {
    const { nameLines } = await import("./geometry");
    // 10 px a character, 99 px a line: 9 characters fit.
    const measure = (t: string) => t.length * 10;
    expect(nameLines("Orders", measure)).toBe(1);
    expect(nameLines("Task execution role", measure)).toBe(3);
    expect(nameLines("Users task", measure)).toBe(2);
    // A word wider than a line breaks anywhere.
    expect(nameLines("Averyveryveryverylongword", measure)).toBe(3);
  });
});
