import { describe, expect, it } from "vitest";
import { dataUrlBytes, imageSize } from "./diagramImage";
import { edgeLook, legend } from "./edgeStyle";
import { besideCard, frameAt, frames, NODE_H, NODE_W } from "./geometry";
import type { DocumentView } from "./generated/DocumentView";
import type { Meaning } from "./generated/Meaning";
import { actionFor } from "./shortcuts";

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean }> = {}) =>
  actionFor({ key: k, ctrl: false, shift: false, alt: false, ...mods });

describe("shortcuts", () => {
  it("maps the common editing keys", () => {
    expect(key("z", { ctrl: true })).toBe("undo");
    expect(key("Z", { ctrl: true, shift: true })).toBe("redo");
    expect(key("y", { ctrl: true })).toBe("redo");
    expect(key("Delete")).toBe("delete");
    expect(key("Backspace")).toBe("delete");
    expect(key("c", { ctrl: true })).toBe("copy");
    expect(key("v", { ctrl: true })).toBe("paste");
    expect(key("d", { ctrl: true })).toBe("duplicate");
    expect(key("s", { ctrl: true })).toBe("save");
    expect(key("S", { ctrl: true, shift: true })).toBe("saveAs");
    expect(key("f")).toBe("fit");
    expect(key("F", { shift: true })).toBe("fitAll");
    expect(key("n", { alt: true })).toBe("new");
  });
  it("ignores plain letters that are not shortcuts", () => {
    expect(key("x")).toBeNull();
    expect(key("q", { ctrl: true })).toBeNull();
  });
});

describe("edge looks", () => {
  it("draws sync solid, async dashed and poll dotted", () => {
    expect(edgeLook("invoke_sync").dash).toBeUndefined();
    expect(edgeLook("invoke_async").dash).toBe("8 5");
    expect(edgeLook("poll").dash).toBe("2 5");
  });
  it("gives every meaning a distinct look", () => {
    const looks = legend().map(([, l]) => `${l.stroke}|${l.dash}|${l.width}`);
    expect(new Set(looks).size).toBe(looks.length);
    const meanings: Meaning[] = legend().map(([m]) => m);
    expect(meanings).toContain("references");
  });
});

describe("group frames", () => {
  const doc: DocumentView = {
    name: "t",
    path: null,
    dirty: false,
    can_undo: false,
    can_redo: false,
    components: [
      { id: "cl", name: "c", kind: "ecs_cluster", label: "", category: "containers", position: { x: 0, y: 0 }, props: {}, limits: [], takes_traffic: false, parameters: [] },
      { id: "svc", name: "s", kind: "ecs_service", label: "", category: "containers", position: { x: 300, y: 200 }, props: {}, limits: [], takes_traffic: true, parameters: [] },
      { id: "out", name: "o", kind: "sqs_queue", label: "", category: "event_sources", position: { x: 900, y: 900 }, props: {}, limits: [], takes_traffic: true, parameters: [] },
    ],
    connections: [],
    groups: [{ id: "g", name: "c", kind: "ecs_cluster", owner: "cl", members: ["svc"] }],
    problems: [],
    scenarios: [],
    region: "us-east-1",
    regions: ["us-east-1"],
    export_profile: "production",
    account: { lambda_idle_expiry_s: 600, lambda_scaling: "per_function", lambda_concurrency_limit: 1000 },
  };
  it("encloses the owner and the members", () => {
    const [f] = frames(doc);
    expect(f.x).toBeLessThan(0);
    expect(f.x + f.w).toBeGreaterThan(300 + NODE_W);
    expect(f.y + f.h).toBeGreaterThan(200 + NODE_H);
  });
  it("follows positions being dragged", () => {
    const [f] = frames(doc, new Map([["svc", { x: 600, y: 200 }]]));
    expect(f.x + f.w).toBeGreaterThan(600 + NODE_W);
  });
  it("finds the cluster under a drop point", () => {
    expect(frameAt(frames(doc), 150, 100)?.group.id).toBe("g");
    expect(frameAt(frames(doc), 950, 950)).toBeNull();
  });
});

describe("diagram image size", () => {
  it("pads the diagram and caps the longest side", () => {
    expect(imageSize({ width: 1000, height: 500 })).toEqual({ width: 1200, height: 600 });
    expect(imageSize({ width: 10, height: 10 })).toEqual({ width: 320, height: 240 });
    const big = imageSize({ width: 20000, height: 1000 });
    expect(big.width).toBe(4096);
    expect(big.height).toBeLessThan(4096);
  });
});

describe("data URL bytes", () => {
  it("decodes base64 and percent-encoded data URLs", () => {
    expect([...dataUrlBytes("data:image/png;base64,iVBORw0KGgo=")]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg">é</svg>`;
    expect(new TextDecoder().decode(dataUrlBytes(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))).toBe(svg);
    expect(() => dataUrlBytes("https://example.com/a.png")).toThrow("not a data: URL");
  });
});

describe("a panel beside a card", () => {
  const pane = { left: 200, top: 40, right: 1100, bottom: 700 };
  it("goes to the card's right, top-aligned", () => {
    expect(besideCard({ left: 300, top: 300, right: 464, bottom: 354 }, pane, 320, 240, 96)).toEqual({ left: 476, top: 300 });
  });
  it("goes to the left when the right has no room", () => {
    expect(besideCard({ left: 900, top: 300, right: 1064, bottom: 354 }, pane, 320, 240, 96)).toEqual({ left: 568, top: 300 });
  });
  it("stays inside the pane, below the reserved top and above the foot", () => {
    expect(besideCard({ left: 300, top: 50, right: 464, bottom: 104 }, pane, 320, 240, 96).top).toBe(136);
    expect(besideCard({ left: 300, top: 650, right: 464, bottom: 704 }, pane, 320, 240, 96).top).toBe(452);
    // A card partly off the left edge: the panel still starts inside.
    expect(besideCard({ left: -400, top: 300, right: -236, bottom: 354 }, pane, 320, 240, 96).left).toBe(208);
  });
});
